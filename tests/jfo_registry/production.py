"""Running the project as a deployment would: a subprocess with the production settings."""

import os
import secrets
import subprocess
import sys

from django.conf import settings

# The test run's own switches, never part of a deployment's environment.
TEST_ONLY = {"DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def production_env(**extra) -> dict[str, str]:
    """A deployment's environment (DEBUG off, a fresh secret key, one host) plus `extra`."""
    env = {k: v for k, v in os.environ.items() if k not in TEST_ONLY}
    env.update(
        DJANGO_SETTINGS_MODULE="jfo_registry.settings", DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="jfo.example.gc.ca", CSRF_TRUSTED_ORIGINS="https://jfo.example.gc.ca", **extra,
    )
    return env


def manage(*args: str, **env) -> subprocess.CompletedProcess:
    """`manage.py *args` with the production settings and `env` added."""
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=production_env(**env),
        capture_output=True, text=True,
    )


def python(code: str, **env) -> subprocess.CompletedProcess:
    """`python -c code` in the project directory with the production settings and `env` added."""
    return subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=production_env(**env), capture_output=True, text=True
    )
