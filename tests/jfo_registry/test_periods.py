"""`jfo_registry.core.periods`: each SQL form held against its Python form, on the database under
test (SQLite by default, PostgreSQL with DATABASE_URL), and the SQL proration at known values."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models import DateField, DecimalField, Value
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from jfo_registry.core import periods
from jfo_registry.core.fiscal import FiscalYear

D = datetime.date
pytestmark = pytest.mark.django_db

DB_EXAMPLES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
days = st.dates(min_value=D(2005, 1, 1), max_value=D(2016, 12, 31))
ends = st.none() | days
ftes = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1.00"), places=2)
years = st.integers(min_value=2006, max_value=2015).map(FiscalYear)


def _date(value):
    return Value(value, output_field=DateField())


def _one_row():
    """A queryset of exactly one row on which to evaluate expressions over literal periods."""
    return ContentType.objects.order_by("pk")[:1]


def sql_overlaps(start, end, other_start, other_end, *, open_start=True) -> bool:
    """`periods.overlaps_q` evaluated by the database: does a row of [start, end] match?"""
    queryset = ContentType.objects.filter(pk=_one_row().get().pk).annotate(p_start=_date(start), p_end=_date(end))
    condition = periods.overlaps_q(other_start, other_end, start_field="p_start", end_field="p_end", open_start=open_start)
    return queryset.filter(condition).exists()


def sql_fte_years(fte, start, end, year) -> Decimal:
    """`periods.fte_years_expression` evaluated by the database for one literal assignment."""
    expression = periods.fte_years_expression(
        year, fte=Value(fte, output_field=DecimalField(max_digits=3, decimal_places=2)), start=_date(start), end=_date(end)
    )
    return Decimal(str(_one_row().annotate(value=expression).values_list("value", flat=True).get()))


def close(a: Decimal, b: Decimal) -> bool:
    """Equal to 12 places: SQLite computes in REAL (see `jfo_registry.core.db.Numeric`)."""
    return abs(Decimal(a) - Decimal(b)) < Decimal("1e-12")


@settings(DB_EXAMPLES)
@given(start=st.none() | days, end=ends, other_start=days, other_end=ends)
@example(start=D(2010, 1, 1), end=D(2010, 4, 1), other_start=D(2010, 4, 1), other_end=D(2011, 3, 31))  # touching
@example(start=D(2011, 3, 31), end=None, other_start=D(2010, 4, 1), other_end=D(2011, 3, 31))
@example(start=D(2010, 1, 1), end=D(2010, 3, 31), other_start=D(2010, 4, 1), other_end=None)  # a day apart
@example(start=D(2011, 4, 1), end=None, other_start=D(2010, 4, 1), other_end=D(2011, 3, 31))
def test_the_sql_overlap_is_the_python_overlap(start, end, other_start, other_end):
    if end is not None and start is not None and end < start:
        start, end = end, start
    if other_end is not None and other_end < other_start:
        other_start, other_end = other_end, other_start
    assert sql_overlaps(start, end, other_start, other_end) is periods.overlaps(start, end, other_start, other_end)


@settings(DB_EXAMPLES)
@given(fte=ftes, start=days, end=ends, year=years)
def test_the_sql_fte_years_are_the_python_fte_years_for_overlapping_rows(fte, start, end, year):
    if end is not None and end < start:
        start, end = end, start
    if not periods.overlaps(start, end, year.start, year.end):
        return  # the SQL form is used on overlapping rows only (`active_during` filters first)
    assert close(sql_fte_years(fte, start, end, year), periods.fte_years(fte, start, end, year))


def test_a_required_start_that_is_null_matches_nothing_unless_open():
    assert sql_overlaps(None, None, D(2010, 4, 1), D(2011, 3, 31), open_start=True) is True
    assert sql_overlaps(None, None, D(2010, 4, 1), D(2011, 3, 31), open_start=False) is False


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2009, 1, 1), None, 365),
        (D(2010, 10, 1), D(2010, 10, 31), 31),
        (D(2011, 3, 31), D(2011, 3, 31), 1),
        (D(2010, 4, 1), D(2011, 3, 31), 365),
    ],
)
def test_overlap_days_in_sql(start, end, expected):
    year = FiscalYear(2010)
    expression = periods.overlap_days_expression(year.start, year.end, start=_date(start), end=_date(end))
    assert _one_row().annotate(value=expression).values_list("value", flat=True).get() == expected
    assert periods.overlap_days(start, end, year.start, year.end) == expected


def test_overlap_days_of_periods_that_do_not_meet():
    year = FiscalYear(2010)
    assert periods.overlap_days(D(2011, 4, 1), None, year.start, year.end) == 0
    assert periods.overlap_days(D(2008, 1, 1), D(2010, 3, 31), year.start, year.end) == 0


def test_fte_years_full_and_part_year_in_sql():
    year = FiscalYear(2010)
    assert close(sql_fte_years(Decimal("0.5"), D(2005, 1, 1), None, year), Decimal("0.5"))
    assert close(sql_fte_years(Decimal("1"), D(2010, 4, 1), D(2011, 3, 31), year), Decimal(1))
    # Starts mid-year: 1 October 2010 to 31 March 2011 is 182 of 365 days.
    assert close(sql_fte_years(Decimal("1"), D(2010, 10, 1), None, year), Decimal(182) / Decimal(365))
    # Ends mid-year.
    assert close(sql_fte_years(Decimal("0.4"), D(2009, 1, 1), D(2010, 6, 30), year), Decimal("0.4") * 91 / 365)


def test_fte_years_in_a_leap_year_in_sql():
    year = FiscalYear(2011)
    # 1 October 2011 to 31 March 2012 is 183 of 366 days: exactly half the year.
    assert close(sql_fte_years(Decimal("1"), D(2011, 10, 1), None, year), Decimal("0.5"))
    assert close(sql_fte_years(Decimal("1"), D(2012, 2, 29), D(2012, 2, 29), year), Decimal(1) / 366)
