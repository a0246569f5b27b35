"""History records what changed, links included, wherever it is shown: links (covered units,
threats, region managers) with the items added and removed, a renewal's bulk-created parts, and
no row at all for a save that changes nothing."""

import datetime

import pytest
from django.apps import apps
from django.db.models import Count, Exists, OuterRef, Value
from django.utils import timezone
from django.urls import reverse

from agreements.models import Arrangement, ArrangementParty, ConditionCoverage
from agreements.services import arrangement_transition
from jfo_registry.core.history import record_current_links, record_history, replayed_values
from jfo_registry.core.roles import Role
from operations.services import user_set_role
from operations import services as services_of_operations
from operations.models import JointForceOperation, Region, Threat
from tests.api import login
from tests.conftest import TEST_PASSWORD, make_jfo

pytestmark = pytest.mark.django_db

@pytest.fixture(autouse=True)
def open_2010_2011(db):
    """These tests are of the history, on records of the seeded inventory: its closed year is opened so
    that the closed-year rule (tested in tests/operations/test_effective_dating.py and
    tests/agreements/test_closed_year_coverage.py) does not answer first."""
    services_of_operations.fiscal_year_reopen(fiscal_year=2010, reason="Tests of other rules")



def tadeu_wca() -> Arrangement:
    return Arrangement.objects.get(jfos__acronym="TADEU")


def link_change(entries, field):
    """The newest change of `field` in a list of history entries."""
    return next(change for entry in entries for change in entry["changes"] if change["field"] == field)


