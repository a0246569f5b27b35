"""The value of an officer's dated attribute (classification, position, home region) on a day.

The one home of the rule, in its forms side by side: the Python form (for rows in hand, and the
specification) and the SQL form (expressions and querysets, which the reports use).
`tests/operations/test_attributes.py` holds each SQL form against its Python form, on SQLite and
on PostgreSQL.

The rule: on day D an officer holds the values of their period (`OfficerPeriod`) containing D;
on a day no period contains (an officer without periods, or a day before their first), the
officer's own fields, which `officer_change` keeps equal to the officer's latest period.

Attributes are named as in `OFFICER_PERIOD_ATTRIBUTES`; values are the stored column values
("FB-04", "IO", and for `home_region` the region's primary key).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import DecimalField, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest, Least

from jfo_registry.core import periods
from jfo_registry.core.db import Numeric, date_value
from jfo_registry.core.fiscal import FiscalYear
from jfo_registry.core.history import replayed_values, rows_as_of

from .models import OFFICER_PERIOD_ATTRIBUTES, Officer, OfficerPeriod

_NUMBER = DecimalField(max_digits=20, decimal_places=10)
#: The tables the dated attributes are read from, replayed for `as_of`.
REPLAYED = (Officer, OfficerPeriod)


def _column(attribute: str) -> str:
    if attribute not in OFFICER_PERIOD_ATTRIBUTES:
        raise ValueError(f"Unknown officer attribute {attribute!r}: one of {', '.join(OFFICER_PERIOD_ATTRIBUTES)}.")
    return OfficerPeriod._meta.get_field(attribute).attname


# --- Python form ---------------------------------------------------------------------------------

def attribute_on(officer: Officer, attribute: str, day: datetime.date, officer_periods: Iterable[OfficerPeriod] | None = None):
    """The value of `attribute` (one of `OFFICER_PERIOD_ATTRIBUTES`) of `officer` on `day`: the
    column value of the period containing `day`, else the officer's own field. `officer_periods`:
    the officer's periods in hand (default: read them, one query). Raises ValueError for an
    unknown attribute."""
    column = _column(attribute)
    rows = officer.periods.all() if officer_periods is None else officer_periods
    for period in rows:
        if periods.overlaps(period.start_date, period.end_date, day, day):
            return getattr(period, column)
    return getattr(officer, column)


def attribute_spans(
    officer: Officer, attribute: str, start: datetime.date, end: datetime.date,
    officer_periods: Iterable[OfficerPeriod] | None = None,
) -> list[tuple[datetime.date, datetime.date, object]]:
    """[start, end] (dates, inclusive) cut where `attribute` of `officer` changes: a list of
    (first day, last day, value), in date order, adjacent runs of one value merged. The
    specification of `split_by_periods`. Raises ValueError for an unknown attribute."""
    rows = list(officer.periods.all() if officer_periods is None else officer_periods)
    spans: list[tuple[datetime.date, datetime.date, object]] = []
    day = start
    while day <= end:
        value = attribute_on(officer, attribute, day, rows)
        if spans and spans[-1][2] == value and spans[-1][1] == day - datetime.timedelta(days=1):
            spans[-1] = (spans[-1][0], day, value)
        else:
            spans.append((day, day, value))
        day += datetime.timedelta(days=1)
    return spans


# --- SQL form ------------------------------------------------------------------------------------

def attribute_on_expression(
    attribute: str, day: datetime.date | object, *, officer: str = "officer", as_of: datetime.datetime | None = None
):
    """`attribute_on` as an expression for a queryset whose `officer` (a field path to an
    officer's key, "pk" on Officer itself) names the officer: the column value of the period
    containing `day` (a date or expression), else the officer's own field; with `as_of` (an
    aware datetime), both as the registry held them then (`history.rows_as_of`). Raises
    ValueError for an unknown attribute."""
    column = _column(attribute)
    output = OfficerPeriod._meta.get_field(attribute)
    output = output.target_field if output.is_relation else output
    key = OuterRef(officer)
    if as_of is None:
        period_rows = OfficerPeriod.objects.all()
        own = F(column) if officer == "pk" else F(f"{officer}__{column}")
    else:
        period_rows = rows_as_of(OfficerPeriod, as_of)
        own = Subquery(rows_as_of(Officer, as_of).filter(id=key).order_by().values(column)[:1], output_field=output)
    covering = period_rows.filter(periods.on_day_q(day), officer=key).order_by().values(column)[:1]
    return Coalesce(Subquery(covering, output_field=output), own, output_field=output)


def split_by_periods(
    queryset: QuerySet, year: FiscalYear, attributes: Iterable[str], *, group=("jfo_id",),
    as_of: datetime.datetime | None = None,
) -> list[dict]:
    """FTE-years of `queryset` (assignments, or their history records, overlapping `year`)
    split by the officer's periods, in the database: each assignment's days in the year are
    cut by the periods containing them (each piece at its period's values), and the days no
    period contains are taken at the officer's own fields, as `attribute_on` says.

    With `as_of` (an aware datetime; `queryset` then holds the assignments as they stood then),
    the officers and their periods are read as the registry held them at that moment: the same
    two queries, replayed against the history (`history.replayed_values`).

    Returns rows `{**group fields, attribute: value for each of attributes, "fte_years":
    Decimal (unrounded)}`, one per distinct group and values (two queries: the pieces inside
    periods, and the remainder). Raises ValueError for an unknown attribute."""
    columns = {attribute: _column(attribute) for attribute in attributes}
    year_end = date_value(year.end)
    inside = Q(officer__periods__start_date__lte=Least(Coalesce(F("end_date"), year_end), year_end)) & (
        Q(officer__periods__end_date__isnull=True)
        | Q(officer__periods__end_date__gte=Greatest(F("start_date"), date_value(year.start)))
    )
    pieces = (
        queryset.filter(inside)
        .order_by()
        .values(*group, **{a: F(f"officer__periods__{c}") for a, c in columns.items()})
        .annotate(
            fte_years=Sum(
                periods.fte_years_expression(
                    year,
                    start=Greatest(F("start_date"), F("officer__periods__start_date")),
                    end=Least(Coalesce(F("end_date"), year_end), Coalesce(F("officer__periods__end_date"), year_end)),
                )
            )
        )
    )
    covered_days = (
        OfficerPeriod.objects.filter(
            periods.overlaps_q(Greatest(OuterRef("start_date"), date_value(year.start)), Least(Coalesce(OuterRef("end_date"), year_end), year_end)),
            officer=OuterRef("officer"),
        )
        .order_by()
        .values("officer")
        .annotate(
            days=Sum(
                periods.overlap_days_expression(
                    year.start, year.end,
                    start=Greatest(F("start_date"), OuterRef("start_date")),
                    end=Least(Coalesce(F("end_date"), year_end), Coalesce(OuterRef("end_date"), year_end)),
                )
            )
        )
        .values("days")
    )
    all_days = periods.overlap_days_expression(year.start, year.end)
    outside_days = all_days - Coalesce(Subquery(covered_days), Value(0))
    remainder = (
        queryset.annotate(outside_days=outside_days)
        .filter(outside_days__gt=0)
        .order_by()
        .values(*group, **{a: F(f"officer__{c}") for a, c in columns.items()})
        .annotate(
            fte_years=Sum(
                ExpressionWrapper(Numeric(F("fte")) * F("outside_days") / Value(year.days), output_field=_NUMBER)
            )
        )
    )
    if as_of is not None:
        return [*replayed_values(pieces, as_of, REPLAYED), *replayed_values(remainder, as_of, REPLAYED)]
    return [*pieces, *remainder]
