import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from tqdm import tqdm

from jfo_registry.core import audit
from operations import importers, services

# Translators: the labels of the import progress bars.
STAGES = {"check": gettext_lazy("Checking"), "import": gettext_lazy("Importing")}


class Command(BaseCommand):
    help = (
        "Import agencies, JFO units, officers or assignments from a CSV or XLSX file (the columns of "
        "export_records). Every row is checked first; if any row is invalid nothing is imported. "
        "Rows are numbered from 1, the first row below the header row. An assignment row for the same "
        "officer and unit as a stored assignment whose period it overlaps updates it (a change of FTE or "
        "role from the optional effective_from column, else from the row's later start date, else from "
        "today; or a correction of its dates or notes); a row that cannot tell which one it updates is a "
        "conflict. Use -v 2 to list what each row does."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", help=f"What the file holds: {', '.join(importers.KINDS)}.")
        parser.add_argument("file", type=Path, help="The CSV or XLSX file.")
        parser.add_argument(
            "--format", choices=importers.FORMATS, help="The file's format (default: from its extension)."
        )
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report, but write nothing.")
        parser.add_argument(
            "--reason", default="",
            help="Why the file corrects records (recorded on each correction); a file that alters a closed "
                 "fiscal year is refused without it.",
        )
        parser.add_argument(
            "--user", default=None,
            help="The username the file is imported as: its role and regions apply (a regional manager may not "
                 "alter a closed fiscal year at all). Default: the system, held to the closed years as an "
                 "administrator is.",
        )

    def handle(
        self, *args, kind: str, file: Path, format: str | None, dry_run: bool, reason: str = "", user=None, **options
    ):
        actor = None
        if user is not None:
            actor = get_user_model().objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(_("No active user is named %(user)s. Nothing was imported.") % {"user": user})
        try:
            importers.resource_class(kind)
            dataset = importers.read_dataset(file, format)
        except (importers.UnknownKind, importers.UnreadableFile) as error:
            raise CommandError(_("%(error)s Nothing was imported.") % {"error": error}) from error

        progress = _Progress(self._progress_stream(), disable=options.get("verbosity", 1) == 0)
        try:
            with audit.entry_point(audit.IMPORT), services.closed_years_hold_the_system():
                summary = importers.import_dataset(
                    kind, dataset, dry_run=dry_run, progress=progress, actor=actor, reason=reason,
                )
        finally:
            progress.close()

        if summary.errors:
            for line in summary.error_lines():
                self.stderr.write(line)
            count = len({error.row for error in summary.errors})
            errors = len(summary.errors)
            rows = ngettext("%(count)s row is invalid", "%(count)s rows are invalid", count) % {"count": count}
            errors = ngettext("%(count)s error", "%(count)s errors", errors) % {"count": errors}
            raise CommandError(
                # Translators: "assignments.csv: 2 rows are invalid (3 errors). Nothing was imported."
                _("%(file)s: %(rows)s (%(errors)s). Nothing was imported.")
                % {"file": file.name, "rows": rows, "errors": errors}
            )
        # What each row does (an assignment's change from a date, a correction and the fiscal years
        # it rewrites), with -v 2 (e.g. with --dry-run, to see it before importing).
        if options.get("verbosity", 1) >= 2:
            for outcome in summary.outcomes:
                self.stdout.write(str(outcome))
        if dry_run:
            self.stdout.write(_("Dry run (nothing was written): %(counts)s.") % {"counts": summary.counts()})
        else:
            self.stdout.write(self.style.SUCCESS(f"{summary.counts()}."))

    def _progress_stream(self):
        # The stream behind self.stderr (a file, or what call_command was given), not the
        # wrapper, which adds a line ending to every write.
        return getattr(self.stderr, "_out", sys.stderr)


class _Progress:
    """One tqdm bar per stage of the import (checking, then importing), on stderr."""

    def __init__(self, stream, disable: bool = False):
        self.stream = stream
        self.disable = disable
        self.stage = None
        self.bar = None

    def __call__(self, stage: str, number: int, total: int) -> None:
        if stage != self.stage:
            self.close()
            self.stage = stage
            self.bar = tqdm(
                total=total, desc=str(STAGES.get(stage, stage)), unit="row", file=self.stream,
                disable=self.disable, leave=True, dynamic_ncols=True,
            )
        self.bar.update(number - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
