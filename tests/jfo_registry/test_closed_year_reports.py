"""Review 1, finding 11: every report of a closed fiscal year says when it was closed and lists
its corrections, as the resources report does — allocation (its year), tenure (the year of its
day) and coverage (its fiscal year, or the year of its day), in the API and on the pages."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements import selectors as agreement_selectors
from operations import selectors, services
from operations.models import Assignment, FiscalYearClosure
from tests.api import login
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.django_db
D = datetime.date

REPORTS_2010 = [
    ("allocation", {"fiscal_year": "2010-2011"}),
    ("tenure", {"on": "2011-03-31"}),
    ("coverage", {"fiscal_year": "2010"}),
    ("coverage", {"on": "2010-06-30"}),
]
REPORTS_NOW = [
    ("allocation", {}),
    ("tenure", {}),
    ("coverage", {}),
]


def closed_on_2010() -> str:
    closed_at = FiscalYearClosure.objects.get(fiscal_year=2010).closed_at
    return closed_at.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def inset_gta() -> Assignment:
    """INSET-GTA's 1.00 FTE intelligence officer since 2007 (the issue's example)."""
    return Assignment.objects.get(jfo__acronym="INSET-GTA", start_date=D(2007, 4, 1), fte=Decimal("1.00"))


def correct_2010(administrator, reason="Wrong FTE", fte="0.90", assignment=None) -> None:
    """An administrator's correction of 2010-2011: the FTE of `assignment` (default `inset_gta()`)."""
    services.assignment_correct(
        assignment=assignment or inset_gta(), actor=administrator, reason=reason, fte=Decimal(fte)
    )


@pytest.mark.parametrize(("name", "params"), REPORTS_2010)
def test_a_closed_years_report_says_when_it_was_closed_and_lists_its_corrections(api, analyst, administrator, name, params):
    login(api, analyst)
    response = api.get(f"/api/v1/reports/{name}/", params)
    assert response.status_code == 200
    body = response.json()
    assert body["closed_on"].startswith(closed_on_2010()[:19])
    assert body["corrections"] == []
    correct_2010(administrator)
    body = api.get(f"/api/v1/reports/{name}/", params).json()
    assert [(c["by"], c["reason"]) for c in body["corrections"]] == [("test-admin", "Wrong FTE")]


@pytest.mark.parametrize(("name", "params"), REPORTS_NOW)
def test_an_open_years_report_has_neither(api, analyst, name, params):
    login(api, analyst)
    response = api.get(f"/api/v1/reports/{name}/", params)
    assert response.status_code == 200
    assert "closed_on" not in response.json()
    assert "corrections" not in response.json()


def test_the_selectors_give_the_year_of_their_day():
    closed = FiscalYearClosure.objects.get(fiscal_year=2010).closed_at
    assert selectors.tenure_report(D(2011, 3, 31)).closed_on == closed
    assert selectors.tenure_report(D(2011, 4, 1)).closed_on is None
    assert agreement_selectors.coverage_report(on=D(2010, 4, 1)).closed_on == closed
    assert agreement_selectors.coverage_report(on=D(2011, 4, 1)).closed_on is None
    assert selectors.allocation_report(2010).closed_on == closed
    assert selectors.allocation_report(2011).closed_on is None


def test_as_of_gives_the_corrections_known_then(administrator):
    assignment = inset_gta()
    correct_2010(administrator, reason="First", assignment=assignment)
    moment = timezone.now()
    correct_2010(administrator, reason="Second", fte="0.80", assignment=Assignment.objects.get(pk=assignment.pk))
    assert [c.reason for c in selectors.allocation_report(2010).corrections] == ["First", "Second"]
    assert [c.reason for c in selectors.allocation_report(2010, as_of=moment).corrections] == ["First"]
    assert [c.reason for c in selectors.tenure_report(D(2011, 3, 31), as_of=moment).corrections] == ["First"]
    assert [c.reason for c in agreement_selectors.coverage_report(fiscal_year=2010, as_of=moment).corrections] == ["First"]


def test_the_csv_downloads_leave_them_out(api, analyst):
    login(api, analyst)
    for name, params in REPORTS_2010:
        response = api.get(f"/api/v1/reports/{name}/", {**params, "format": "csv"})
        assert response.status_code == 200
        assert "closed_on" not in response.content.decode()


@pytest.mark.parametrize(("url", "params"), [
    ("operations:report-allocation", {"fiscal_year": "2010"}),
    ("operations:report-tenure", {"on": "2011-03-31"}),
    ("agreements:report-coverage", {"fiscal_year": "2010-2011"}),
    ("operations:report-resources", {"fiscal_year": "2010", "group_by": "region"}),
])
def test_the_report_pages_say_closed_on_and_list_corrections(client, administrator, url, params):
    correct_2010(administrator)
    client.login(username=administrator.username, password=TEST_PASSWORD)
    page = client.get(reverse(url), params)
    assert page.status_code == 200
    text = page.content.decode()
    closed = timezone.localtime(FiscalYearClosure.objects.get(fiscal_year=2010).closed_at).date().isoformat()
    assert f"Fiscal year 2010-2011 was closed on {closed}: its figures are final." in text
    assert f"Corrected on {timezone.localdate().isoformat()} by test-admin: Wrong FTE" in text


@pytest.mark.parametrize(("url", "params"), [
    ("operations:report-allocation", {"fiscal_year": "2012"}),
    ("operations:report-tenure", {}),
    ("agreements:report-coverage", {}),
])
def test_an_open_years_page_says_nothing_of_a_closure(client, administrator, url, params):
    client.login(username=administrator.username, password=TEST_PASSWORD)
    page = client.get(reverse(url), params)
    assert page.status_code == 200
    assert 'data-testid="closed-on"' not in page.content.decode()


@pytest.mark.parametrize("name", ["tenure", "coverage"])
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_day_outside_every_fiscal_year_has_no_closure_and_is_no_500(api, client, analyst, name, day):
    login(api, analyst)
    response = api.get(f"/api/v1/reports/{name}/", {"on": day})
    assert response.status_code == 200
    assert "closed_on" not in response.json()
