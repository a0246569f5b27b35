"""`jfo_registry.core.concurrency`: one decision for a stale write, behind the API's ETag/If-Match
and the pages' and admin's hidden version field."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from jfo_registry.core.concurrency import check_version, etag_of, is_stale, version_of
from operations import services
from operations.models import Assignment
from tests.conftest import make_assignment, make_officer

pytestmark = pytest.mark.django_db


def changed_meanwhile(assignment: Assignment, fte: str = "0.30") -> None:
    """Someone else saves the record (through the service, as every entry point does)."""
    services.assignment_update(assignment=Assignment.objects.get(pk=assignment.pk), fte=fte)


def test_the_etag_is_the_version_the_page_shows():
    assignment = make_assignment(fte="0.50", start=datetime.date(2020, 4, 1))
    assert etag_of(assignment) == etag_of(assignment, version_of(assignment))
    before = (version_of(assignment), etag_of(assignment))
    changed_meanwhile(assignment)
    assignment.refresh_from_db()
    after = (version_of(assignment), etag_of(assignment))
    assert after[0] != before[0] and after[1] != before[1]
    assert after[1] == etag_of(assignment, after[0])


def test_the_api_etag_and_the_page_version_come_from_the_same_source(api, client, gta_manager):
    assignment = make_assignment(officer=make_officer("GTA"), fte="0.50", start=datetime.date(2020, 4, 1))
    client.force_login(gta_manager)
    api.force_authenticate(gta_manager)
    page_version = client.get(f"/assignments/{assignment.pk}/change/").context["form"]["version"].value()
    response = api.get(f"/api/v1/assignments/{assignment.pk}/")
    assert response.status_code == 200
    assert page_version == version_of(assignment)
    assert response["ETag"] == etag_of(assignment, page_version)


def test_is_stale_compares_with_the_stored_version():
    assignment = make_assignment(fte="0.50", start=datetime.date(2020, 4, 1))
    seen = etag_of(assignment)
    assert is_stale(assignment, {seen}) is False
    assert is_stale(assignment, None) is False  # If-Match: *
    changed_meanwhile(assignment)
    assert is_stale(assignment, {seen}) is True  # `assignment` in memory is the old one: the row decides
    assert is_stale(assignment, None) is False
    assert is_stale(assignment, {seen, etag_of(Assignment.objects.get(pk=assignment.pk))}) is False


def test_check_version_refuses_a_stale_form_version():
    assignment = make_assignment(fte="0.50", start=datetime.date(2020, 4, 1))
    loaded = version_of(assignment)
    check_version(assignment, loaded)  # fresh: nothing raised
    changed_meanwhile(assignment)
    with pytest.raises(ValidationError) as refused:
        check_version(assignment, loaded)
    assert refused.value.code == "stale"
    assert "Someone else changed this record since you opened it" in refused.value.messages[0]
    assert "0.50 → 0.30" in refused.value.messages[0]


def test_the_api_refuses_a_stale_if_match(api, administrator):
    assignment = make_assignment(fte="0.50", start=datetime.date(2020, 4, 1))
    api.force_authenticate(administrator)
    url = f"/api/v1/assignments/{assignment.pk}/"
    read = api.get(url)
    assert read.status_code == 200
    etag = read["ETag"]
    changed_meanwhile(assignment)
    # PATCH writes notes and dates (fte and role change from a date: …/change/, refused alike)
    response = api.patch(url, {"notes": "late"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 412
    assert response.json() == {"detail": "Someone else changed this record since you read it: read it again, then retry."}
    change = {"fte": 0.9, "effective_from": "2021-04-01"}
    response = api.post(f"{url}change/", change, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 412
    assert response.json() == {"detail": "Someone else changed this record since you read it: read it again, then retry."}
    assert Assignment.objects.values_list("fte", "notes").get(pk=assignment.pk) == (Decimal("0.30"), "")
    assert not Assignment.objects.filter(predecessor=assignment).exists()
    response = api.patch(url, {"notes": "late"}, format="json")
    assert response.status_code == 428
    current = api.get(url)["ETag"]
    response = api.patch(url, {"notes": "late"}, format="json", HTTP_IF_MATCH=f'{etag}, W/{current}')
    assert response.status_code == 200
    assert response["ETag"] == etag_of(Assignment.objects.get(pk=assignment.pk)) != current
    assert api.patch(url, {"notes": "later"}, format="json", HTTP_IF_MATCH="*").status_code == 200
    assert api.post(f"{url}change/", change, format="json", HTTP_IF_MATCH="*").status_code == 201


def test_the_page_refuses_a_stale_version(client, gta_manager):
    assignment = make_assignment(officer=make_officer("GTA"), fte="0.50", start=datetime.date(2020, 4, 1))
    client.force_login(gta_manager)
    url = f"/assignments/{assignment.pk}/change/"
    loaded = client.get(url).context["form"]["version"].value()
    changed_meanwhile(assignment)
    response = client.post(url, {"fte": "0.80", "effective_from": "2021-04-01", "role": "", "version": loaded})
    assert response.status_code == 400
    assert "Someone else changed this record since you opened it" in response.content.decode()
    assert Assignment.objects.get(pk=assignment.pk).fte == Decimal("0.30")
    assert not Assignment.objects.filter(predecessor=assignment).exists()


def test_the_admin_refuses_a_stale_version(client, administrator):
    assignment = make_assignment(fte="0.50", start=datetime.date(2020, 4, 1))
    client.force_login(administrator)
    loaded = version_of(assignment)
    changed_meanwhile(assignment)
    response = client.post(reverse("admin:operations_assignment_change", args=[assignment.pk]), {
        "officer": assignment.officer.pk, "jfo": assignment.jfo.pk, "fte": "0.90", "start_date": "2020-04-01",
        "end_date": "", "role": "", "notes": "", "version": loaded,
    })
    assert response.status_code == 200
    assert "Someone else changed this record since you opened it" in response.content.decode()
    assert Assignment.objects.get(pk=assignment.pk).fte == Decimal("0.30")
