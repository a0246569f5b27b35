"""The list filters of operations (`operations/filtersets.py`), applied to records each test makes: ids
and codes alike, several values at once, fiscal-year overlap at its boundaries, and bad values refused
as field errors rather than read as "any"."""

from __future__ import annotations

import datetime

import pytest

from operations.filtersets import (
    AgencyFilterSet, AssignmentFilterSet, CostingPolicyFilterSet, JfoPageFilterSet,
    JointForceOperationFilterSet, OfficerFilterSet, OfficerPageFilterSet, SalaryRateFilterSet,
)
from operations.models import (
    Agency, Assignment, CostingPolicy, JointForceOperation, Officer, Participation, Region, SalaryRate,
)
from tests.conftest import make_assignment, make_jfo, make_officer

pytestmark = pytest.mark.django_db


def filtered(filterset_class, data: dict, queryset) -> set:
    filterset = filterset_class(data, queryset=queryset)
    assert filterset.is_valid(), filterset.errors
    return set(filterset.qs.values_list("pk", flat=True))


def errors(filterset_class, data: dict, queryset) -> dict:
    filterset = filterset_class(data, queryset=queryset)
    assert not filterset.is_valid()
    return filterset.errors


@pytest.fixture
def units():
    gta, pac = make_jfo("GTA", jfo_type="regional"), make_jfo("PAC", jfo_type="national")
    return gta, pac, JointForceOperation.objects.filter(pk__in=[gta.pk, pac.pk])


class TestIdOrCode:
    def test_a_region_by_code_is_case_blind(self, units):
        gta, pac, queryset = units
        assert filtered(JointForceOperationFilterSet, {"region": "gta"}, queryset) == {gta.pk}

    def test_a_region_by_id(self, units):
        gta, pac, queryset = units
        assert filtered(JointForceOperationFilterSet, {"region": str(pac.region_id)}, queryset) == {pac.pk}

    def test_several_values_mix_ids_and_codes(self, units):
        gta, pac, queryset = units
        data = {"region": f"GTA, {pac.region_id}"}
        assert filtered(JointForceOperationFilterSet, data, queryset) == {gta.pk, pac.pk}

    def test_an_unknown_code_matches_nothing(self, units):
        gta, pac, queryset = units
        assert filtered(JointForceOperationFilterSet, {"region": "NOWHERE"}, queryset) == set()

    def test_an_empty_value_filters_nothing(self, units):
        gta, pac, queryset = units
        assert filtered(JointForceOperationFilterSet, {"region": ""}, queryset) == {gta.pk, pac.pk}

    def test_a_parent_agency_by_acronym(self):
        parent = Agency.objects.create(name_en="Parent force", acronym="PARENT-T", jurisdiction="federal")
        child = Agency.objects.create(name_en="Child unit", acronym="CHILD-T", jurisdiction="federal", parent=parent)
        queryset = Agency.objects.filter(pk__in=[parent.pk, child.pk])
        assert filtered(AgencyFilterSet, {"parent": "parent-t"}, queryset) == {child.pk}


class TestChoices:
    def test_several_types_at_once(self, units):
        gta, pac, queryset = units
        data = {"jfo_type": ["regional", "national"]}
        assert filtered(JointForceOperationFilterSet, data, queryset) == {gta.pk, pac.pk}

    def test_an_unknown_type_is_a_field_error(self, units):
        gta, pac, queryset = units
        assert list(errors(JointForceOperationFilterSet, {"jfo_type": "imaginary"}, queryset)) == ["jfo_type"]


class TestStrictBoolean:
    @pytest.mark.parametrize("value", ["true", "1", "yes", "on", "TRUE"])
    def test_true_spellings(self, units, value):
        gta, pac, queryset = units
        JointForceOperation.objects.filter(pk=gta.pk).update(co_located=True)
        JointForceOperation.objects.filter(pk=pac.pk).update(co_located=False)
        assert filtered(JointForceOperationFilterSet, {"co_located": value}, queryset) == {gta.pk}

    def test_false(self, units):
        gta, pac, queryset = units
        JointForceOperation.objects.filter(pk=gta.pk).update(co_located=True)
        JointForceOperation.objects.filter(pk=pac.pk).update(co_located=False)
        assert filtered(JointForceOperationFilterSet, {"co_located": "false"}, queryset) == {pac.pk}

    def test_junk_is_an_error_not_any(self, units):
        gta, pac, queryset = units
        assert list(errors(JointForceOperationFilterSet, {"co_located": "maybe"}, queryset)) == ["co_located"]

    def test_model_booleans_are_strict_too(self):
        officer = make_officer()
        queryset = Officer.objects.filter(pk=officer.pk)
        assert list(errors(OfficerFilterSet, {"active": "sometimes"}, queryset)) == ["active"]


