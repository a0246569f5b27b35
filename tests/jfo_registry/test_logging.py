"""A 500 leaves its traceback in the log: on standard error (gunicorn passes it on) and in
LOG_FILE when set, with the production settings (DEBUG off)."""

import textwrap

import pytest
from rest_framework.test import APIClient

from operations.api.views import RegionViewSet
from tests.jfo_registry.production import python

# With the production settings: /healthz raises, and one request goes through the whole stack.
BROKEN_REQUEST = textwrap.dedent(
    """
    import django
    django.setup()
    import jfo_registry.core.views

    def broken(request):
        raise RuntimeError("deliberately broken for the logging test")

    jfo_registry.core.views.healthz = broken  # before the URLconf is first loaded
    from django.test import Client

    response = Client(raise_request_exception=False).get("/healthz", secure=True, HTTP_HOST="jfo.example.gc.ca")
    print("status", response.status_code)
    """
)


def test_a_server_error_writes_its_traceback_to_standard_error():
    result = python(BROKEN_REQUEST, DATABASE_URL="sqlite://:memory:")
    assert "status 500" in result.stdout, result.stderr
    assert "ERROR [django.request]" in result.stderr and "Internal Server Error: /healthz" in result.stderr
    assert "Traceback (most recent call last)" in result.stderr
    assert "RuntimeError: deliberately broken for the logging test" in result.stderr


def test_a_server_error_is_also_written_to_log_file(tmp_path):
    log_file = tmp_path / "jfo-registry.log"
    result = python(BROKEN_REQUEST, DATABASE_URL="sqlite://:memory:", LOG_FILE=str(log_file))
    assert "status 500" in result.stdout, result.stderr
    logged = log_file.read_text()
    assert "Internal Server Error: /healthz" in logged and "Traceback (most recent call last)" in logged
    assert "RuntimeError: deliberately broken for the logging test" in logged


def test_a_bad_log_level_stops_the_start_up_with_a_clear_message():
    result = python("import django; django.setup()", LOG_LEVEL="chatty")
    assert result.returncode == 1
    assert "LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, not 'CHATTY'." in result.stderr


@pytest.mark.django_db
def test_the_api_500_that_says_the_failure_is_logged_is_logged(analyst, monkeypatch, caplog):
    def broken(self, request, *args, **kwargs):
        raise RuntimeError("deliberately broken API view")

    monkeypatch.setattr(RegionViewSet, "list", broken)
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(analyst)
    response = api.get("/api/v1/regions/")
    assert response.status_code == 500
    assert response.json() == {"detail": "Server error: the failure is logged; nothing was changed."}
    [record] = [r for r in caplog.records if r.name == "django.request" and r.levelname == "ERROR"]
    assert record.getMessage() == "Internal Server Error: /api/v1/regions/"
    assert record.exc_info[0] is RuntimeError
