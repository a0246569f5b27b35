import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agreements.choices import ReminderKind
from agreements.services import send_expiry_reminders


class Command(BaseCommand):
    help = (
        "E-mail the regional managers concerned 90, 30 and 7 days before an arrangement in force "
        "expires or is due for review. Run it daily; each reminder goes out once. Every reminder is "
        "tried; the run exits 1 when one failed or reached no manager in one of its regions."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", type=datetime.date.fromisoformat, help="Act as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, date=None, **options):
        run = send_expiry_reminders(date or timezone.localdate())
        for reminder in run.sent:
            self.stdout.write(
                f"{reminder.arrangement.reference}: {reminder.kind} on {reminder.target_date} "
                f"({reminder.threshold_days}-day reminder) → {reminder.recipients}"
            )
        for failure in run.failed:
            # The reference is repr'd: the failing record may hold the very characters at fault.
            self.stderr.write(
                _("%(reference)r: the reminder (%(kind)s, %(date)s) could not be sent: %(error)s")
                % {"reference": failure.arrangement.reference, "kind": ReminderKind(failure.kind).label,
                   "date": failure.target_date.isoformat(), "error": f"{type(failure.error).__name__}: {failure.error}"}
            )
        for item in run.unreachable:
            values = {"reference": item.arrangement.reference, "kind": item.kind_label,
                      "date": item.target_date.isoformat(), "regions": ", ".join(item.regions)}
            if item.covers_no_unit:
                message = _(
                    "%(reference)r: the reminder (%(kind)s, %(date)s) reaches no one: the arrangement covers no "
                    "JFO unit, so there is no regional manager to tell."
                )
            else:
                message = _(
                    "%(reference)r: the reminder (%(kind)s, %(date)s) reaches no regional manager of %(regions)s: "
                    "none has an e-mail address."
                )
            self.stderr.write(message % values)
        self.stdout.write(self.style.SUCCESS(
            ngettext("%(count)s reminder sent.", "%(count)s reminders sent.", len(run.sent)) % {"count": len(run.sent)}
        ))
        if not run.ok:
            problems = len(run.failed) + len(run.unreachable)
            raise CommandError(
                ngettext(
                    "%(count)s reminder needs attention (see above).",
                    "%(count)s reminders need attention (see above).",
                    problems,
                ) % {"count": problems},
                returncode=1,
            )
