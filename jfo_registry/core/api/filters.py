"""Filters of the lists (API and pages alike): a relation by id or code, fiscal years, strict
booleans, word search, and the base filter set. A refused value is a field error: the API
answers 400 `{parameter: [message]}`, a page shows it on the filter form."""

from __future__ import annotations

from django import forms
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions
from rest_framework.filters import SearchFilter

from jfo_registry.core import periods
from jfo_registry.core.fiscal import FiscalYear

from .fields import is_record_id


class IdOrCodeFilter(filters.CharFilter):
    """A foreign key given by id or by code/acronym (case-insensitive); several values separated
    by commas match any of them.

    Args: `code_field`, the related model's code field ("code", "acronym"); the rest as
    CharFilter's.
    """

    def __init__(self, *args, code_field: str, **kwargs):
        self.code_field = code_field
        kwargs.setdefault("lookup_expr", "exact")
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        """Returns: `qs` narrowed to the rows whose relation is one of the values (`qs` itself
        without a value). Raises nothing: an unknown code matches no row."""
        if not value:
            return qs
        condition = Q()
        for item in (part.strip() for part in str(value).split(",")):
            if not item:
                continue
            if is_record_id(item):
                condition |= Q(**{f"{self.field_name}__pk": int(item)})
            else:
                condition |= Q(**{f"{self.field_name}__{self.code_field}__iexact": item})
        return qs.filter(condition).distinct() if self.distinct else qs.filter(condition)


class FiscalYearFormField(forms.CharField):
    """A fiscal year in a filter form: 2010-2011 or 2010."""

    def clean(self, value):
        """Returns: a FiscalYear, or None when empty. Raises forms.ValidationError (a field
        error; 400 in the API) for anything else."""
        value = super().clean(value)
        if value in (None, ""):
            return None
        try:
            return FiscalYear.parse(value)
        except ValueError as error:
            # django-filter %-formats messages: the user's own % signs must survive it.
            raise forms.ValidationError(str(error).replace("%", "%%"), code="invalid") from error


@extend_schema_field({"type": "string", "example": "2010-2011"})
class FiscalYearValueFilter(filters.Filter):
    """A fiscal year (2010-2011 or 2010) handed to the filter method as a FiscalYear."""

    field_class = FiscalYearFormField


@extend_schema_field({"type": "string", "example": "2010-2011"})
class FiscalYearFilter(filters.Filter):
    """`fiscal_year=2010-2011` (or 2010): rows whose period overlaps that fiscal year.

    Args: `start_field`, `end_field`: the period's date fields (either may be null: open-ended).
    """

    field_class = FiscalYearFormField

    def __init__(self, *args, start_field: str = "start_date", end_field: str = "end_date", **kwargs):
        self.start_field = start_field
        self.end_field = end_field
        kwargs.setdefault("help_text", _("Active during this fiscal year: 2010-2011 or 2010."))
        super().__init__(*args, **kwargs)

    def filter(self, qs, year):
        """Args: a FiscalYear or None. Returns: `qs` narrowed to the overlapping rows."""
        if year is None:
            return qs
        result = qs.filter(
            periods.overlaps_q(year.start, year.end, start_field=self.start_field, end_field=self.end_field, open_start=True)
        )
        return result.distinct() if self.distinct else result


class StrictBooleanFormField(forms.NullBooleanField):
    """true/false (or 1/0, yes/no, on/off); anything else is an error, not silently "any"."""

    widget = forms.TextInput
    TRUE, FALSE = {"true", "1", "yes", "on"}, {"false", "0", "no", "off"}

    def to_python(self, value):
        """Returns: True, False, or None when empty. Raises forms.ValidationError ("Use true or
        false."; 400 in the API) for anything else."""
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise forms.ValidationError(_("Use true or false."), code="invalid")

    def validate(self, value):
        """Nothing more to check: `to_python` decided."""


@extend_schema_field({"type": "boolean"})
class StrictBooleanFilter(filters.BooleanFilter):
    """A boolean filter that refuses values other than true/false (400)."""

    field_class = StrictBooleanFormField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput)  # DRF's BooleanWidget would turn junk into "any"
        super().__init__(*args, **kwargs)


YES_NO_ANY = forms.Select(choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))])


class RegistryFilterSet(filters.FilterSet):
    """Every filter set: boolean fields refuse values other than true/false."""

    FILTER_DEFAULTS = {**filters.FilterSet.FILTER_DEFAULTS, models.BooleanField: {"filter_class": StrictBooleanFilter}}


class TextSearchFilter(filters.CharFilter):
    """`q` on the pages: every word must appear in one of `search_fields` (as DRF's SearchFilter).

    Args: `search_fields`, ORM paths of text fields ("name", "unit__code").
    """

    def __init__(self, *args, search_fields: list[str], **kwargs):
        self.search_fields = search_fields
        kwargs.setdefault("label", _("Search"))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        """Returns: `qs` narrowed to the rows matching every word (distinct across relations)."""
        for word in str(value or "").split():
            condition = Q()
            for field in self.search_fields:
                condition |= Q(**{f"{field}__icontains": word})
            qs = qs.filter(condition)
        return qs.distinct() if value and any("__" in f for f in self.search_fields) else qs


class RegistrySearchFilter(SearchFilter):
    """The API's `q` (settings: DEFAULT_FILTER_BACKENDS): a refused search term is a field error
    like any other (400 `{"q": [message]}`)."""

    def get_search_terms(self, request):
        """Returns: the search words (a list of text). Raises ValidationError (400)."""
        try:
            return super().get_search_terms(request)
        except exceptions.ValidationError as error:
            detail = error.detail if isinstance(error.detail, dict) else {self.search_param: error.detail}
            raise exceptions.ValidationError(detail) from error
