"""The three roles of DESIGN.md section 5 and the model permissions each group holds.

Used by the migration that creates the groups and by `set_role`; row-level rules
(which regions a record lies in) live in each app's rules.py, dispatched through
`jfo_registry.core.permissions`.
"""

from django.contrib.auth.management import create_permissions
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", "Registry administrators"
    HQ_ANALYST = "hq-analyst", "HQ analysts"
    REGIONAL_MANAGER = "regional-manager", "Regional managers"

    @property
    def group_name(self) -> str:
        """The name of the role's auth group (the English label, stored as data)."""
        return self.label

    @property
    def label_translated(self) -> str:
        """The role's name for a person, in the active language."""
        return {
            "administrator": _("Registry administrator"),
            "hq-analyst": _("HQ analyst"),
            "regional-manager": _("Regional manager"),
        }[self.value]


REGISTRY_APPS = ("operations", "agreements")
# Administrators also manage users, groups and API tokens.
ADMINISTRATOR_EXTRA_APPS = {"auth": ("user", "group"), "authtoken": ("token", "tokenproxy")}

# Regional managers create, change and end officers and assignments, and keep the arrangements
# covering their units current (conditions, documents, status, gap actions): in their regions only.
REGIONAL_MANAGER_EDITS = {
    "operations": {"officer": ("add", "change"), "assignment": ("add", "change")},
    "agreements": {
        "arrangement": ("change",),
        "conditioncoverage": ("add", "change"),
        "arrangementdocument": ("add",),
        "gapaction": ("add", "change"),
    },
}


def permission_codenames(role: Role, models_by_app: dict[str, list[str]]) -> dict[str, set[str]]:
    """Codenames per app label that `role`'s group holds, given the model names of each app
    ({app label: [model name, ...]}): {app label: {"view_officer", ...}}."""
    granted: dict[str, set[str]] = {}
    for app_label, model_names in models_by_app.items():
        codenames = granted.setdefault(app_label, set())
        for model_name in model_names:
            codenames.add(f"view_{model_name}")
            if role == Role.ADMINISTRATOR:
                codenames.update(f"{action}_{model_name}" for action in ("add", "change", "delete"))
            elif role == Role.REGIONAL_MANAGER:
                actions = REGIONAL_MANAGER_EDITS.get(app_label, {}).get(model_name, ())
                codenames.update(f"{action}_{model_name}" for action in actions)
    return granted


def sync_role_groups(apps) -> None:
    """Create the three groups and give each exactly its permissions (idempotent).

    `apps` is a registry (the live one, or a migration's historical one). Returns None.
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for app_config in apps.get_app_configs():
        # Historical app configs carry no models_module; create_permissions skips those.
        had_module = getattr(app_config, "models_module", None)
        app_config.models_module = had_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = had_module
    models_by_app = {  # history is read through its records' pages; no group may change it
        label: [
            model._meta.model_name
            for model in apps.get_app_config(label).get_models()
            if not model._meta.model_name.startswith("historical")
        ]
        for label in REGISTRY_APPS
    }
    for role in Role:
        granted = permission_codenames(role, models_by_app)
        if role == Role.ADMINISTRATOR:
            for label, model_names in ADMINISTRATOR_EXTRA_APPS.items():
                if label in {c.label for c in apps.get_app_configs()}:
                    granted[label] = {
                        f"{action}_{name}" for name in model_names for action in ("view", "add", "change", "delete")
                    }
        wanted = Permission.objects.none()
        for label, codenames in granted.items():
            wanted = wanted | Permission.objects.filter(content_type__app_label=label, codename__in=codenames)
        group, _created = Group.objects.get_or_create(name=role.group_name)
        group.permissions.set(wanted)