class TestLeadAgency:
    def test_by_acronym_or_id_and_only_as_lead(self, units):
        gta, pac, queryset = units
        lead = Agency.objects.create(name_en="Lead force", acronym="LEAD-T", jurisdiction="federal")
        Participation.objects.create(jfo=gta, agency=lead, role="lead")
        Participation.objects.create(jfo=pac, agency=lead, role="member")
        assert filtered(JointForceOperationFilterSet, {"lead_agency": "lead-t"}, queryset) == {gta.pk}
        assert filtered(JointForceOperationFilterSet, {"lead_agency": str(lead.pk)}, queryset) == {gta.pk}

    def test_any_participating_agency(self, units):
        gta, pac, queryset = units
        member = Agency.objects.create(name_en="Member force", acronym="MEMBER-T", jurisdiction="federal")
        Participation.objects.create(jfo=pac, agency=member, role="member")
        assert filtered(JointForceOperationFilterSet, {"agency": "MEMBER-T"}, queryset) == {pac.pk}


YEAR_2010 = (datetime.date(2010, 4, 1), datetime.date(2011, 3, 31))


class TestFiscalYear:
    """An assignment is in 2010-2011 when its period overlaps 1 April 2010 to 31 March 2011."""

    @pytest.mark.parametrize(
        ("start", "end", "inside"),
        [
            (datetime.date(2011, 3, 31), None, True),  # starts on the last day
            (datetime.date(2011, 4, 1), None, False),  # starts the day after
            (datetime.date(2009, 4, 1), datetime.date(2010, 4, 1), True),  # ends on the first day
            (datetime.date(2009, 4, 1), datetime.date(2010, 3, 31), False),  # ends the day before
            (datetime.date(2005, 1, 1), None, True),  # ongoing since before
        ],
    )
    def test_boundaries(self, start, end, inside):
        assignment = make_assignment(start=start, end=end)
        queryset = Assignment.objects.filter(pk=assignment.pk)
        expected = {assignment.pk} if inside else set()
        assert filtered(AssignmentFilterSet, {"fiscal_year": "2010-2011"}, queryset) == expected

    def test_the_starting_year_alone_means_the_same(self):
        assignment = make_assignment(start=datetime.date(2010, 6, 1), end=datetime.date(2010, 9, 30))
        queryset = Assignment.objects.filter(pk=assignment.pk)
        assert filtered(AssignmentFilterSet, {"fiscal_year": "2010"}, queryset) == {assignment.pk}

    @pytest.mark.parametrize("value", ["2010-2012", "twenty-ten", "2010-11-01", "1899"])
    def test_a_malformed_year_is_a_field_error(self, value):
        queryset = Assignment.objects.none()
        assert list(errors(AssignmentFilterSet, {"fiscal_year": value}, queryset)) == ["fiscal_year"]

    def test_an_officer_with_two_assignments_in_the_year_is_listed_once(self):
        officer = make_officer()
        make_assignment(officer=officer, fte="0.50", start=datetime.date(2010, 4, 1), end=datetime.date(2010, 9, 30))
        make_assignment(officer=officer, fte="0.50", start=datetime.date(2010, 10, 1), end=None)
        filterset = OfficerFilterSet({"fiscal_year": "2010-2011"}, queryset=Officer.objects.filter(pk=officer.pk))
        assert filterset.is_valid(), filterset.errors
        assert list(filterset.qs.values_list("pk", flat=True)) == [officer.pk]

    def test_an_officer_assigned_only_later_is_not_in_the_year(self):
        officer = make_officer()
        make_assignment(officer=officer, start=datetime.date(2012, 4, 1))
        queryset = Officer.objects.filter(pk=officer.pk)
        assert filtered(OfficerFilterSet, {"fiscal_year": "2010-2011"}, queryset) == set()


