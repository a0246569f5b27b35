"""The assignments a report reads: in a period, on a day, as they stood at a moment; the
rounding every report applies; and the code lists of report parameters."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import DecimalField, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from jfo_registry.core import periods
from jfo_registry.core.fiscal import FiscalYear
from jfo_registry.core.history import records_as_of

from ..attributes import attribute_on_expression
from ..models import Assignment, CostingPolicy, JointForceOperation, Participation, Region, SalaryRate

CENT = Decimal("0.01")
DAYS_PER_YEAR = Decimal("365.25")
NUMBER = DecimalField(max_digits=20, decimal_places=10)


def money(value) -> Decimal:
    """`value` (dollars, any number or None) rounded to the cent, half up, as a Decimal."""
    return Decimal(str(value or 0)).quantize(CENT, rounding=ROUND_HALF_UP)


def fte_round(value) -> Decimal:
    """`value` (FTE or FTE-years, any number or None) rounded to two places, half up."""
    return Decimal(str(value or 0)).quantize(CENT, rounding=ROUND_HALF_UP)


def years_of(days) -> Decimal:
    """`days` (a number of days, or None) in years of 365.25 days, to two places."""
    if days is None:
        return Decimal(0)
    return (Decimal(str(days)) / DAYS_PER_YEAR).quantize(CENT, rounding=ROUND_HALF_UP)


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


def tenure_start():
    """An expression over assignments (or their history rows): the day the officer's time on
    the unit began, that is the start of the first period the assignment continues
    (`series_start`, kept along `predecessor` links), or its own start when it continues none
    (and on history rows recorded before `series_start` existed). A date; raises nothing."""
    return Coalesce(F("series_start"), F("start_date"))


def assignments_in_year(
    year: FiscalYear, *, region=None, jfo_type=None, program=None, as_of: datetime.datetime | None = None
) -> QuerySet:
    """The assignments overlapping the fiscal year `year` (as they stood at `as_of` when given),
    narrowed to units of the `region`, `jfo_type` and `program` codes (comma-separated or lists;
    the units as they stood at `as_of` too). A queryset of Assignment (or of its history records
    with `as_of`); raises nothing."""
    queryset = active_during(assignments(as_of), year.start, year.end)
    return of_units(queryset, region=region, jfo_type=jfo_type, program=program, as_of=as_of)


# --- What a report reads besides assignments, as it is or as it stood at `as_of` ---------------
# (transaction time: rebuilt from each table's history; `None` reads the tables as they are)

def units(as_of: datetime.datetime | None = None) -> QuerySet:
    """The JFO units as they are, or as they stood at `as_of` (their historical rows: region,
    type, program... as recorded then). Read them through `id`, never `pk`; raises nothing."""
    return records_as_of(JointForceOperation, as_of)


def of_units(queryset: QuerySet, *, region=None, jfo_type=None, program=None,
             as_of: datetime.datetime | None = None) -> QuerySet:
    """`queryset` (rows with a `jfo`: assignments or their history) narrowed to the units of the
    `region`, `jfo_type` and `program` codes (comma-separated or lists), the units as they stood
    at `as_of` when given (a unit moved since is found in its region of then). Raises nothing."""
    filters = {}
    if region:
        filters["region__code__in"] = codes(region)
    if jfo_type:
        filters["jfo_type__in"] = codes(jfo_type, upper=False)
    if program:
        filters["program__code__in"] = codes(program)
    if not filters:
        return queryset
    if as_of is None:
        return queryset.filter(**{f"jfo__{path}": value for path, value in filters.items()})
    return queryset.filter(jfo_id__in=units(as_of).filter(**filters).values("id"))


def unit_value(path: str, as_of: datetime.datetime | None = None):
    """An expression over rows with a `jfo_id` (assignments or their history): their unit's
    `path` ("acronym", "region__code", "jfo_type", "program__code"), as the unit is, or as it
    stood at `as_of` (a subquery of its history). Raises nothing."""
    if as_of is None:
        return F(f"jfo__{path}")
    return Subquery(units(as_of).filter(id=OuterRef("jfo_id")).values(path)[:1])


def lead_agencies(unit_ids=None, as_of: datetime.datetime | None = None) -> dict[int, list[str]]:
    """{unit id: sorted acronyms of its lead agencies} (units of `unit_ids`, or all), from the
    participations as they are or as they stood at `as_of`; units without a lead absent. One query."""
    rows = records_as_of(Participation, as_of).filter(role="lead")
    if unit_ids is not None:
        rows = rows.filter(jfo_id__in=list(unit_ids))
    leads: dict[int, list[str]] = {}
    for jfo_id, acronym in rows.order_by("agency__acronym").values_list("jfo_id", "agency__acronym"):
        leads.setdefault(jfo_id, []).append(acronym)
    return leads


def salary_rates(year: FiscalYear, as_of: datetime.datetime | None = None) -> dict[str, Decimal]:
    """{classification: annual salary (CAD)} of the fiscal year `year`, as the rates are or as
    they stood at `as_of`. One query; raises nothing."""
    rows = records_as_of(SalaryRate, as_of).filter(fiscal_year=year.start_year)
    return dict(rows.values_list("classification", "annual_salary"))


def costing_policy(year: FiscalYear, as_of: datetime.datetime | None = None):
    """The costing policy of the fiscal year `year` (its `employee_benefits_rate`, a fraction),
    as it is or as it stood at `as_of` (a historical row then); None when there is none. One query."""
    return records_as_of(CostingPolicy, as_of).filter(fiscal_year=year.start_year).order_by("id").first()


def in_regions_on(
    queryset: QuerySet, region, day: datetime.date, *, record: str = "jfo", as_of: datetime.datetime | None = None
) -> QuerySet:
    """`queryset` narrowed to the rows whose unit (`record`: the path to it, "jfo" on
    assignments, "pk" on units, "id" on their historical rows) was, on `day`, in one of the
    `region` codes (comma-separated or a list): the unit's region of that day
    (`attributes.attribute_on_expression`; as the registry held it at `as_of` when given).
    Raises nothing."""
    ids = Region.objects.filter(code__in=region_codes(region)).values("pk")
    region_on_day = attribute_on_expression("region", day, record=record, as_of=as_of)
    return queryset.alias(unit_region_on_day=region_on_day).filter(
        unit_region_on_day__in=ids
    )


def codes(value, upper: bool = True) -> list[str]:
    """Codes from `value` (a comma-separated string, or a list): stripped, blanks dropped, upper
    case (lower case with `upper=False`)."""
    values = value if isinstance(value, (list, tuple, set)) else str(value).split(",")
    return [v.strip().upper() if upper else v.strip().lower() for v in values if str(v).strip()]


def region_codes(value) -> list[str]:
    """Region codes from a `region` parameter ("GTA,que" or a list): `["GTA", "QUE"]`."""
    return codes(value)


def first_assignment_day() -> datetime.date | None:
    """The start date of the earliest assignment (None when there is none): the report pages
    offer fiscal years back to the one holding it."""
    return Assignment.objects.order_by("start_date").values_list("start_date", flat=True).first()
