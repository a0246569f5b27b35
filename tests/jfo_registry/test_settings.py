"""Settings come from the environment; production refuses to start without a secret key."""

import os
import subprocess
import sys

from django.conf import settings

BASE_DIR = settings.BASE_DIR


SUMMARY = (
    "import json, django; from django.conf import settings as s; django.setup(); "
    "print(json.dumps([s.DEBUG, s.ALLOWED_HOSTS, s.DATABASES['default']['ENGINE'], s.TIME_ZONE, "
    "[c for c, _ in s.LANGUAGES]]))"
)


def settings_of(code: str = SUMMARY, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"}}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env={**clean, "DJANGO_SETTINGS_MODULE": "jfo_registry.settings", **env},
        capture_output=True,
        text=True,
    )


def test_production_needs_a_secret_key():
    result = settings_of()
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_development_defaults_to_sqlite_under_var():
    result = settings_of(DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        '[true, ["127.0.0.1", "localhost"], "django.db.backends.sqlite3", "America/Toronto", ["en", "fr"]]'
    )


def test_database_url_and_hosts_from_the_environment():
    result = settings_of(
        SECRET_KEY="x" * 50, DATABASE_URL="postgresql://u:p@db.example:5432/jfo", ALLOWED_HOSTS="jfo.example, api.jfo.example"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        '[false, ["jfo.example", "api.jfo.example"], "django.db.backends.postgresql", "America/Toronto", ["en", "fr"]]'
    )


def test_sqlite_transactions_take_the_write_lock_when_they_begin():
    # Two gunicorn workers on SQLite: a transaction that reads, then writes, must not find the
    # other holding the lock ("database is locked", a 500); IMMEDIATE makes the second one wait.
    # .ci/run serves the production set-up on SQLite with schemathesis writing through 2 workers.
    code = "import django; django.setup(); from django.db import connection; print(connection.settings_dict['OPTIONS'])"
    result = settings_of(code, DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "{'timeout': 20, 'transaction_mode': 'IMMEDIATE'}"