class TestAssignmentFilters:
    def test_through_the_unit_region_and_type(self):
        gta = make_assignment(jfo=make_jfo("GTA", jfo_type="national"))
        pac = make_assignment(jfo=make_jfo("PAC", jfo_type="regional"))
        queryset = Assignment.objects.filter(pk__in=[gta.pk, pac.pk])
        assert filtered(AssignmentFilterSet, {"region": "PAC"}, queryset) == {pac.pk}
        assert filtered(AssignmentFilterSet, {"jfo_type": ["national"]}, queryset) == {gta.pk}

    def test_officer_by_employee_number(self):
        officer = make_officer()
        mine, other = make_assignment(officer=officer), make_assignment()
        queryset = Assignment.objects.filter(pk__in=[mine.pk, other.pk])
        assert filtered(AssignmentFilterSet, {"officer": officer.employee_number.lower()}, queryset) == {mine.pk}

    def test_ongoing(self):
        ongoing = make_assignment(end=None)
        ended = make_assignment(end=datetime.date(2010, 12, 31))
        queryset = Assignment.objects.filter(pk__in=[ongoing.pk, ended.pk])
        assert filtered(AssignmentFilterSet, {"ongoing": "true"}, queryset) == {ongoing.pk}
        assert filtered(AssignmentFilterSet, {"ongoing": "false"}, queryset) == {ended.pk}

    def test_start_date_range(self):
        early = make_assignment(start=datetime.date(2010, 4, 1))
        late = make_assignment(start=datetime.date(2010, 11, 1))
        queryset = Assignment.objects.filter(pk__in=[early.pk, late.pk])
        data = {"start_date_after": "2010-05-01", "start_date_before": "2010-12-31"}
        assert filtered(AssignmentFilterSet, data, queryset) == {late.pk}


class TestRatesByFiscalYear:
    def test_salary_rates_of_the_year_either_spelling(self):
        queryset = SalaryRate.objects.all()
        expected = set(SalaryRate.objects.filter(fiscal_year=2010).values_list("pk", flat=True))
        assert expected
        assert filtered(SalaryRateFilterSet, {"fiscal_year": "2010-2011"}, queryset) == expected
        assert filtered(SalaryRateFilterSet, {"fiscal_year": "2010"}, queryset) == expected

    def test_costing_policy_of_the_year(self):
        queryset = CostingPolicy.objects.all()
        expected = set(CostingPolicy.objects.filter(fiscal_year=2010).values_list("pk", flat=True))
        assert len(expected) == 1
        assert filtered(CostingPolicyFilterSet, {"fiscal_year": "2010-2011"}, queryset) == expected


class TestPageSearch:
    def test_every_word_must_appear(self, units):
        gta, pac, queryset = units
        JointForceOperation.objects.filter(pk=gta.pk).update(name="Marine port team", objectives="")
        JointForceOperation.objects.filter(pk=pac.pk).update(name="Marine air team", objectives="")
        assert filtered(JfoPageFilterSet, {"q": "marine port"}, queryset) == {gta.pk}
        assert filtered(JfoPageFilterSet, {"q": "team"}, queryset) == {gta.pk, pac.pk}

    def test_officers_by_name_or_number(self):
        officer = make_officer(name="Aline Tremblay")
        other = make_officer(name="Bruce Wong")
        queryset = Officer.objects.filter(pk__in=[officer.pk, other.pk])
        assert filtered(OfficerPageFilterSet, {"q": "tremblay"}, queryset) == {officer.pk}
        assert filtered(OfficerPageFilterSet, {"q": officer.employee_number}, queryset) == {officer.pk}

    def test_home_region_filter(self):
        officer = make_officer("PAC")
        other = make_officer("GTA")
        queryset = Officer.objects.filter(pk__in=[officer.pk, other.pk])
        region = Region.objects.get(code="PAC")
        assert filtered(OfficerFilterSet, {"home_region": str(region.pk)}, queryset) == {officer.pk}
