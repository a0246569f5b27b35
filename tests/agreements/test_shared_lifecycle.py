"""Issue 10 review, finding 4: a lifecycle change of an arrangement (entering into force, expiring,
terminating, being superseded) is a side effect on every region it covers. A regional manager
makes it, or supersedes a predecessor, only when every unit concerned is in their regions; other
edits of a shared arrangement stay open to the managers of any region it covers. Through the
API, the pages and the admin (arrangements have no importer)."""

import datetime

import pytest
from django.urls import reverse

from agreements.models import Arrangement
from jfo_registry.core.concurrency import version_of
from operations.models import JointForceOperation
from tests.agreements.test_region_links import admin_form, gta_wca, snapshot
from tests.api import login

pytestmark = pytest.mark.django_db


def unit(acronym: str) -> JointForceOperation:
    return JointForceOperation.objects.get(acronym=acronym)


def arrangement(reference: str, *units: str, status: str = "in_force", **fields) -> Arrangement:
    made = Arrangement.objects.create(
        reference=reference, title=reference, status=status, signed_date=datetime.date(2012, 1, 1),
        effective_date=datetime.date(2012, 1, 1), **fields,
    )
    made.jfos.set([unit(acronym) for acronym in units])
    return made


@pytest.fixture
def shared(db) -> Arrangement:
    """In force, covering a GTA unit and a WSC unit."""
    return arrangement("SHARED-1", "PWEU-GTA", "PWEU-WSC")


@pytest.fixture
def gta_draft(db) -> Arrangement:
    return arrangement("GTA-DRAFT-17", "TADEU", status="draft")


def patch(api, record, payload):
    return api.patch(f"/api/v1/arrangements/{record.pk}/", payload, format="json", HTTP_IF_MATCH="*")


def transition(api, record, status):
    return api.post(f"/api/v1/arrangements/{record.pk}/transition/", {"status": status}, format="json")


def test_api_refuses_linking_a_shared_predecessor(api, gta_manager, shared, gta_draft):
    login(api, gta_manager)
    before = snapshot(shared, gta_draft)
    response = patch(api, gta_draft, {"supersedes": shared.pk})
    assert response.status_code == 403
    assert "Superseding SHARED-1" in response.json()["detail"] and "PWEU-WSC" in response.json()["detail"]
    assert snapshot(shared, gta_draft) == before


def test_api_refuses_putting_in_force_a_successor_of_a_shared_arrangement(api, gta_manager, shared, gta_draft):
    Arrangement.objects.filter(pk=gta_draft.pk).update(supersedes=shared)  # linked by an administrator
    login(api, gta_manager)
    before = snapshot(shared, gta_draft)
    response = transition(api, gta_draft, "in_force")
    assert response.status_code == 403
    assert "Superseding SHARED-1" in response.json()["detail"]
    response = patch(api, gta_draft, {"status": "in_force"})
    assert response.status_code == 403
    assert snapshot(shared, gta_draft) == before
    assert not shared.history.filter(status="superseded").exists()


@pytest.mark.parametrize("status", ["terminated", "expired"])
def test_api_refuses_a_manager_ending_a_shared_arrangement(api, gta_manager, shared, status):
    login(api, gta_manager)
    before = snapshot(shared)
    response = transition(api, shared, status)
    assert response.status_code == 403
    assert "A change of status concerns every region" in response.json()["detail"]
    assert "PWEU-WSC" in response.json()["detail"]
    response = patch(api, shared, {"status": status})
    assert response.status_code == 403
    assert snapshot(shared) == before


def test_api_refuses_a_manager_moving_a_shared_draft_along(api, gta_manager):
    draft = arrangement("SHARED-DRAFT", "PWEU-GTA", "PWEU-WSC", status="draft")
    login(api, gta_manager)
    before = snapshot(draft)
    assert transition(api, draft, "under_negotiation").status_code == 403
    assert transition(api, draft, "in_force").status_code == 403
    assert snapshot(draft) == before


