"""Concurrent renewals of one arrangement make one successor; the others are refused cleanly."""

import datetime

import pytest
from django.core import mail
from rest_framework.test import APIClient

from agreements.models import Arrangement, ReminderSent
from agreements.services import send_expiry_reminders
from jfo_registry.core.roles import Role
from operations.models import JointForceOperation, Region
from tests.conftest import make_user, run_together

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def arrangement_in_force(**fields) -> Arrangement:
    region = Region.objects.create(code="CCY", name_en="Concurrency", name_fr="Concurrence")
    unit = JointForceOperation.objects.create(name="Unit", acronym="CCY-1", jfo_type="regional", region=region)
    arrangement = Arrangement.objects.create(
        reference="CCY-WCA", title="Concurrent", status="in_force",
        signed_date=datetime.date(2010, 1, 1), effective_date=datetime.date(2010, 1, 1), **fields,
    )
    arrangement.jfos.set([unit])
    return arrangement


def test_ten_concurrent_renewals_make_exactly_one_successor(role_groups):
    arrangement = arrangement_in_force()
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


def test_concurrent_reminder_runs_send_each_reminder_once(role_groups):
    today = datetime.date.today()
    arrangement = arrangement_in_force(expiry_date=today + datetime.timedelta(days=20))
    manager = make_user("ccy-manager", Role.REGIONAL_MANAGER, ("CCY",))
    manager.email = "ccy-manager@example.gc.ca"
    manager.save()

    outcomes = run_together(lambda _run: send_expiry_reminders(today), range(5))

    assert all(not outcome.failed for outcome in outcomes), outcomes
    assert sum(len(outcome.sent) for outcome in outcomes) == 1
    assert ReminderSent.objects.filter(arrangement=arrangement).count() == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ccy-manager@example.gc.ca"]
