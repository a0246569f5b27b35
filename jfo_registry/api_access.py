"""API access and paging, kept apart from the viewsets so DRF settings can import them early."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions as drf_permissions
from rest_framework.pagination import PageNumberPagination

from . import permissions


class RegistryPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000


class RegistryPermission(drf_permissions.BasePermission):
    """Read for every role; writes per role and, for regional records, per region."""

    message = _("You do not have permission to do this.")

    def has_permission(self, request, view) -> bool:
        if not permissions.can_view(request.user):
            return False
        if request.method in drf_permissions.SAFE_METHODS:
            return True
        model = view.get_queryset().model
        action = {"POST": "add", "PUT": "change", "PATCH": "change", "DELETE": "delete"}.get(request.method)
        if action is None:
            return False
        return request.user.has_perm(f"{model._meta.app_label}.{action}_{model._meta.model_name}")

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in drf_permissions.SAFE_METHODS:
            return True
        if request.method == "DELETE":
            return permissions.can_delete(request.user, obj)
        return permissions.can_edit(request.user, obj)
