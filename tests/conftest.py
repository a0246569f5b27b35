"""Shared fixtures. The 2010-2011 inventory is loaded once into the test database, so every
test starts from the seed (each test's changes are rolled back)."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from jfo_registry.core import permissions
from jfo_registry.core.roles import REGIONAL_MANAGER_EDITS, Role, sync_role_groups
from operations.services import user_set_role
from agreements.inventory import load_inventory
from operations.models import Assignment, JointForceOperation, Officer, Region

TEST_PASSWORD = "test-pass-2026"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_inventory()


def make_user(username: str, role: Role | None, regions: tuple[str, ...] = ()):
    user = get_user_model().objects.create_user(username=username, password=TEST_PASSWORD)
    if role is not None:
        user_set_role(user=user, role=role, region_codes=regions)
    return user


@pytest.fixture
def administrator(db):
    return make_user("test-admin", Role.ADMINISTRATOR)


@pytest.fixture
def analyst(db):
    return make_user("test-analyst", Role.HQ_ANALYST)


@pytest.fixture
def gta_manager(db):
    return make_user("test-manager-gta", Role.REGIONAL_MANAGER, ("GTA",))


@pytest.fixture
def no_role_user(db):
    return make_user("test-no-role", None)


_sequence = iter(range(1, 10**9))


def make_officer(region_code: str = "GTA", **fields) -> Officer:
    number = next(_sequence)
    values = {
        "employee_number": f"T-{number:06d}",
        "name": f"Test Officer {number}",
        "position": "IO",
        "classification": "FB-04",
        "home_region": Region.objects.get(code=region_code),
    }
    values.update(fields)
    return Officer.objects.create(**values)


def make_jfo(region_code: str = "GTA", **fields) -> JointForceOperation:
    number = next(_sequence)
    values = {
        "name": f"Test unit {number}",
        "acronym": f"TEST-{number}",
        "jfo_type": "regional",
        "region": Region.objects.get(code=region_code),
    }
    values.update(fields)
    return JointForceOperation.objects.create(**values)


def make_assignment(officer=None, jfo=None, fte="1.00", start=datetime.date(2010, 4, 1), end=None, **fields):
    return Assignment.objects.create(
        officer=officer or make_officer(),
        jfo=jfo or make_jfo(),
        fte=Decimal(fte),
        start_date=start,
        end_date=end,
        **fields,
    )


def count_queries(callable_) -> int:
    with CaptureQueriesContext(connection) as context:
        callable_()
    return len(context.captured_queries)


def run_together(work, arguments) -> list:
    """`work(argument)` for every argument, each in its own thread, all released at once;
    returns what each gave (or the exception it raised), in no particular order. Each thread
    closes its database connection when done."""
    barrier = threading.Barrier(len(arguments))
    outcomes: list = []
    lock = threading.Lock()

    def run(argument):
        try:
            barrier.wait()
            outcome = work(argument)
        except Exception as error:  # the caller asserts on what was raised
            outcome = error
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(argument,)) for argument in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.fixture
def role_groups(transactional_db):
    """The role groups, which the flush ending every transactional test removes."""
    sync_role_groups(apps)


def pytest_runtest_setup(item):
    """`postgres_only` tests (row locks, threads sharing the test database) skip on SQLite."""
    if item.get_closest_marker("postgres_only") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has no row locks and its test database is not shared between threads")


@pytest.fixture
def api(db):
    """An API client, signed in by `tests.api.login`."""
    return APIClient()



@pytest.fixture
def staff_gta_manager(gta_manager):
    """A manager someone made admin staff by hand: the admin still holds them to their regions."""
    gta_manager.is_staff = True
    gta_manager.save(update_fields=["is_staff"])
    return gta_manager


@pytest.fixture
def every_kind_of_user(administrator, analyst, gta_manager, no_role_user):
    """Every kind of user the region rules tell apart, by name: administrator, HQ analyst,
    manager of one region (GTA), of several (GTA and PAC), of none, an inactive manager (GTA),
    a user without a role, and an anonymous visitor."""
    inactive = make_user("test-manager-inactive", Role.REGIONAL_MANAGER, ("GTA",))
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    return {
        "administrator": administrator,
        "analyst": analyst,
        "manager of one region": gta_manager,
        "manager of several": make_user("test-manager-gta-pac", Role.REGIONAL_MANAGER, ("GTA", "PAC")),
        "manager of none": make_user("test-manager-none", Role.REGIONAL_MANAGER),
        "inactive manager": inactive,
        "no role": no_role_user,
        "anonymous": AnonymousUser(),
    }


def assert_region_rules_agree(records, users: dict) -> None:
    """Each object rule against its queryset form, for every record and every user: `can_edit`
    and `editable_by`, `can_view` and `visible_to`, the region rule and `managed_by`,
    `manages_wholly` and `wholly_managed_by`, and `user.has_perm` for the actions managers are
    given. Fails naming the record, the user and the form that disagrees."""
    for record in records:
        model = type(record)
        actions = REGIONAL_MANAGER_EDITS.get(model._meta.app_label, {}).get(model._meta.model_name, ())
        for name, user in users.items():
            rows = model.objects.filter(pk=record.pk)
            where = f"{model.__name__} {record} for the {name}"
            assert permissions.can_edit(user, record) == rows.editable_by(user).exists(), f"can_edit: {where}"
            assert permissions.can_view(user) == rows.visible_to(user).exists(), f"can_view: {where}"
            assert permissions.can_edit_regional_record(user, record) == rows.managed_by(user).exists(), (
                f"managed_by: {where}"
            )
            assert permissions.manages_wholly(user, record) == rows.wholly_managed_by(user).exists(), (
                f"wholly_managed_by: {where}"
            )
            for action in actions:
                perm = f"{model._meta.app_label}.{action}_{model._meta.model_name}"
                assert user.has_perm(perm, record) == permissions.can_edit(user, record), f"{perm}: {where}"
