"""agreements.rules: each region rule's object form held against its queryset form, for every
regional model of agreements (shared arrangements included) and every kind of user."""

import datetime

import pytest

from agreements.models import Arrangement, ArrangementDocument, ConditionCoverage, GapAction, InformationSharingCondition
from jfo_registry.core import permissions
from tests.conftest import assert_region_rules_agree, make_jfo

pytestmark = pytest.mark.django_db


def arrangement(reference: str, *units) -> Arrangement:
    record = Arrangement.objects.create(reference=reference, title=f"Test {reference}")
    record.jfos.set(units)
    return record


@pytest.fixture
def records():
    """Arrangements covering one region, two (shared), none; their coverage and documents; gap
    actions on units and on arrangements."""
    gta, pac, que = make_jfo("GTA"), make_jfo("PAC"), make_jfo("QUE")
    gta_2 = make_jfo("GTA")
    arrangements = [
        arrangement("T-GTA", gta, gta_2),
        arrangement("T-PAC", pac),
        arrangement("T-GTA-PAC", gta, pac),
        arrangement("T-GTA-QUE", gta, que),
        arrangement("T-NONE"),
    ]
    condition = InformationSharingCondition.objects.first()
    coverages = [ConditionCoverage.objects.create(arrangement=a, condition=condition) for a in arrangements]
    documents = [
        ArrangementDocument.objects.create(
            arrangement=a, title="Signed", file=f"arrangements/{a.pk}/signed.pdf", content_type="application/pdf", size=1
        )
        for a in arrangements
    ]
    due = datetime.date(2012, 3, 31)
    actions = [GapAction.objects.create(jfo=unit, action="Sign a WCA", owner="HQ", due_date=due) for unit in (gta, pac, que)]
    actions += [GapAction.objects.create(arrangement=a, action="Add condition b", owner="HQ", due_date=due)
                for a in arrangements]
    return [*arrangements, *coverages, *documents, *actions]


def test_object_and_queryset_forms_agree_for_every_record_and_user(records, every_kind_of_user):
    assert_region_rules_agree(records, every_kind_of_user)


def test_a_shared_arrangement_lies_in_every_region_it_covers(records, every_kind_of_user):
    shared = Arrangement.objects.get(reference="T-GTA-PAC")
    assert {region for region in permissions.region_ids_of(shared)} == set(
        shared.jfos.values_list("region_id", flat=True)
    )
    one, several = every_kind_of_user["manager of one region"], every_kind_of_user["manager of several"]
    assert Arrangement.objects.editable_by(one).filter(pk=shared.pk).exists()
    assert not Arrangement.objects.wholly_managed_by(one).filter(pk=shared.pk).exists()
    assert Arrangement.objects.wholly_managed_by(several).filter(pk=shared.pk).exists()


def test_each_arrangement_is_listed_once_however_many_units_it_covers(records, every_kind_of_user):
    editable = list(Arrangement.objects.editable_by(every_kind_of_user["manager of several"]).filter(
        reference__startswith="T-"))
    assert sorted(a.reference for a in editable) == ["T-GTA", "T-GTA-PAC", "T-GTA-QUE", "T-PAC"]


def test_an_arrangement_covering_no_unit_is_for_administrators_only(records, every_kind_of_user):
    lonely = Arrangement.objects.get(reference="T-NONE")
    editors = {name for name, user in every_kind_of_user.items() if permissions.can_edit(user, lonely)}
    assert editors == {"administrator"}
    assert not GapAction.objects.editable_by(every_kind_of_user["manager of several"]).filter(
        arrangement=lonely).exists()


def test_a_gap_action_on_a_unit_lies_in_the_units_region(records, every_kind_of_user):
    manager = every_kind_of_user["manager of one region"]
    on_units = GapAction.objects.filter(jfo__isnull=False, pk__in=[r.pk for r in records if isinstance(r, GapAction)])
    assert sorted(on_units.editable_by(manager).values_list("jfo__region__code", flat=True)) == ["GTA"]
