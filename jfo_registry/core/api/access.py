"""Who may call the API: reads for every role, writes per role and region (settings:
DEFAULT_PERMISSION_CLASSES), the schema's access (SERVE_PERMISSIONS), and the refusal of NUL
characters in query parameters, checked after authentication and permissions."""

from django.conf import settings as django_settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework import permissions as drf_permissions

from jfo_registry.core import permissions
from jfo_registry.core.errors import null_character_parameters


class RegistryPermission(drf_permissions.BasePermission):
    """Read for every role; writes per role and, for regional records, per region. A refusal is
    403 (401 for a caller not signed in)."""

    message = _("You do not have permission to do this.")

    def has_permission(self, request, view) -> bool:
        """May the user call this view with this method at all? Reads: any role. Writes: the
        role's Django permission on the view's model (add, change, delete; a POST action on a
        record is a change). A method the view does not serve passes (DRF answers 405)."""
        if not permissions.can_view(request.user):
            return False
        if request.method in drf_permissions.SAFE_METHODS:
            return True
        if request.method.lower() not in view.http_method_names or not hasattr(view, request.method.lower()):
            return True  # a method the view does not serve: DRF answers 405 Method Not Allowed
        model = view.get_queryset().model
        action = {"POST": "add", "PUT": "change", "PATCH": "change", "DELETE": "delete"}.get(request.method)
        if action == "add" and getattr(view, "detail", False):
            action = "change"  # a POST action on a record (transition, renew, documents) changes it
        if action is None:
            return False
        return request.user.has_perm(f"{model._meta.app_label}.{action}_{model._meta.model_name}")

    def has_object_permission(self, request, view, obj) -> bool:
        """May the user write this record as it is stored (its region)? Reads: always."""
        if request.method in drf_permissions.SAFE_METHODS:
            return True
        if request.method == "DELETE":
            return permissions.can_delete(request.user, obj)
        return permissions.can_edit(request.user, obj)


class SchemaAccess(drf_permissions.BasePermission):
    """The OpenAPI schema and Swagger UI: for signed-in users, or for everyone when the setting
    `API_SCHEMA_PUBLIC` (environment variable of the same name) is on; otherwise 401/403."""

    def has_permission(self, request, view) -> bool:
        """True for a signed-in user, or for anyone with API_SCHEMA_PUBLIC."""
        return bool(django_settings.API_SCHEMA_PUBLIC or (request.user and request.user.is_authenticated))


class RejectNullCharactersMixin:
    """For an API view: after authentication and permissions, query parameters with a NUL
    character are a 400 `{parameter: ["Null characters are not allowed."]}`."""

    def initial(self, request, *args, **kwargs):
        """DRF's `initial`, then the NUL check. Raises ValidationError (400)."""
        super().initial(request, *args, **kwargs)
        bad = null_character_parameters(request._request)
        if bad:
            raise exceptions.ValidationError({name: [_("Null characters are not allowed.")] for name in bad})
