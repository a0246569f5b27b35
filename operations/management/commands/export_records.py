from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from operations import importers


class Command(BaseCommand):
    help = (
        "Export every agency, JFO unit, officer or assignment as CSV or XLSX, with the columns "
        "import_records reads (natural keys, not database ids)."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", help=f"What to export: {', '.join(importers.KINDS)}.")
        parser.add_argument(
            "--format", choices=importers.FORMATS,
            help="csv or xlsx (default: from the output file's extension, else csv).",
        )
        parser.add_argument("--output", "-o", type=Path, help="Write to this file (default: standard output, CSV only).")

    def handle(self, *args, kind: str, format: str | None, output: Path | None, **options):
        try:
            importers.resource_class(kind)
            if format is None:
                format = importers.guess_format(output) if output and output.suffix else "csv"
        except (importers.UnknownKind, importers.UnreadableFile) as error:
            raise CommandError(str(error)) from error
        if format == "xlsx" and output is None:
            raise CommandError(_("XLSX is a binary format: give a file with --output."))

        dataset = importers.export_dataset(kind)
        content = importers.render(dataset, format, title=kind)
        if output is None:
            self.stdout.write(content.decode("utf-8"), ending="")
            return
        try:
            output.write_bytes(content)
        except OSError as error:
            raise CommandError(
                _("Cannot write %(path)s: %(reason)s.") % {"path": output, "reason": error.strerror or error}
            ) from error
        self.stdout.write(
            # Translators: "52 jfos exported to units.csv." (the kind is the command's argument, not translated)
            ngettext(
                "%(count)s %(kind)s exported to %(path)s.", "%(count)s %(kind)s exported to %(path)s.", len(dataset)
            ) % {"count": len(dataset), "kind": kind, "path": output}
        )
