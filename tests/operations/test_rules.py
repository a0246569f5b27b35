"""operations.rules: each region rule's object form held against its queryset form, for every
regional model of operations and every kind of user."""

import pytest

from jfo_registry.core import permissions
from operations.models import Assignment, JointForceOperation, Officer, Region
from tests.conftest import assert_region_rules_agree, make_assignment, make_jfo, make_officer

pytestmark = pytest.mark.django_db


@pytest.fixture
def records():
    """Units, officers and assignments in three regions, an assignment crossing regions
    (a GTA officer on a PAC unit) included."""
    units = {code: make_jfo(code) for code in ("GTA", "PAC", "QUE")}
    officers = {code: make_officer(code) for code in ("GTA", "PAC", "QUE")}
    assignments = [
        make_assignment(officers["GTA"], units["GTA"], fte="0.50"),
        make_assignment(officers["GTA"], units["PAC"], fte="0.50"),
        make_assignment(officers["QUE"], units["QUE"]),
        make_assignment(officers["PAC"], units["GTA"]),
    ]
    return [*Region.objects.all(), *units.values(), *officers.values(), *assignments]


def test_object_and_queryset_forms_agree_for_every_record_and_user(records, every_kind_of_user):
    assert_region_rules_agree(records, every_kind_of_user)


def test_an_officer_lies_in_their_home_region_and_an_assignment_in_its_units(records):
    gta, pac = Region.objects.get(code="GTA"), Region.objects.get(code="PAC")
    crossing = Assignment.objects.get(officer__home_region=gta, jfo__region=pac, pk__in=[r.pk for r in records])
    assert permissions.region_ids_of(crossing) == {pac.pk}
    assert permissions.region_ids_of(crossing.officer) == {gta.pk}
    assert permissions.region_ids_of(crossing.jfo) == {pac.pk}
    assert permissions.region_ids_of(gta) == {gta.pk}


def test_a_manager_edits_their_regions_officers_and_assignments_never_units(records, every_kind_of_user):
    manager = every_kind_of_user["manager of one region"]
    mine = Assignment.objects.filter(jfo__region__code="GTA")
    assert set(Assignment.objects.editable_by(manager)) == set(mine)
    assert set(Officer.objects.editable_by(manager)) == set(Officer.objects.filter(home_region__code="GTA"))
    assert not JointForceOperation.objects.editable_by(manager).exists()
    assert set(JointForceOperation.objects.managed_by(manager)) == set(JointForceOperation.objects.filter(region__code="GTA"))
    assert not Region.objects.editable_by(manager).exists()


def test_an_analyst_reads_everything_and_changes_nothing(records, every_kind_of_user):
    analyst = every_kind_of_user["analyst"]
    assert Assignment.objects.visible_to(analyst).count() == Assignment.objects.count()
    assert not Assignment.objects.editable_by(analyst).exists()
    assert not Officer.objects.managed_by(analyst).exists()


@pytest.mark.parametrize("kind", ["anonymous", "no role", "inactive manager"])
def test_who_has_no_active_role_reads_and_changes_nothing(records, every_kind_of_user, kind):
    user = every_kind_of_user[kind]
    assert not Assignment.objects.visible_to(user).exists()
    assert not Assignment.objects.editable_by(user).exists()
    assert not JointForceOperation.objects.managed_by(user).exists()


def test_the_queryset_forms_compose_with_other_filters(records, every_kind_of_user):
    manager = every_kind_of_user["manager of several"]
    open_units = JointForceOperation.objects.exclude(status="closed").managed_by(manager)
    assert set(open_units.values_list("region__code", flat=True)) == {"GTA", "PAC"}
    assert not open_units.filter(region__code="QUE").exists()
