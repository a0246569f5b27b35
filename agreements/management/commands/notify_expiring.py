import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from agreements.services import send_expiry_reminders


class Command(BaseCommand):
    help = (
        "E-mail the regional managers concerned 90, 30 and 7 days before an arrangement in force "
        "expires or is due for review. Run it daily; each reminder goes out once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", type=datetime.date.fromisoformat, help="Act as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, date=None, **options):
        sent = send_expiry_reminders(date or timezone.localdate())
        for reminder in sent:
            self.stdout.write(
                f"{reminder.arrangement.reference}: {reminder.kind} on {reminder.target_date} "
                f"({reminder.threshold_days}-day reminder) → {reminder.recipients}"
            )
        self.stdout.write(self.style.SUCCESS(f"{len(sent)} reminder(s) sent."))
