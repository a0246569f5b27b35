"""Property-based API tests: Schemathesis drives every operation of the OpenAPI schema in-process
(WSGI, no server) and checks each answer against the schema.

- The schema is the document `/api/v1/schema/` serves, built by the same drf-spectacular generator.
- Authenticated run: an administrator's `Authorization: Token <key>` on every request and
  `If-Match: *` (PUT/PATCH require a precondition; `*` means "whatever the current version is").
  A case whose *headers* were deliberately generated invalid (e.g. If-Match left out) is sent as
  generated, so the server's refusal (428) is what gets checked, not our override.
  Checks: not_a_server_error, status_code_conformance, content_type_conformance,
  response_schema_conformance, negative_data_rejection and ignored_auth (which replays each
  successful request without credentials and with invalid ones and expects a refusal).
- Anonymous run: every operation, without credentials, answers 401.
- Self-test: the harness turns a 500 and an unprotected operation into failures.

Nothing is excluded: the document upload (multipart) is fuzzed like the rest; its random bytes are
refused by the content check, so no file is written.

Bounded to stay fast: the examples and fuzzing phases only (the coverage phase alone sends about
10,000 requests, minutes), 10 generated cases per operation (valid and invalid), a fixed seed so a
failure is reproducible (SCHEMATHESIS_SEED=<n> explores other cases). Integer `{id}`s are mostly
steered to rows that exist, so GET/PUT/PATCH/DELETE/history of real records are exercised, not only
404s. Each operation runs inside its test's transaction: the seed data is restored afterwards.
"""

from __future__ import annotations

import datetime
import json
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.test import APIClient
from schemathesis import checks
from schemathesis.core.failures import FailureGroup
from schemathesis.core.parameters import ParameterLocation

from agreements.models import GapAction
from jfo_registry.wsgi import application
from operations.api.serializers import RegionSerializer
from operations.api.views import RegionViewSet
from operations.models import JointForceOperation

BASE_URL = "http://testserver"  # Django's test host (in ALLOWED_HOSTS under pytest-django)
SEED = int(os.environ.get("SCHEMATHESIS_SEED", "20100401"))
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
    checks.ignored_auth,
]
EXISTING_IDS = (1, 2, 3)  # every resource of the 2010-2011 inventory has rows 1-3 (gap actions: fixture)


def raw_schema() -> dict:
    """The document `/api/v1/schema/` serves (same generator, same settings), as plain JSON."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


def load(mode: str) -> schemathesis.BaseSchema:
    config = schemathesis.Config.from_str(
        f"""
        seed = {SEED}
        [phases.coverage]
        enabled = false
        [phases.stateful]
        enabled = false
        [generation]
        mode = "{mode}"
        """
    )
    loaded = schemathesis.openapi.from_dict(raw_schema(), config=config)
    loaded.app = application  # WSGI: requests go straight into Django, as `from_wsgi` does

    @loaded.hook
    def map_path_parameters(context, path_parameters):
        # Most integer ids go to existing rows; other values (invalid cases) stay as generated.
        value = (path_parameters or {}).get("id")
        if isinstance(value, int) and not isinstance(value, bool) and value % 4:
            return {**path_parameters, "id": EXISTING_IDS[value % len(EXISTING_IDS)]}
        return path_parameters

    return loaded


schema = load("all")
anonymous_schema = load("positive")  # valid requests: only the missing credentials are wrong

@pytest.fixture(autouse=True)
def keep_the_test_connection_open():
    """Requests go straight into the WSGI app, so Django would close the database connection at
    the end of each one (request_finished) — inside the test's transaction. Django's own test
    client switches that off the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


BOUNDED = settings(
    max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True
)


@pytest.fixture
def admin_token(administrator) -> str:
    unit = JointForceOperation.objects.order_by("pk").first()
    for pk in EXISTING_IDS:  # the inventory has no gap actions: give their {id} operations rows to hit
        if GapAction.objects.filter(pk=pk).exists():
            continue
        GapAction.objects.create(
            pk=pk, jfo=unit, action=f"Draft a WCA ({pk})", owner="Regional director",
            due_date=datetime.date(2011, 3, 31),
        )
    return Token.objects.create(user=administrator).key


def admin_headers(case, token: str) -> dict:
    headers = {"Authorization": f"Token {token}"}
    if not (case.meta is not None and case.meta.is_negative_at(ParameterLocation.HEADER)):
        headers["If-Match"] = "*"
    return headers


@schema.parametrize()
@BOUNDED
def test_operation_conforms_to_the_schema(case, admin_token):
    case.call_and_validate(base_url=BASE_URL, headers=admin_headers(case, admin_token), checks=CHECKS)


def anonymous_call(case):
    """The case without any credential: no Authorization header, no session cookie."""
    case.headers = {name: value for name, value in (case.headers or {}).items() if name.lower() != "authorization"}
    case.cookies = {}
    return case.call(base_url=BASE_URL, headers={"If-Match": "*"})


@anonymous_schema.parametrize()
@settings(BOUNDED, max_examples=3)
def test_operation_refuses_anonymous_requests(case, db):
    response = anonymous_call(case)
    assert response.status_code == 401, (case.operation.label, response.status_code, response.text[:300])
    assert "results" not in response.text
    case.validate_response(response, checks=[checks.not_a_server_error, checks.ignored_auth])


def test_the_tested_schema_is_the_served_schema(admin_token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {admin_token}")
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    assert json.loads(response.content) == raw_schema()


# --- the harness can fail ----------------------------------------------------------------------


def run_operation(operation, token: str, max_examples: int = 3) -> None:
    @given(case=operation.as_strategy())
    @settings(BOUNDED, max_examples=max_examples)
    def run(case):
        case.call_and_validate(base_url=BASE_URL, headers=admin_headers(case, token), checks=CHECKS)

    run()


def test_harness_reports_a_server_error(admin_token, monkeypatch):
    operation = schema["/api/v1/regions/"]["GET"]
    run_operation(operation, admin_token)  # passes as the code is

    def broken(self, request, *args, **kwargs):
        raise RuntimeError("deliberately broken for the self-test")

    monkeypatch.setattr(RegionViewSet, "list", broken)
    with pytest.raises(FailureGroup, match="Server error"):
        run_operation(operation, admin_token)


def test_harness_reports_a_response_that_does_not_match_the_schema(admin_token, monkeypatch):
    operation = schema["/api/v1/regions/{id}/"]["GET"]
    original = RegionSerializer.to_representation
    monkeypatch.setattr(RegionSerializer, "to_representation", lambda self, obj: {**original(self, obj), "code": 42})
    with pytest.raises(FailureGroup, match="Response violates schema"):
        run_operation(operation, admin_token, max_examples=10)


def test_harness_reports_an_operation_open_to_anonymous_users(db, monkeypatch):
    monkeypatch.setattr(RegionViewSet, "permission_classes", [AllowAny])
    monkeypatch.setattr(RegionViewSet, "authentication_classes", [])

    @given(case=anonymous_schema["/api/v1/regions/"]["GET"].as_strategy())
    @settings(BOUNDED, max_examples=1)
    def run(case):
        response = anonymous_call(case)
        case.validate_response(response, checks=[checks.ignored_auth])

    with pytest.raises(FailureGroup, match="API accepts requests without authentication"):
        run()
