"""Concurrent renewals of one arrangement make one successor; the others are refused cleanly."""

import datetime

import pytest
from rest_framework.test import APIClient

from agreements.models import Arrangement
from jfo_registry.roles import Role
from operations.models import JointForceOperation, Region
from tests.conftest import make_user, run_together

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def test_ten_concurrent_renewals_make_exactly_one_successor(role_groups):
    region = Region.objects.create(code="CCY", name_en="Concurrency", name_fr="Concurrence")
    unit = JointForceOperation.objects.create(name="Unit", acronym="CCY-1", jfo_type="regional", region=region)
    arrangement = Arrangement.objects.create(
        reference="CCY-WCA", title="Concurrent", status="in_force",
        signed_date=datetime.date(2010, 1, 1), effective_date=datetime.date(2010, 1, 1),
    )
    arrangement.jfos.set([unit])
    manager = make_user("ccy-manager", Role.REGIONAL_MANAGER, ("CCY",))

    def renew(index):
        api = APIClient()
        api.force_authenticate(manager)
        return api.post(f"/api/v1/arrangements/{arrangement.pk}/renew/", {"reference": f"CCY-WCA-{index}"}, format="json")

    responses = run_together(renew, range(10))

    assert sorted(r.status_code for r in responses) == [201] + [400] * 9
    successor = Arrangement.objects.get(supersedes=arrangement)
    assert successor.reference in {r.json()["reference"] for r in responses if r.status_code == 201}
    for refused in (r for r in responses if r.status_code == 400):
        assert refused.json() == {
            "reference": [f"This arrangement already has a successor: {successor.reference}."]
        }
