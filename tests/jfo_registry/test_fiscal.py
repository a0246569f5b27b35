import datetime

import pytest

from jfo_registry.core.fiscal import FiscalYear

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
