"""Role × endpoint × method: every write operation of the API (taken from its OpenAPI schema, so
a new endpoint is covered the day it appears) refused to every role that must not make it, with
nothing changed. Allowed writes are exercised per resource in tests/api.py and the region tests."""

import hashlib

import pytest
from django.apps import apps
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from agreements.models import Arrangement, GapAction
from operations.models import Assignment, JointForceOperation, Officer

pytestmark = pytest.mark.django_db
WRITES = ("post", "put", "patch", "delete")


def write_operations() -> list[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(
        (path, method)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in WRITES
    )


def registry_digest() -> str:
    digest = hashlib.sha256()
    for label in ("operations", "agreements", "auth", "authtoken"):
        for model in apps.get_app_config(label).get_models():
            digest.update(repr(sorted(model._base_manager.values_list(*[f.attname for f in model._meta.concrete_fields]))).encode())
    return digest.hexdigest()


def object_in(region: str) -> dict:
    """An object of each resource in `region`, so region rules (not a 404) decide."""
    gap = GapAction.objects.create(
        jfo=JointForceOperation.objects.filter(region__code=region).first(), action="x", owner="y",
        due_date="2027-01-01",
    )
    return {
        "officers": Officer.objects.filter(home_region__code=region).first().pk,
        "assignments": Assignment.objects.filter(jfo__region__code=region).first().pk,
        "jfos": JointForceOperation.objects.filter(region__code=region).first().pk,
        "arrangements": Arrangement.objects.filter(jfos__region__code=region).first().pk,
        "gap-actions": gap.pk,
    }


def url_for(path: str, ids: dict) -> str:
    resource = path.split("/")[3]
    return path.replace("{id}", str(ids.get(resource, 1))).replace("{period_id}", "1")


# What a GTA manager may write (and only on records of the GTA).
MANAGER_WRITES = {
    ("/api/v1/officers/", "post"), ("/api/v1/officers/{id}/", "put"), ("/api/v1/officers/{id}/", "patch"),
    ("/api/v1/officers/{id}/change/", "post"), ("/api/v1/jfos/{id}/change/", "post"),  # a unit's region, type, program
    ("/api/v1/officers/{id}/periods/{period_id}/correct/", "post"), ("/api/v1/jfos/{id}/periods/{period_id}/correct/", "post"),
    ("/api/v1/assignments/", "post"), ("/api/v1/assignments/{id}/", "put"), ("/api/v1/assignments/{id}/", "patch"),
    ("/api/v1/assignments/{id}/change/", "post"), ("/api/v1/assignments/{id}/correct/", "post"),
    ("/api/v1/arrangements/{id}/", "put"), ("/api/v1/arrangements/{id}/", "patch"),
    ("/api/v1/arrangements/{id}/transition/", "post"), ("/api/v1/arrangements/{id}/renew/", "post"),
    ("/api/v1/arrangements/{id}/documents/", "post"),
    ("/api/v1/gap-actions/", "post"), ("/api/v1/gap-actions/{id}/", "put"), ("/api/v1/gap-actions/{id}/", "patch"),
}


def call(client, method, url):
    return getattr(client, method)(url, {}, format="json", HTTP_IF_MATCH="*")


def test_the_matrix_covers_every_write_of_the_api():
    operations = write_operations()
    assert len(operations) >= 40
    assert set(MANAGER_WRITES) <= set(operations)


@pytest.mark.parametrize("role", ["anonymous", "no_role_user", "analyst"])
def test_roles_without_write_rights_are_refused_everywhere(request, role):
    client = APIClient()
    if role != "anonymous":
        client.force_authenticate(request.getfixturevalue(role))
    ids = object_in("GTA")
    before = registry_digest()
    expected = 401 if role == "anonymous" else 403
    refused = {(path, method): call(client, method, url_for(path, ids)).status_code for path, method in write_operations()}
    assert {key: status for key, status in refused.items() if status != expected} == {}
    assert registry_digest() == before


def test_a_regional_manager_writes_only_what_managers_may_and_only_in_their_region(gta_manager):
    client = APIClient()
    client.force_authenticate(gta_manager)
    own, other = object_in("GTA"), object_in("PAC")
    before = registry_digest()
    wrong = {}
    for path, method in write_operations():
        if (path, method) in MANAGER_WRITES:
            if "{id}" in path:  # allowed kind of write, on another region's record: refused
                status = call(client, method, url_for(path, other)).status_code
                if status != 403:
                    wrong[(path, method, "PAC")] = status
            continue
        status = call(client, method, url_for(path, own)).status_code
        if status != 403:
            wrong[(path, method, "GTA")] = status
    assert wrong == {}
    assert registry_digest() == before


def test_no_role_deletes_a_kept_record(administrator):
    """Even an administrator: assignments have no DELETE at all, and a DELETE of any resource's
    kept record (an arrangement in force, a unit it covers) is a 409 that changes nothing."""
    operations = write_operations()
    assert ("/api/v1/assignments/{id}/", "delete") not in operations
    client = APIClient()
    client.force_authenticate(administrator)
    arrangement = Arrangement.objects.filter(status="in_force").first()
    kept = {"arrangements": arrangement.pk, "jfos": arrangement.jfos.first().pk}
    before = registry_digest()
    statuses = {
        path: call(client, method, url_for(path, kept)).status_code
        for path, method in operations if method == "delete" and path.split("/")[3] in kept
    }
    assert statuses == {"/api/v1/arrangements/{id}/": 409, "/api/v1/jfos/{id}/": 409}
    assert client.delete(f"/api/v1/assignments/{Assignment.objects.first().pk}/").status_code == 405
    assert registry_digest() == before
