from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from jfo_registry.api import IdOrCodeFilter
from jfo_registry.fiscal import FiscalYear

from .choices import ArrangementKind, ArrangementStatus
from .models import Arrangement, InformationSharingCondition


class ArrangementFilterSet(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=ArrangementStatus.choices)
    kind = filters.MultipleChoiceFilter(choices=ArrangementKind.choices)
    jfo = IdOrCodeFilter(field_name="jfos", code_field="acronym", distinct=True, help_text=_("Covered JFO unit: id or acronym."))
    region = IdOrCodeFilter(field_name="jfos__region", code_field="code", distinct=True, help_text=_("Region of a covered unit: id or code."))
    party = IdOrCodeFilter(field_name="agencies", code_field="acronym", distinct=True, help_text=_("Party agency: id or acronym."))
    effective_date = filters.DateFromToRangeFilter()
    expiry_date = filters.DateFromToRangeFilter()
    review_date = filters.DateFromToRangeFilter()
    fiscal_year = filters.CharFilter(
        method="filter_fiscal_year", help_text=_("In effect during this fiscal year (2010-2011 or 2010).")
    )

    class Meta:
        model = Arrangement
        fields = ["status", "kind", "joint_management_team", "financial_commitments", "intelligence_and_investigation_mandates"]

    def filter_fiscal_year(self, queryset, name, value):
        from operations.filtersets import parse_fiscal_year

        year = FiscalYear(parse_fiscal_year(value))
        return queryset.filter(
            Q(effective_date__lte=year.end) & (Q(expiry_date__isnull=True) | Q(expiry_date__gte=year.start))
        )


class InformationSharingConditionFilterSet(filters.FilterSet):
    class Meta:
        model = InformationSharingCondition
        fields = ["letter"]
