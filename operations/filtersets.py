from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from jfo_registry.core.api.fields import is_record_id
from jfo_registry.core.api.filters import (
    FiscalYearValueFilter, FiscalYearFilter, IdOrCodeFilter, RegistryFilterSet, StrictBooleanFilter, YES_NO_ANY,
    TextSearchFilter,
)

from .choices import Classification, Country, JfoStatus, JfoType, Jurisdiction, ParticipationRole, Position, RiskLevel
from .extensions import unit_arrangements
from .models import Agency, Assignment, CostingPolicy, JointForceOperation, Officer, Program, Region, SalaryRate, Threat


class RegionFilterSet(RegistryFilterSet):
    code = filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Region
        fields = ["code"]


class AgencyFilterSet(RegistryFilterSet):
    jurisdiction = filters.MultipleChoiceFilter(choices=Jurisdiction.choices)
    country = filters.MultipleChoiceFilter(choices=Country.choices)
    parent = IdOrCodeFilter(field_name="parent", code_field="acronym", help_text=_("Parent agency: id or acronym."))
    acronym = filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Agency
        fields = ["jurisdiction", "country", "parent", "active", "acronym"]


class ThreatFilterSet(RegistryFilterSet):
    risk_level = filters.MultipleChoiceFilter(choices=RiskLevel.choices)

    class Meta:
        model = Threat
        fields = ["risk_level"]


class ProgramFilterSet(RegistryFilterSet):
    default_jfo_type = filters.MultipleChoiceFilter(choices=JfoType.choices)

    class Meta:
        model = Program
        fields = ["default_jfo_type"]


class JointForceOperationFilterSet(RegistryFilterSet):
    region = IdOrCodeFilter(field_name="region", code_field="code", help_text=_("Region: id or code (GTA)."))
    program = IdOrCodeFilter(field_name="program", code_field="code", help_text=_("Program: id or code (IBET)."))
    jfo_type = filters.MultipleChoiceFilter(choices=JfoType.choices)
    status = filters.MultipleChoiceFilter(choices=JfoStatus.choices)
    lead_agency = filters.CharFilter(method="filter_lead_agency", help_text=_("Lead agency: id or acronym."))
    agency = IdOrCodeFilter(
        field_name="agencies", code_field="acronym", distinct=True,
        help_text=_("Any participating agency: id or acronym."),
    )
    threat = IdOrCodeFilter(field_name="threats", code_field="code", distinct=True, help_text=_("Threat: id or code."))
    fiscal_year = FiscalYearFilter()
    start_date = filters.DateFromToRangeFilter()
    end_date = filters.DateFromToRangeFilter()
    co_located = StrictBooleanFilter()
    has_joint_management_team = StrictBooleanFilter()
    covered = StrictBooleanFilter(
        method="filter_covered", label=_("Covered by an arrangement in force"),
        help_text=_("Units with (true) or without (false) an arrangement in force today."),
    )

    class Meta:
        model = JointForceOperation
        fields = ["region", "program", "jfo_type", "status", "co_located", "has_joint_management_team"]

    def filter_covered(self, queryset, name, value):
        covered = unit_arrangements().covered_on(timezone.localdate())
        return queryset.filter(covered if value else ~covered)

    def filter_lead_agency(self, queryset, name, value):
        condition = Q()
        for item in (part.strip() for part in value.split(",") if part.strip()):
            key = Q(participations__agency__pk=int(item)) if is_record_id(item) else Q(
                participations__agency__acronym__iexact=item
            )
            condition |= key
        return queryset.filter(condition, participations__role=ParticipationRole.LEAD).distinct()


class OfficerFilterSet(RegistryFilterSet):
    home_region = IdOrCodeFilter(field_name="home_region", code_field="code", help_text=_("Home region: id or code."))
    position = filters.MultipleChoiceFilter(choices=Position.choices)
    classification = filters.MultipleChoiceFilter(choices=Classification.choices)
    jfo = IdOrCodeFilter(
        field_name="assignments__jfo", code_field="acronym", distinct=True,
        help_text=_("Officers ever assigned to this JFO unit: id or acronym."),
    )
    fiscal_year = FiscalYearFilter(
        start_field="assignments__start_date", end_field="assignments__end_date", distinct=True,
        help_text=_("Officers with an assignment during this fiscal year: 2010-2011 or 2010."),
    )
    employee_number = filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Officer
        fields = ["home_region", "position", "classification", "active", "employee_number"]


class AssignmentFilterSet(RegistryFilterSet):
    officer = IdOrCodeFilter(field_name="officer", code_field="employee_number", help_text=_("Officer: id or employee number."))
    jfo = IdOrCodeFilter(field_name="jfo", code_field="acronym", help_text=_("JFO unit: id or acronym."))
    region = IdOrCodeFilter(field_name="jfo__region", code_field="code", help_text=_("The unit's region: id or code."))
    program = IdOrCodeFilter(field_name="jfo__program", code_field="code", help_text=_("The unit's program: id or code."))
    jfo_type = filters.MultipleChoiceFilter(field_name="jfo__jfo_type", choices=JfoType.choices)
    position = filters.MultipleChoiceFilter(field_name="officer__position", choices=Position.choices)
    classification = filters.MultipleChoiceFilter(field_name="officer__classification", choices=Classification.choices)
    fiscal_year = FiscalYearFilter()
    start_date = filters.DateFromToRangeFilter()
    end_date = filters.DateFromToRangeFilter()
    ongoing = StrictBooleanFilter(field_name="end_date", lookup_expr="isnull", help_text=_("Only assignments with no end date."))

    class Meta:
        model = Assignment
        fields = ["officer", "jfo", "region", "program", "jfo_type", "position", "classification"]


class SalaryRateFilterSet(RegistryFilterSet):
    classification = filters.MultipleChoiceFilter(choices=Classification.choices)
    fiscal_year = FiscalYearValueFilter(
        method="filter_fiscal_year", help_text=_("Fiscal year: 2010-2011 or 2010.")
    )

    class Meta:
        model = SalaryRate
        fields = ["classification"]

    def filter_fiscal_year(self, queryset, name, year):
        return queryset.filter(fiscal_year=year.start_year)


class CostingPolicyFilterSet(RegistryFilterSet):
    fiscal_year = FiscalYearValueFilter(
        method="filter_fiscal_year", help_text=_("Fiscal year: 2010-2011 or 2010.")
    )

    class Meta:
        model = CostingPolicy
        fields = []

    def filter_fiscal_year(self, queryset, name, year):
        return queryset.filter(fiscal_year=year.start_year)


class JfoPageFilterSet(JointForceOperationFilterSet):
    q = TextSearchFilter(search_fields=["acronym", "name", "objectives"])
    covered = StrictBooleanFilter(
        method="filter_covered", label=_("Covered by an arrangement in force"), widget=YES_NO_ANY
    )


class OfficerPageFilterSet(OfficerFilterSet):
    q = TextSearchFilter(search_fields=["employee_number", "name"])
    active = StrictBooleanFilter(label=_("Active"), widget=YES_NO_ANY)
