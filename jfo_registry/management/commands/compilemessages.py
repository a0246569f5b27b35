"""Django's compilemessages, with a pure-Python fallback (polib) where GNU gettext's msgfmt is
not installed, so set-up needs nothing beyond Python on a fresh machine."""

import shutil
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands import compilemessages


class Command(compilemessages.Command):
    def handle(self, **options):
        if shutil.which(self.program):
            return super().handle(**options)
        import polib

        catalogues = [path for base in settings.LOCALE_PATHS for path in Path(base).glob("*/LC_MESSAGES/*.po")]
        if not catalogues:
            raise CommandError("No message catalogue (.po) found in LOCALE_PATHS.")
        for po_path in catalogues:
            catalogue = polib.pofile(str(po_path))
            catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))
            if options["verbosity"] > 0:
                self.stdout.write(f"compiled {po_path} with polib ({catalogue.percent_translated()}% translated)")
