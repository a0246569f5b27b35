"""The API's paging (settings: DEFAULT_PAGINATION_CLASS): 50 rows a page, `page_size` up to 1000,
and a total counted once per change of the tables it reads."""

from django.core.paginator import Paginator as DjangoPaginator
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

from jfo_registry.core.datastamps import cached_count


class CachedCountPaginator(DjangoPaginator):
    """The page's total comes from `datastamps.cached_count`: computed once per change of the
    tables it reads, never stale."""

    @cached_property
    def count(self) -> int:
        """The number of rows (int)."""
        if hasattr(self.object_list, "query"):
            return cached_count(self.object_list)
        return super().count


class RegistryPagination(PageNumberPagination):
    """Pages of `{count, next, previous, results}`: `page` (404 past the last page) and
    `page_size` (default 50)."""

    django_paginator_class = CachedCountPaginator
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_page_size(self, request) -> int:
        """`page_size` is a whole number from 1; larger than 1000 means 1000.

        Returns: the page size (int). Raises ValidationError (400 `{"page_size": [message]}`)
        for anything else.
        """
        value = request.query_params.get(self.page_size_query_param)
        if value in (None, ""):
            return self.page_size
        if not value.isascii() or not value.isdigit() or int(value) < 1:
            raise ValidationError({self.page_size_query_param: [_("A whole number from 1 to 1000.")]})
        return min(int(value), self.max_page_size)
