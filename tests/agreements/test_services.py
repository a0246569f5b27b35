"""The arrangement lifecycle, renewal, expiry by date and reminders."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command

from agreements import selectors, services
from agreements.models import Arrangement, ConditionCoverage, InformationSharingCondition, ReminderSent
from jfo_registry.core.roles import Role
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
D = datetime.date


def draft(reference="T-1", **fields):
    arrangement = Arrangement(reference=reference, title="Test arrangement", status="draft", **fields)
    return services.arrangement_save(arrangement)


@pytest.mark.parametrize(
    ("start", "target", "allowed"),
    [
        ("draft", "under_negotiation", True), ("draft", "in_force", True), ("draft", "expired", False),
        ("draft", "superseded", False), ("under_negotiation", "draft", True), ("under_negotiation", "in_force", True),
        ("under_negotiation", "terminated", False), ("in_force", "expired", True), ("in_force", "terminated", True),
        ("in_force", "superseded", True), ("in_force", "draft", False), ("expired", "in_force", False),
        ("expired", "superseded", True), ("terminated", "in_force", False), ("superseded", "in_force", False),
    ],
)
def test_transitions(start, target, allowed):
    assert (target in services.allowed_transitions(start)) is allowed
    arrangement = Arrangement.objects.create(
        reference=f"T-{start}-{target}", title="x", status=start, signed_date=D(2010, 1, 1), effective_date=D(2010, 1, 1)
    )
    if allowed:
        services.arrangement_transition(arrangement=arrangement, status=target)
        arrangement.refresh_from_db()
        assert arrangement.status == target
    else:
        with pytest.raises(ValidationError) as refused:
            services.arrangement_transition(arrangement=arrangement, status=target)
        assert "cannot go from" in refused.value.message_dict["status"][0]
        arrangement.refresh_from_db()
        assert arrangement.status == start


def test_in_force_needs_signed_and_effective_dates():
    arrangement = draft()
    with pytest.raises(ValidationError) as refused:
        services.arrangement_transition(arrangement=arrangement, status="in_force")
    assert {"signed_date", "effective_date"} <= set(refused.value.message_dict)
    services.arrangement_transition(
        arrangement=Arrangement.objects.get(pk=arrangement.pk), status="in_force",
        signed_date=D(2020, 1, 1), effective_date=D(2020, 2, 1),
    )
    assert Arrangement.objects.get(pk=arrangement.pk).status == "in_force"


def test_a_new_arrangement_cannot_start_expired():
    with pytest.raises(ValidationError):
        services.arrangement_save(Arrangement(reference="T-X", title="x", status="superseded"))
    assert not Arrangement.objects.filter(reference="T-X").exists()


def test_expiry_by_date_alone():
    arrangement = Arrangement.objects.get(jfos__acronym="TADEU")
    arrangement.expiry_date = D(2012, 6, 30)
    arrangement.save()
    assert arrangement.status == "in_force"
    assert selectors.arrangements_in_force(D(2012, 6, 30)).filter(pk=arrangement.pk).exists()
    assert not selectors.arrangements_in_force(D(2012, 7, 1)).filter(pk=arrangement.pk).exists()
    annotated = Arrangement.objects.annotate(effective=selectors.effective_status(D(2012, 7, 1))).get(pk=arrangement.pk)
    assert annotated.effective == "expired"


def test_renewal_carries_everything_forward_and_supersedes_on_entry_into_force():
    original = Arrangement.objects.get(jfos__acronym="CRTF")
    condition = InformationSharingCondition.objects.get(letter="b")
    ConditionCoverage.objects.filter(arrangement=original, condition=condition).update(
        status="addressed", clause_reference="s. 2"
    )
    successor = services.arrangement_renew(arrangement=original, reference="WCA-2012-CRTF")
    assert successor.status == "draft" and successor.supersedes == original
    assert set(successor.jfos.all()) == set(original.jfos.all())
    assert sorted(successor.parties.values_list("agency__acronym", "role")) == sorted(
        original.parties.values_list("agency__acronym", "role")
    )
    assert successor.condition_coverages.get(condition=condition).clause_reference == "s. 2"
    assert successor.joint_management_team == original.joint_management_team
    with pytest.raises(ValidationError):
        services.arrangement_renew(arrangement=original, reference="WCA-2012-CRTF-2")
    services.arrangement_transition(
        arrangement=successor, status="in_force", signed_date=D(2012, 3, 1), effective_date=D(2012, 4, 1)
    )
    original.refresh_from_db()
    assert original.status == "superseded"


def test_only_an_arrangement_in_force_or_expired_is_renewed():
    with pytest.raises(ValidationError):
        services.arrangement_renew(arrangement=draft(), reference="T-2")


def test_coverage_changes_when_an_arrangement_expires():
    assert selectors.coverage_report(fiscal_year="2010-2011")["covered"] == 33
    arrangement = Arrangement.objects.get(jfos__acronym="IBET-ATL")  # covers the 15 IBET units
    arrangement.expiry_date = D(2010, 3, 31)
    arrangement.save()
    report = selectors.coverage_report(fiscal_year="2010-2011")
    assert (report["covered"], report["not_covered"]) == (18, 34)
    assert "IBET-ATL" in {u["acronym"] for u in report["uncovered_units"]}


def test_coverage_by_region_and_type_on_the_seed():
    report = selectors.coverage_report(fiscal_year=2010)
    assert (report["covered"], report["not_covered"], report["units"]) == (33, 19, 52)
    by_type = {row["key"]: (row["covered"], row["not_covered"]) for row in report["by_type"]}
    assert by_type == {"binational": (15, 3), "national": (3, 7), "regional": (15, 9)}
    by_region = {row["key"]: row for row in report["by_region"]}
    assert by_region["GTA"]["covered"] == 7 and by_region["GTA"]["not_covered"] == 4
    assert sum(row["units"] for row in report["by_region"]) == 52


def manager_for(region="GTA", email="gta.manager@example.gc.ca"):
    user = make_user(f"mgr-{region.lower()}", Role.REGIONAL_MANAGER, (region,))
    user.email = email
    user.save()
    return user


def test_notify_expiring_sends_each_reminder_once():
    manager_for("GTA")
    manager_for("PAC", email="pac@example.gc.ca")
    arrangement = Arrangement.objects.get(jfos__acronym="TADEU")
    arrangement.expiry_date = D(2030, 6, 30)
    arrangement.review_date = None
    arrangement.save()
    Arrangement.objects.exclude(pk=arrangement.pk).update(review_date=None, expiry_date=D(2040, 1, 1))

    call_command("notify_expiring", "--date", "2030-03-01")  # 121 days before: nothing yet
    assert len(mail.outbox) == 0
    call_command("notify_expiring", "--date", "2030-04-05")  # 86 days: the 90-day reminder
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["gta.manager@example.gc.ca"]
    assert arrangement.reference in message.subject and "86" in message.subject
    assert "TADEU" in message.body and "expire" in message.body  # English and French
    call_command("notify_expiring", "--date", "2030-04-05")
    call_command("notify_expiring", "--date", "2030-04-20")
    assert len(mail.outbox) == 1  # running again sends nothing new
    call_command("notify_expiring", "--date", "2030-06-01")  # 29 days: the 30-day reminder
    call_command("notify_expiring", "--date", "2030-06-25")  # 5 days: the 7-day reminder
    call_command("notify_expiring", "--date", "2030-06-26")
    assert len(mail.outbox) == 3
    assert sorted(ReminderSent.objects.values_list("threshold_days", flat=True)) == [7, 30, 90]


def test_review_dates_are_reminded_too():
    manager_for("NOR", email="nor@example.gc.ca")
    Arrangement.objects.update(review_date=None, expiry_date=None)
    arrangement = Arrangement.objects.get(jfos__acronym="CRTF")
    arrangement.review_date = D(2031, 1, 10)
    arrangement.save()
    sent = services.send_expiry_reminders(D(2031, 1, 5)).sent
    assert [(r.kind, r.threshold_days) for r in sent] == [("review", 7)]
    assert mail.outbox[0].to == ["nor@example.gc.ca"]
