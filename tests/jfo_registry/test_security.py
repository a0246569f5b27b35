"""Production configuration: Django's deployment check, headers, CSP, lockout, throttling."""

import pytest
from axes.utils import reset
from django.core.cache import cache
from django.db import connection
from django.db.utils import OperationalError
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from tests.conftest import TEST_PASSWORD
from tests.jfo_registry.production import manage

pytestmark = pytest.mark.django_db


def test_the_deployment_check_reports_nothing_with_production_settings(production_static):
    # The documented production set-up: static files collected, Redis, one proxy in front.
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING",
        STATIC_ROOT=str(production_static), REDIS_URL="redis://127.0.0.1:6379/0", TRUSTED_PROXY_COUNT="1",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_security_headers_and_content_security_policy(client, analyst):
    client.force_login(analyst)
    response = client.get("/", secure=True)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_swagger_ui_is_served_from_this_site(client, analyst):
    client.force_login(analyst)
    html = client.get("/api/v1/docs/").content.decode()
    assert "cdn.jsdelivr" not in html and "unpkg" not in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html


def test_sign_in_is_locked_after_repeated_failures(client, settings, gta_manager):
    settings.AXES_ENABLED = True
    reset()
    statuses = [
        client.post("/accounts/login/", {"username": gta_manager.username, "password": "wrong"}).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]  # the limit-th failure locks
    response = client.post("/accounts/login/", {"username": gta_manager.username, "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert "Sign-in locked" in response.content.decode()
    assert "_auth_user_id" not in client.session
    reset()
    response = client.post("/accounts/login/", {"username": gta_manager.username, "password": TEST_PASSWORD})
    assert response.status_code == 302


def test_api_throttling_per_user(monkeypatch, analyst):
    cache.clear()
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": "3/minute", "anon": "3/minute"})
    api = APIClient()
    api.force_authenticate(analyst)
    statuses = [api.get("/api/v1/regions/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    cache.clear()


def test_healthz_answers_503_when_the_database_does_not(client, monkeypatch):
    assert client.get("/healthz").status_code == 200

    def broken():
        raise OperationalError("database is down")

    monkeypatch.setattr(connection, "cursor", broken)
    response = client.get("/healthz")
    assert response.status_code == 503


def test_null_characters_in_urls_are_a_clear_400(client, analyst):
    client.force_login(analyst)
    response = client.get("/jfos/", {"q": "a\x00b"})
    assert response.status_code == 400 and "Null characters" in response.content.decode()
    response = client.get("/api/v1/jfos/", {"region": "\x00"})
    assert response.status_code == 400 and response.json() == {"region": ["Null characters are not allowed."]}
    client.logout()
    assert client.get("/api/v1/jfos/", {"region": "\x00"}).status_code == 401  # authentication comes first
    client.force_login(analyst)
    assert client.get("/admin/operations/officer/", {"position__exact": "\x00"}).status_code == 400
