"""Every user-visible string has its French translation, and French compiles without GNU gettext."""

import ast
import re
import shutil
from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command
from django.utils.translation.template import templatize

BASE = Path(settings.BASE_DIR)
CATALOGUE = BASE / "locale" / "fr" / "LC_MESSAGES" / "django.po"
SOURCES = ("jfo_registry", "operations", "agreements")
GETTEXT = {"gettext", "gettext_lazy", "_", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy"}
TEMPLATE_CALL = re.compile(r"\b(n?gettext)\(u'((?:[^'\\]|\\.)*)'(?:, u'((?:[^'\\]|\\.)*)')?")


def translated_msgids() -> dict[str, str]:
    return {entry.msgid: entry.msgstr or entry.msgstr_plural.get(0, "") for entry in polib.pofile(str(CATALOGUE))
            if not entry.obsolete and "fuzzy" not in entry.flags}


def source_msgids() -> set[tuple[str, str]]:
    """(place, msgid) of every literal passed to gettext in the code and the templates."""
    found = set()
    for package in SOURCES:
        for path in (BASE / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) in GETTEXT:
                    if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                        found.add((f"{path.relative_to(BASE)}:{node.lineno}", node.args[0].value))
    for path in (BASE / "templates").rglob("*.html"):
        text = templatize(path.read_text(encoding="utf-8"), origin=str(path))
        for match in TEMPLATE_CALL.finditer(text):
            found.add((str(path.relative_to(BASE)), match.group(2).encode().decode("unicode_escape").encode("latin-1").decode("utf-8")))
    return found


def test_every_string_in_the_code_and_templates_has_a_french_translation():
    catalogue = translated_msgids()
    missing = sorted((place, msgid) for place, msgid in source_msgids() if not catalogue.get(msgid))
    assert not missing, f"{len(missing)} strings without French: {missing[:15]}"


def test_the_french_catalogue_is_complete():
    catalogue = polib.pofile(str(CATALOGUE))
    assert not [e.msgid for e in catalogue.untranslated_entries()]
    assert not [e.msgid for e in catalogue.fuzzy_entries()]


def test_compilemessages_works_without_gnu_gettext(monkeypatch, tmp_path):
    locale = tmp_path / "fr" / "LC_MESSAGES"
    locale.mkdir(parents=True)
    shutil.copy(CATALOGUE, locale / "django.po")
    monkeypatch.setattr(settings, "LOCALE_PATHS", [tmp_path])
    monkeypatch.setattr(shutil, "which", lambda name: None)
    call_command("compilemessages", verbosity=0)
    compiled = polib.mofile(str(locale / "django.mo"))
    assert any(entry.msgstr for entry in compiled)
