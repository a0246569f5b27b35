"""Shared admin behaviour: permissions come from `jfo_registry.permissions`, like everywhere else."""

from simple_history.admin import SimpleHistoryAdmin

from . import permissions


class RegistryModelAdmin(SimpleHistoryAdmin):
    """Object-level checks through the one permissions module (the admin is for administrators).

    Every change page links to the record's history (read-only: reverting is disabled).
    """

    def has_view_permission(self, request, obj=None):
        return permissions.can_view(request.user) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or permissions.can_edit(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or permissions.can_delete(request.user, obj))
