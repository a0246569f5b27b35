"""Staffing reports: tenure on the current unit, long assignments, and allocation (officers
above 1.00 FTE on some day, or under-allocated in FTE-years)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Count, F, Max, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Greatest
from django.utils import timezone

from jfo_registry.core import periods
from jfo_registry.core.db import DaysBetween, date_value
from jfo_registry.core.fiscal import FiscalYear
from jfo_registry.core.history import records_as_of
from jfo_registry.core.routers import reports_read_from_replica
from jfo_registry.core.shapes import Period, Shape, public

from ..attributes import attribute_on_expression
from ..models import FTE_MAX, Officer, Region
from .assignments import (
    DAYS_PER_YEAR, NUMBER, active_during, active_on, assignments, codes, fte_round, in_regions_on, tenure_start,
    unit_value, years_of,
)
from .resources import YearCorrection, day_closure_facts, year_closure_facts


@dataclass(eq=False, kw_only=True)
class TenureRow(Shape):
    """An officer on their current JFO unit(s) (acronyms, `jfos`) since `since`, the start of
    their earliest current assignment's series (the first period it continues, through changes
    from a date): `years` (years of 365.25 days, two places)."""

    employee_number: str
    name: str
    position: str
    region: str = public(help_text="The officer's home region (code).")
    jfos: list[str]
    since: datetime.date
    years: Decimal


@dataclass(eq=False, kw_only=True)
class TenureAverage(Shape):
    """Officers counted and their average tenure (years, two places)."""

    officers: int
    average_years: Decimal


@dataclass(eq=False, kw_only=True)
class TenureGroupAverage(Shape):
    """A group's (`key`: a position or a home region code) officers and average tenure (years)."""

    key: str
    officers: int
    average_years: Decimal


@dataclass(eq=False, kw_only=True)
class LongAssignment(Shape):
    """A current assignment longer than the threshold: its officer, unit (`jfo`, an acronym, and
    its region code), `fte` (FTE, the assignment's share), `start_date` (the start of its series:
    the first period it continues, through changes from a date) and length (`years`)."""

    id: int
    officer_id: int
    jfo_id: int
    employee_number: str
    name: str
    jfo: str
    region: str
    fte: Decimal
    start_date: datetime.date
    years: Decimal


@dataclass(eq=False, kw_only=True)
class TenureReport(Shape):
    """The tenure report on `on`: per officer (`rows`, longest first), on average, by position
    and home region, and the assignments longer than `threshold_years` (years)."""

    report: str
    on: datetime.date
    threshold_years: Decimal
    rows: list[TenureRow]
    average: TenureAverage
    by_position: list[TenureGroupAverage]
    by_region: list[TenureGroupAverage]
    as_of: datetime.datetime | None
    long_assignments: list[LongAssignment]
    long_assignment_count: int
    closed_on: datetime.datetime | None = public(
        omit_none=True, default=None, csv=False, help_text="When the fiscal year of `on` was closed; absent while it is open."
    )
    corrections: list[YearCorrection] | None = public(
        omit_none=True, default=None, csv=False,
        help_text="A closed year's corrections by administrators, oldest first; absent for an open year without any.",
    )


@reports_read_from_replica
def tenure_report(
    on: datetime.date | None = None, *, threshold_years: Decimal = Decimal(5), region=None,
    as_of: datetime.datetime | None = None,
) -> TenureReport:
    """Years each officer has been on their current JFO unit(s) at `on` (default today).

    An officer's tenure runs from the start of their earliest current assignment, or of the
    first period that assignment continues (a change of FTE or role from a date keeps the
    officer's tenure: `tenure_start`). Averages
    by position and by region are computed in the database; `long_assignments` lists current
    assignments longer than `threshold_years` (years; the evaluation's "indefinite assignment"
    concern). `region`: unit region code(s), comma-separated; `as_of`: the registry as it stood
    then (the assignments and their units, region and acronym, rebuilt from their history).
    `closed_on` and `corrections`: those of the fiscal year of `on`, as the resources report
    gives them (`year_closure_facts`). Returns a TenureReport; raises nothing for valid arguments.
    """
    day = on or timezone.localdate()
    current = active_on(assignments(as_of), day)
    if region:
        current = in_regions_on(current, region, day, as_of=as_of)
    first_start = (
        current.filter(officer=OuterRef("pk")).order_by().values("officer").annotate(first=Min(tenure_start())).values("first")
    )
    officers = (
        Officer.objects.annotate(tenure_start=Subquery(first_start))
        .filter(tenure_start__isnull=False)
        .annotate(
            tenure_days=DaysBetween(date_value(day), F("tenure_start")),
            # Position and home region as they were on `day` (operations/attributes.py).
            position_on_day=attribute_on_expression("position", day, officer="pk", as_of=as_of),
            region_on_day=attribute_on_expression("home_region", day, officer="pk", as_of=as_of),
        )
    )
    region_codes_by_id = dict(Region.objects.values_list("pk", "code"))
    units: dict[int, list[str]] = {}
    acronyms = current.annotate(unit_acronym=unit_value("acronym", as_of)).order_by("unit_acronym")
    for officer_id, acronym in acronyms.values_list("officer_id", "unit_acronym"):
        units.setdefault(officer_id, []).append(acronym)
    rows = [
        TenureRow(
            employee_number=o["employee_number"],
            name=o["name"],
            position=o["position_on_day"],
            region=region_codes_by_id.get(o["region_on_day"]),
            jfos=units.get(o["pk"], []),
            since=o["tenure_start"],
            years=years_of(o["tenure_days"]),
        )
        for o in officers.order_by("-tenure_days", "employee_number").values(
            "pk", "employee_number", "name", "position_on_day", "region_on_day", "tenure_start", "tenure_days"
        )
    ]

    def averages(field: str, label=lambda key: key) -> list[TenureGroupAverage]:
        rows = [
            TenureGroupAverage(key=label(r["key"]), officers=r["officers"], average_years=years_of(r["average"]))
            for r in officers.values(key=F(field))
            .annotate(officers=Count("pk"), average=Avg("tenure_days"))
        ]
        return sorted(rows, key=lambda row: (row.key is None, row.key or ""))

    overall = officers.aggregate(officers=Count("pk"), average=Avg("tenure_days"))
    long_count, long_rows = long_assignments(day, threshold_years=threshold_years, current=current, as_of=as_of)
    report = TenureReport(
        report="tenure",
        on=day,
        threshold_years=Decimal(threshold_years),
        rows=rows,
        average=TenureAverage(officers=overall["officers"], average_years=years_of(overall["average"])),
        by_position=averages("position_on_day"),
        by_region=averages("region_on_day", region_codes_by_id.get),
        as_of=as_of,
        long_assignments=long_rows,
        long_assignment_count=long_count,
    )
    report.closed_on, report.corrections = day_closure_facts(day, as_of)
    return report


