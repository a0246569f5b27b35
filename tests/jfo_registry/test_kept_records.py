"""Records the design says are kept cannot be hard-deleted, by anyone, through any entry point:
assignments are ended, arrangements that were in force are terminated (only a never-in-force
draft may be deleted, by an administrator), units and threats in use are closed or unlinked."""

import pytest
from django.db import transaction
from django.urls import get_resolver, reverse
from drf_spectacular.generators import SchemaGenerator

from agreements.models import Arrangement, ArrangementParty, ConditionCoverage
from jfo_registry.core.audit import RecordKept
from jfo_registry.core.concurrency import version_of
from operations.models import Assignment, JointForceOperation, Threat
from tests.api import login
from tests.conftest import TEST_PASSWORD, make_assignment, make_jfo

pytestmark = pytest.mark.django_db


def in_force_arrangement() -> Arrangement:
    arrangement = Arrangement.objects.filter(status="in_force", parties__isnull=False).distinct().first()
    assert arrangement.parties.exists() and arrangement.condition_coverages.exists()
    return arrangement


def parts_of(arrangement) -> tuple[int, int]:
    return (ArrangementParty.objects.filter(arrangement=arrangement).count(),
            ConditionCoverage.objects.filter(arrangement=arrangement).count())


# --- API -------------------------------------------------------------------------------------

def test_api_delete_of_an_assignment_is_not_an_operation(api, administrator):
    assignment = make_assignment()
    login(api, administrator)
    assert api.delete(f"/api/v1/assignments/{assignment.pk}/").status_code == 405
    assert Assignment.objects.filter(pk=assignment.pk).exists()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert "delete" not in schema["paths"]["/api/v1/assignments/{id}/"]
    assert "patch" in schema["paths"]["/api/v1/assignments/{id}/"]


def test_api_delete_of_an_arrangement_that_was_in_force_is_refused_and_cascades_nothing(api, administrator):
    arrangement = in_force_arrangement()
    parts = parts_of(arrangement)
    login(api, administrator)
    response = api.delete(f"/api/v1/arrangements/{arrangement.pk}/")
    assert response.status_code == 409
    assert "terminate it" in response.json()["detail"]
    assert Arrangement.objects.filter(pk=arrangement.pk).exists() and parts_of(arrangement) == parts


def test_api_an_arrangement_terminated_or_back_in_draft_history_is_kept(api, administrator):
    arrangement = Arrangement.objects.create(reference="WCA-KEPT-1", title="x", status="under_negotiation")
    arrangement.status, arrangement.signed_date, arrangement.effective_date = "in_force", "2020-01-01", "2020-01-01"
    arrangement.save()
    Arrangement.objects.filter(pk=arrangement.pk).update(status="draft")  # as if corrected back by hand
    login(api, administrator)
    assert api.delete(f"/api/v1/arrangements/{arrangement.pk}/").status_code == 409
    assert Arrangement.objects.filter(pk=arrangement.pk).exists()


def test_api_an_administrator_deletes_a_draft_that_was_never_in_force(api, administrator, gta_manager):
    draft = Arrangement.objects.create(reference="WCA-DRAFT-1", title="x")
    draft.jfos.set([JointForceOperation.objects.get(acronym="TADEU")])
    login(api, gta_manager)
    assert api.delete(f"/api/v1/arrangements/{draft.pk}/").status_code == 403
    login(api, administrator)
    assert api.delete(f"/api/v1/arrangements/{draft.pk}/").status_code == 204
    assert not Arrangement.objects.filter(pk=draft.pk).exists()
    assert Arrangement.history.filter(id=draft.pk, history_type="-").exists()


def test_api_units_covered_by_an_arrangement_and_threats_in_use_are_kept(api, administrator):
    unit = make_jfo("GTA")
    Arrangement.objects.create(reference="WCA-KEPT-2", title="x").jfos.set([unit])
    threat = Threat.objects.filter(jfos__isnull=False).first()
    login(api, administrator)
    assert api.delete(f"/api/v1/jfos/{unit.pk}/").status_code == 409
    assert api.delete(f"/api/v1/threats/{threat.pk}/").status_code == 409
    assert JointForceOperation.objects.filter(pk=unit.pk).exists() and Threat.objects.filter(pk=threat.pk).exists()
    assert unit.arrangements.exists() and threat.jfos.exists()


# --- admin -----------------------------------------------------------------------------------

