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
    # And the rule itself: only an arrangement stored as in force changes: expired past its expiry
    # date, not yet in force before its effective date.
    changed = {a.reference: in_sql[a.pk] for a in arrangements if in_sql[a.pk] != a.status}
    if day > EXPIRY:
        assert changed == {f"ES-in_force-{EXPIRY}": ArrangementStatus.EXPIRED}
    elif day < EFFECTIVE:
        assert changed == {f"ES-in_force-{EXPIRY}": selectors.NOT_YET_IN_FORCE, "ES-in_force-open": selectors.NOT_YET_IN_FORCE}
    else:
        assert changed == {}


@pytest.mark.parametrize("day", DAYS)
def test_an_arrangement_is_effectively_in_force_exactly_when_it_is_in_force_on_the_day(arrangements, day):
    """The status the API and the lists show agrees with what coverage counts (`in_force_on`)."""
    ids = [a.pk for a in arrangements]
    effectively = set(
        Arrangement.objects.filter(pk__in=ids).annotate(effective=selectors.effective_status(day))
        .filter(effective=ArrangementStatus.IN_FORCE).values_list("pk", flat=True)
    )
    assert effectively == set(selectors.arrangements_in_force(day).filter(pk__in=ids).values_list("pk", flat=True))


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


# --- "Expiring": the Python form held against the SQL form at each boundary ---

EXPIRING_DAY, EXPIRING_DAYS = D(2030, 6, 1), 30
#: Offsets from the day: overdue, the day itself, the day after, the horizon's eve, the horizon, past it.
OFFSETS = [-10, -1, 0, 1, EXPIRING_DAYS - 1, EXPIRING_DAYS, EXPIRING_DAYS + 1, None]


@pytest.fixture
def expiring_grid(db):
    """Arrangements in force on EXPIRING_DAY with every combination of expiry and review offsets
    (an expiry before the day would not be in force; it is left to the in-force rule)."""
    made = []
    for expiry in [offset for offset in OFFSETS if offset is None or offset >= 0]:
        for review in OFFSETS:
            made.append(Arrangement.objects.create(
                reference=f"EXP-{expiry}-{review}", title="x", status=ArrangementStatus.IN_FORCE,
                signed_date=D(2029, 1, 1), effective_date=D(2029, 1, 1),
                expiry_date=None if expiry is None else EXPIRING_DAY + datetime.timedelta(days=expiry),
                review_date=None if review is None else EXPIRING_DAY + datetime.timedelta(days=review),
            ))
    return made


def test_expiring_in_python_is_the_sql_form(expiring_grid):
    in_sql = set(selectors.expiring_within(EXPIRING_DAY, EXPIRING_DAYS).filter(reference__startswith="EXP-")
                 .values_list("reference", flat=True))
    in_python = {a.reference for a in expiring_grid if selectors.expiring_reasons(a, EXPIRING_DAY, EXPIRING_DAYS)}
    assert in_python == in_sql


@pytest.mark.parametrize(
    ("reference", "reasons"),
    [
        ("EXP-0-None", ["expiry"]),  # expires on the day itself
        (f"EXP-{EXPIRING_DAYS}-None", ["expiry"]),  # expires on the horizon
        (f"EXP-{EXPIRING_DAYS + 1}-None", []),  # the day after the horizon
        ("EXP-None--10", ["review"]),  # a review overdue counts
        (f"EXP-None-{EXPIRING_DAYS}", ["review"]),  # a review due on the horizon
        (f"EXP-None-{EXPIRING_DAYS + 1}", []),
        ("EXP-1-0", ["expiry", "review"]),
        ("EXP-None-None", []),
    ],
)
def test_expiring_boundaries(expiring_grid, reference, reasons):
    arrangement = next(a for a in expiring_grid if a.reference == reference)
    assert [kind for kind, _ in selectors.expiring_reasons(arrangement, EXPIRING_DAY, EXPIRING_DAYS)] == reasons
