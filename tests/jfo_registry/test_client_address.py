"""Behind the reverse proxy: one setting (TRUSTED_PROXY_COUNT) says who the client is, for the
sign-in lockout and the API throttles alike; lockouts hold a username *and* an address; throttle
counts are shared between processes through Redis."""

import os
import secrets
import textwrap

import pytest
import redis
from axes.models import AccessAttempt
from axes.utils import reset
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import get_resolver
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from jfo_registry.core.api.throttling import ThrottleFirstMixin
from jfo_registry.core.client_address import client_address
from tests.conftest import TEST_PASSWORD
from tests.jfo_registry.production import manage, python

PROXY = "10.0.0.1"  # the reverse proxy, as gunicorn sees it (REMOTE_ADDR)
TEST_REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "client"),
    [
        (0, PROXY, "203.0.113.9", PROXY),  # no proxy trusted: the header is the client's word, ignored
        (1, PROXY, "203.0.113.9", "203.0.113.9"),
        (1, PROXY, "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # the left entry was sent by the client
        (2, "10.0.0.2", "198.51.100.1, 203.0.113.9, 10.0.0.1", "203.0.113.9"),
        (2, "10.0.0.2", "203.0.113.9", "10.0.0.2"),  # fewer entries than proxies: not through them
        (1, PROXY, None, PROXY),
        (1, PROXY, "", PROXY),
        (1, PROXY, "not-an-address", PROXY),
        (1, PROXY, "203.0.113.9:5678", "203.0.113.9"),
        (1, PROXY, "[2001:DB8::1]:443", "2001:db8::1"),
        (0, "2001:0db8:0000::0001", None, "2001:db8::1"),
        (0, "", None, ""),  # a Unix socket has no address
    ],
)
def test_the_client_address(settings, proxies, remote, forwarded, client):
    settings.TRUSTED_PROXY_COUNT = proxies
    meta = {"REMOTE_ADDR": remote} | ({"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {})
    assert client_address(RequestFactory().get("/", **meta)) == client


def test_a_bad_proxy_count_stops_the_start_up_with_a_clear_message():
    result = python("import django; django.setup()", TRUSTED_PROXY_COUNT="-1")
    assert result.returncode == 1
    assert "TRUSTED_PROXY_COUNT must be a whole number from 0, not '-1'." in result.stderr


# --- API throttles -----------------------------------------------------------------------------


@pytest.fixture
def three_a_minute(monkeypatch):
    cache.clear()
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": "3/minute", "anon": "3/minute"})
    yield
    cache.clear()


def anonymous_request(forwarded: str):
    request = RequestFactory().get("/api/v1/regions/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    request.user = AnonymousUser()
    return request


@pytest.mark.parametrize("throttle_class", api_settings.DEFAULT_THROTTLE_CLASSES, ids=lambda cls: cls.__name__)
def test_rotating_x_forwarded_for_does_not_escape_the_anonymous_throttle(settings, three_a_minute, throttle_class):
    settings.TRUSTED_PROXY_COUNT = 0
    allowed = [throttle_class().allow_request(anonymous_request(f"198.51.100.{n}"), None) for n in range(4)]
    assert allowed == [True, True, True, False]


@pytest.mark.parametrize("throttle_class", api_settings.DEFAULT_THROTTLE_CLASSES, ids=lambda cls: cls.__name__)
def test_clients_behind_the_proxy_are_throttled_each_on_their_own(settings, three_a_minute, throttle_class):
    settings.TRUSTED_PROXY_COUNT = 1
    first = [throttle_class().allow_request(anonymous_request(f"1.1.1.{n}, 203.0.113.5"), None) for n in range(4)]
    second = [throttle_class().allow_request(anonymous_request("203.0.113.6"), None) for _ in range(3)]
    assert first == [True, True, True, False]  # a forged left-hand entry changes nothing
    assert second == [True, True, True]


# Two processes, as two gunicorn workers: the second sees the first one's requests only through Redis.
TWO_REQUESTS = textwrap.dedent(
    """
    import django
    django.setup()
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory
    from jfo_registry.core.api.throttling import AnonRateThrottle

    request = RequestFactory().get("/api/v1/regions/", REMOTE_ADDR={address!r})
    request.user = AnonymousUser()
    print([AnonRateThrottle().allow_request(request, None) for _ in range(2)])
    """
)


def redis_answers() -> bool:
    try:
        return redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        return False


def test_throttle_counts_are_shared_between_workers_through_redis():
    if not redis_answers():
        if os.environ.get("CI"):
            pytest.fail(f"Redis does not answer at {TEST_REDIS_URL} (.ci/run starts it)")
        pytest.skip(f"Redis does not answer at {TEST_REDIS_URL}")
    address = f"198.18.{secrets.randbelow(256)}.{secrets.randbelow(256)}"  # a fresh client each run
    code = TWO_REQUESTS.format(address=address)
    env = {"API_THROTTLE_ANON": "3/minute", "DATABASE_URL": "sqlite://:memory:"}
    workers = [python(code, REDIS_URL=TEST_REDIS_URL, **env) for _ in range(2)]
    assert [worker.stdout.strip() for worker in workers] == ["[True, True]", "[True, False]"], workers[1].stderr
    # Without Redis each process counts alone: 4 requests pass a limit of 3.
    alone = [python(code, **env) for _ in range(2)]
    assert [worker.stdout.strip() for worker in alone] == ["[True, True]", "[True, True]"], alone[1].stderr


def test_deployments_sharing_one_redis_never_read_each_others_cache():
    code = "import django; django.setup(); from django.conf import settings; print(settings.CACHES['default']['KEY_PREFIX'])"

    def prefix(database_url: str) -> str:
        result = python(code, REDIS_URL=TEST_REDIS_URL, DATABASE_URL=database_url)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    production = prefix("postgresql://jfo:secret@db.example.gc.ca:5432/jfo_registry")
    assert production.startswith("jfo-")
    assert prefix("postgresql://jfo:secret@db.example.gc.ca:5432/jfo_registry") == production  # every host alike
    assert prefix("postgresql://jfo:other@db.example.gc.ca:5432/jfo_registry") == production  # a new password
    assert prefix("postgresql://jfo:secret@staging-db.example.gc.ca:5432/jfo_registry") != production
    assert prefix("postgresql://jfo:secret@db.example.gc.ca:5432/jfo_registry_test") != production


def deploy_warnings(**env) -> str:
    result = manage("check", "--deploy", "--tag", "caches", "--tag", "security", **env)
    return result.stdout + result.stderr


def test_the_deployment_check_warns_of_a_per_process_cache():
    assert "(jfo_registry.W001)" in deploy_warnings(TRUSTED_PROXY_COUNT="1")
    assert "(jfo_registry.W001)" in deploy_warnings(TRUSTED_PROXY_COUNT="1", GUNICORN_WORKERS="4")
    assert "(jfo_registry.W001)" not in deploy_warnings(TRUSTED_PROXY_COUNT="1", GUNICORN_WORKERS="1")
    assert "(jfo_registry.W001)" not in deploy_warnings(TRUSTED_PROXY_COUNT="1", REDIS_URL=TEST_REDIS_URL)


def test_the_deployment_check_warns_when_the_proxy_is_not_trusted_for_addresses():
    assert "(jfo_registry.W002)" in deploy_warnings(REDIS_URL=TEST_REDIS_URL)
    assert "(jfo_registry.W002)" not in deploy_warnings(REDIS_URL=TEST_REDIS_URL, TRUSTED_PROXY_COUNT="1")
    assert "(jfo_registry.W002)" not in deploy_warnings(REDIS_URL=TEST_REDIS_URL, BEHIND_TLS_PROXY="0")


# --- sign-in lockout ---------------------------------------------------------------------------


@pytest.fixture
def lockout(settings, db):
    settings.AXES_ENABLED = True
    reset()
    yield settings.AXES_FAILURE_LIMIT
    reset()


def sign_in(username: str, password: str, address: str = PROXY, forwarded: str | None = None) -> int:
    meta = {"REMOTE_ADDR": address} | ({"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {})
    return Client().post("/accounts/login/", {"username": username, "password": password}, **meta).status_code


def test_failures_for_unknown_usernames_do_not_lock_everyone_behind_the_proxy(settings, lockout, gta_manager):
    settings.TRUSTED_PROXY_COUNT = 0  # every request has the proxy's address
    assert [sign_in(f"nobody-{n}", "guess") for n in range(lockout + 1)] == [200] * (lockout + 1)
    assert sign_in(gta_manager.username, TEST_PASSWORD) == 302


def test_failures_from_many_addresses_do_not_lock_a_username(lockout, administrator):
    statuses = [sign_in(administrator.username, "guess", address=f"198.51.100.{n}") for n in range(lockout + 1)]
    assert statuses == [200] * (lockout + 1)
    assert sign_in(administrator.username, TEST_PASSWORD, address="203.0.113.20") == 302
    assert sign_in(administrator.username, TEST_PASSWORD, address="198.51.100.1") == 302


def test_failures_for_one_username_from_one_address_lock_that_pair(lockout, gta_manager):
    statuses = [sign_in(gta_manager.username, "guess", address="198.51.100.7") for _ in range(lockout)]
    assert statuses == [200] * (lockout - 1) + [429]
    assert sign_in(gta_manager.username, TEST_PASSWORD, address="198.51.100.7") == 429
    assert sign_in(gta_manager.username, TEST_PASSWORD, address="198.51.100.8") == 302


def test_the_lockout_holds_the_client_behind_the_proxy_not_the_proxy(settings, lockout, gta_manager):
    settings.TRUSTED_PROXY_COUNT = 1
    # Each failure forges another left-hand entry; the proxy's own entry names the client.
    statuses = [sign_in(gta_manager.username, "guess", forwarded=f"1.1.1.{n}, 203.0.113.5") for n in range(lockout)]
    assert statuses == [200] * (lockout - 1) + [429]
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}
    assert sign_in(gta_manager.username, TEST_PASSWORD, forwarded="203.0.113.5") == 429
    assert sign_in(gta_manager.username, TEST_PASSWORD, forwarded="203.0.113.6") == 302


# --- Every API request is counted, also those refused with 401 or 403 ---------------------------

REFUSED_ANONYMOUSLY = [
    ("/api/v1/regions/", {}, 401),
    ("/api/v1/regions/", {"HTTP_AUTHORIZATION": "Token deadbeef"}, 401),  # token guessing
    ("/api/v1/reports/tenure/?format=csv", {}, 401),
    ("/api/v1/schema/", {}, 401),
    ("/api/v1/schema/", {"HTTP_AUTHORIZATION": "Token deadbeef"}, 401),
    ("/api/v1/docs/", {}, 302),  # Swagger UI sends to the sign-in page
]


@pytest.mark.parametrize(("path", "headers", "refusal"), REFUSED_ANONYMOUSLY)
def test_requests_refused_for_want_of_a_sign_in_are_throttled_by_address(
    db, settings, three_a_minute, path, headers, refusal
):
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client()
    forwarded = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    statuses = [client.get(path, **forwarded, **headers).status_code for _ in range(4)]
    assert statuses == [refusal, refusal, refusal, 429]
    throttled = client.get(path, **forwarded, **headers)
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    other = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.8"}
    assert client.get(path, **other, **headers).status_code == refusal  # another client has its own count


def test_a_signed_in_request_is_counted_once(db, three_a_minute, analyst):
    client = Client()
    client.force_login(analyst)
    assert [client.get("/api/v1/regions/").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_a_request_refused_for_want_of_a_role_is_throttled(db, three_a_minute, no_role_user):
    client = Client()
    client.force_login(no_role_user)
    assert [client.get("/api/v1/regions/").status_code for _ in range(4)] == [403, 403, 403, 429]


def api_view_classes(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if hasattr(pattern, "url_patterns"):
            yield from api_view_classes(pattern.url_patterns, route)
        elif route.startswith("api/v1/"):
            yield route, getattr(pattern.callback, "cls", None)


def test_every_api_view_throttles_before_authentication():
    views = dict(api_view_classes(get_resolver().url_patterns))
    assert len(views) > 20
    assert {route: cls for route, cls in views.items() if not (cls and issubclass(cls, ThrottleFirstMixin))} == {}