def test_api_lets_managers_keep_a_shared_arrangement_current(api, gta_manager, shared):
    login(api, gta_manager)
    response = patch(api, shared, {"title": "Renamed by GTA", "status": "in_force"})
    assert response.status_code == 200
    assert Arrangement.objects.get(pk=shared.pk).title == "Renamed by GTA"


def test_api_lets_a_manager_end_and_supersede_their_own_region_only_arrangements(api, gta_manager, gta_draft):
    login(api, gta_manager)
    own = gta_wca()
    assert patch(api, gta_draft, {"supersedes": own.pk}).status_code == 200
    assert transition(api, gta_draft, "in_force").status_code == 200
    assert Arrangement.objects.get(pk=own.pk).status == "superseded"
    assert transition(api, gta_draft, "terminated").status_code == 200


def test_api_lets_an_administrator_change_a_shared_arrangements_status(api, administrator, shared, gta_draft):
    login(api, administrator)
    assert patch(api, gta_draft, {"supersedes": shared.pk}).status_code == 200
    assert transition(api, gta_draft, "in_force").status_code == 200
    assert Arrangement.objects.get(pk=shared.pk).status == "superseded"


def test_page_offers_no_status_change_of_a_shared_arrangement(client, gta_manager, shared):
    client.force_login(gta_manager)
    url = reverse("agreements:arrangement-transition", args=[shared.pk])
    page = client.get(shared.get_absolute_url()).content.decode()
    assert url not in page and "A change of status concerns every region" in page
    assert client.get(url).status_code == 403
    before = snapshot(shared)
    response = client.post(url, {"status": "terminated", "version": version_of(shared)})
    assert response.status_code == 403
    assert snapshot(shared) == before
    own = gta_wca()
    assert reverse("agreements:arrangement-transition", args=[own.pk]) in client.get(own.get_absolute_url()).content.decode()


def test_page_refuses_putting_in_force_a_successor_of_a_shared_arrangement(client, gta_manager, shared, gta_draft):
    Arrangement.objects.filter(pk=gta_draft.pk).update(supersedes=shared)
    gta_draft.refresh_from_db()
    client.force_login(gta_manager)
    before = snapshot(shared, gta_draft)
    response = client.post(
        reverse("agreements:arrangement-transition", args=[gta_draft.pk]),
        {"status": "in_force", "signed_date": "2013-01-01", "effective_date": "2013-01-01",
         "version": version_of(gta_draft)},
    )
    assert response.status_code == 403
    assert snapshot(shared, gta_draft) == before


def test_admin_refuses_a_staff_manager_ending_a_shared_arrangement(client, staff_gta_manager, shared):
    client.force_login(staff_gta_manager)
    before = snapshot(shared)
    response = client.post(
        reverse("admin:agreements_arrangement_change", args=[shared.pk]), admin_form(shared, status="terminated"),
    )
    assert response.status_code == 403
    assert snapshot(shared) == before


def test_admin_refuses_a_staff_manager_superseding_a_shared_arrangement(client, staff_gta_manager, shared, gta_draft):
    client.force_login(staff_gta_manager)
    before = snapshot(shared, gta_draft)
    response = client.post(
        reverse("admin:agreements_arrangement_change", args=[gta_draft.pk]),
        admin_form(gta_draft, supersedes=shared.pk, status="in_force"),
    )
    assert response.status_code == 200
    assert "supersedes" in response.context["adminform"].form.errors  # not one of the choices offered
    assert snapshot(shared, gta_draft) == before


def test_admin_offers_a_staff_manager_only_predecessors_wholly_in_their_regions(client, staff_gta_manager, shared, gta_draft):
    client.force_login(staff_gta_manager)
    form = client.get(reverse("admin:agreements_arrangement_change", args=[gta_draft.pk])).context["adminform"].form
    choices = form.fields["supersedes"].queryset
    assert gta_wca() in choices and shared not in choices
