"""Concurrent writes cannot both pass the FTE check (the officer's row is locked)."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connections

from rest_framework.test import APIClient

from jfo_registry.core.concurrency import etag_of
from jfo_registry.core.roles import Role
from operations import services
from operations.models import Assignment, JointForceOperation, Officer, Region
from tests.conftest import make_user, run_together

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def test_twenty_concurrent_writes_of_0_1_fte_leave_the_officer_at_exactly_1_00():
    region = Region.objects.create(code="CCY", name_en="Concurrency", name_fr="Concurrence")
    officer = Officer.objects.create(
        employee_number="C-1", name="Concurrent Officer", position="IO", classification="FB-04", home_region=region
    )
    units = [
        JointForceOperation.objects.create(name=f"Unit {i}", acronym=f"CCY-{i}", jfo_type="regional", region=region)
        for i in range(21)
    ]
    start = datetime.date(2010, 4, 1)
    services.assignment_create(officer=officer, jfo=units[0], fte=Decimal("0.50"), start_date=start)

    barrier = threading.Barrier(20)
    outcomes: list[str] = []
    lock = threading.Lock()

    def add(unit):
        try:
            barrier.wait()
            services.assignment_create(officer=officer, jfo=unit, fte=Decimal("0.10"), start_date=start)
            result = "saved"
        except ValidationError as error:
            result = "refused: " + error.message_dict["fte"][0]
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=add, args=(unit,)) for unit in units[1:]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("saved") == 5
    refusals = [o for o in outcomes if o.startswith("refused")]
    assert len(refusals) == 15 and all("more than 1.00 FTE" in r for r in refusals)
    total = sum(Assignment.objects.filter(officer=officer).values_list("fte", flat=True), Decimal(0))
    assert total == Decimal("1.00")


def test_concurrent_creates_of_one_employee_number_make_one_officer_and_clean_refusals(role_groups):
    region = Region.objects.create(code="CCY", name_en="Concurrency", name_fr="Concurrence")
    administrator = make_user("ccy-admin", Role.ADMINISTRATOR)

    def create(index):
        api = APIClient()
        api.force_authenticate(administrator)
        payload = {"employee_number": "C-DUP", "name": f"Officer {index}", "position": "IO",
                   "classification": "FB-04", "home_region": region.pk}
        return api.post("/api/v1/officers/", payload, format="json")

    responses = run_together(create, range(10))

    assert sorted(r.status_code for r in responses) == [201] + [400] * 9
    assert Officer.objects.filter(employee_number="C-DUP").count() == 1
    for refused in (r for r in responses if r.status_code == 400):
        assert refused.json() == {"employee_number": ["Officer with this Employee number already exists."]}


def test_concurrent_dated_changes_with_one_etag_make_one_change_and_412s(role_groups):
    """Two writers who read the same version of an officer (and of a unit) change it at once:
    the version is checked under the row lock, so one change is made and the others get 412."""
    region = Region.objects.create(code="CCD", name_en="Concurrency", name_fr="Concurrence")
    administrator = make_user("ccd-admin", Role.ADMINISTRATOR)
    officer = Officer.objects.create(
        employee_number="C-DATED", name="Dated", position="IO", classification="FB-03", home_region=region
    )
    unit = JointForceOperation.objects.create(acronym="CCD-UNIT", name="Unit", jfo_type="regional", region=region)
    changes = [
        (f"/api/v1/officers/{officer.pk}/change/", etag_of(officer), {"classification": value})
        for value in ("FB-04", "FB-05", "OTHER")
    ] + [
        (f"/api/v1/jfos/{unit.pk}/change/", etag_of(unit), {"jfo_type": value})
        for value in ("national", "binational", "national")
    ]

    def post(change):
        url, etag, body = change
        api = APIClient()
        api.force_authenticate(administrator)
        return url, api.post(url, body, format="json", HTTP_IF_MATCH=etag).status_code

    outcomes = run_together(post, changes)
    by_url: dict = {}
    for url, status in outcomes:
        by_url.setdefault(url, []).append(status)
    assert {url: sorted(statuses) for url, statuses in by_url.items()} == {
        f"/api/v1/officers/{officer.pk}/change/": [200, 412, 412],
        f"/api/v1/jfos/{unit.pk}/change/": [200, 412, 412],
    }
    assert officer.periods.filter(end_date__isnull=True).count() <= 1  # one change: at most one open period
