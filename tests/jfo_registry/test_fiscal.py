import datetime
from decimal import Decimal

import pytest

from jfo_registry.fiscal import FiscalYear, fte_years, overlap_days

D = datetime.date


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (D(2010, 4, 1), "2010-2011"),
        (D(2011, 3, 31), "2010-2011"),
        (D(2011, 4, 1), "2011-2012"),
        (D(2012, 1, 15), "2011-2012"),
        (D(2010, 3, 31), "2009-2010"),
    ],
)
def test_year_of_a_date(day, label):
    assert FiscalYear.of(day).label == label


def test_bounds_and_lengths_including_a_leap_year():
    assert (FiscalYear(2010).start, FiscalYear(2010).end) == (D(2010, 4, 1), D(2011, 3, 31))
    assert FiscalYear(2010).days == 365
    assert FiscalYear(2011).days == 366  # 29 February 2012
    assert FiscalYear(2015).days == 366  # 29 February 2016
    assert FiscalYear(2016).days == 365


@pytest.mark.parametrize("value", ["2010-2011", "2010-11", "2010", 2010, " 2010 - 2011 ", "2010/2011"])
def test_parse_accepts_the_usual_forms(value):
    assert FiscalYear.parse(value) == FiscalYear(2010)


@pytest.mark.parametrize("value", ["2010-2012", "10-11", "twenty-ten", "", "2010-", "1800"])
def test_parse_refuses_anything_else(value):
    with pytest.raises(ValueError):
        FiscalYear.parse(value)


def test_overlap_days():
    year = FiscalYear(2010)
    assert overlap_days(D(2009, 1, 1), None, year.start, year.end) == 365
    assert overlap_days(D(2010, 10, 1), D(2010, 10, 31), year.start, year.end) == 31
    assert overlap_days(D(2011, 4, 1), None, year.start, year.end) == 0
    assert overlap_days(D(2008, 1, 1), D(2010, 3, 31), year.start, year.end) == 0
    assert overlap_days(D(2011, 3, 31), D(2011, 3, 31), year.start, year.end) == 1


def test_fte_years_full_and_part_year():
    year = FiscalYear(2010)
    assert fte_years(Decimal("0.5"), D(2005, 1, 1), None, year) == Decimal("0.5")
    assert fte_years(Decimal("1"), D(2010, 4, 1), D(2011, 3, 31), year) == Decimal(1)
    # Starts mid-year: 1 October 2010 to 31 March 2011 is 182 of 365 days.
    assert fte_years(Decimal("1"), D(2010, 10, 1), None, year) == Decimal(182) / Decimal(365)
    # Ends mid-year.
    assert fte_years(Decimal("0.4"), D(2009, 1, 1), D(2010, 6, 30), year) == Decimal("0.4") * 91 / 365


def test_fte_years_in_a_leap_year():
    year = FiscalYear(2011)
    # 1 October 2011 to 31 March 2012 is 183 of 366 days: exactly half the year.
    assert fte_years(Decimal("1"), D(2011, 10, 1), None, year) == Decimal("0.5")
    assert fte_years(Decimal("1"), D(2012, 2, 29), D(2012, 2, 29), year) == Decimal(1) / 366
