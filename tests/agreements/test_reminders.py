"""Expiry and review reminders: a bad record does not stop the others, and a reminder that some
regions' managers cannot receive is reported by the run and shown on the dashboard."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from agreements import services
from agreements.models import Arrangement, ReminderSent
from jfo_registry.core.roles import Role
from operations.models import JointForceOperation
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2030, 4, 5)


def manager(region: str, email: str = ""):
    user = make_user(f"mgr-{region.lower()}-{email or 'none'}", Role.REGIONAL_MANAGER, (region,))
    user.email = email
    user.save()
    return user


def due(reference: str, *units: str, expiry: datetime.date = D(2030, 6, 30)) -> Arrangement:
    """An arrangement in force, expiring on `expiry`, covering `units` (stored as given)."""
    arrangement = Arrangement.objects.create(
        reference="placeholder", title=f"Arrangement {reference}", status="in_force",
        signed_date=D(2025, 1, 1), effective_date=D(2025, 1, 1), expiry_date=expiry,
    )
    arrangement.jfos.set(JointForceOperation.objects.filter(acronym__in=units))
    Arrangement.objects.filter(pk=arrangement.pk).update(reference=reference)  # as old data may hold it
    return Arrangement.objects.get(pk=arrangement.pk)


@pytest.fixture(autouse=True)
def nothing_else_due():
    Arrangement.objects.update(review_date=None, expiry_date=None)


@pytest.fixture(autouse=True)
def language_kept():
    """A French page leaves French active in the thread (LocaleMiddleware): restore it after."""
    with translation.override(translation.get_language()):
        yield


def notify(*args) -> tuple[str, str, int]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("notify_expiring", "--date", TODAY.isoformat(), *args, stdout=out, stderr=err)
        code = 0
    except CommandError as error:
        err.write(str(error))
        code = error.returncode
    return out.getvalue(), err.getvalue(), code


def test_a_poisoned_arrangement_in_the_middle_does_not_stop_the_others():
    manager("GTA", "gta@example.gc.ca")
    first, poisoned, last = due("WCA-A", "TADEU"), due("WCA-B\nBcc: x@example.com", "TADEU"), due("WCA-C", "TADEU")

    out, err, code = notify()

    assert code == 1  # after trying them all
    assert sorted(message.subject.split()[1] for message in mail.outbox) == ["WCA-A", "WCA-C"]
    assert set(ReminderSent.objects.values_list("arrangement__reference", flat=True)) == {"WCA-A", "WCA-C"}
    assert "'WCA-B\\nBcc: x@example.com': the reminder (Expiry, 2030-06-30) could not be sent" in err
    assert "BadHeaderError" in err and "2 reminders sent." in out
    assert "1 reminder needs attention" in err

    mail.outbox.clear()
    _out, err, code = notify()  # the next run tries the failed one again, resends nothing
    assert code == 1 and mail.outbox == [] and "WCA-B" in err
    Arrangement.objects.filter(pk=poisoned.pk).update(reference="WCA-B")
    _out, _err, code = notify()
    assert code == 0 and [m.subject.split()[1] for m in mail.outbox] == ["WCA-B"]
    assert {first.pk, last.pk} < set(ReminderSent.objects.values_list("arrangement", flat=True))


def test_a_failing_mail_server_is_reported_per_reminder(monkeypatch):
    manager("GTA", "gta@example.gc.ca")
    due("WCA-A", "TADEU")
    due("WCA-B", "TADEU")
    sent = []

    def flaky(subject, body, sender, recipients):
        if "WCA-A" in subject:
            raise ConnectionRefusedError("mail server down")
        sent.append(subject)

    monkeypatch.setattr(services, "send_mail", flaky)
    run = services.send_expiry_reminders(TODAY)
    assert [(f.arrangement.reference, type(f.error)) for f in run.failed] == [("WCA-A", ConnectionRefusedError)]
    assert [r.arrangement.reference for r in run.sent] == ["WCA-B"] and len(sent) == 1
    assert not ReminderSent.objects.filter(arrangement__reference="WCA-A").exists()  # rolled back: tried again
    assert not run.ok


def test_regions_whose_managers_have_no_address_are_reported():
    manager("GTA", "gta@example.gc.ca")
    manager("PAC")  # no e-mail address
    both = due("WCA-GTA-PAC", "TADEU", "BEST-PAC")
    nobody = due("WCA-PAC", "BEST-PAC")
    no_unit = due("WCA-NONE")

    out, err, code = notify()

    assert code == 1
    assert [m.to for m in mail.outbox] == [["gta@example.gc.ca"]]  # the regions that can be reached are
    assert "'WCA-GTA-PAC': the reminder (Expiry, 2030-06-30) reaches no regional manager of PAC" in err
    assert "'WCA-PAC': the reminder (Expiry, 2030-06-30) reaches no regional manager of PAC" in err
    assert "'WCA-NONE': the reminder (Expiry, 2030-06-30) reaches no one: the arrangement covers no JFO unit" in err
    assert "1 reminder sent." in out and "3 reminders need attention" in err
    assert list(ReminderSent.objects.values_list("arrangement", flat=True)) == [both.pk]
    # Unsent, the two others are tried again on the next run; the sent one is not.
    _out, err, code = notify()
    assert code == 1 and "WCA-PAC" in err and "WCA-NONE" in err and "WCA-GTA-PAC" not in err
    assert {nobody.pk, no_unit.pk}.isdisjoint(ReminderSent.objects.values_list("arrangement", flat=True))


def test_the_run_speaks_french():
    due("WCA-PAC", "BEST-PAC")
    with translation.override("fr"):
        out, err, code = notify()
    assert code == 1
    assert "'WCA-PAC' : le rappel (Expiration, 2030-06-30) n'atteint aucun gestionnaire régional de PAC" in err
    assert "0 rappel envoyé." in out


# --- The dashboard ------------------------------------------------------------------------------


@pytest.fixture
def due_soon():
    """Due in 20 days: one arrangement covering GTA and PAC, whose PAC managers have no address."""
    manager("GTA", "gta@example.gc.ca")
    manager("PAC")
    return due("WCA-GTA-PAC", "TADEU", "BEST-PAC", expiry=timezone.localdate() + datetime.timedelta(days=20))


def alert(client, user):
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    start = html.find('data-testid="unreachable-reminders"')
    return None if start < 0 else html[start:html.index("</section>", start)]


def test_the_dashboard_shows_administrators_and_managers_concerned(client, administrator, gta_manager, due_soon):
    shown = alert(client, administrator)
    assert f'href="{due_soon.get_absolute_url()}"' in shown
    assert "no regional manager of PAC has an e-mail address" in shown
    assert "/admin/auth/user/" in shown
    shown = alert(client, gta_manager)
    assert "WCA-GTA-PAC" in shown and "/admin/auth/user/" not in shown


def test_the_dashboard_hides_it_from_others_and_once_fixed(client, analyst, administrator, due_soon):
    assert alert(client, analyst) is None
    assert alert(client, make_user("mgr-que", Role.REGIONAL_MANAGER, ("QUE",))) is None
    pac = Arrangement.objects.get(pk=due_soon.pk).jfos.get(acronym="BEST-PAC").region
    pac.managers.filter(email="").update(email="pac@example.gc.ca")
    assert alert(client, administrator) is None


def test_the_dashboard_alert_in_french(client, administrator, due_soon):
    client.force_login(administrator)
    client.get("/language/fr/", {"next": "/"})
    html = client.get("/").content.decode()
    assert "aucun gestionnaire régional de PAC n'a d'adresse courriel" in html
