"""Review 1, finding 1: the allocation report reads its officers as they were in the year — the
officers assigned during it (and, while it has not ended, the active officers without an
assignment), their position and home region as of its last day (or today if earlier)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from jfo_registry.core.fiscal import FiscalYear
from jfo_registry.dashboard import dashboard
from operations import selectors, services
from operations.models import Officer, Region
from tests.api import login
from tests.conftest import make_assignment, make_jfo, make_officer

pytestmark = pytest.mark.django_db
D = datetime.date
ALLOCATION = "/api/v1/reports/allocation/"


@pytest.fixture
def analyst_api(analyst):
    """An analyst's own API client (the `api` fixture may be another user's)."""
    return login(APIClient(), analyst)


def allocation(api, **params) -> dict:
    response = api.get(ALLOCATION, {"fiscal_year": "2010-2011", **params})
    assert response.status_code == 200
    return response.json()


def row_of(report: dict, officer: Officer) -> dict:
    return next(r for r in report["over_allocated"] + report["under_allocated"] if r["id"] == officer.pk)


def test_the_seeded_2010_2011_allocation_figures(analyst_api):
    report = allocation(analyst_api)
    assert report["officers"] == 63
    assert allocation(analyst_api, region="WSC")["officers"] == 6
    officer = Officer.objects.get(pk=48)
    assert (row_of(report, officer)["region"], row_of(report, officer)["position"]) == ("WSC", officer.position)


def test_a_transfer_from_today_leaves_2010_2011_as_it_was(api, analyst_api, administrator):
    """The finding: officer 48 moved to PAC as an IA from today showed as PAC/IA in 2010-2011, and
    region=WSC dropped from 6 officers to 5."""
    before, before_wsc = allocation(analyst_api), allocation(analyst_api, region="WSC")
    officer = Officer.objects.get(pk=48)
    services.officer_change(
        officer, effective_from=timezone.localdate(), home_region=Region.objects.get(code="PAC"), position="IA",
        actor=administrator,
    )
    assert Officer.objects.get(pk=48).home_region.code == "PAC"
    assert allocation(analyst_api) == before
    assert allocation(analyst_api, region="WSC") == before_wsc
    assert allocation(analyst_api, region="WSC")["officers"] == 6
    assert not any(r["id"] == 48 for r in allocation(analyst_api, region="PAC")["under_allocated"])


def test_an_officer_created_today_is_not_one_of_2010_2011s(api, analyst_api, gta_manager):
    """The finding: 64 officers and NEW-0001 under-allocated at 0.0 FTE-years."""
    before = allocation(analyst_api)
    login(api, gta_manager)
    gta = Region.objects.get(code="GTA")
    response = api.post("/api/v1/officers/", {
        "employee_number": "NEW-0001", "name": "New Officer", "position": "IO", "classification": "FB-04",
        "home_region": gta.pk,
    }, format="json")
    assert response.status_code == 201
    after = allocation(analyst_api)
    assert after == before
    assert after["officers"] == 63
    assert "NEW-0001" not in [r["employee_number"] for r in after["under_allocated"]]


def test_deactivating_an_officer_leaves_2010_2011s_count(analyst_api, administrator):
    before = allocation(analyst_api)
    officer = Officer.objects.get(pk=31)
    officer.active = False
    services.officer_save(officer, actor=administrator)
    assert allocation(analyst_api) == before
    assert allocation(analyst_api)["officers"] == 63


def test_the_current_year_counts_the_active_officers_without_an_assignment_at_their_values_of_today():
    year = FiscalYear.current()
    idle = make_officer("GTA", position="CI")
    gone = make_officer("GTA", active=False)
    assigned_then_inactive = make_officer("GTA", active=False)
    make_assignment(officer=assigned_then_inactive, jfo=make_jfo("GTA"), fte="0.50", start=year.start)
    report = selectors.allocation_report(year, region="GTA")
    under = {r.employee_number: r for r in report.under_allocated}
    assert (under[idle.employee_number].fte_years, under[idle.employee_number].position) == (Decimal("0.00"), "CI")
    assert gone.employee_number not in under
    assert assigned_then_inactive.employee_number in under  # assigned during the year: counted
    total = selectors.allocation_report(year, region="GTA").officers
    gone.active = True
    gone.save()
    assert selectors.allocation_report(year, region="GTA").officers == total + 1


def test_a_past_year_reads_position_and_region_on_its_last_day():
    officer = make_officer("GTA", position="IO")
    make_assignment(officer=officer, jfo=make_jfo("GTA"), fte="0.50", start=D(2013, 4, 1), end=D(2015, 3, 31))
    services.officer_change(officer, effective_from=D(2014, 6, 1), position="CI", home_region=Region.objects.get(code="QUE"))
    services.officer_change(officer, effective_from=D(2015, 6, 1), position="IA")
    report_2013 = selectors.allocation_report(2013)
    report_2014 = selectors.allocation_report(2014)
    row_2013 = next(r for r in report_2013.under_allocated if r.id == officer.pk)
    row_2014 = next(r for r in report_2014.under_allocated if r.id == officer.pk)
    assert (row_2013.position, row_2013.region) == ("IO", "GTA")
    assert (row_2014.position, row_2014.region) == ("CI", "QUE")
    assert officer.pk in [r.id for r in selectors.allocation_report(2014, region="QUE").under_allocated]
    assert officer.pk not in [r.id for r in selectors.allocation_report(2014, region="GTA").under_allocated]
    assert officer.pk not in [r.id for r in selectors.allocation_report(2016).under_allocated]


def test_as_of_reproduces_the_allocation_before_a_transfer_and_a_new_officer(administrator):
    year = FiscalYear.current()
    officer = make_officer("GTA", position="IO")
    moment = timezone.now()
    before = selectors.allocation_report(year, region="GTA").as_data()
    services.officer_change(
        officer, effective_from=timezone.localdate(), home_region=Region.objects.get(code="QUE"), position="CI",
        actor=administrator,
    )
    make_officer("GTA")
    now = selectors.allocation_report(year, region="GTA")
    assert officer.pk not in [r.id for r in now.under_allocated]
    then = selectors.allocation_report(year, region="GTA", as_of=moment).as_data()
    assert {**then, "as_of": None} == {**before, "as_of": None}


def test_the_dashboards_allocation_panel_follows(administrator):
    year = FiscalYear(2010)
    before = dashboard(day=D(2011, 3, 31), year=year, region_codes=["WSC"])
    services.officer_change(
        Officer.objects.get(pk=48), effective_from=timezone.localdate(), home_region=Region.objects.get(code="PAC"),
        actor=administrator,
    )
    make_officer("WSC")
    after = dashboard(day=D(2011, 3, 31), year=year, region_codes=["WSC"])
    assert after["under_allocated"] == before["under_allocated"]
    assert after["over_allocated"] == before["over_allocated"]


@pytest.mark.parametrize("region", [None, "GTA"])
def test_the_allocation_report_runs_in_a_bounded_number_of_queries(django_assert_max_num_queries, region):
    with django_assert_max_num_queries(8):
        selectors.allocation_report("2010-2011", region=region)
