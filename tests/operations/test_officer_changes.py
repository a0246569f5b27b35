"""Promotions and transfers from a date through every entry point: the API's `change`
operation and PATCH, the officer page, the admin and the import all record them through
`services.officer_change`, leaving earlier days (and their fiscal years) as they were."""

from __future__ import annotations

import datetime
import io
import csv

import pytest
from django.urls import reverse
from django.utils import timezone

from jfo_registry.core.concurrency import etag_of
from operations import importers, services
from jfo_registry.core.fiscal import FiscalYear
from operations.models import ClosedYearCorrection, OfficerPeriod, Region
from operations.selectors import resources_report
from tests.api import login
from tests.conftest import TEST_PASSWORD, make_assignment, make_officer

D = datetime.date


@pytest.fixture
def gta_officer(db):
    officer = make_officer("GTA", classification="FB-03")
    make_assignment(officer=officer, start=D(2010, 4, 1))
    return officer


def periods_of(officer) -> list[tuple]:
    return list(officer.periods.order_by("start_date").values_list("start_date", "end_date", "classification", "home_region__code"))


def test_the_api_change_operation_records_a_promotion_from_a_date(api, gta_manager, gta_officer):
    response = login(api, gta_manager).post(
        f"/api/v1/officers/{gta_officer.pk}/change/", {"effective_from": "2012-10-01", "classification": "FB-04"}, format="json", HTTP_IF_MATCH=etag_of(gta_officer)
    )
    assert response.status_code == 200
    body = response.json()
    assert body["classification"] == "FB-04"
    assert [(p["start_date"], p["end_date"], p["classification"]) for p in body["periods"]] == [
        ("2010-04-01", "2012-09-30", "FB-03"), ("2012-10-01", None, "FB-04"),
    ]


def test_a_manager_cannot_change_an_officer_from_a_day_of_a_closed_year(api, gta_manager, gta_officer):
    """2010-2011 is closed (the inventory's year): a promotion dated inside it would move its
    salaries, so it is refused with the year named, and nothing is written."""
    before = resources_report(FiscalYear(2010), group_by="region")
    response = login(api, gta_manager).post(
        f"/api/v1/officers/{gta_officer.pk}/change/", {"effective_from": "2010-10-01", "classification": "FB-04"}, format="json", HTTP_IF_MATCH=etag_of(gta_officer)
    )
    assert response.status_code == 400
    assert "2010-2011" in str(response.json())
    assert periods_of(gta_officer) == []
    gta_officer.refresh_from_db()
    assert gta_officer.classification == "FB-03"
    assert resources_report(FiscalYear(2010), group_by="region") == before


def test_an_administrator_corrects_a_closed_year_only_with_a_reason_which_is_listed(api, administrator, gta_officer):
    login(api, administrator)
    url = f"/api/v1/officers/{gta_officer.pk}/change/"
    silent = api.post(url, {"effective_from": "2010-10-01", "classification": "FB-04"}, format="json", HTTP_IF_MATCH="*")
    assert silent.status_code == 400
    assert "reason" in str(silent.json())
    assert periods_of(gta_officer) == []
    response = api.post(
        url, {"effective_from": "2010-10-01", "classification": "FB-04", "reason": "Promotion letter of 2010-09-20"},
        format="json", HTTP_IF_MATCH="*",
    )
    assert response.status_code == 200
    corrections = list(ClosedYearCorrection.objects.filter(fiscal_year=2010).values_list("reason", "corrected_by"))
    assert corrections == [("Promotion letter of 2010-09-20", administrator.pk)]
    report = resources_report(FiscalYear(2010), group_by="region")
    assert [c.reason for c in report.corrections] == ["Promotion letter of 2010-09-20"]


def test_a_change_of_an_officer_unassigned_in_the_closed_year_is_not_a_correction(api, gta_manager):
    officer = make_officer("GTA", classification="FB-03")
    make_assignment(officer=officer, start=D(2012, 4, 1))
    response = login(api, gta_manager).post(
        f"/api/v1/officers/{officer.pk}/change/", {"effective_from": "2012-04-01", "classification": "FB-04"}, format="json", HTTP_IF_MATCH=etag_of(officer)
    )
    assert response.status_code == 200
    assert not ClosedYearCorrection.objects.exists()


