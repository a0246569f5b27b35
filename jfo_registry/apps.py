from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from .core import checks  # noqa: F401 - registers the deployment checks
from .core.roles import sync_role_groups


class JfoRegistryConfig(AppConfig):
    name = "jfo_registry"
    verbose_name = _("Registry")

    def ready(self) -> None:
        from .core import audit  # noqa: F401, PLC0415 - AppConfig.ready connects the entry-point signal

        post_migrate.connect(_sync_roles_after_migrate, sender=self)


def _sync_roles_after_migrate(sender, apps=None, **kwargs) -> None:
    """Models added by later migrations get their permissions granted to the groups too
    (and a flushed database gets its groups back). The table stamp triggers are not made
    here: each app's migrations install them (`datastamps.InstallStampTriggers`)."""
    sync_role_groups(apps or global_apps)
