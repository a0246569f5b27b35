"""Periods: whether two periods overlap, by how many days, and how an FTE turns into FTE-years.

The one home of the rule, in its two forms side by side: the Python form (for rows in hand, and
the specification) and the SQL form (`Q` objects and expressions, for querysets). A period is a
pair of dates, both inclusive; a missing end (`None`, or a null column) means ongoing, and where
a model allows it a missing start means "since always". `tests/jfo_registry/test_periods.py`
holds each SQL form against its Python form, on SQLite and on PostgreSQL.

Units: FTE is a share of one full-time position on a day (0 < fte <= 1.00); FTE-years are FTE
times the share of the year's days covered (fte × overlap days ÷ days in the year).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, Q, Value
from django.db.models.functions import Coalesce, Greatest, Least

from jfo_registry.core.db import DaysBetween, Numeric, date_value
from jfo_registry.core.fiscal import FiscalYear

Bound = datetime.date | None
#: "Since always", where a rule needs a first day for a period without a start (the dates' floor).
SINCE_EVER = datetime.date(1900, 1, 1)

_NUMBER = DecimalField(max_digits=20, decimal_places=10)


# --- Python form ---------------------------------------------------------------------------------

def overlaps(start: Bound, end: Bound, other_start: Bound, other_end: Bound) -> bool:
    """Whether [start, end] and [other_start, other_end] share at least one day.

    Dates are inclusive; an end of None is ongoing, a start of None is "since always".
    Returns a bool; raises nothing.
    """
    return (start is None or other_end is None or start <= other_end) and (
        end is None or other_start is None or end >= other_start
    )


def overlap_days(start: datetime.date, end: Bound, period_start: datetime.date, period_end: datetime.date) -> int:
    """Days (inclusive, an int >= 0) that [start, end] shares with [period_start, period_end];
    `end` None = ongoing. Raises nothing."""
    first = max(start, period_start)
    last = period_end if end is None else min(end, period_end)
    return max((last - first).days + 1, 0)


def fte_years(fte: Decimal, start: datetime.date, end: Bound, year: FiscalYear) -> Decimal:
    """FTE-years (unrounded Decimal) an assignment of `fte` FTE over [start, end] contributes to
    the fiscal year `year`: fte × overlap days ÷ days in the year. The specification of
    `fte_years_expression`, which production uses; callers round at the end. Raises nothing."""
    return Decimal(fte) * Decimal(overlap_days(start, end, year.start, year.end)) / Decimal(year.days)


def changed_days(before: tuple[datetime.date, Bound] | None, after: tuple[datetime.date, Bound] | None) -> list:
    """The runs of days one of two periods holds and the other does not (what a write that
    turns `before` into `after` changes; None: no period): a list of (first day, last day or
    None: ongoing), empty when they are the same. Starts are dates (a caller gives "since
    always" as an early date). Raises nothing."""
    if before == after:
        return []
    if before is None or after is None:
        return [before or after]
    (start_a, end_a), (start_b, end_b) = before, after
    runs = []
    if start_a != start_b:
        runs.append((min(start_a, start_b), max(start_a, start_b) - datetime.timedelta(days=1)))
    if end_a != end_b:
        first = min(end for end in (end_a, end_b) if end is not None) + datetime.timedelta(days=1)
        runs.append((first, None if None in (end_a, end_b) else max(end_a, end_b)))
    return runs


# --- SQL form ------------------------------------------------------------------------------------

def overlaps_q(
    start: Bound | object,
    end: Bound | object,
    *,
    prefix: str = "",
    start_field: str = "start_date",
    end_field: str = "end_date",
    open_start: bool = False,
) -> Q:
    """`overlaps` as a `Q`: rows whose [start_field, end_field] (reached through `prefix`, e.g.
    "assignments__") overlaps [start, end].

    `start`/`end` are dates or expressions (`OuterRef`, `F`); `start` None = since always,
    `end` None = ongoing. A null
    `end_field` is ongoing; a null `start_field` is "since always" when `open_start`, otherwise
    (start required by the model) it does not match. Raises nothing.
    """
    begins = Q()
    if end is not None:
        begins = Q(**{f"{prefix}{start_field}__lte": end})
        if open_start:
            begins |= Q(**{f"{prefix}{start_field}__isnull": True})
    ends = Q()
    if start is not None:
        ends = Q(**{f"{prefix}{end_field}__isnull": True}) | Q(**{f"{prefix}{end_field}__gte": start})
    return begins & ends


def on_day_q(day: datetime.date | object, **fields) -> Q:
    """`overlaps_q(day, day, ...)`: rows whose period contains `day` (a date or expression)."""
    return overlaps_q(day, day, **fields)


def overlap_days_expression(
    period_start: datetime.date, period_end: datetime.date, *, start="start_date", end="end_date"
):
    """`overlap_days` in SQL (an integer expression): days [start, end] (field names or
    expressions; a null end = ongoing) shares with [period_start, period_end]. Meaningful for
    rows that overlap the period (filter with `overlaps_q`); negative otherwise."""
    start = F(start) if isinstance(start, str) else start
    end = F(end) if isinstance(end, str) else end
    last = Least(Coalesce(end, date_value(period_end)), date_value(period_end))
    first = Greatest(start, date_value(period_start))
    return DaysBetween(last, first) + Value(1)


def fte_years_expression(year: FiscalYear, *, fte="fte", start="start_date", end="end_date"):
    """`fte_years` in SQL (a decimal expression, unrounded): FTE-years a row of `fte` FTE over
    [start, end] (field names or expressions) contributes to `year`. For overlapping rows only."""
    fte = F(fte) if isinstance(fte, str) else fte
    return ExpressionWrapper(
        Numeric(fte) * overlap_days_expression(year.start, year.end, start=start, end=end) / Value(year.days),
        output_field=_NUMBER,
    )
