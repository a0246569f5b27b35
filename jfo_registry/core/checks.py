"""Deployment checks (`manage.py check --deploy`) for what Django's own do not see: a production
set-up that would answer 500 on every page, or lose its throttle counts between workers."""

import os

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core import checks

# Caches whose contents one process cannot see from another.
PROCESS_LOCAL_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}
SHOWN = 5  # missing static files named in a message; the rest are counted


def collectable_static_files() -> set[str]:
    """Every path `collectstatic` would copy (relative to STATIC_ROOT), as the finders list them."""
    ignore_patterns = apps.get_app_config("staticfiles").ignore_patterns
    return {path for finder in get_finders() for path, _storage in finder.list(ignore_patterns)}


@checks.register(checks.Tags.staticfiles, deploy=True)
def check_static_manifest(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """With DEBUG off every `{% static %}` name is looked up in the manifest `collectstatic`
    writes; a missing manifest, or one without a file added since, makes those pages 500."""
    if settings.DEBUG or not isinstance(staticfiles_storage, ManifestFilesMixin):
        return []
    manifest_path = os.path.join(settings.STATIC_ROOT, staticfiles_storage.manifest_name)
    if staticfiles_storage.read_manifest() is None:
        return [
            checks.Error(
                f"The static files manifest {manifest_path} is missing: with DEBUG off every page answers 500.",
                hint="Run `manage.py collectstatic --no-input` with the production settings (after every upgrade too).",
                id="jfo_registry.E001",
            )
        ]
    missing = sorted(collectable_static_files() - set(staticfiles_storage.load_manifest()[0]))
    if missing:
        named = ", ".join(missing[:SHOWN]) + (f" and {len(missing) - SHOWN} more" if len(missing) > SHOWN else "")
        return [
            checks.Error(
                f"The static files manifest {manifest_path} lacks {len(missing)} file(s) the pages may use: {named}.",
                hint="collectstatic has not run since these were added: run `manage.py collectstatic --no-input`.",
                id="jfo_registry.E002",
            )
        ]
    return []


@checks.register(checks.Tags.caches, deploy=True)
def check_shared_cache(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """API throttle counts live in the default cache: a per-process cache multiplies each limit by
    the number of workers (gunicorn starts 2 x cores + 1 unless GUNICORN_WORKERS says 1)."""
    workers = (os.environ.get("GUNICORN_WORKERS") or os.environ.get("WEB_CONCURRENCY") or "").strip()
    if settings.DEBUG or workers == "1" or settings.CACHES["default"]["BACKEND"] not in PROCESS_LOCAL_CACHES:
        return []
    return [
        checks.Warning(
            "The default cache is kept per process: each gunicorn worker (and host) counts API throttling on its own.",
            hint="Set REDIS_URL (e.g. redis://127.0.0.1:6379/0) so every worker and host shares the counts.",
            id="jfo_registry.W001",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def check_proxy_addresses(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Behind a TLS proxy with TRUSTED_PROXY_COUNT 0, every client has the proxy's address."""
    if settings.DEBUG or settings.SECURE_PROXY_SSL_HEADER is None or settings.TRUSTED_PROXY_COUNT:
        return []
    return [
        checks.Warning(
            "SECURE_PROXY_SSL_HEADER says a reverse proxy is in front, but TRUSTED_PROXY_COUNT is 0: every client "
            "has the proxy's address, so all anonymous API callers share one throttle and the lockout log shows "
            "only the proxy.",
            hint="Set TRUSTED_PROXY_COUNT to the number of proxies that append to X-Forwarded-For (usually 1), "
            "or BEHIND_TLS_PROXY=0 if no proxy is in front.",
            id="jfo_registry.W002",
        )
    ]
