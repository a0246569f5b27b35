"""Reads that span rows: every report is one function here, computed in the database.

The API, the pages and the CSV downloads all call these; none recomputes a figure.
Rounding (DESIGN.md section 4): FTE to two places and money to the cent, per row, and a
subtotal is the sum of its rounded rows, so a table always adds up.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Avg,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jfo_registry.core import periods
from jfo_registry.db import DaysBetween, date_value
from jfo_registry.fiscal import FiscalYear, add_days
from jfo_registry.reports import ReportError
from jfo_registry.routers import reports_read_from_replica

from .choices import Classification, JfoType, Position
from .extensions import unit_arrangements
from .models import FTE_MAX, Assignment, CostingPolicy, Officer, Program, Region, SalaryRate

CENT = Decimal("0.01")
DAYS_PER_YEAR = Decimal("365.25")
_NUMBER = DecimalField(max_digits=20, decimal_places=10)


def money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT, rounding=ROUND_HALF_UP)


def fte_round(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT, rounding=ROUND_HALF_UP)


# --- Assignments in a period -------------------------------------------------------------

def active_during(queryset: QuerySet, start: datetime.date, end: datetime.date, prefix: str = "") -> QuerySet:
    """`queryset` (assignments, or rows reaching them through `prefix`) narrowed to the rows whose
    period overlaps [start, end] (dates, inclusive); the rule is `periods.overlaps_q`."""
    return queryset.filter(periods.overlaps_q(start, end, prefix=prefix))


def active_on(queryset: QuerySet, day: datetime.date, prefix: str = "") -> QuerySet:
    """`active_during(queryset, day, day, prefix)`: the rows whose period contains `day`."""
    return active_during(queryset, day, day, prefix)


def assignments(as_of: datetime.datetime | None = None) -> QuerySet:
    """The assignments as they are, or as they stood at `as_of` (from their history)."""
    return Assignment.history.as_of(as_of) if as_of else Assignment.objects.all()


def assignments_in_year(
    year: FiscalYear, *, region=None, jfo_type=None, program=None, as_of: datetime.datetime | None = None
) -> QuerySet:
    queryset = active_during(assignments(as_of), year.start, year.end)
    if region:
        queryset = queryset.filter(jfo__region__code__in=codes(region))
    if jfo_type:
        queryset = queryset.filter(jfo__jfo_type__in=codes(jfo_type, upper=False))
    if program:
        queryset = queryset.filter(jfo__program__code__in=codes(program))
    return queryset


def codes(value, upper: bool = True) -> list[str]:
    """Codes from `value` (a comma-separated string, or a list): stripped, blanks dropped, upper
    case (lower case with `upper=False`)."""
    values = value if isinstance(value, (list, tuple, set)) else str(value).split(",")
    return [v.strip().upper() if upper else v.strip().lower() for v in values if str(v).strip()]


# --- Resources report (Exhibits 11 and 12) -------------------------------------------------

def _region_labels():
    names = {r.code: r.name for r in Region.objects.all()}
    return lambda key: names.get(key, key)


def _program_labels():
    names = {p.code: p.name for p in Program.objects.all()}
    return lambda key: names.get(key, _("No program")) if key else _("No program")


def _choice_labels(choices):
    names = dict(choices)
    return lambda key: str(names.get(key, key))


def _agency_labels():
    from .models import Agency

    names = dict(Agency.objects.values_list("acronym", "name_en"))
    return lambda key: names.get(key, key) if key else _("No lead agency")


GROUP_LABELS = {
    "region": _region_labels,
    "jfo_type": lambda: _choice_labels(JfoType.choices),
    "program": _program_labels,
    "classification": lambda: _choice_labels(Classification.choices),
    "position": lambda: _choice_labels(Position.choices),
    "lead_agency": _agency_labels,
}
GROUP_BY_CHOICES = [
    ("region", gettext_lazy("Region")),
    ("jfo_type", gettext_lazy("JFO type")),
    ("program", gettext_lazy("Program")),
    ("classification", gettext_lazy("Classification")),
    ("position", gettext_lazy("Position")),
    ("lead_agency", gettext_lazy("Lead agency")),
]
GROUP_ORDER = {  # Exhibit 12's order; other groupings follow their keys (regions: largest first)
    "jfo_type": [JfoType.REGIONAL, JfoType.BINATIONAL, JfoType.NATIONAL],
}


@dataclass
class _Group:
    fte: Decimal = Decimal(0)
    cost: Decimal = Decimal(0)
    units: set = None

    def __post_init__(self):
        self.units = set()

    def add(self, jfo_id: int, fte: Decimal, cost: Decimal) -> None:
        self.fte += fte
        self.cost += cost
        self.units.add(jfo_id)


def _per_unit_fte(year: FiscalYear, filters: dict, group_by: str, as_of) -> list[dict]:
    """One scan of the year's assignments: FTE-years per unit and classification (and position
    when grouping by it), prorated in SQL. At national scale: ~10^4 rows out of ~10^5-10^6."""
    fields = ["jfo_id", "officer__classification"] + (["officer__position"] if group_by == "position" else [])
    return list(
        assignments_in_year(year, **filters, as_of=as_of)
        .order_by()
        .values(*fields)
        .annotate(fte_years=Sum(periods.fte_years_expression(year)))
    )


def _keys_of_units(group_by: str, unit_ids: set) -> dict[int, list[tuple[str | None, Decimal]]]:
    """Each unit's group(s) with its share: one group, or each of its leads equally (CRTF: RCMP and
    OPP) so that rows still add up to the subtotal."""
    from .models import JointForceOperation, Participation

    if group_by == "lead_agency":
        leads: dict[int, list[str]] = {}
        for jfo_id, acronym in Participation.objects.filter(role="lead").values_list("jfo_id", "agency__acronym"):
            leads.setdefault(jfo_id, []).append(acronym)
        return {
            jfo_id: [(acronym, Decimal(1) / len(leads[jfo_id])) for acronym in sorted(leads[jfo_id])]
            if jfo_id in leads else [(None, Decimal(1))]
            for jfo_id in unit_ids
        }
    field = {"region": "region__code", "jfo_type": "jfo_type", "program": "program__code"}[group_by]
    return {pk: [(key, Decimal(1))] for pk, key in JointForceOperation.objects.values_list("pk", field)}


@reports_read_from_replica
def resources_report(
    fiscal_year: FiscalYear | str | int,
    group_by: str = "region",
    *,
    region=None,
    jfo_type=None,
    program=None,
    strict: bool = True,
    as_of: datetime.datetime | None = None,
) -> dict:
    """FTE-years, JFO count and salaries for a fiscal year, grouped; with benefits and total.

    The proration and the sums run in the database in one scan (per unit and classification);
    the groups add those up. Raises ReportError when a classification in use has no salary rate
    for the year (or, with `strict=False`, reports FTE only: money is None and
    `missing_salary_rates` names them), and ValueError for an unknown grouping. A year with
    nothing to cost is costed at 0 (benefits rate 0 when the year has no costing policy).
    """
    from .models import JointForceOperation

    year = FiscalYear.parse(fiscal_year)
    if group_by not in GROUP_LABELS:
        raise ValueError(_("Unknown grouping “%(group_by)s”.") % {"group_by": group_by})
    filters = {"region": region, "jfo_type": jfo_type, "program": program}
    per_unit = _per_unit_fte(year, filters, group_by, as_of)
    rates = dict(SalaryRate.objects.filter(fiscal_year=year.start_year).values_list("classification", "annual_salary"))
    missing = sorted({row["officer__classification"] for row in per_unit} - set(rates))
    if missing and strict:
        raise ReportError(
            _("No salary rate for %(classifications)s in %(year)s: add it before costing this year.")
            % {"classifications": ", ".join(missing), "year": year.label},
            missing_classifications=missing,
        )
    policy = CostingPolicy.objects.filter(fiscal_year=year.start_year).first()
    if policy is None and per_unit and strict:
        raise ReportError(
            _("No employee benefits rate for %(year)s: add a costing policy for this year.") % {"year": year.label},
            missing_costing_policy=year.label,
        )
    # Nothing to cost (no assignment overlaps the year) costs 0, whether or not a policy exists.
    can_cost = not missing and (policy is not None or not per_unit)

    unit_ids = {row["jfo_id"] for row in per_unit}
    if group_by in ("classification", "position"):
        field = "officer__classification" if group_by == "classification" else "officer__position"
        keys_of = None
    else:
        keys_of = _keys_of_units(group_by, unit_ids)
    programs = dict(JointForceOperation.objects.values_list("pk", "program__code")) if group_by == "jfo_type" else {}
    groups: dict = {}
    children: dict = {}
    for row in per_unit:
        fte = Decimal(str(row["fte_years"] or 0))
        rate = rates.get(row["officer__classification"], Decimal(0))
        for key, share in ([(row[field], Decimal(1))] if keys_of is None else keys_of[row["jfo_id"]]):
            groups.setdefault(key, _Group()).add(row["jfo_id"], fte * share, fte * share * rate)
            if group_by == "jfo_type":
                children.setdefault(key, {}).setdefault(programs.get(row["jfo_id"]), _Group()).add(
                    row["jfo_id"], fte * share, fte * share * rate
                )

    def as_row(key, group: _Group, label) -> dict:
        return {
            "key": key,
            "label": label(key),
            "jfo_count": len(group.units),
            "fte": fte_round(group.fte),
            "salaries": money(group.cost) if can_cost else None,
        }

    label = GROUP_LABELS[group_by]()
    rows = [as_row(key, group, label) for key, group in groups.items()]
    if group_by == "region":
        rows.sort(key=lambda row: (-(row["salaries"] if can_cost else row["fte"]), row["key"] or ""))
    elif group_by in GROUP_ORDER:
        order = {key: index for index, key in enumerate(GROUP_ORDER[group_by])}
        rows.sort(key=lambda row: order.get(row["key"], len(order)))
    else:
        rows.sort(key=lambda row: (row["key"] is None, row["key"] or ""))
    if group_by == "jfo_type":
        program_label = _program_labels()
        for row in rows:
            row["children"] = sorted(
                (as_row(key, group, program_label) for key, group in children.get(row["key"], {}).items()),
                key=lambda child: (child["key"] is None, -child["fte"], child["key"] or ""),
            )
    subtotal = {
        "jfo_count": len(unit_ids),
        "fte": sum((row["fte"] for row in rows), Decimal(0)),
        "salaries": None,
    }
    report = {
        "report": "resources",
        "fiscal_year": year.label,
        "period": {"start": year.start, "end": year.end},
        "group_by": group_by,
        "filters": {k: v for k, v in filters.items() if v},
        "as_of": as_of,
        "rows": rows,
        "subtotal": subtotal,
        "employee_benefits": {"rate": None, "amount": None},
        "total": None,
    }
    if not can_cost:
        report["missing_salary_rates"] = missing
        report["missing_costing_policy"] = policy is None
        return report
    rate = policy.employee_benefits_rate if policy is not None else Decimal(0)
    subtotal["salaries"] = sum((row["salaries"] for row in rows), Decimal(0))
    benefits = money(subtotal["salaries"] * rate)
    report["employee_benefits"] = {"rate": rate.normalize(), "amount": benefits}
    report["total"] = subtotal["salaries"] + benefits
    return report


# --- Tenure ------------------------------------------------------------------------------

@reports_read_from_replica
def tenure_report(
    on: datetime.date | None = None, *, threshold_years: Decimal = Decimal(5), region=None,
    as_of: datetime.datetime | None = None,
) -> dict:
    """Years each officer has been on their current JFO unit(s) at `on` (default today).

    An officer's tenure runs from the start of their earliest current assignment. Averages
    by position and by region are computed in the database; `long_assignments` lists current
    assignments longer than `threshold_years` (the evaluation's "indefinite assignment" concern).
    """
    from django.utils import timezone

    day = on or timezone.localdate()
    current = active_on(assignments(as_of), day)
    if region:
        current = current.filter(jfo__region__code__in=codes(region))
    first_start = (
        current.filter(officer=OuterRef("pk")).order_by().values("officer").annotate(first=Min("start_date")).values("first")
    )
    officers = (
        Officer.objects.annotate(tenure_start=Subquery(first_start))
        .filter(tenure_start__isnull=False)
        .annotate(tenure_days=DaysBetween(date_value(day), F("tenure_start")))
    )
    units: dict[int, list[str]] = {}
    for officer_id, acronym in current.order_by("jfo__acronym").values_list("officer_id", "jfo__acronym"):
        units.setdefault(officer_id, []).append(acronym)
    rows = [
        {
            "employee_number": o["employee_number"],
            "name": o["name"],
            "position": o["position"],
            "region": o["home_region__code"],
            "jfos": units.get(o["pk"], []),
            "since": o["tenure_start"],
            "years": _years(o["tenure_days"]),
        }
        for o in officers.order_by("-tenure_days", "employee_number").values(
            "pk", "employee_number", "name", "position", "home_region__code", "tenure_start", "tenure_days"
        )
    ]

    def averages(field: str) -> list[dict]:
        return [
            {"key": r["key"], "officers": r["officers"], "average_years": _years(r["average"])}
            for r in officers.values(key=F(field))
            .annotate(officers=Count("pk"), average=Avg("tenure_days"))
            .order_by("key")
        ]

    overall = officers.aggregate(officers=Count("pk"), average=Avg("tenure_days"))
    long_count, long_rows = long_assignments(day, threshold_years=threshold_years, current=current)
    return {
        "report": "tenure",
        "on": day,
        "threshold_years": Decimal(threshold_years),
        "rows": rows,
        "average": {"officers": overall["officers"], "average_years": _years(overall["average"])},
        "by_position": averages("position"),
        "by_region": averages("home_region__code"),
        "as_of": as_of,
        "long_assignments": long_rows,
        "long_assignment_count": long_count,
    }


def long_assignments(
    day: datetime.date, *, threshold_years: Decimal = Decimal(5), region=None, current=None, limit: int | None = None,
) -> tuple[int, list[dict]]:
    """Current assignments longer than `threshold_years` at `day`, longest first: (count, rows)."""
    if current is None:
        current = active_on(assignments(), day)
        if region:
            current = current.filter(jfo__region__code__in=codes(region))
    threshold_days = int(Decimal(threshold_years) * DAYS_PER_YEAR)
    queryset = (
        current.annotate(days=DaysBetween(date_value(day), F("start_date")))
        .filter(days__gt=threshold_days)
        .order_by("-days", "officer__employee_number")
        .values("id", "officer_id", "jfo_id", "officer__employee_number", "officer__name", "jfo__acronym",
                "jfo__region__code", "fte", "start_date", "days")
    )
    rows = [
        {
            "id": a["id"],
            "officer_id": a["officer_id"],
            "jfo_id": a["jfo_id"],
            "employee_number": a["officer__employee_number"],
            "name": a["officer__name"],
            "jfo": a["jfo__acronym"],
            "region": a["jfo__region__code"],
            "fte": a["fte"],
            "start_date": a["start_date"],
            "years": _years(a["days"]),
        }
        for a in (queryset if limit is None else queryset[:limit])
    ]
    return (len(rows) if limit is None else queryset.count()), rows


def _years(days) -> Decimal:
    if days is None:
        return Decimal(0)
    return (Decimal(str(days)) / DAYS_PER_YEAR).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --- Allocation --------------------------------------------------------------------------

@reports_read_from_replica
def allocation_report(
    fiscal_year: FiscalYear | str | int, *, under_threshold: Decimal = FTE_MAX, region=None,
    as_of: datetime.datetime | None = None, limit: int | None = None,
) -> dict:
    """Officers above 1.00 FTE on any day of the year (should be none) and officers whose
    FTE-years in the year fall below `under_threshold`.

    A step function's peak is reached where a step starts, so the peak daily FTE is the
    largest load at the year's start or at any assignment start within the year.
    """
    year = FiscalYear.parse(fiscal_year)
    officers = Officer.objects.filter(active=True)
    if region:
        officers = officers.filter(home_region__code__in=codes(region))
    in_year = active_during(assignments(as_of), year.start, year.end).filter(officer__in=officers).order_by()
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
        in_year.annotate(load=Subquery(load_at_start, output_field=_NUMBER))
        .values("officer_id").annotate(peak=Max("load")).values_list("officer_id", "peak")
    )
    totals = dict(
        in_year.values("officer_id").annotate(total=Sum(periods.fte_years_expression(year))).values_list("officer_id", "total")
    )
    threshold = Decimal(under_threshold)
    over_ids = {pk for pk, peak in peaks.items() if peak is not None and Decimal(str(peak)) > FTE_MAX}
    under_ids = {pk for pk, total in totals.items() if Decimal(str(total)) < threshold} - over_ids
    idle = officers.exclude(pk__in=in_year.values("officer_id")) if threshold > 0 else officers.none()
    flagged_officers = officers.filter(Q(pk__in=over_ids | under_ids) | Q(pk__in=idle.values("pk")))
    flagged = [  # the officers over or under, in order
        {
            "id": o["pk"],
            "employee_number": o["employee_number"],
            "name": o["name"],
            "position": o["position"],
            "region": o["home_region__code"],
            "peak_fte": fte_round(peaks.get(o["pk"])),
            "fte_years": fte_round(totals.get(o["pk"])),
            "state": "over" if o["pk"] in over_ids else "under",
        }
        for o in flagged_officers.order_by("home_region__code", "employee_number")
        .values("pk", "employee_number", "name", "position", "home_region__code")
    ]
    over = [{k: v for k, v in row.items() if k != "state"} for row in flagged if row["state"] == "over"]
    under = [{k: v for k, v in row.items() if k != "state"} for row in flagged if row["state"] == "under"]

    return {
        "report": "allocation",
        "fiscal_year": year.label,
        "period": {"start": year.start, "end": year.end},
        "under_threshold": Decimal(under_threshold),
        "as_of": as_of,
        "over_allocated": over[:limit],
        "under_allocated": under[:limit],
        "over_allocated_count": len(over),
        "under_allocated_count": len(under),
        "officers": officers.count(),
    }


# --- Lists and the dashboard ---------------------------------------------------------------

def current_fte_subquery(day: datetime.date, **outer):
    """Sum of FTE of assignments active on `day`, for annotating units or officers."""
    return Subquery(
        active_on(Assignment.objects.filter(**{field: OuterRef(ref) for field, ref in outer.items()}), day)
        .order_by()
        .values(*outer)
        .annotate(total=Sum("fte"))
        .values("total"),
        output_field=DecimalField(max_digits=6, decimal_places=2),
    )


def jfo_list(day: datetime.date) -> QuerySet:
    """JFO units with their current FTE (`current_fte`, FTE on `day`) and whether an arrangement
    is in force on `day` (`has_arrangement_in_force`, from the registered unit arrangements)."""
    from django.db.models import Prefetch

    from .models import JointForceOperation, Participation

    return JointForceOperation.objects.select_related("region", "program").prefetch_related(
        Prefetch(
            "participations",
            queryset=Participation.objects.filter(role="lead").select_related("agency"),
            to_attr="lead_participations",
        )
    ).annotate(
        current_fte=Coalesce(current_fte_subquery(day, jfo="pk"), Value(Decimal(0)), output_field=_NUMBER),
        has_arrangement_in_force=unit_arrangements().covered_on(day),
    )


def officer_list(day: datetime.date) -> QuerySet:
    return Officer.objects.select_related("home_region").annotate(
        current_fte=Coalesce(current_fte_subquery(day, officer="pk"), Value(Decimal(0)), output_field=_NUMBER)
    )


@dataclass(frozen=True)
class AllocationPeriod:
    start: datetime.date
    end: datetime.date | None
    total: Decimal
    assignments: tuple

    @property
    def state(self) -> str:
        if self.total > FTE_MAX:
            return "excess"
        if self.total == 0:
            return "gap"
        return "full" if self.total == FTE_MAX else "partial"


def officer_allocation(officer: Officer) -> list[AllocationPeriod]:
    """An officer's total FTE over time: consecutive periods with the same assignments,
    including gaps between assignments (total 0) and any excess."""
    assignments = list(officer.assignments.select_related("jfo").order_by("start_date", "pk"))
    if not assignments:
        return []
    one_day = datetime.timedelta(days=1)
    points = sorted(
        {a.start_date for a in assignments} | {add_days(a.end_date, 1) for a in assignments if a.end_date}
    )
    found: list[AllocationPeriod] = []
    for index, point in enumerate(points):
        active = tuple(a for a in assignments if periods.overlaps(a.start_date, a.end_date, point, point))
        end = points[index + 1] - one_day if index + 1 < len(points) else None
        if end is None and not active:
            break
        found.append(AllocationPeriod(point, end, sum((a.fte for a in active), Decimal(0)), active))
    return found


def region_codes(value) -> list[str]:
    """Region codes from a `region` parameter ("GTA,que" or a list): `["GTA", "QUE"]`."""
    return codes(value)


def first_assignment_day() -> datetime.date | None:
    """The start date of the earliest assignment (None when there is none): the report pages
    offer fiscal years back to the one holding it."""
    return Assignment.objects.order_by("start_date").values_list("start_date", flat=True).first()
