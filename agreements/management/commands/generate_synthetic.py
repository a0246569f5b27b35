import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from jfo_registry.core import audit
from agreements.synthetic import generate


class Command(BaseCommand):
    help = (
        "Build a realistic, reproducible registry (all regions, programs and types, agencies, part- and "
        "full-time assignments with turnover, arrangements with conditions) that obeys every rule. "
        "Default: national scale, 5,000 units, 50,000 officers, about 500,000 assignments over 10 fiscal years."
    )

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, default=5000)
        parser.add_argument("--officers", type=int, default=50000)
        parser.add_argument("--years", type=int, default=10)
        parser.add_argument("--seed", type=int, default=2012)
        parser.add_argument("--prefix", default="SYN", help="Prefix of the codes of generated records.")

    def handle(self, *args, units, officers, years, seed, prefix, **options):
        if min(units, officers, years) < 1:
            raise CommandError("--units, --officers and --years must be at least 1.")
        from operations.models import JointForceOperation

        if JointForceOperation.objects.filter(acronym__startswith=f"{prefix}-").exists():
            raise CommandError(f"Synthetic records with prefix {prefix} exist already: use another --prefix or a fresh database.")
        started = time.monotonic()

        def progress(iterable, **kwargs):
            return tqdm(iterable, file=self.stderr._out, mininterval=0.5, **kwargs)

        with audit.entry_point(audit.COMMAND):
            counts = generate(units=units, officers=officers, years=years, seed=seed, prefix=prefix, progress=progress)
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(
            f"{counts.units} units, {counts.officers} officers, {counts.assignments} assignments, "
            f"{counts.arrangements} arrangements, {counts.agencies} agencies in {elapsed:.0f} s."
        ))
