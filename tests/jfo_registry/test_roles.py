import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError

from jfo_registry.core import permissions
from jfo_registry.core.roles import Role
from operations.models import JointForceOperation, Region
from tests.conftest import make_assignment, make_jfo, make_officer, make_user

pytestmark = pytest.mark.django_db


def test_the_three_groups_exist_with_their_permissions():
    administrators = Group.objects.get(name="Registry administrators")
    analysts = Group.objects.get(name="HQ analysts")
    managers = Group.objects.get(name="Regional managers")
    assert administrators.permissions.filter(codename="delete_agency").exists()
    assert administrators.permissions.filter(codename="change_user").exists()
    assert set(analysts.permissions.values_list("codename", flat=True)) == {
        p for p in analysts.permissions.values_list("codename", flat=True) if p.startswith("view_")
    }
    assert analysts.permissions.filter(codename="view_assignment").exists()
    manager_edits = {p for p in managers.permissions.values_list("codename", flat=True) if not p.startswith("view_")}
    assert manager_edits == {
        "add_officer", "change_officer", "add_assignment", "change_assignment", "change_arrangement",
        "add_conditioncoverage", "change_conditioncoverage", "add_arrangementdocument", "add_gapaction",
        "change_gapaction",
    }


def test_set_role_command_for_a_regional_manager(capsys):
    user = make_user("alice", None)
    call_command("set_role", "alice", "regional-manager", "--region", "GTA", "--region", "nfe")
    assert set(user.managed_regions.values_list("code", flat=True)) == {"GTA", "NFE"}
    assert list(user.groups.values_list("name", flat=True)) == ["Regional managers"]
    user.refresh_from_db()
    assert not user.is_staff
    call_command("set_role", "alice", "administrator")
    user.refresh_from_db()
    assert user.is_staff
    assert list(user.groups.values_list("name", flat=True)) == ["Registry administrators"]
    assert not user.managed_regions.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["nobody", "hq-analyst"],
        ["alice", "regional-manager"],
        ["alice", "regional-manager", "--region", "XYZ"],
        ["alice", "hq-analyst", "--region", "GTA"],
    ],
)
def test_set_role_refuses_bad_input_and_changes_nothing(args):
    user = make_user("alice", Role.HQ_ANALYST)
    with pytest.raises(CommandError):
        call_command("set_role", *args)
    assert list(user.groups.values_list("name", flat=True)) == ["HQ analysts"]
    assert not user.managed_regions.exists()


def test_region_rights(administrator, analyst, gta_manager):
    gta = make_assignment(officer=make_officer("GTA"), jfo=make_jfo("GTA"))
    pac = make_assignment(officer=make_officer("PAC"), jfo=make_jfo("PAC"))
    assert permissions.can_edit(gta_manager, gta) and permissions.can_edit(gta_manager, gta.officer)
    assert not permissions.can_edit(gta_manager, pac) and not permissions.can_edit(gta_manager, pac.officer)
    assert not permissions.can_edit(gta_manager, JointForceOperation.objects.first())
    assert not permissions.can_edit(gta_manager, Region.objects.first())
    assert not permissions.can_delete(gta_manager, gta)
    assert permissions.can_edit(administrator, pac) and permissions.can_delete(administrator, pac)
    assert not permissions.can_edit(analyst, gta)
    assert gta_manager.has_perm("operations.change_assignment", gta)
    assert not gta_manager.has_perm("operations.change_assignment", pac)
    assert all(permissions.can_view(u) for u in (administrator, analyst, gta_manager))


def test_demo_accounts_only_in_development(settings, capsys):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("create_demo_users")
    settings.DEBUG = True
    call_command("create_demo_users")
    out = capsys.readouterr().out
    assert "manager-gta" in out and "jfo-demo-2026" in out
    call_command("create_demo_users")  # twice is fine