def test_the_api_change_operation_refuses_a_future_day_a_transfer_out_and_an_analyst(api, gta_manager, analyst, gta_officer):
    login(api, gta_manager)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    future = api.post(f"/api/v1/officers/{gta_officer.pk}/change/", {"effective_from": tomorrow, "classification": "FB-04"}, format="json", HTTP_IF_MATCH=etag_of(gta_officer))
    assert future.status_code == 400
    assert "effective_from" in future.json()
    pac = Region.objects.get(code="PAC").pk
    out = api.post(f"/api/v1/officers/{gta_officer.pk}/change/", {"effective_from": "2011-01-01", "home_region": pac}, format="json", HTTP_IF_MATCH=etag_of(gta_officer))
    assert out.status_code == 403
    bad = api.post(f"/api/v1/officers/{gta_officer.pk}/change/", {"classification": "FB-99"}, format="json", HTTP_IF_MATCH=etag_of(gta_officer))
    assert bad.status_code == 400
    login(api, analyst)
    refused = api.post(f"/api/v1/officers/{gta_officer.pk}/change/", {"classification": "FB-04"}, format="json", HTTP_IF_MATCH=etag_of(gta_officer))
    assert refused.status_code == 403
    assert periods_of(gta_officer) == []


def test_a_patch_of_the_classification_takes_effect_from_today(api, administrator, gta_officer):
    login(api, administrator)
    response = api.patch(
        f"/api/v1/officers/{gta_officer.pk}/", {"classification": "FB-04", "name": "Renamed"}, format="json",
        HTTP_IF_MATCH=etag_of(gta_officer),
    )
    assert response.status_code == 200
    today = timezone.localdate()
    assert periods_of(gta_officer) == [
        (D(2010, 4, 1), today - datetime.timedelta(days=1), "FB-03", "GTA"), (today, None, "FB-04", "GTA"),
    ]
    gta_officer.refresh_from_db()
    assert (gta_officer.name, gta_officer.classification) == ("Renamed", "FB-04")


def test_the_officer_page_records_a_transfer_from_a_date(client, administrator, gta_officer):
    client.login(username=administrator.username, password=TEST_PASSWORD)
    url = reverse("operations:officer-change", args=[gta_officer.pk])
    assert client.get(url).status_code == 200
    pac = Region.objects.get(code="PAC")
    response = client.post(url, {"effective_from": "2012-01-15", "classification": "FB-03", "position": "IO", "home_region": pac.pk})
    assert response.status_code == 302
    assert periods_of(gta_officer) == [(D(2010, 4, 1), D(2012, 1, 14), "FB-03", "GTA"), (D(2012, 1, 15), None, "FB-03", "PAC")]
    page = client.get(gta_officer.get_absolute_url())
    assert page.status_code == 200 and "2012-01-14" in page.content.decode()
    again = client.post(url, {"effective_from": "2011-06-01", "classification": "FB-04", "position": "IO", "home_region": pac.pk})
    assert again.status_code == 400
    assert "2012-01-15" in again.content.decode()


def test_the_officer_page_refuses_a_managers_change_inside_a_closed_year(client, gta_manager, gta_officer):
    client.login(username=gta_manager.username, password=TEST_PASSWORD)
    url = reverse("operations:officer-change", args=[gta_officer.pk])
    form = client.get(url).content.decode()
    assert 'name="reason"' not in form  # the reason is the administrators' correction
    gta = gta_officer.home_region_id
    response = client.post(url, {"effective_from": "2011-01-15", "classification": "FB-04", "position": "IO", "home_region": gta})
    assert response.status_code == 400
    assert "2010-2011" in response.content.decode()
    assert periods_of(gta_officer) == []


def test_the_officer_page_offers_a_manager_only_their_regions(client, gta_manager, gta_officer):
    client.login(username=gta_manager.username, password=TEST_PASSWORD)
    form = client.get(reverse("operations:officer-change", args=[gta_officer.pk])).context["form"]
    assert list(form.fields["home_region"].queryset.values_list("code", flat=True)) == ["GTA"]


