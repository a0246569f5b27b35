"""The list filters of agreements (`agreements/filtersets.py`), applied to arrangements each test
makes: covered units and their regions (a shared arrangement listed once), parties, the fiscal year
an arrangement is in effect, "expiring within" on the page, and gap actions."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from agreements.filtersets import ArrangementFilterSet, ArrangementPageFilterSet, GapActionFilterSet
from agreements.models import Arrangement, GapAction
from operations.models import Agency, JointForceOperation

pytestmark = pytest.mark.django_db


def unit(acronym: str) -> JointForceOperation:
    return JointForceOperation.objects.get(acronym=acronym)


def arrangement(reference: str, *units: str, status: str = "in_force", **fields) -> Arrangement:
    values = {"signed_date": datetime.date(2010, 1, 1), "effective_date": datetime.date(2010, 1, 1)}
    values.update(fields)
    made = Arrangement.objects.create(reference=reference, title=reference, status=status, **values)
    made.jfos.set([unit(acronym) for acronym in units])
    return made


def filtered(filterset_class, data: dict, queryset) -> list:
    filterset = filterset_class(data, queryset=queryset)
    assert filterset.is_valid(), filterset.errors
    return sorted(filterset.qs.values_list("pk", flat=True))


def refused(filterset_class, data: dict) -> list:
    filterset = filterset_class(data, queryset=Arrangement.objects.none())
    assert not filterset.is_valid()
    return list(filterset.errors)


@pytest.fixture
def shared_and_gta():
    shared = arrangement("FILTER-SHARED", "PWEU-GTA", "PWEU-WSC")
    gta = arrangement("FILTER-GTA", "TADEU", kind="mou")
    return shared, gta, Arrangement.objects.filter(pk__in=[shared.pk, gta.pk])


class TestUnitsAndRegions:
    def test_a_shared_arrangement_is_listed_once_for_its_region(self, shared_and_gta):
        shared, gta, queryset = shared_and_gta
        assert filtered(ArrangementFilterSet, {"region": "GTA"}, queryset) == sorted([shared.pk, gta.pk])

    def test_listed_once_when_two_of_its_regions_are_asked_for(self, shared_and_gta):
        shared, gta, queryset = shared_and_gta
        assert filtered(ArrangementFilterSet, {"region": "GTA,WSC"}, queryset) == sorted([shared.pk, gta.pk])

    def test_the_other_region_of_a_shared_arrangement(self, shared_and_gta):
        shared, gta, queryset = shared_and_gta
        assert filtered(ArrangementFilterSet, {"region": "wsc"}, queryset) == [shared.pk]

    def test_a_covered_unit_by_acronym_or_id(self, shared_and_gta):
        shared, gta, queryset = shared_and_gta
        assert filtered(ArrangementFilterSet, {"jfo": "tadeu"}, queryset) == [gta.pk]
        assert filtered(ArrangementFilterSet, {"jfo": str(unit("PWEU-WSC").pk)}, queryset) == [shared.pk]

    def test_a_party_agency(self, shared_and_gta):
        shared, gta, queryset = shared_and_gta
        party = Agency.objects.create(name_en="Party force", acronym="PARTY-T", jurisdiction="federal")
        gta.agencies.add(party)
        assert filtered(ArrangementFilterSet, {"party": "PARTY-T"}, queryset) == [gta.pk]


class TestChoices:
    def test_kind(self, shared_and_gta):
        shared, gta, queryset = shared_and_gta
        assert filtered(ArrangementFilterSet, {"kind": ["mou"]}, queryset) == [gta.pk]

    def test_several_statuses(self, shared_and_gta):
        shared, gta, queryset = shared_and_gta
        draft = arrangement("FILTER-DRAFT", "TADEU", status="draft")
        queryset = Arrangement.objects.filter(pk__in=[shared.pk, gta.pk, draft.pk])
        assert filtered(ArrangementFilterSet, {"status": ["draft"]}, queryset) == [draft.pk]
        assert filtered(ArrangementFilterSet, {"status": ["draft", "in_force"]}, queryset) == sorted(
            [shared.pk, gta.pk, draft.pk]
        )

    def test_an_unknown_status_is_a_field_error(self):
        assert refused(ArrangementFilterSet, {"status": ["imaginary"]}) == ["status"]

    def test_a_boolean_is_strict(self):
        assert refused(ArrangementFilterSet, {"joint_management_team": "perhaps"}) == ["joint_management_team"]


class TestFiscalYear:
    """In effect during 2010-2011: effective on or before 31 March 2011, and not expired before 1 April 2010."""

    @pytest.mark.parametrize(
        ("effective", "expiry", "inside"),
        [
            (datetime.date(2011, 3, 31), None, True),
            (datetime.date(2011, 4, 1), None, False),
            (datetime.date(2008, 1, 1), datetime.date(2010, 4, 1), True),
            (datetime.date(2008, 1, 1), datetime.date(2010, 3, 31), False),
        ],
    )
    def test_boundaries(self, effective, expiry, inside):
        made = arrangement("FILTER-FY", "TADEU", effective_date=effective, expiry_date=expiry,
                           signed_date=min(effective, datetime.date(2008, 1, 1)))
        queryset = Arrangement.objects.filter(pk=made.pk)
        assert filtered(ArrangementFilterSet, {"fiscal_year": "2010-2011"}, queryset) == ([made.pk] if inside else [])

    def test_a_malformed_year_is_a_field_error(self):
        assert refused(ArrangementFilterSet, {"fiscal_year": "2010-2013"}) == ["fiscal_year"]


class TestPage:
    def test_expiring_within_days(self):
        today = timezone.localdate()
        soon = arrangement("FILTER-SOON", "TADEU", expiry_date=today + datetime.timedelta(days=20))
        later = arrangement("FILTER-LATER", "TADEU", expiry_date=today + datetime.timedelta(days=400))
        queryset = Arrangement.objects.filter(pk__in=[soon.pk, later.pk])
        assert filtered(ArrangementPageFilterSet, {"expiring": "30"}, queryset) == [soon.pk]
        assert filtered(ArrangementPageFilterSet, {"expiring": "500"}, queryset) == sorted([soon.pk, later.pk])

    @pytest.mark.parametrize("days", ["-1", "3651", "soon"])
    def test_expiring_out_of_range_is_a_field_error(self, days):
        assert refused(ArrangementPageFilterSet, {"expiring": days}) == ["expiring"]

    def test_search_by_reference_or_title_words(self, shared_and_gta):
        shared, gta, queryset = shared_and_gta
        Arrangement.objects.filter(pk=gta.pk).update(title="Toronto airport information sharing")
        assert filtered(ArrangementPageFilterSet, {"q": "airport toronto"}, queryset) == [gta.pk]
        assert filtered(ArrangementPageFilterSet, {"q": "filter-shared"}, queryset) == [shared.pk]


class TestGapActions:
    def test_by_unit_status_and_due_date(self):
        early = GapAction.objects.create(jfo=unit("TADEU"), action="Sign annex", owner="GTA",
                                         due_date=datetime.date(2012, 1, 31))
        late = GapAction.objects.create(jfo=unit("PWEU-WSC"), action="Review", owner="WSC",
                                        due_date=datetime.date(2012, 6, 30), status="done")
        queryset = GapAction.objects.filter(pk__in=[early.pk, late.pk])
        assert filtered(GapActionFilterSet, {"jfo": "TADEU"}, queryset) == [early.pk]
        assert filtered(GapActionFilterSet, {"status": ["done"]}, queryset) == [late.pk]
        assert filtered(GapActionFilterSet, {"due_date_before": "2012-02-01"}, queryset) == [early.pk]

    def test_by_arrangement_reference(self, shared_and_gta):
        shared, gta, queryset = shared_and_gta
        action = GapAction.objects.create(arrangement=gta, action="Renew", owner="GTA",
                                          due_date=datetime.date(2012, 1, 31))
        assert filtered(GapActionFilterSet, {"arrangement": "filter-gta"}, GapAction.objects.all()) == [action.pk]
