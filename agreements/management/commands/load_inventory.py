from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from agreements.inventory import load_inventory
from operations.inventory import DEFAULT_INVENTORY


class Command(BaseCommand):
    help = (
        "Load the 2010-2011 JFO inventory (regions, agencies, threats, programs, units, officers, "
        "assignments, rates and arrangements). Safe to run again: it only adds what is missing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=DEFAULT_INVENTORY, help="Inventory YAML file.")
        parser.add_argument(
            "--update", action="store_true",
            help="Also bring existing records back to the file's values (overwrites later edits).",
        )

    def handle(self, *args, file: Path, update: bool, **options):
        if not file.is_file():
            raise CommandError(f"No inventory file at {file}.")
        try:
            counts = load_inventory(file, update=update)
        except ValidationError as error:
            raise CommandError(f"The inventory was not loaded (nothing was changed): {error}") from error
        except (KeyError, ValueError) as error:
            raise CommandError(f"The inventory file is malformed (nothing was changed): {error!r}") from error
        if not counts:
            self.stdout.write("Inventory already loaded: nothing to change.")
            return
        for label, count in sorted(counts.items()):
            self.stdout.write(f"  {label}: {count}")
        self.stdout.write(self.style.SUCCESS("Inventory loaded."))
