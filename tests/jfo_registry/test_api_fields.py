"""`jfo_registry/core/api/fields.py`: the report and list parameters' own fields."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from jfo_registry.core.api.fields import AsOfField


def test_as_of_a_date_is_the_end_of_that_day_in_the_local_time_zone():
    moment = AsOfField().to_internal_value("2011-03-31")
    assert timezone.localtime(moment).replace(tzinfo=None) == datetime.datetime(2011, 3, 31, 23, 59, 59, 999999)


def test_as_of_a_date_and_time_is_that_moment():
    moment = AsOfField().to_internal_value("2011-03-31T17:00")
    assert timezone.localtime(moment).replace(tzinfo=None) == datetime.datetime(2011, 3, 31, 17, 0)


def test_as_of_keeps_a_given_offset():
    moment = AsOfField().to_internal_value("2011-03-31T17:00:00+00:00")
    assert moment == datetime.datetime(2011, 3, 31, 17, 0, tzinfo=datetime.timezone.utc)


@pytest.mark.parametrize("value", ["garbage", "2011-02-30", "2011-03-31T25:00", 20110331, ""])
def test_as_of_refuses_anything_else(value):
    with pytest.raises(ValidationError) as refused:
        AsOfField().to_internal_value(value)
    assert refused.value.detail == ["Use a date (2011-03-31) or a date and time (2011-03-31T17:00)."]


@pytest.mark.parametrize("value", ["9999-12-31", "9999-12-31T23:00", "0001-01-01T00:00:00+14:00"])
def test_as_of_refuses_a_moment_out_of_range(value):
    with pytest.raises(ValidationError) as refused:
        AsOfField().to_internal_value(value)
    assert refused.value.detail == ["This moment is out of range: use a date between the years 1 and 9999."]


@pytest.mark.parametrize("value", ["2011-03-31T12:00+23:00", "0001-01-02", "9999-12-30"])
def test_as_of_gives_the_moment_in_the_current_time_zone(value):
    moment = AsOfField().to_internal_value(value)
    assert moment.utcoffset() == timezone.localtime(moment).utcoffset()
