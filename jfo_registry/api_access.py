"""API access, paging, parsing and search: kept apart from the viewsets so DRF settings can import
them early."""

from django.conf import settings as django_settings
from django.core.paginator import Paginator as DjangoPaginator
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from rest_framework import permissions as drf_permissions
from rest_framework import exceptions
from rest_framework.filters import SearchFilter
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser

from . import permissions


class CachedCountPaginator(DjangoPaginator):
    """The page's total comes from `datastamps.cached_count`: computed once per change of the
    tables it reads, never stale."""

    @cached_property
    def count(self):
        from .datastamps import cached_count

        if hasattr(self.object_list, "query"):
            return cached_count(self.object_list)
        return super().count


class RegistryPagination(PageNumberPagination):
    django_paginator_class = CachedCountPaginator
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_page_size(self, request):
        """`page_size` is a whole number from 1; larger than 1000 means 1000; anything else is a 400."""
        from rest_framework.exceptions import ValidationError

        value = request.query_params.get(self.page_size_query_param)
        if value in (None, ""):
            return self.page_size
        if not value.isascii() or not value.isdigit() or int(value) < 1:
            raise ValidationError({self.page_size_query_param: [_("A whole number from 1 to 1000.")]})
        return min(int(value), self.max_page_size)


class RegistryPermission(drf_permissions.BasePermission):
    """Read for every role; writes per role and, for regional records, per region."""

    message = _("You do not have permission to do this.")

    def has_permission(self, request, view) -> bool:
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
        if request.method in drf_permissions.SAFE_METHODS:
            return True
        if request.method == "DELETE":
            return permissions.can_delete(request.user, obj)
        return permissions.can_edit(request.user, obj)


class SchemaAccess(drf_permissions.BasePermission):
    """The OpenAPI schema and Swagger UI: for signed-in users, or for everyone when the setting
    `API_SCHEMA_PUBLIC` (environment variable of the same name) is on."""

    def has_permission(self, request, view) -> bool:
        return bool(django_settings.API_SCHEMA_PUBLIC or (request.user and request.user.is_authenticated))


class SafeJSONParser(JSONParser):
    """JSON bodies nested too deeply for the parser are a 400, not a crash."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise exceptions.ParseError(_("JSON parse error: the document is nested too deeply.")) from error


class RegistrySearchFilter(SearchFilter):
    """`q`: a refused search term is a field error like any other."""

    def get_search_terms(self, request):
        try:
            return super().get_search_terms(request)
        except exceptions.ValidationError as error:
            detail = error.detail if isinstance(error.detail, dict) else {self.search_param: error.detail}
            raise exceptions.ValidationError(detail) from error


class RejectNullCharactersMixin:
    """After authentication and permissions: query parameters with a NUL character are a 400."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        from .errors import null_character_parameters

        bad = null_character_parameters(request._request)
        if bad:
            raise exceptions.ValidationError({name: [_("Null characters are not allowed.")] for name in bad})
