"""The assignments a report reads: in a period, on a day, as they stood at a moment; the
rounding every report applies; and the code lists of report parameters."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import DecimalField, QuerySet

from jfo_registry.core import periods
from jfo_registry.core.fiscal import FiscalYear

from ..attributes import attribute_on_expression
from ..models import Assignment, Region

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


def assignments_in_year(
    year: FiscalYear, *, region=None, jfo_type=None, program=None, as_of: datetime.datetime | None = None
) -> QuerySet:
    """The assignments overlapping the fiscal year `year` (as they stood at `as_of` when given),
    narrowed to units of the `region`, `jfo_type` and `program` codes (comma-separated or lists).
    A queryset of Assignment (or of its history records with `as_of`); raises nothing."""
    queryset = active_during(assignments(as_of), year.start, year.end)
    if region:
        queryset = queryset.filter(jfo__region__code__in=codes(region))
    if jfo_type:
        queryset = queryset.filter(jfo__jfo_type__in=codes(jfo_type, upper=False))
    if program:
        queryset = queryset.filter(jfo__program__code__in=codes(program))
    return queryset


def in_regions_on(queryset: QuerySet, region, day: datetime.date, *, record: str = "jfo") -> QuerySet:
    """`queryset` narrowed to the rows whose unit (`record`: the path to it, "jfo" on
    assignments, "pk" on units, "id" on their historical rows) was, on `day`, in one of the
    `region` codes (comma-separated or a list): the unit's region of that day
    (`attributes.attribute_on_expression`). Raises nothing."""
    ids = Region.objects.filter(code__in=region_codes(region)).values("pk")
    return queryset.alias(unit_region_on_day=attribute_on_expression("region", day, record=record)).filter(
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
