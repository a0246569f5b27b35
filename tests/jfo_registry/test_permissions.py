"""jfo_registry.core.permissions: the role predicates and the registry of region rules through
which the foundation dispatches to each app's rules.py (it imports no app)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Q

from jfo_registry.core import permissions
from operations.models import Agency, Officer, Region
from tests.conftest import make_jfo, make_officer

pytestmark = pytest.mark.django_db


def test_every_regional_model_has_its_rule_registered_by_its_app():
    assert set(permissions._REGION_RULES) == {
        "operations.region", "operations.jointforceoperation", "operations.officer", "operations.assignment",
        "agreements.arrangement", "agreements.conditioncoverage", "agreements.arrangementdocument",
        "agreements.gapaction",
    }


def test_a_rule_is_registered_once():
    rule = permissions.region_rule(Officer)
    permissions.register_region_rule("operations.officer", rule)  # the same rule again: no change
    with pytest.raises(ValueError):
        permissions.register_region_rule("operations.officer", permissions.RegionRule(lambda obj: set(), lambda ids: Q()))
    assert permissions.region_rule(Officer) is rule


def test_a_model_without_a_rule_lies_in_no_region_and_only_administrators_edit_it(administrator, gta_manager):
    agency = Agency.objects.first()
    assert permissions.region_ids_of(agency) == set()
    assert permissions.can_edit(administrator, agency)
    assert not permissions.can_edit(gta_manager, agency)


def test_require_edit_refuses_with_the_message_given_and_skips_missing_states(gta_manager):
    pac_officer = make_officer("PAC")
    permissions.require_edit(gta_manager, None, make_officer("GTA"))
    with pytest.raises(PermissionDenied, match="not yours"):
        permissions.require_edit(gta_manager, make_officer("GTA"), pac_officer, message="not yours")


def test_units_outside_regions_is_the_object_form_of_managed_by(administrator, analyst, gta_manager):
    units = [make_jfo("GTA"), make_jfo("PAC")]
    from_list = {name: permissions.units_outside_regions(user, units)
                 for name, user in (("admin", administrator), ("analyst", analyst), ("manager", gta_manager))}
    assert from_list == {"admin": [], "analyst": units, "manager": [units[1]]}
    for user in (administrator, analyst, gta_manager):
        managed = set(type(units[0]).objects.filter(pk__in=[u.pk for u in units]).managed_by(user))
        assert managed == set(units) - set(permissions.units_outside_regions(user, units))


def test_a_region_is_managed_by_its_managers_only(gta_manager, analyst):
    assert list(Region.objects.managed_by(gta_manager).values_list("code", flat=True)) == ["GTA"]
    assert not Region.objects.managed_by(analyst).exists()

