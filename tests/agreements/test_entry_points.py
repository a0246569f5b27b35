"""The lifecycle and the rest of issue 5 through every entry point: API, pages and admin."""

import datetime

import pytest
from django.urls import reverse

from agreements.models import Arrangement, ConditionCoverage, GapAction, InformationSharingCondition
from operations.models import JointForceOperation
from jfo_registry.core.concurrency import version_of
from tests.api import login

pytestmark = pytest.mark.django_db


def tadeu_wca():
    return Arrangement.objects.get(jfos__acronym="TADEU")


def test_api_transition_allowed_and_refused(api, gta_manager):
    login(api, gta_manager)
    arrangement = tadeu_wca()
    response = api.post(f"/api/v1/arrangements/{arrangement.pk}/transition/", {"status": "draft"}, format="json")
    assert response.status_code == 400 and "cannot go from" in response.json()["status"][0]
    response = api.post(f"/api/v1/arrangements/{arrangement.pk}/transition/", {"status": "terminated"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "terminated"
    response = api.patch(f"/api/v1/arrangements/{arrangement.pk}/", {"status": "in_force"}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 400  # a terminated arrangement stays terminated
    assert Arrangement.objects.get(pk=arrangement.pk).status == "terminated"


def test_api_renew_and_effective_status(api, gta_manager):
    login(api, gta_manager)
    arrangement = tadeu_wca()
    response = api.post(f"/api/v1/arrangements/{arrangement.pk}/renew/", {"reference": "WCA-2030-TADEU"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "draft" and body["supersedes"] == arrangement.pk and body["jfo_acronyms"] == ["TADEU"]
    arrangement.expiry_date = datetime.date(2015, 1, 1)
    arrangement.save()
    assert api.get(f"/api/v1/arrangements/{arrangement.pk}/").json()["effective_status"] == "expired"


def test_api_refuses_transitions_outside_the_region(api, gta_manager, analyst):
    pac = Arrangement.objects.get(jfos__acronym="WPSIU")
    for user in (gta_manager, analyst):
        login(api, user)
        response = api.post(f"/api/v1/arrangements/{pac.pk}/transition/", {"status": "terminated"}, format="json")
        assert response.status_code == 403
    assert Arrangement.objects.get(pk=pac.pk).status == "in_force"


def test_page_transition_allowed_and_refused(client, gta_manager):
    client.force_login(gta_manager)
    arrangement = tadeu_wca()
    page = client.get(f"/arrangements/{arrangement.pk}/status/").content.decode()
    assert 'value="terminated"' in page and 'value="draft"' not in page
    response = client.post(f"/arrangements/{arrangement.pk}/status/", {"status": "draft", "version": version_of(arrangement)})
    assert response.status_code == 400
    response = client.post(
        f"/arrangements/{arrangement.pk}/status/", {"status": "superseded", "version": version_of(arrangement)}
    )
    assert response.status_code == 302
    assert Arrangement.objects.get(pk=arrangement.pk).status == "superseded"


def test_admin_refuses_a_forbidden_transition(client, administrator):
    client.force_login(administrator)
    arrangement = Arrangement.objects.create(reference="ADM-1", title="x", status="terminated")
    url = reverse("admin:agreements_arrangement_change", args=[arrangement.pk])
    data = {
        "reference": "ADM-1", "title": "x", "kind": "wca", "status": "in_force", "signed_date": "2020-01-01",
        "effective_date": "2020-01-01",
        "parties-TOTAL_FORMS": "0", "parties-INITIAL_FORMS": "0",
        "condition_coverages-TOTAL_FORMS": "0", "condition_coverages-INITIAL_FORMS": "0",
        "documents-TOTAL_FORMS": "0", "documents-INITIAL_FORMS": "0",
        "gap_actions-TOTAL_FORMS": "0", "gap_actions-INITIAL_FORMS": "0",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "cannot go from" in response.content.decode()
    assert Arrangement.objects.get(pk=arrangement.pk).status == "terminated"


def test_a_manager_records_conditions_and_the_matrix_changes(client, gta_manager):
    client.force_login(gta_manager)
    arrangement = tadeu_wca()
    before = client.get("/reports/conditions/").context["report"]
    assert before["per_condition"][1]["addressed"] == 0
    page = client.get(f"/arrangements/{arrangement.pk}/conditions/")
    formset = page.context["formset"]
    data = {"conditions-TOTAL_FORMS": "7", "conditions-INITIAL_FORMS": "7", "conditions-MIN_NUM_FORMS": "0",
            "conditions-MAX_NUM_FORMS": "1000"}
    for index, form in enumerate(formset.forms):
        data[f"conditions-{index}-id"] = form.instance.pk
        data[f"conditions-{index}-version"] = version_of(form.instance)
        data[f"conditions-{index}-status"] = "addressed" if form.instance.condition.letter == "b" else "not_addressed"
        data[f"conditions-{index}-clause_reference"] = "Article 2" if form.instance.condition.letter == "b" else ""
    # A condition marked addressed needs its clause: refused, nothing saved.
    bad = {**data, "conditions-1-clause_reference": ""}
    response = client.post(f"/arrangements/{arrangement.pk}/conditions/", bad)
    assert response.status_code == 400 and "Name the clause" in response.content.decode()
    assert not ConditionCoverage.objects.filter(arrangement=arrangement, status="addressed").exists()
    assert client.post(f"/arrangements/{arrangement.pk}/conditions/", data).status_code == 302
    report = client.get("/reports/conditions/").context["report"]
    b = next(c for c in report["per_condition"] if c["letter"] == "b")
    assert (b["addressed"], b["assessed"]) == (1, 1)
    assert arrangement.reference not in report["addressing_none"] + report["not_assessed"]
    row = next(r for r in report["arrangements"] if r["reference"] == arrangement.reference)
    assert row["conditions"]["b"] == "addressed" and row["conditions"]["a"] == "not_addressed"
    pac = Arrangement.objects.get(jfos__acronym="WPSIU")
    assert client.post(f"/arrangements/{pac.pk}/conditions/", data).status_code == 403


def test_gap_actions_through_pages_and_api(client, api, gta_manager):
    client.force_login(gta_manager)
    unit = JointForceOperation.objects.get(acronym="CSIS-JFO")
    response = client.post(
        f"/jfos/{unit.pk}/gap-actions/new/",
        {"action": "Negotiate a WCA with CSIS", "owner": "GTA intelligence manager", "due_date": "2027-03-31", "status": "open"},
    )
    assert response.status_code == 302
    action = GapAction.objects.get(jfo=unit)
    page = client.get("/reports/gaps/").content.decode()
    assert "Negotiate a WCA with CSIS" in page
    pac_unit = JointForceOperation.objects.get(acronym="BEST-PAC")
    assert client.get(f"/jfos/{pac_unit.pk}/gap-actions/new/").status_code == 403
    login(api, gta_manager)
    response = api.patch(f"/api/v1/gap-actions/{action.pk}/", {"status": "in_progress"}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 200 and response.json()["status"] == "in_progress"
    response = api.post(
        "/api/v1/gap-actions/",
        {"jfo": unit.pk, "arrangement": tadeu_wca().pk, "action": "x", "owner": "y", "due_date": "2027-01-01"},
        format="json",
    )
    assert response.status_code == 400
    report = api.get("/api/v1/reports/gaps/").json()
    csis = next(u for u in report["units"] if u["acronym"] == "CSIS-JFO")
    assert csis["actions"][0]["status"] == "in_progress"


def test_report_endpoints_json_and_csv(api, analyst):
    login(api, analyst)
    coverage = api.get("/api/v1/reports/coverage/", {"fiscal_year": "2010-2011"}).json()
    assert (coverage["covered"], coverage["not_covered"]) == (33, 19)
    assert len(coverage["uncovered_units"]) == 19
    response = api.get("/api/v1/reports/coverage/", {"fiscal_year": "2010-2011", "format": "csv"})
    assert 'filename="coverage-2010-2011.csv"' in response["Content-Disposition"]
    assert "total,,,52,33,19" in response.content.decode()
    conditions = api.get("/api/v1/reports/conditions/").json()
    assert conditions["arrangement_count"] == 17 and len(conditions["not_assessed"]) == 17
    assert api.get("/api/v1/reports/conditions/", {"format": "csv"}).status_code == 200
    expiring = api.get("/api/v1/reports/expiring/", {"days": 90, "on": "2012-01-01"}).json()
    assert expiring["arrangements"] and all(row["reasons"] for row in expiring["arrangements"])
    assert api.get("/api/v1/reports/expiring/", {"days": -1}).status_code == 400
    gaps = api.get("/api/v1/reports/gaps/", {"on": "2011-03-31"}).json()
    assert len(gaps["units"]) == 19 and len(gaps["arrangements"]) == 16


def test_agreement_pages_for_every_role(client, administrator, analyst, gta_manager):
    arrangement = tadeu_wca()
    pages = ["/arrangements/", "/arrangements/?status=in_force&region=GTA&q=drug&expiring=4000",
             f"/arrangements/{arrangement.pk}/", "/reports/coverage/", "/reports/coverage/?fiscal_year=2010",
             "/reports/conditions/", "/reports/expiring/?days=400", "/reports/gaps/"]
    for user in (administrator, analyst, gta_manager):
        client.force_login(user)
        for url in pages:
            assert client.get(url).status_code == 200, (user, url)
    client.force_login(analyst)
    for url in (f"/arrangements/{arrangement.pk}/conditions/", f"/arrangements/{arrangement.pk}/status/",
                f"/arrangements/{arrangement.pk}/renew/", f"/arrangements/{arrangement.pk}/documents/new/"):
        assert client.get(url).status_code == 403, url
    client.logout()
    assert client.get("/arrangements/").status_code == 302


def test_coverage_page_shows_33_and_19_for_2010(client, analyst):
    client.force_login(analyst)
    html = client.get("/reports/coverage/", {"fiscal_year": "2010"}).content.decode()
    assert 'data-testid="covered">33<' in html and 'data-testid="not-covered">19<' in html


def test_renew_through_the_page(client, gta_manager):
    client.force_login(gta_manager)
    arrangement = tadeu_wca()
    response = client.post(f"/arrangements/{arrangement.pk}/renew/", {"reference": "WCA-2031-TADEU", "title": ""})
    assert response.status_code == 302
    successor = Arrangement.objects.get(reference="WCA-2031-TADEU")
    assert response["Location"] == successor.get_absolute_url()
    assert successor.condition_coverages.count() == InformationSharingCondition.objects.count()
    response = client.post(f"/arrangements/{arrangement.pk}/renew/", {"reference": "WCA-2031-TADEU"})
    assert response.status_code == 400