def long_assignments(
    day: datetime.date, *, threshold_years: Decimal = Decimal(5), region=None, current=None, limit: int | None = None,
    as_of: datetime.datetime | None = None,
) -> tuple[int, list[LongAssignment]]:
    """Current assignments longer than `threshold_years` (years) at `day`, counted from the start
    of the first period each continues (`tenure_start`), longest first:
    (how many in all, the rows; the first `limit` of them when given). `region`: unit region
    code(s); `current`: the current assignments already chosen (tenure_report's); `as_of`: the
    assignments and their units as they stood then. Raises nothing."""
    if current is None:
        current = active_on(assignments(as_of), day)
        if region:
            current = in_regions_on(current, region, day, as_of=as_of)
    threshold_days = int(Decimal(threshold_years) * DAYS_PER_YEAR)
    queryset = (
        current.annotate(
            series_start_day=tenure_start(),
            days=DaysBetween(date_value(day), tenure_start()),
            unit_acronym=unit_value("acronym", as_of),
            unit_region=attribute_on_expression("region", day, record="jfo", as_of=as_of),  # the unit's region that day
        )
        .filter(days__gt=threshold_days)
        .order_by("-days", "officer__employee_number", "id")
        .values("id", "officer_id", "jfo_id", "officer__employee_number", "officer__name", "unit_acronym",
                "unit_region", "fte", "series_start_day", "days")
    )
    region_codes_by_id = dict(Region.objects.values_list("pk", "code"))
    rows = [
        LongAssignment(
            id=a["id"],
            officer_id=a["officer_id"],
            jfo_id=a["jfo_id"],
            employee_number=a["officer__employee_number"],
            name=a["officer__name"],
            jfo=a["unit_acronym"],
            region=region_codes_by_id.get(a["unit_region"]),
            fte=a["fte"],
            start_date=a["series_start_day"],
            years=years_of(a["days"]),
        )
        for a in (queryset if limit is None else queryset[:limit])
    ]
    return (len(rows) if limit is None else queryset.count()), rows


@dataclass(eq=False, kw_only=True)
class AllocationRow(Shape):
    """An officer over or under: `peak_fte` (FTE, the largest daily load in the year) and
    `fte_years` (FTE-years in the year), both to two places."""

    id: int = public(csv=False, help_text="The officer's id.")
    employee_number: str
    name: str
    position: str
    region: str = public(help_text="The officer's home region (code).")
    peak_fte: Decimal
    fte_years: Decimal


@dataclass(eq=False, kw_only=True)
class AllocationReport(Shape):
    """The allocation report of a fiscal year: officers above 1.00 FTE on some day
    (`over_allocated`) and under `under_threshold` FTE-years (`under_allocated`), with counts
    (the lists may be cut to a limit; the counts are not) and the officers counted (those
    assigned during the year, and while it has not ended the active ones without an assignment)."""

    report: str
    fiscal_year: str
    period: Period
    under_threshold: Decimal = public(help_text="FTE-years.")
    as_of: datetime.datetime | None
    over_allocated: list[AllocationRow]
    under_allocated: list[AllocationRow]
    over_allocated_count: int
    under_allocated_count: int
    officers: int
    closed_on: datetime.datetime | None = public(
        omit_none=True, default=None, csv=False, help_text="When the fiscal year was closed; absent while it is open."
    )
    corrections: list[YearCorrection] | None = public(
        omit_none=True, default=None, csv=False,
        help_text="A closed year's corrections by administrators, oldest first; absent for an open year without any.",
    )