def test_api_history_of_an_arrangement_lists_the_units_added_and_removed(api, administrator):
    arrangement = tadeu_wca()
    other = make_jfo("GTA")
    login(api, administrator)
    response = api.patch(f"/api/v1/arrangements/{arrangement.pk}/", {"jfos": [other.pk]}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 200, response.content
    history = api.get(f"/api/v1/arrangements/{arrangement.pk}/history/").json()["results"]
    change = link_change(history, "jfos")
    assert (change["added"], change["removed"]) == ([other.acronym], ["TADEU"])
    assert (change["old"], change["new"]) == ("TADEU", other.acronym)
    assert history[0]["user"] == administrator.username and history[0]["entry_point"] == "api"
    assert all(entry["changes"] for entry in history if entry["type"] == "changed")


def test_api_history_of_an_arrangement_includes_its_parties(api, administrator):
    arrangement = tadeu_wca()
    parties = [{"agency": p.agency_id, "role": p.role} for p in arrangement.parties.all()][1:]
    dropped = arrangement.parties.order_by("role", "agency__acronym").first()
    login(api, administrator)
    response = api.patch(f"/api/v1/arrangements/{arrangement.pk}/", {"parties": parties}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 200, response.content
    latest = api.get(f"/api/v1/arrangements/{arrangement.pk}/history/").json()["results"][0]
    assert (latest["type"], latest["object"]) == ("deleted", str(dropped))
    # The arrangement itself did not change: no empty "changed" row for it.
    assert not arrangement.history.filter(history_date__gte=latest["date"]).exists()


def test_admin_change_of_threats_shows_in_the_unit_page_and_admin_history(client, admin_client, analyst):
    unit = JointForceOperation.objects.get(acronym="TADEU")
    added = Threat.objects.exclude(jfos=unit).first()
    unit.threats.add(added)
    response = client.get(reverse("operations:jfo-detail", args=[unit.pk])) if client.login(
        username=analyst.username, password=TEST_PASSWORD) else None
    assert response.status_code == 200
    change = link_change(response.context["history"], "threats")
    assert change["added"] == [str(added)] and change["removed"] == []
    assert "→" in response.content.decode() and str(added) in response.content.decode()
    history = admin_client.get(reverse("admin:operations_jointforceoperation_history", args=[unit.pk]))
    assert history.status_code == 200 and str(added) in history.content.decode()


def test_a_change_of_links_from_the_other_side_is_recorded_on_the_record(administrator):
    unit = make_jfo("GTA")
    threat = Threat.objects.first()
    threat.jfos.add(unit)
    assert link_change(record_history(unit), "threats")["added"] == [str(threat)]
    threat.jfos.clear()
    assert link_change(record_history(unit), "threats")["removed"] == [str(threat)]


def test_giving_a_manager_a_region_is_recorded_in_the_regions_history(administrator):
    region = Region.objects.get(code="PAC")
    user = apps.get_model("auth", "User").objects.create_user(username="new-manager", password=TEST_PASSWORD)
    user_set_role(user=user, role=Role.REGIONAL_MANAGER, region_codes=("PAC",))
    change = link_change(record_history(region), "managers")
    assert change["added"] == ["new-manager"]


def test_renewal_parts_have_history_with_the_user_and_entry_point(api, administrator):
    arrangement = tadeu_wca()
    login(api, administrator)
    response = api.post(f"/api/v1/arrangements/{arrangement.pk}/renew/", {"reference": "WCA-2031-TADEU"}, format="json")
    assert response.status_code == 201, response.content
    successor = Arrangement.objects.get(pk=response.json()["id"])
    for model in (ArrangementParty, ConditionCoverage):
        rows = model.history.filter(arrangement_id=successor.pk)
        assert rows.count() == model.objects.filter(arrangement=arrangement).count() > 0
        assert {(row.history_type, row.history_user_id, row.history_change_reason) for row in rows} == {
            ("+", administrator.pk, "api")
        }
    history = api.get(f"/api/v1/arrangements/{successor.pk}/history/").json()["results"]
    assert {entry["object"] for entry in history} >= {str(p) for p in successor.parties.all()}
    assert link_change(history, "jfos")["added"] == ["TADEU"]


def test_a_transition_to_the_same_status_writes_no_history(api, gta_manager):
    arrangement = tadeu_wca()
    rows = arrangement.history.count()
    login(api, gta_manager)
    response = api.post(f"/api/v1/arrangements/{arrangement.pk}/transition/", {"status": "in_force"}, format="json")
    assert response.status_code == 200, response.content
    arrangement_transition(arrangement=Arrangement.objects.get(pk=arrangement.pk), status="in_force")
    assert arrangement.history.count() == rows


def test_a_save_with_nothing_changed_writes_no_history_but_a_change_does(gta_manager):
    unit = make_jfo("GTA")
    rows = unit.history.count()
    unit.save()
    unit.threats.set(list(unit.threats.all()))
    assert unit.history.count() == rows
    unit.objectives = "Changed"
    unit.save()
    assert unit.history.count() == rows + 1


def test_the_migration_baseline_records_current_links_without_claiming_a_change(administrator):
    unit = make_jfo("GTA")
    threat = Threat.objects.first()
    unit.threats.add(threat)
    changed = JointForceOperation.objects.get(pk=unit.pk)
    changed.objectives = "Changed before links were recorded"
    changed.save()
    # As before links were recorded: rows with no links, unmarked.
    JointForceOperation.history.filter(id=unit.pk).update(links_recorded=False)
    JointForceOperation.history.model.threats.model.objects.filter(history__id=unit.pk).delete()
    record_current_links(apps, None, app_label="operations", model_name="JointForceOperation", link="threats")
    assert not any(c["field"] == "threats" for e in record_history(unit) for c in e["changes"])
    second = Threat.objects.exclude(pk=threat.pk).first()
    unit.threats.add(second)
    change = link_change(record_history(unit), "threats")
    assert (change["added"], change["removed"]) == ([str(second)], [])


def test_reports_as_of_still_rebuild_the_past(api, analyst):
    login(api, analyst)
    before = datetime.datetime.now(datetime.timezone.utc)
    unit = JointForceOperation.objects.get(acronym="TADEU")
    unit.threats.clear()
    response = api.get("/api/v1/reports/resources/", {"fiscal_year": "2010-2011", "group_by": "region", "as_of": before.isoformat()})
    assert response.status_code == 200, response.content
    assert response.json()["subtotal"]["fte"] == 61.5


def test_history_names_the_parts_a_write_removed_in_the_api_and_on_the_page(api, client, administrator, gta_manager):
    """Review finding 5: a deleted party or condition coverage reads as the record it was, each
    value it had going to none (not "(deleted) 120" with no changes). Removing them is an
    administrator's write (managers hold no delete on either); the manager reads the history."""
    arrangement = tadeu_wca()
    party = arrangement.parties.select_related("agency").first()
    coverage = arrangement.condition_coverages.select_related("condition").first()
    assert party is not None and coverage is not None
    login(api, administrator)
    response = api.patch(
        f"/api/v1/arrangements/{arrangement.pk}/", {"parties": [], "condition_coverages": []}, format="json",
        HTTP_IF_MATCH="*",
    )
    assert response.status_code == 200, response.content
    history = api.get(f"/api/v1/arrangements/{arrangement.pk}/history/").json()["results"]
    deleted = {entry["object"]: entry for entry in history if entry["type"] == "deleted"}
    assert str(party) in deleted and str(coverage) in deleted
    assert {(c["field"], c["old"], c["new"]) for c in deleted[str(party)]["changes"]} >= {
        ("agency", str(party.agency), None), ("role", party.get_role_display(), None),
    }
    assert {(c["field"], c["old"], c["new"]) for c in deleted[str(coverage)]["changes"]} >= {
        ("condition", str(coverage.condition), None), ("status", coverage.get_status_display(), None),
    }
    client.force_login(gta_manager)
    page = client.get(arrangement.get_absolute_url())
    assert page.status_code == 200
    text = page.content.decode()
    assert str(party) in text and f"{party.agency} → —" in text


# --- replayed_values: a query run against the tables as they stood at a moment --------------

def test_replayed_values_reads_each_replayed_table_as_it_stood_with_joins_subqueries_and_parameters(db):
    unit = make_jfo("GTA")
    other = make_jfo("PAC")
    moment = timezone.now()
    gta = Region.objects.get(code="GTA")
    gta.name_en = "Renamed after the moment"
    gta.save()
    unit.region = Region.objects.get(code="PAC")
    unit.save()
    query = (
        JointForceOperation.objects.filter(pk__in=[unit.pk, other.pk], acronym__contains=Value("-"))
        .annotate(in_gta=Exists(Region.objects.filter(pk=OuterRef("region"), code="GTA")))
        .values("region__name_en", "in_gta")
        .annotate(units=Count("pk"))
        .order_by("region__name_en")
    )
    live = list(query)
    replayed = replayed_values(query, moment, [JointForceOperation, Region])
    assert replayed == [{"region__name_en": "Greater Toronto Area", "in_gta": True, "units": 1},
                        {"region__name_en": "Pacific", "in_gta": False, "units": 1}]
    assert live == [{"region__name_en": "Pacific", "in_gta": False, "units": 2}]
    assert replayed_values(query, timezone.now(), [JointForceOperation, Region]) == live
