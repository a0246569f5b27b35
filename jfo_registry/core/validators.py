"""Validators of stored text, attached to the model fields so the admin, the API, the pages and
the importers all refuse the same input (each runs the model's validation).

Names, codes, references and titles end up in mail subjects, file names, CSV cells and one-line
displays: they refuse every control character (Unicode category Cc: line feed, carriage return,
tab, NUL, …) and the Unicode line and paragraph separators. Multi-line text (objectives, the
conditions' wording, notes) keeps tabs and line breaks and refuses the rest. Both refuse the
invisible characters that reorder or hide text (`INVISIBLE_FORMATTING`).
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

LINE_SEPARATORS = {"\u2028", "\u2029"}
MULTI_LINE_ALLOWED = {"\t", "\n", "\r"}
# Invisible characters that reorder or hide text (bidirectional embeddings, overrides and
# isolates; zero-width space; byte-order mark): a name or reference holding one can read as
# another in a list, a mail subject or a file name ("Trojan Source"). Refused in all text.
INVISIBLE_FORMATTING = {chr(code) for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200B, 0xFEFF)}

CHARACTER_NAMES = {
    "\t": _("a tab (U+0009)"),
    "\n": _("a line break (U+000A)"),
    "\r": _("a carriage return (U+000D)"),
    "\u2028": _("a line separator (U+2028)"),
    "\u2029": _("a paragraph separator (U+2029)"),
}


def _describe(character: str) -> str:
    name = CHARACTER_NAMES.get(character)
    if name is not None:
        return str(name)
    if character in INVISIBLE_FORMATTING:
        return _("the invisible formatting character U+%(code)04X") % {"code": ord(character)}
    return _("the control character U+%(code)04X") % {"code": ord(character)}


#: A character as the error messages name it ("a tab (U+0009)", "the control character U+0000"),
#: in the language active when the message is shown, like the message itself.
describe = lazy(_describe, str)


def _first_refused(value: str, allowed: set[str], separators: set[str]) -> str | None:
    for character in value:
        if character in allowed:
            continue
        if character in separators or character in INVISIBLE_FORMATTING or unicodedata.category(character) == "Cc":
            return character
    return None


def validate_single_line(value) -> None:
    """One line of text: no control character (tab and line breaks included), no line or
    paragraph separator, no invisible formatting character. Raises ValidationError (code
    "control_character")."""
    if not isinstance(value, str):
        return
    refused = _first_refused(value, set(), LINE_SEPARATORS)
    if refused is not None:
        raise ValidationError(
            _("This text must be a single line without control characters; it contains %(character)s."),
            code="control_character",
            params={"character": describe(refused)},
        )


def validate_multi_line(value) -> None:
    """Text of several lines: tabs and line breaks allowed, no other control character and no
    invisible formatting character. Raises ValidationError (code "control_character")."""
    if not isinstance(value, str):
        return
    refused = _first_refused(value, MULTI_LINE_ALLOWED, set())
    if refused is not None:
        raise ValidationError(
            _("This text cannot contain control characters other than tabs and line breaks; it contains %(character)s."),
            code="control_character",
            params={"character": describe(refused)},
        )


def validate_file_name(value) -> None:
    """A stored file's name (a FieldFile, or its name): one line, as `validate_single_line`."""
    validate_single_line(getattr(value, "name", value))
