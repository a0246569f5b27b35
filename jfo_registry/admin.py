"""Shared admin behaviour: permissions come from `jfo_registry.permissions`, like everywhere else."""

from django.contrib import admin

from . import permissions


class RegistryModelAdmin(admin.ModelAdmin):
    """Object-level checks through the one permissions module (the admin is for administrators)."""

    def has_view_permission(self, request, obj=None):
        return permissions.can_view(request.user) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or permissions.can_edit(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or permissions.can_delete(request.user, obj))