def test_admin_assignment_changelist_has_no_delete_action(admin_client):
    assignment = make_assignment()
    url = reverse("admin:operations_assignment_changelist")
    assert 'value="delete_selected"' not in admin_client.get(url).content.decode()
    response = admin_client.post(url, {"action": "delete_selected", "_selected_action": [assignment.pk], "post": "yes"})
    assert response.status_code == 200  # the changelist again: the action is not one it offers
    assert Assignment.objects.filter(pk=assignment.pk).exists()


def test_admin_assignment_delete_view_is_refused(admin_client):
    assignment = make_assignment()
    url = reverse("admin:operations_assignment_delete", args=[assignment.pk])
    assert admin_client.get(url).status_code == 403
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert Assignment.objects.filter(pk=assignment.pk).exists()
    change = admin_client.get(reverse("admin:operations_assignment_change", args=[assignment.pk])).content.decode()
    assert url not in change


def test_admin_inline_formset_cannot_delete_an_assignment(admin_client):
    assignment = make_assignment()
    officer = assignment.officer
    url = reverse("admin:operations_officer_change", args=[officer.pk])
    assert 'name="assignments-0-DELETE"' not in admin_client.get(url).content.decode()
    data = {
        "employee_number": officer.employee_number, "name": officer.name, "position": officer.position,
        "classification": officer.classification, "home_region": officer.home_region.pk, "active": "on",
        "assignments-TOTAL_FORMS": "1", "assignments-INITIAL_FORMS": "1",
        "assignments-MIN_NUM_FORMS": "0", "assignments-MAX_NUM_FORMS": "1000",
        "assignments-0-id": assignment.pk, "assignments-0-officer": officer.pk, "assignments-0-jfo": assignment.jfo.pk,
        "assignments-0-fte": "1.00", "assignments-0-start_date": "2010-04-01", "assignments-0-DELETE": "on",
        "version": version_of(officer), "assignments-0-version": version_of(assignment),
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302
    assert Assignment.objects.filter(pk=assignment.pk).exists()


def test_admin_delete_selected_keeps_arrangements_that_were_in_force_and_says_why(admin_client):
    kept = in_force_arrangement()
    draft = Arrangement.objects.create(reference="WCA-DRAFT-2", title="x")
    parts = parts_of(kept)
    url = reverse("admin:agreements_arrangement_changelist")
    response = admin_client.post(url, {"action": "delete_selected", "_selected_action": [kept.pk, draft.pk], "post": "yes"})
    assert response.status_code == 200
    assert "terminate it" in response.content.decode()
    assert Arrangement.objects.filter(pk__in=[kept.pk, draft.pk]).count() == 2 and parts_of(kept) == parts
    response = admin_client.post(url, {"action": "delete_selected", "_selected_action": [draft.pk], "post": "yes"})
    assert response.status_code == 302
    assert not Arrangement.objects.filter(pk=draft.pk).exists()


def test_admin_delete_view_of_an_arrangement_that_was_in_force_is_refused(admin_client):
    kept = in_force_arrangement()
    url = reverse("admin:agreements_arrangement_delete", args=[kept.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert Arrangement.objects.filter(pk=kept.pk).exists()
    draft = Arrangement.objects.create(reference="WCA-DRAFT-3", title="x")
    assert admin_client.get(reverse("admin:agreements_arrangement_delete", args=[draft.pk])).status_code == 200


# --- pages and everything else ----------------------------------------------------------------

def test_pages_offer_no_delete(client, gta_manager):
    names = [name for name in get_resolver().reverse_dict if isinstance(name, str)]
    assert not [name for name in names if "delete" in name and not name.startswith("admin")]
    assignment = make_assignment()
    assert client.login(username=gta_manager.username, password=TEST_PASSWORD)
    page = client.get(reverse("operations:officer-detail", args=[assignment.officer.pk])).content.decode()
    assert "/delete/" not in page


def test_no_code_path_deletes_a_kept_record(administrator):
    assignment = make_assignment()
    arrangement = in_force_arrangement()
    parts = parts_of(arrangement)
    for delete in (assignment.delete, Assignment.objects.filter(pk=assignment.pk).delete, arrangement.delete):
        with pytest.raises(RecordKept), transaction.atomic():
            delete()
    assert Assignment.objects.filter(pk=assignment.pk).exists() and parts_of(arrangement) == parts
