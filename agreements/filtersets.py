from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from jfo_registry.core.api.filters import FiscalYearValueFilter, IdOrCodeFilter, RegistryFilterSet, TextSearchFilter
from jfo_registry.core import periods

from .choices import ArrangementKind, ArrangementStatus, GapActionStatus
from .models import Arrangement, GapAction, InformationSharingCondition
from .selectors import ARRANGEMENT_PERIOD, expiring_within


class ArrangementFilterSet(RegistryFilterSet):
    status = filters.MultipleChoiceFilter(choices=ArrangementStatus.choices)
    kind = filters.MultipleChoiceFilter(choices=ArrangementKind.choices)
    jfo = IdOrCodeFilter(field_name="jfos", code_field="acronym", distinct=True, help_text=_("Covered JFO unit: id or acronym."))
    region = IdOrCodeFilter(field_name="jfos__region", code_field="code", distinct=True, help_text=_("Region of a covered unit: id or code."))
    party = IdOrCodeFilter(field_name="agencies", code_field="acronym", distinct=True, help_text=_("Party agency: id or acronym."))
    effective_date = filters.DateFromToRangeFilter()
    expiry_date = filters.DateFromToRangeFilter()
    review_date = filters.DateFromToRangeFilter()
    fiscal_year = FiscalYearValueFilter(
        method="filter_fiscal_year",
        help_text=_("In effect during this fiscal year (2010-2011 or 2010)."),
    )

    class Meta:
        model = Arrangement
        fields = ["status", "kind", "joint_management_team", "financial_commitments", "intelligence_and_investigation_mandates"]

    def filter_fiscal_year(self, queryset, name, year):
        return queryset.filter(periods.overlaps_q(year.start, year.end, **ARRANGEMENT_PERIOD))


class InformationSharingConditionFilterSet(RegistryFilterSet):
    class Meta:
        model = InformationSharingCondition
        fields = ["letter"]


class GapActionFilterSet(RegistryFilterSet):
    status = filters.MultipleChoiceFilter(choices=GapActionStatus.choices)
    jfo = IdOrCodeFilter(field_name="jfo", code_field="acronym", help_text=_("JFO unit: id or acronym."))
    arrangement = IdOrCodeFilter(field_name="arrangement", code_field="reference", help_text=_("Arrangement: id or reference."))
    due_date = filters.DateFromToRangeFilter()

    class Meta:
        model = GapAction
        fields = ["status", "jfo", "arrangement"]


class ArrangementPageFilterSet(ArrangementFilterSet):
    q = TextSearchFilter(search_fields=["reference", "title", "notes"])
    expiring = filters.NumberFilter(
        method="filter_expiring", label=_("Expiring within (days)"), min_value=0, max_value=3650,
        help_text=_("In force and expiring or due for review within this many days."),
    )

    def filter_expiring(self, queryset, name, value):
        return queryset.filter(pk__in=expiring_within(timezone.localdate(), int(value)).values("pk"))
