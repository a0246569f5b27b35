"""Cell values and widgets: strict conversions of one cell with clear messages.

A widget's `clean(value)` turns a cell (text from CSV, a typed value from XLSX) into the model
attribute's value, or raises ValueError with a translated message, which the resource reports as
the row's field error; `render(value)` writes the attribute back as the cell's text, so a file
exported and imported again changes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from import_export import widgets as ie_widgets

LIST_SEPARATOR = ","


def cell_text(value) -> str:
    """A cell as stripped text: '' when empty; whole numbers typed into a spreadsheet lose '.0'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def is_blank(value) -> bool:
    """Whether a cell is empty once stripped (None, '', white space)."""
    return cell_text(value) == ""


def split_list(value) -> list[str]:
    """'a, b,,c' -> ['a', 'b', 'c'] (first occurrence order, duplicates dropped)."""
    keys: list[str] = []
    for part in cell_text(value).replace(";", LIST_SEPARATOR).split(LIST_SEPARATOR):
        part = part.strip()
        if part and part not in keys:
            keys.append(part)
    return keys


def same_text(a, b) -> bool:
    """Equal once line endings and surrounding white space are ignored."""
    def norm(text):
        return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    return norm(a) == norm(b)


class CellWidget(ie_widgets.Widget):
    """A widget whose cell is the value's text, '' for None."""

    def render(self, value, obj=None, **kwargs):
        """The cell's text: str(value), '' for None."""
        return "" if value is None else str(value)


class TextWidget(CellWidget):
    """Text; `strip` for one-line fields. Empty cells are ''."""

    def __init__(self, strip: bool = True):
        super().__init__(coerce_to_string=True)
        self.strip = strip

    def clean(self, value, row=None, **kwargs):
        """The cell as a str ('' when empty; numbers and dates typed in a sheet as their text)."""
        if value is None:
            return ""
        if isinstance(value, (int, float, datetime.date)) and not isinstance(value, bool):
            return cell_text(value)
        text = str(value)
        return text.strip() if self.strip else text


class ChoiceWidget(TextWidget):
    """A choice stored by its value ('regional'); its label ('Regional') or another case is accepted.
    An unknown value is passed on as is, for the model's validation to refuse with its message."""

    def __init__(self, choices):
        super().__init__(strip=True)
        self.choices = list(choices)  # labels are lazy: translated when used

    def clean(self, value, row=None, **kwargs):
        """The stored value (a str) of the choice the cell names by value or label, any case."""
        text = super().clean(value, row, **kwargs)
        values = [str(stored) for stored, _label in self.choices]
        if text in values:
            return text
        folded = text.casefold()
        for stored, label in self.choices:
            if folded in (str(stored).casefold(), str(label).casefold()):
                return str(stored)
        return text


class BooleanWidget(ie_widgets.Widget):
    """true/false (also 1/0, yes/no, oui/non, vrai/faux); anything else is an error, not False."""

    TRUE = {"1", "true", "t", "yes", "y", "oui", "vrai"}
    FALSE = {"0", "false", "f", "no", "n", "non", "faux"}

    def clean(self, value, row=None, **kwargs):
        """True or False. Raises ValueError for an empty cell or any other text."""
        if isinstance(value, bool):
            return value
        if isinstance(value, (int, float)) and value in (0, 1):
            return bool(value)
        text = cell_text(value).casefold()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        if text == "":
            raise ValueError(_("Enter true or false (this column cannot be left empty)."))
        raise ValueError(_("'%(value)s' is not true or false.") % {"value": cell_text(value)})

    def render(self, value, obj=None, **kwargs):
        """'true', 'false', or '' for None."""
        if value is None:
            return ""
        return "true" if value else "false"


class DateWidget(ie_widgets.Widget):
    """An ISO date, YYYY-MM-DD (spreadsheet date cells are accepted too). Empty cells are None."""

    def clean(self, value, row=None, **kwargs):
        """A datetime.date, None for an empty cell. Raises ValueError for text that is no ISO date."""
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = cell_text(value)
        if not text:
            return None
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            pass
        try:
            return datetime.datetime.fromisoformat(text).date()
        except ValueError:
            raise ValueError(_("'%(value)s' is not a date: write it as YYYY-MM-DD.") % {"value": text}) from None

    def render(self, value, obj=None, **kwargs):
        """'YYYY-MM-DD', '' for no date."""
        return value.isoformat() if isinstance(value, datetime.date) else ""


