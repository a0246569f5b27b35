import shutil
from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def test_the_french_catalogue_is_complete():
    catalogue = polib.pofile(str(CATALOGUE))
    missing = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert not missing, f"untranslated: {missing[:10]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:10]}"


def test_compilemessages_works_without_gnu_gettext(monkeypatch, tmp_path):
    locale = tmp_path / "fr" / "LC_MESSAGES"
    locale.mkdir(parents=True)
    shutil.copy(CATALOGUE, locale / "django.po")
    monkeypatch.setattr(settings, "LOCALE_PATHS", [tmp_path])
    monkeypatch.setattr(shutil, "which", lambda name: None)
    call_command("compilemessages", verbosity=0)
    compiled = polib.mofile(str(locale / "django.mo"))
    assert any(entry.msgstr for entry in compiled)
