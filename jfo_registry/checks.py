"""Deployment checks (`manage.py check --deploy`) for what Django's own do not see: a production
set-up that would answer 500 on every page."""

import os

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core import checks

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
