"""Issue #12, item 5: every link keeps its history with old and new values, whatever the entry
point: covered units (`Arrangement.jfos`), unit threats (`JointForceOperation.threats`),
arrangement parties (`ArrangementParty`) and unit participations (`Participation`, with its role).
Each test changes one link through one entry point (admin with its inlines, API, import,
service, the other side of the link) and reads the record's history as the page and the API
show it; `links_as_of` answers what the links were at a moment."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from agreements import services as agreement_services
from agreements.models import Arrangement, ArrangementParty
from agreements.selectors import coverage_report
from jfo_registry.core.history import all_links_as_of, links_as_of, record_history
from operations import importers
from operations import services as services_of_operations
from operations.models import Agency, JointForceOperation, Participation, Region, Threat
from tests.api import login
from tests.conftest import make_jfo
from tests.html_forms import submitted_form

pytestmark = pytest.mark.django_db

@pytest.fixture(autouse=True)
def open_2010_2011(db):
    """These tests are of the history of links, on records of the seeded inventory: its closed year is opened so
    that the closed-year rule (tested in tests/operations/test_effective_dating.py and
    tests/agreements/test_closed_year_coverage.py) does not answer first."""
    services_of_operations.fiscal_year_reopen(fiscal_year=2010, reason="Tests of other rules")



def tadeu_wca() -> Arrangement:
    return Arrangement.objects.get(jfos__acronym="TADEU")


def tadeu() -> JointForceOperation:
    return JointForceOperation.objects.get(acronym="TADEU")


def link_change(entries, field):
    """The newest change of `field` in a list of history entries (None: none)."""
    return next((change for entry in entries for change in entry["changes"] if change["field"] == field), None)


def assert_no_empty_change(entries):
    """No "changed" entry without a change: the defect this issue names."""
    assert [entry for entry in entries if entry["type"] == "changed" and not entry["changes"]] == []


def fresh(record):
    return type(record).objects.get(pk=record.pk)


def admin_form(admin_client, record) -> tuple[str, dict]:
    meta = type(record)._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[record.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    return url, submitted_form(page.content.decode(), form_id=f"{meta.model_name}_form")


def inline_rows(data: dict, prefix: str) -> dict[str, str]:
    """{row prefix: the row's id} of an inline formset in submitted form data."""
    return {
        key.removesuffix("-id"): values[0]
        for key, values in data.items()
        if key.startswith(f"{prefix}-") and key.endswith("-id") and "__prefix__" not in key and values[0]
    }


# --- Covered units --------------------------------------------------------------------------------

def test_covered_unit_removed_in_the_admin_is_in_the_history_with_old_and_new(admin_client):
    arrangement = tadeu_wca()
    added = make_jfo("GTA")
    arrangement.jfos.add(added)
    before = sorted(arrangement.jfos.values_list("acronym", flat=True))
    url, data = admin_form(admin_client, arrangement)
    data["jfos"] = [str(tadeu().pk)]
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    entries = record_history(arrangement)
    assert_no_empty_change(entries)
    change = link_change(entries, "jfos")
    assert (change["old"], change["new"]) == (", ".join(before), "TADEU")
    assert (change["added"], change["removed"]) == ([], [added.acronym])
    assert entries[0]["entry_point"] == "admin"


def test_covered_unit_removed_through_the_service_and_from_the_unit_side():
    arrangement = tadeu_wca()
    other = make_jfo("GTA")
    agreement_services.arrangement_save(fresh(arrangement), jfos=[tadeu(), other])
    change = link_change(record_history(arrangement), "jfos")
    both = ", ".join(sorted([other.acronym, "TADEU"]))
    assert (change["old"], change["new"], change["added"]) == ("TADEU", both, [other.acronym])
    other.arrangements.remove(arrangement)  # the other side of the link
    entries = record_history(arrangement)
    assert_no_empty_change(entries)
    change = link_change(entries, "jfos")
    assert (change["old"], change["new"], change["removed"]) == (both, "TADEU", [other.acronym])


def test_a_field_and_a_covered_unit_changed_in_one_api_write_are_one_entry(api, administrator):
    arrangement = tadeu_wca()
    other = make_jfo("GTA")
    login(api, administrator)
    response = api.patch(
        f"/api/v1/arrangements/{arrangement.pk}/", {"title": "Changed title", "jfos": [other.pk]}, format="json",
        HTTP_IF_MATCH="*",
    )
    assert response.status_code == 200, response.content
    entries = api.get(f"/api/v1/arrangements/{arrangement.pk}/history/").json()["results"]
    assert_no_empty_change(entries)
    assert {change["field"] for change in entries[0]["changes"]} == {"title", "jfos"}
    # The next write in another request is its own entry, with the links as the first left them.
    response = api.patch(f"/api/v1/arrangements/{arrangement.pk}/", {"jfos": [other.pk, tadeu().pk]}, format="json",
                         HTTP_IF_MATCH="*")
    assert response.status_code == 200, response.content
    entries = api.get(f"/api/v1/arrangements/{arrangement.pk}/history/").json()["results"]
    assert [change["field"] for change in entries[0]["changes"]] == ["jfos"]
    assert (entries[0]["changes"][0]["old"], entries[0]["changes"][0]["added"]) == (other.acronym, ["TADEU"])


# --- Unit threats ---------------------------------------------------------------------------------

def test_threat_removed_in_the_admin_is_in_the_history_with_old_and_new(admin_client):
    unit = tadeu()
    kept, *dropped = sorted(unit.threats.all(), key=str) or [None]
    if kept is None or not dropped:
        unit.threats.add(*Threat.objects.exclude(jfos=unit)[:2])
        kept, *dropped = sorted(unit.threats.all(), key=str)
    url, data = admin_form(admin_client, unit)
    data["threats"] = [str(kept.pk)]
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    entries = record_history(unit)
    assert_no_empty_change(entries)
    change = link_change(entries, "threats")
    assert change["new"] == str(kept) and change["removed"] == sorted(str(t) for t in dropped)


def test_threat_changed_through_the_api(api, administrator):
    unit = make_jfo("GTA")
    threat = Threat.objects.order_by("code").first()
    login(api, administrator)
    response = api.patch(f"/api/v1/jfos/{unit.pk}/", {"threats": [threat.pk]}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 200, response.content
    entries = api.get(f"/api/v1/jfos/{unit.pk}/history/").json()["results"]
    assert_no_empty_change(entries)
    change = link_change(entries, "threats")
    assert (change["old"], change["new"], change["added"]) == (None, str(threat), [str(threat)])
    assert entries[0]["entry_point"] == "api"


def test_threats_changed_by_an_import(administrator):
    unit = make_jfo("GTA")
    first, second = Threat.objects.order_by("code")[:2]
    unit.threats.add(first)
    dataset = importers.export_dataset("jfos", JointForceOperation.objects.filter(pk=unit.pk))
    row = list(dataset[0])
    row[dataset.headers.index("threats")] = second.code
    dataset[0] = row
    summary = importers.import_dataset("jfos", dataset, actor=administrator)
    assert summary.ok, summary
    entries = record_history(unit)
    assert_no_empty_change(entries)
    change = link_change(entries, "threats")
    assert (change["old"], change["new"]) == (str(first), str(second))
    assert entries[0]["entry_point"] == "import"


# --- Arrangement parties --------------------------------------------------------------------------

def test_a_party_removed_in_the_admin_inline_is_in_the_history(admin_client):
    arrangement = tadeu_wca()
    url, data = admin_form(admin_client, arrangement)
    rows = inline_rows(data, "parties")
    row, party_id = sorted(rows.items())[0]
    party = ArrangementParty.objects.select_related("agency").get(pk=party_id)
    data[f"{row}-DELETE"] = ["on"]
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    entries = record_history(arrangement)
    assert_no_empty_change(entries)
    deleted = next(entry for entry in entries if entry["type"] == "deleted")
    assert deleted["object"] == str(party) and deleted["entry_point"] == "admin"
    assert ("agency", str(party.agency), None) in {(c["field"], c["old"], c["new"]) for c in deleted["changes"]}


def test_a_party_role_changed_through_the_api_has_old_and_new(api, administrator):
    arrangement = tadeu_wca()
    party = arrangement.parties.order_by("pk").first()
    new_role = next(value for value, _label in ArrangementParty._meta.get_field("role").choices if value != party.role)
    parties = [{"agency": p.agency_id, "role": new_role if p.pk == party.pk else p.role} for p in arrangement.parties.all()]
    login(api, administrator)
    response = api.patch(f"/api/v1/arrangements/{arrangement.pk}/", {"parties": parties}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 200, response.content
    entries = api.get(f"/api/v1/arrangements/{arrangement.pk}/history/").json()["results"]
    assert_no_empty_change(entries)
    change = link_change(entries, "role")
    assert (change["old"], change["new"]) == (party.get_role_display(), dict(ArrangementParty._meta.get_field("role").choices)[new_role])


# --- Participations -------------------------------------------------------------------------------

def test_a_participation_role_changed_in_the_admin_inline(admin_client):
    unit = tadeu()
    url, data = admin_form(admin_client, unit)
    rows = inline_rows(data, "participations")
    row, participation_id = sorted(rows.items())[0]
    participation = Participation.objects.get(pk=participation_id)
    new_role = "partner" if participation.role == "lead" else "lead"
    data[f"{row}-role"] = [new_role]
    data["correction_reason"] = ["Roles as HQ lists them"]  # the unit's leads in the closed 2010-2011 change
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    entries = record_history(unit)
    assert_no_empty_change(entries)
    change = link_change(entries, "role")
    assert (change["old"], change["new"]) == (
        participation.get_role_display(), dict(Participation._meta.get_field("role").choices)[new_role]
    )
    assert entries[0]["entry_point"] == "admin"


def test_participations_replaced_through_the_api(api, administrator):
    unit = make_jfo("GTA")
    rcmp = Agency.objects.get(acronym="RCMP")
    login(api, administrator)
    response = api.patch(f"/api/v1/jfos/{unit.pk}/", {"participations": [{"agency": rcmp.pk, "role": "lead"}]},
                         format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 200, response.content
    response = api.patch(f"/api/v1/jfos/{unit.pk}/", {"participations": [{"agency": rcmp.pk, "role": "partner"}]},
                         format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 200, response.content
    entries = api.get(f"/api/v1/jfos/{unit.pk}/history/").json()["results"]
    assert_no_empty_change(entries)
    assert link_change(entries, "role")["new"] is not None


def test_participations_changed_by_an_import(administrator):
    unit = make_jfo("GTA")
    Participation.objects.create(jfo=unit, agency=Agency.objects.get(acronym="RCMP"), role="lead")
    dataset = importers.export_dataset("jfos", JointForceOperation.objects.filter(pk=unit.pk))
    row = list(dataset[0])
    row[dataset.headers.index("leads")] = "OPP"
    dataset[0] = row
    summary = importers.import_dataset("jfos", dataset, actor=administrator)
    assert summary.ok, summary
    entries = record_history(unit)
    assert_no_empty_change(entries)
    assert {(entry["type"], entry["entry_point"]) for entry in entries[:2]} == {("created", "import"), ("deleted", "import")}


# --- links_as_of: what the links were at a moment -------------------------------------------------

def test_links_as_of_answers_the_moment_before_a_covered_unit_was_removed(api, administrator):
    arrangement = tadeu_wca()
    other = make_jfo("GTA")
    agreement_services.arrangement_save(fresh(arrangement), jfos=[tadeu(), other])
    both = timezone.now()
    login(api, administrator)
    response = api.patch(f"/api/v1/arrangements/{arrangement.pk}/", {"jfos": [other.pk]}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 200, response.content
    assert links_as_of(arrangement, "jfos", both) == {tadeu().pk, other.pk}
    assert links_as_of(arrangement, "jfos", timezone.now()) == {other.pk}
    assert all_links_as_of(Arrangement, "jfos", both)[arrangement.pk] == {tadeu().pk, other.pk}
    # Before the arrangement existed: no links.
    created = arrangement.history.order_by("history_date").first().history_date
    assert links_as_of(arrangement, "jfos", created - datetime.timedelta(seconds=1)) == frozenset()


def test_links_as_of_a_unit_s_threats_and_participations():
    # Each change through a fresh instance, as separate requests make them (changes through the
    # instance just saved, in one transaction, are one write: one row).
    unit = make_jfo("GTA")
    first, second = Threat.objects.order_by("code")[:2]
    rcmp, opp = Agency.objects.get(acronym="RCMP"), Agency.objects.get(acronym="OPP")
    fresh(unit).threats.add(first)
    lead = Participation.objects.create(jfo=unit, agency=rcmp, role="lead")
    moment = timezone.now()
    fresh(unit).threats.set([second])
    lead.delete()
    Participation.objects.create(jfo=unit, agency=opp, role="lead")
    assert links_as_of(unit, "threats", moment) == {first.pk}
    assert links_as_of(unit, "threats", timezone.now()) == {second.pk}
    assert links_as_of(unit, "agencies", moment) == {rcmp.pk}
    assert links_as_of(unit, "agencies", timezone.now()) == {opp.pk}


def test_links_as_of_arrangement_parties():
    arrangement = tadeu_wca()
    agencies = set(arrangement.parties.values_list("agency_id", flat=True))
    dropped = arrangement.parties.order_by("pk").first()
    moment = timezone.now()
    dropped.delete()
    assert links_as_of(arrangement, "agencies", moment) == agencies
    assert links_as_of(arrangement, "agencies", timezone.now()) == agencies - {dropped.agency_id}


def test_links_as_of_refuses_a_field_that_is_not_a_link():
    with pytest.raises(ValueError):
        links_as_of(tadeu(), "region", timezone.now())


# --- The coverage report as_of --------------------------------------------------------------------

def test_the_coverage_report_as_of_the_moment_before_a_unit_lost_its_arrangement():
    arrangement = tadeu_wca()
    reported = coverage_report(fiscal_year="2010-2011")
    reported_gta = coverage_report(fiscal_year="2010-2011", region="GTA")
    moment = timezone.now()
    agreement_services.arrangement_save(fresh(arrangement), jfos=[make_jfo("GTA", start_date=datetime.date(2012, 1, 1))])
    unit = tadeu()
    unit.region = Region.objects.get(code="PAC")
    unit.save()
    now = coverage_report(fiscal_year="2010-2011")
    assert now["covered"] == reported["covered"] - 1
    assert "TADEU" in {row["acronym"] for row in now["uncovered_units"]}
    assert coverage_report(fiscal_year="2010-2011", as_of=moment) == {**reported, "as_of": moment}
    later = timezone.now()
    assert coverage_report(fiscal_year="2010-2011", as_of=later) == {**now, "as_of": later}
    # TADEU moved to the Pacific since: as of the moment, it is still counted in the GTA.
    assert coverage_report(fiscal_year="2010-2011", region="GTA", as_of=moment) == {**reported_gta, "as_of": moment}
    assert coverage_report(fiscal_year="2010-2011", region="GTA")["units"] == reported_gta["units"] - 1


def test_the_history_page_and_api_name_the_units_with_bilingual_labels(api, client, administrator):
    arrangement = tadeu_wca()
    other = make_jfo("GTA")
    agreement_services.arrangement_save(fresh(arrangement), jfos=[tadeu(), other])
    agreement_services.arrangement_save(fresh(arrangement), jfos=[tadeu()])
    both = ", ".join(sorted([other.acronym, "TADEU"]))
    client.force_login(administrator)
    page = client.get(arrangement.get_absolute_url())
    assert page.status_code == 200
    assert f"Covered JFO units: {both} → TADEU" in page.content.decode()
    login(api, administrator)
    response = api.get(f"/api/v1/arrangements/{arrangement.pk}/history/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    change = link_change(response.json()["results"], "jfos")
    assert (change["label"], change["old"], change["new"]) == ("unités d'OPC visées", both, "TADEU")
    with translation.override("fr"):
        page = client.get(arrangement.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 200
    assert f"Unités d&#x27;OPC visées: {both} → TADEU" in page.content.decode()