def test_the_officer_page_is_refused_to_analysts_and_other_regions(client, analyst, gta_manager):
    pac_officer = make_officer("PAC")
    client.login(username=gta_manager.username, password=TEST_PASSWORD)
    assert client.get(reverse("operations:officer-change", args=[pac_officer.pk])).status_code == 403
    client.login(username=analyst.username, password=TEST_PASSWORD)
    assert client.get(reverse("operations:officer-change", args=[pac_officer.pk])).status_code == 403


def test_the_admin_records_a_change_from_the_date_given(client, administrator, gta_officer):
    client.force_login(administrator)
    url = reverse("admin:operations_officer_change", args=[gta_officer.pk])
    form = {
        "employee_number": gta_officer.employee_number, "name": gta_officer.name, "position": "IO",
        "classification": "FB-04", "home_region": gta_officer.home_region_id, "active": "on",
        "effective_from": "2010-10-01",
        "assignments-TOTAL_FORMS": "0", "assignments-INITIAL_FORMS": "0",
    }
    unexplained = client.post(url, form)
    assert unexplained.status_code == 200  # the form again: 2010-2011 is closed, give a reason
    assert "2010-2011" in unexplained.content.decode()
    assert periods_of(gta_officer) == []
    response = client.post(url, {**form, "correction_reason": "Promotion backdated by HR"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert periods_of(gta_officer) == [(D(2010, 4, 1), D(2010, 9, 30), "FB-03", "GTA"), (D(2010, 10, 1), None, "FB-04", "GTA")]
    assert list(ClosedYearCorrection.objects.values_list("reason", flat=True)) == ["Promotion backdated by HR"]
    refused = client.post(url, {**form, "classification": "FB-05", "effective_from": "2010-05-01", "correction_reason": "x"})
    assert refused.status_code == 200
    assert "2010-10-01" in refused.content.decode()
    assert gta_officer.periods.count() == 2


def test_an_imported_classification_takes_effect_from_today(gta_officer):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["employee_number", "name", "position", "classification", "home_region", "active"])
    writer.writerow([gta_officer.employee_number, gta_officer.name, "IO", "FB-04", "GTA", "TRUE"])
    summary = importers.import_file("officers", out.getvalue().encode(), "csv")
    assert summary.ok
    today = timezone.localdate()
    assert periods_of(gta_officer) == [
        (D(2010, 4, 1), today - datetime.timedelta(days=1), "FB-03", "GTA"), (today, None, "FB-04", "GTA"),
    ]


def test_the_api_change_operation_needs_the_officers_current_version(api, gta_manager, gta_officer):
    login(api, gta_manager)
    url = f"/api/v1/officers/{gta_officer.pk}/change/"
    body = {"effective_from": "2012-10-01", "classification": "FB-04"}
    assert api.post(url, body, format="json").status_code == 428
    seen = etag_of(gta_officer)
    gta_officer.name = "Renamed meanwhile"
    gta_officer.save()
    assert api.post(url, body, format="json", HTTP_IF_MATCH=seen).status_code == 412
    assert periods_of(gta_officer) == []
    assert api.post(url, body, format="json", HTTP_IF_MATCH=etag_of(gta_officer)).status_code == 200


def test_an_impossible_effective_date_is_an_error_of_effective_from(api, administrator, gta_officer):
    login(api, administrator)
    response = api.post(
        f"/api/v1/officers/{gta_officer.pk}/change/", {"effective_from": "0001-01-01", "classification": "FB-04"},
        format="json", HTTP_IF_MATCH="*",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"effective_from"}
    assert periods_of(gta_officer) == []


def test_a_periods_label_names_loaded_records_and_reads_nothing(django_assert_num_queries, gta_officer):
    """History pages list many periods: their labels never query (the officer's page history)."""
    services.officer_change(gta_officer, effective_from=D(2012, 4, 1), classification="FB-04")
    period = OfficerPeriod.objects.filter(officer=gta_officer).first()
    with django_assert_num_queries(0):
        assert str(period).startswith(f"{gta_officer.pk} ")
    loaded = OfficerPeriod.objects.select_related("officer", "home_region").filter(officer=gta_officer).first()
    with django_assert_num_queries(0):
        assert str(loaded).startswith(str(gta_officer))