class DecimalWidget(CellWidget):
    """A decimal number ('0.5', also '0,5'). Empty cells are None."""

    def clean(self, value, row=None, **kwargs):
        """A Decimal as written (no rounding: the model's rules refuse too many places), None for an
        empty cell. Raises ValueError for text, booleans, NaN or infinity."""
        if isinstance(value, bool):
            raise ValueError(_("'%(value)s' is not a number.") % {"value": cell_text(value)})
        if isinstance(value, Decimal):
            return value
        if isinstance(value, int):
            return Decimal(value)
        if isinstance(value, float):  # a spreadsheet number: drop binary noise (0.30000000000000004)
            return Decimal(repr(round(value, 10)))
        text = cell_text(value)
        if not text:
            return None
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(_("'%(value)s' is not a number.") % {"value": text}) from None
        if not number.is_finite():
            raise ValueError(_("'%(value)s' is not a number.") % {"value": text})
        return number


def unique_ignoring_case(model, field: str, key: str):
    """The one `model` record whose `field` equals `key` ignoring case, or None when none or
    several do (an ambiguous key is not guessed)."""
    matches = list(model._default_manager.filter(**{f"{field}__iexact": key})[:2])
    return matches[0] if len(matches) == 1 else None


class KeyWidget(ie_widgets.ForeignKeyWidget):
    """A related record named by its natural key (an acronym, a code, an employee number).

    The key is matched exactly, or else case-insensitively when that finds exactly one record.
    Records found are remembered until `reset()` (each import starts with one).
    """

    def __init__(self, model, field: str, missing):
        super().__init__(model, field=field)
        self.missing = missing  # the message of an unknown key, with %(key)s (lazy: translated when used)
        self.found: dict[str, object] = {}

    def reset(self) -> None:
        """Forget the records found (a new import may see other records)."""
        self.found = {}

    def find(self, key: str):
        """The record with this key, or None."""
        if key in self.found:
            return self.found[key]
        found = self.model._default_manager.filter(**{self.field: key}).first()
        if found is None:
            found = unique_ignoring_case(self.model, self.field, key)
        if found is not None:  # a miss is not remembered: the record may be created by a later row
            self.found[key] = found
        return found

    def clean(self, value, row=None, **kwargs):
        """The record the cell names, None for an empty cell. Raises ValueError (the `missing`
        message) when no record, or several differing only by case, have the key."""
        key = cell_text(value)
        if not key:
            return None
        found = self.find(key)
        if found is None:
            raise ValueError(self.missing % {"key": key})
        return found

    def render(self, value, obj=None, **kwargs):
        """The record's key, '' for None."""
        return "" if value is None else str(getattr(value, self.field))


class KeyListWidget(ie_widgets.ManyToManyWidget):
    """A comma-separated list of natural keys ('terrorism, cocaine'); unknown keys are an error
    (the stock widget drops them silently). Rendered sorted, so exports are stable."""

    def __init__(self, model, field: str, unknown):
        super().__init__(model, separator=LIST_SEPARATOR, field=field)
        self.unknown = unknown  # the message of unknown keys, with %(keys)s (lazy: translated when used)

    def clean(self, value, row=None, **kwargs):
        """The records the cell names, in the cell's order, without repeats ([] when empty).
        Raises ValueError (the `unknown` message, listing them) for keys that match nothing."""
        keys = split_list(value)
        if not keys:
            return []
        found = {
            getattr(obj, self.field): obj for obj in self.model._default_manager.filter(**{f"{self.field}__in": keys})
        }
        objects, missing = [], []
        for key in keys:
            obj = found.get(key)
            if obj is None:
                obj = unique_ignoring_case(self.model, self.field, key)
            if obj is None:
                missing.append(key)
            elif obj not in objects:
                objects.append(obj)
        if missing:
            raise ValueError(self.unknown % {"keys": ", ".join(missing)})
        return objects

    def keys(self, objects: Iterable) -> list[str]:
        """The sorted keys (str) of `objects`."""
        return sorted(str(getattr(obj, self.field)) for obj in objects)

    def render(self, value, obj=None, **kwargs):
        """The sorted keys of a related manager (or of a list of keys), joined by ', '."""
        if value is None:
            return ""
        if hasattr(value, "all"):
            value = self.keys(value.all())
        return f"{LIST_SEPARATOR} ".join(sorted(str(v) for v in value))

