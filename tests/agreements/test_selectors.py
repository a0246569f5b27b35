"""`agreements.selectors`: each rule's Python form held against its SQL form."""

import datetime

import pytest
from django.core import mail

from agreements import selectors, services
from agreements.choices import ArrangementStatus
from agreements.models import Arrangement
from jfo_registry.core.roles import Role
from operations.models import JointForceOperation
from tests.conftest import make_user

D = datetime.date
pytestmark = pytest.mark.django_db

EFFECTIVE, EXPIRY = D(2010, 1, 1), D(2012, 1, 1)
#: Days around each boundary: before the effective date, on it, inside, the day before expiry,
#: the expiry date itself, the day after and long after.
DAYS = [D(2009, 12, 31), EFFECTIVE, D(2011, 1, 1), D(2011, 12, 31), EXPIRY, D(2012, 1, 2), D(2020, 1, 1)]


@pytest.fixture
def arrangements():
    """One arrangement per lifecycle state, with an expiry date and without."""
    made = []
    for status in ArrangementStatus.values:
        for expiry in (EXPIRY, None):
            made.append(Arrangement.objects.create(
                reference=f"ES-{status}-{expiry or 'open'}", title="x", status=status,
                signed_date=EFFECTIVE, effective_date=EFFECTIVE, expiry_date=expiry,
            ))
    return made


@pytest.mark.parametrize("day", DAYS)
def test_effective_status_in_python_is_the_sql_expression(arrangements, day):
    in_sql = dict(
        Arrangement.objects.filter(pk__in=[a.pk for a in arrangements]).annotate(effective=selectors.effective_status(day)).values_list("pk", "effective")
    )
    assert {a.pk: selectors.effective_status_of(a, day) for a in arrangements} == in_sql
    # And the rule itself: only an arrangement in force and past its expiry date changes.
    changed = {a.reference for a in arrangements if in_sql[a.pk] != a.status}
    assert changed == ({f"ES-in_force-{EXPIRY}"} if day > EXPIRY else set())
    assert all(in_sql[a.pk] == ArrangementStatus.EXPIRED for a in arrangements if a.reference in changed)


@pytest.mark.parametrize("day", DAYS)
def test_in_force_on_is_in_force_status_and_dates(arrangements, day):
    in_sql = set(selectors.arrangements_in_force(day).filter(reference__startswith="ES-").values_list("pk", flat=True))
    expected = {
        a.pk for a in arrangements
        if a.status == ArrangementStatus.IN_FORCE and a.effective_date <= day and (a.expiry_date is None or day <= a.expiry_date)
    }
    assert in_sql == expected


def test_reminders_and_the_expiring_report_list_the_same_arrangements_overdue_reviews_included(db):
    today = D(2030, 4, 5)
    Arrangement.objects.update(review_date=None, expiry_date=None)
    manager = make_user("mgr-expiring", Role.REGIONAL_MANAGER, ("GTA",))
    manager.email = "gta@example.gc.ca"
    manager.save()
    made = {}
    for reference, expiry, review in [
        ("EXP-SOON", D(2030, 6, 30), None),        # expires in 86 days
        ("REV-SOON", None, D(2030, 4, 10)),         # review due in 5 days
        ("REV-OVERDUE", None, D(2030, 3, 1)),       # review 35 days overdue: the most urgent
        ("EXP-LATER", D(2031, 1, 1), None),         # beyond the 90 days
    ]:
        made[reference] = Arrangement.objects.create(
            reference=reference, title=reference, status="in_force", signed_date=D(2025, 1, 1),
            effective_date=D(2025, 1, 1), expiry_date=expiry, review_date=review,
        )
        made[reference].jfos.set(JointForceOperation.objects.filter(acronym="TADEU"))
    report = {row["reference"] for row in selectors.expiring_report(days=90, on=today)["arrangements"]}
    assert report == {"EXP-SOON", "REV-SOON", "REV-OVERDUE"}
    run = services.send_expiry_reminders(today)
    assert {reminder.arrangement.reference for reminder in run.sent} == report
    overdue = [r for r in run.sent if r.arrangement.reference == "REV-OVERDUE"]
    assert [(r.kind, r.threshold_days) for r in overdue] == [("review", 0)]
    assert any("overdue for review" in message.subject for message in mail.outbox)
    assert services.send_expiry_reminders(today).sent == []  # the overdue reminder goes out once
