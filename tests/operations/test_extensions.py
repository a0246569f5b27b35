"""The unit-arrangements extension point: operations shows arrangement facts it does not own."""

import datetime

import pytest
from django.urls import reverse

from agreements.selectors import UNIT_ARRANGEMENTS
from operations import extensions, selectors

pytestmark = pytest.mark.django_db
DAY = datetime.date(2011, 3, 31)


def test_agreements_registers_its_provider_when_the_apps_are_ready():
    assert extensions.unit_arrangements() is UNIT_ARRANGEMENTS


def test_without_a_provider_no_unit_is_covered_and_none_lists_an_arrangement(monkeypatch):
    monkeypatch.setattr(extensions, "_provider", extensions._NoArrangements())
    units = selectors.jfo_list(DAY)
    assert units.filter(has_arrangement_in_force=True).count() == 0
    assert list(extensions.unit_arrangements().of_unit(units.first(), DAY)) == []


def test_the_registered_provider_gives_exhibit_5s_coverage():
    # Exhibit 5: 33 of the 52 units are covered by a WCA in 2010-2011.
    units = selectors.jfo_list(DAY)
    assert units.filter(has_arrangement_in_force=True).count() == 33


def test_the_dashboard_is_the_project_home():
    assert reverse("dashboard") == "/"