@reports_read_from_replica
def allocation_report(
    fiscal_year: FiscalYear | str | int, *, under_threshold: Decimal = FTE_MAX, region=None,
    as_of: datetime.datetime | None = None, limit: int | None = None,
) -> AllocationReport:
    """Officers above 1.00 FTE on any day of the year (should be none) and officers whose
    FTE-years in the year (a FiscalYear, "2010-2011" or 2010) fall below `under_threshold`
    (FTE-years); `region`: home region code(s); `as_of`: the registry as it stood then;
    `limit`: at most that many rows of each list.

    The officers are those of the year, as they were: the officers with an assignment
    overlapping it, and while it has not ended (its last day today or later; "today" is the day
    of `as_of` when given), the active officers without one. Each one's position and home region
    (the `region` filter's too) are those of the year's last day, or of today if earlier
    (`attributes.attribute_on_expression`); with `as_of`, the officers, their periods and
    assignments as the registry held them then. An edit made today (a transfer, a new officer, a
    deactivation) leaves an ended year's report unchanged. `closed_on` and `corrections`: the
    year's, as the resources report gives them (`year_closure_facts`).

    A step function's peak is reached where a step starts, so the peak daily FTE is the
    largest load at the year's start or at any assignment start within the year. Returns an
    AllocationReport; raises ValueError for an unknown year.
    """
    year = FiscalYear.parse(fiscal_year)
    # The officers as they were: those assigned during the year; while it has not ended (its
    # end not before today, the day of `as_of` when given), also the active officers without an
    # assignment. Position and home region as of the year's last day, or today if earlier.
    today = timezone.localdate(as_of) if as_of is not None else timezone.localdate()
    day = min(year.end, today)
    assigned = active_during(assignments(as_of), year.start, year.end).order_by()
    counted = Q(id__in=assigned.values("officer_id"))
    if year.end >= today:
        counted |= Q(active=True)
    officers = records_as_of(Officer, as_of).filter(counted).annotate(
        position_on_day=attribute_on_expression("position", day, record="id", as_of=as_of),
        region_on_day=attribute_on_expression("home_region", day, record="id", as_of=as_of),
    )
    if region:
        officers = officers.filter(region_on_day__in=Region.objects.filter(code__in=codes(region)).values("pk"))
    in_year = assigned.filter(officer_id__in=officers.values("id"))
    point = Greatest(OuterRef("start_date"), date_value(year.start))
    load_at_start = (
        assignments(as_of).filter(periods.on_day_q(point), officer=OuterRef("officer"))
        .order_by()
        .values("officer")
        .annotate(total=Sum("fte"))
        .values("total")
    )
    # Set-based: each in-year assignment's load at its start, the officer's peak; FTE-years per officer.
    peaks = dict(
        in_year.annotate(load=Subquery(load_at_start, output_field=NUMBER))
        .values("officer_id").annotate(peak=Max("load")).values_list("officer_id", "peak")
    )
    totals = dict(
        in_year.values("officer_id").annotate(total=Sum(periods.fte_years_expression(year))).values_list("officer_id", "total")
    )
    threshold = Decimal(under_threshold)
    over_ids = {pk for pk, peak in peaks.items() if peak is not None and Decimal(str(peak)) > FTE_MAX}
    under_ids = {pk for pk, total in totals.items() if Decimal(str(total)) < threshold} - over_ids
    idle = officers.exclude(id__in=in_year.values("officer_id")) if threshold > 0 else officers.none()
    flagged_officers = officers.filter(Q(id__in=over_ids | under_ids) | Q(id__in=idle.values("id")))
    region_codes_by_id = dict(Region.objects.values_list("pk", "code"))
    flagged = sorted(  # the officers over or under, by home region (that day) and number
        (
            AllocationRow(
                id=o["id"],
                employee_number=o["employee_number"],
                name=o["name"],
                position=o["position_on_day"],
                region=region_codes_by_id.get(o["region_on_day"]),
                peak_fte=fte_round(peaks.get(o["id"])),
                fte_years=fte_round(totals.get(o["id"])),
            )
            for o in flagged_officers.values("id", "employee_number", "name", "position_on_day", "region_on_day")
        ),
        key=lambda row: (row.region or "", row.employee_number),
    )
    over = [row for row in flagged if row.id in over_ids]
    under = [row for row in flagged if row.id not in over_ids]

    report = AllocationReport(
        report="allocation",
        fiscal_year=year.label,
        period=Period(start=year.start, end=year.end),
        under_threshold=Decimal(under_threshold),
        as_of=as_of,
        over_allocated=over[:limit],
        under_allocated=under[:limit],
        over_allocated_count=len(over),
        under_allocated_count=len(under),
        officers=officers.count(),
    )
    report.closed_on, report.corrections = year_closure_facts(year, as_of)
    return report
