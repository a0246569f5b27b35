"""Bulk import and export of agencies, JFO units, officers and assignments (CSV and XLSX).

Records are identified by natural keys, never by database ids: agencies and JFO units by
acronym, officers by employee number, regions, programs and threats by code, and an
assignment by (employee number, JFO acronym, start date). Exports use the same columns as
imports, so a file exported and imported again changes nothing.

The resource classes are django-import-export resources, usable as `resource_classes` of a
ModelAdmin. Whoever calls them, an import:

* validates every row with the model's `full_clean()`; assignment rows also with the FTE
  invariant over the whole file (`services.check_allocation(row, pending=<the file's other
  rows>)`), so a file whose rows together put an officer above 1.00 FTE is refused even when
  each row alone fits;
* is all or nothing: if any row is invalid, the transaction is rolled back and nothing is
  written (`import_data` always runs in a transaction and rolls back on validation errors);
* saves each changed row with `.save()` (never in bulk), inside `audit.entry_point(IMPORT)`,
  so simple-history records every change with the change reason "import"; unchanged rows
  (`skip_unchanged`, with a set comparison for threats, leads and partners) are not saved.

The function API (`import_file`, `import_dataset`, `export`, `export_dataset`, `render`) is
what the `import_records` and `export_records` commands use: it checks a file with a dry run
first and writes only when the dry run found no error, all in one transaction.

Rows are numbered from 1, the first row below the header row, as in the admin's import page.
"""

from __future__ import annotations

import csv
import datetime
import io
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import NamedTuple

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from import_export import exceptions as ie_exceptions
from import_export import resources
from import_export import widgets as ie_widgets
from import_export.fields import Field
from import_export.results import RowResult

from jfo_registry import audit, permissions, spreadsheets
from jfo_registry.integrity import refuse_conflicts

from . import services
from .choices import (
    Classification,
    Country,
    JfoStatus,
    JfoType,
    Jurisdiction,
    ParticipationRole,
    Position,
)
from .models import (
    Agency,
    Assignment,
    JointForceOperation,
    Officer,
    Participation,
    Program,
    Region,
    Threat,
)

FORMATS = ("csv", "xlsx")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {"csv": "text/csv", "xlsx": XLSX_CONTENT_TYPE}
LIST_SEPARATOR = ","

# Progress callbacks: resources call `progress(row_number, total_rows)` after each row;
# `import_dataset` calls `progress(stage, row_number, total_rows)`, stage "check" or "import".
RowProgress = Callable[[int, int], None]
StageProgress = Callable[[str, int, int], None]


class UnknownKind(ValueError):
    """The kind of record is not one of KINDS."""


class UnreadableFile(ValueError):
    """The file cannot be read as CSV or XLSX (missing, corrupt, wrong encoding, no header row)."""


# ---------------------------------------------------------------------------------------------
# Cell values
# ---------------------------------------------------------------------------------------------


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


def _is_blank(value) -> bool:
    return cell_text(value) == ""


def _split_list(value) -> list[str]:
    """'a, b,,c' -> ['a', 'b', 'c'] (first occurrence order, duplicates dropped)."""
    keys: list[str] = []
    for part in cell_text(value).replace(";", LIST_SEPARATOR).split(LIST_SEPARATOR):
        part = part.strip()
        if part and part not in keys:
            keys.append(part)
    return keys


def _same_text(a, b) -> bool:
    """Equal once line endings and surrounding white space are ignored."""
    def norm(text):
        return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    return norm(a) == norm(b)


# ---------------------------------------------------------------------------------------------
# Widgets: strict conversions with clear messages (ValueError -> a field error of the row)
# ---------------------------------------------------------------------------------------------


class TextWidget(ie_widgets.Widget):
    """Text; `strip` for one-line fields. Empty cells are ''."""

    def __init__(self, strip: bool = True):
        super().__init__(coerce_to_string=True)
        self.strip = strip

    def clean(self, value, row=None, **kwargs):
        if value is None:
            return ""
        if isinstance(value, (int, float, datetime.date)) and not isinstance(value, bool):
            return cell_text(value)
        text = str(value)
        return text.strip() if self.strip else text

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class ChoiceWidget(TextWidget):
    """A choice stored by its value ('regional'); its label ('Regional') or another case is accepted.
    An unknown value is passed on as is, for the model's validation to refuse with its message."""

    def __init__(self, choices):
        super().__init__(strip=True)
        self.choices = list(choices)  # labels are lazy: translated when used

    def clean(self, value, row=None, **kwargs):
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
        if value is None:
            return ""
        return "true" if value else "false"


class DateWidget(ie_widgets.Widget):
    """An ISO date, YYYY-MM-DD (spreadsheet date cells are accepted too). Empty cells are None."""

    def clean(self, value, row=None, **kwargs):
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
        return value.isoformat() if isinstance(value, datetime.date) else ""


class DecimalWidget(ie_widgets.Widget):
    """A decimal number ('0.5', also '0,5'). Empty cells are None."""

    def clean(self, value, row=None, **kwargs):
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

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


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
        self.found = {}

    def find(self, key: str):
        """The record with this key, or None."""
        if key in self.found:
            return self.found[key]
        manager = self.model._default_manager
        found = manager.filter(**{self.field: key}).first()
        if found is None:
            matches = list(manager.filter(**{f"{self.field}__iexact": key})[:2])
            found = matches[0] if len(matches) == 1 else None
        if found is not None:  # a miss is not remembered: the record may be created by a later row
            self.found[key] = found
        return found

    def clean(self, value, row=None, **kwargs):
        key = cell_text(value)
        if not key:
            return None
        found = self.find(key)
        if found is None:
            raise ValueError(self.missing % {"key": key})
        return found

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(getattr(value, self.field))


class KeyListWidget(ie_widgets.ManyToManyWidget):
    """A comma-separated list of natural keys ('terrorism, cocaine'); unknown keys are an error
    (the stock widget drops them silently). Rendered sorted, so exports are stable."""

    def __init__(self, model, field: str, unknown):
        super().__init__(model, separator=LIST_SEPARATOR, field=field)
        self.unknown = unknown  # the message of unknown keys, with %(keys)s (lazy: translated when used)

    def clean(self, value, row=None, **kwargs):
        keys = _split_list(value)
        if not keys:
            return []
        manager = self.model._default_manager
        found = {getattr(obj, self.field): obj for obj in manager.filter(**{f"{self.field}__in": keys})}
        objects, missing = [], []
        for key in keys:
            obj = found.get(key)
            if obj is None:
                matches = list(manager.filter(**{f"{self.field}__iexact": key})[:2])
                obj = matches[0] if len(matches) == 1 else None
            if obj is None:
                missing.append(key)
            elif obj not in objects:
                objects.append(obj)
        if missing:
            raise ValueError(self.unknown % {"keys": ", ".join(missing)})
        return objects

    def keys(self, objects: Iterable) -> list[str]:
        return sorted(str(getattr(obj, self.field)) for obj in objects)

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        if hasattr(value, "all"):
            value = self.keys(value.all())
        return f"{LIST_SEPARATOR} ".join(sorted(str(v) for v in value))


# ---------------------------------------------------------------------------------------------
# Fields
# ---------------------------------------------------------------------------------------------


class TextField(Field):
    """Text that keeps the stored value when the file's differs only by line endings or
    surrounding white space (spreadsheets turn CRLF into LF), so a round trip changes nothing."""

    def save(self, instance, row, is_m2m=False, **kwargs):
        if self.readonly:
            return
        cleaned = self.clean(row, **kwargs)
        current = getattr(instance, self.attribute, None)
        if isinstance(current, str) and _same_text(current, cleaned):
            return
        setattr(instance, self.attribute, cleaned)


class SetField(Field):
    """A column holding a set of related records (comparison ignores order and duplicates)."""

    def wanted(self, row) -> list[str]:
        return self.widget.keys(self.clean(row))

    def current(self, instance) -> list[str]:
        if instance is None or instance.pk is None:
            return []
        return self.widget.keys(getattr(instance, self.attribute).all())


class ParticipationField(SetField):
    """The lead (or partner) agencies of a JFO unit, by acronym: the unit's Participation rows.
    Written by `JointForceOperationResource.save_m2m`, never by attribute assignment."""

    def __init__(self, role: str, **kwargs):
        super().__init__(**kwargs)
        self.role = role

    def _agencies(self, instance):
        return [p.agency for p in instance.participations.all() if p.role == self.role]

    def current(self, instance) -> list[str]:
        if instance is None or instance.pk is None:
            return []
        return self.widget.keys(self._agencies(instance))

    def get_value(self, instance):
        if instance is None or instance.pk is None:
            return None
        return self.current(instance)

    def save(self, instance, row, is_m2m=False, **kwargs):
        pass


# ---------------------------------------------------------------------------------------------
# Resources
# ---------------------------------------------------------------------------------------------


class RegistryResource(resources.ModelResource):
    """What every registry resource shares: natural keys, strict validation, all-or-nothing
    imports recorded as "import" in the history, unchanged rows skipped.

    `progress`, if given, is called as `progress(row_number, total_rows)` after each row.
    """

    #: the `kind` of the function API ("agencies", ...)
    kind = ""

    class Meta:
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True
        use_bulk = False  # bulk writes would record no history

    def __init__(self, progress: RowProgress | None = None, **kwargs):
        super().__init__(**kwargs)
        self.progress = progress
        self._reset()

    def _reset(self) -> None:
        self.row_number: int | None = None
        self.total_rows = 0
        self.blank_rows: set[int] = set()
        self.duplicate_rows: dict[int, int] = {}
        self.file_error = False
        self.raise_errors = False
        self.actor = None
        for f in self.fields.values():
            if hasattr(f.widget, "reset"):
                f.widget.reset()

    # -- columns ---------------------------------------------------------------------------

    @classmethod
    def columns(cls) -> list[str]:
        """The file's columns, in order (the same for import and export)."""
        return [f.column_name for f in (cls.fields[name] for name in cls._meta.fields)]

    def column_of(self, attribute: str) -> str:
        """The column of a model attribute, for messages ('officer' -> 'employee_number')."""
        for f in self.fields.values():
            if f.attribute == attribute:
                return f.column_name
        return attribute

    def natural_key(self, row) -> tuple:
        """The row's import id, normalised, to find rows that repeat one another."""
        key = []
        for name in self.get_import_id_fields():
            f = self.fields[name]
            value = row.get(f.column_name)
            if isinstance(f.widget, DateWidget):
                try:
                    value = f.widget.clean(value)
                except ValueError:
                    value = cell_text(value)
            else:
                value = cell_text(value)
            key.append(value)
        return tuple(key)

    # -- the import ------------------------------------------------------------------------

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None,
                    collect_failed_rows=False, rollback_on_validation_errors=False, **kwargs):
        """Always in a transaction, always rolled back when any row is invalid (all or nothing),
        and recorded in the history as coming from an import. `user` (the admin passes the
        signed-in one; None from the command line: the system) writes only what they may edit."""
        self._reset()
        self.raise_errors = raise_errors
        self.actor = kwargs.get("user")
        with audit.entry_point(audit.IMPORT):
            return super().import_data(
                dataset,
                dry_run=dry_run,
                raise_errors=raise_errors,
                use_transactions=True,
                collect_failed_rows=collect_failed_rows,
                rollback_on_validation_errors=True,
                **kwargs,
            )

    def before_import(self, dataset, **kwargs):
        self.total_rows = len(dataset)
        try:
            self.check_headers(dataset)
            seen: dict[tuple, int] = {}
            for number, values in enumerate(dataset, 1):
                row = dict(zip(dataset.headers, values))
                if all(_is_blank(v) for v in values):
                    self.blank_rows.add(number)
                    continue
                key = self.natural_key(row)
                if any(part in ("", None) for part in key):
                    continue  # reported by the row's own validation
                if key in seen:
                    self.duplicate_rows[number] = seen[key]
                else:
                    seen[key] = number
            self.prepare(dataset)
        except Exception:
            self.file_error = True
            raise

    def check_headers(self, dataset) -> None:
        """Header names are trimmed and lower-cased; unknown, repeated or missing key columns
        make the whole file invalid."""
        if not dataset.headers:
            raise ValueError(_("The file has no header row."))
        headers = [cell_text(h).lower() for h in dataset.headers]
        dataset.headers = headers
        known = self.columns()
        unknown = [h for h in headers if h and h not in known]
        if unknown:
            raise ValueError(
                _("Unknown column(s): %(columns)s. The columns of %(kind)s are: %(known)s.")
                % {"columns": ", ".join(unknown), "kind": self.kind, "known": ", ".join(known)}
            )
        repeated = sorted({h for h in headers if h and headers.count(h) > 1})
        if repeated:
            raise ValueError(_("Repeated column(s): %(columns)s.") % {"columns": ", ".join(repeated)})
        missing = [self.fields[n].column_name for n in self.get_import_id_fields()
                   if self.fields[n].column_name not in headers]
        if missing:
            raise ValueError(
                _("Missing column(s): %(columns)s (needed to find each %(model)s).")
                % {"columns": ", ".join(missing), "model": self._meta.model._meta.verbose_name}
            )

    def prepare(self, dataset) -> None:
        """Per-resource work before the first row (the whole file is known here)."""

    def import_row(self, row, instance_loader, **kwargs):
        number = kwargs.get("row_number")
        self.row_number = number
        try:
            if self.file_error or number in self.blank_rows:
                result = self.get_row_result_class()()
                result.import_type = RowResult.IMPORT_TYPE_SKIP
                return result
            if number in self.duplicate_rows:
                result = self.get_row_result_class()()
                result.import_type = RowResult.IMPORT_TYPE_INVALID
                columns = ", ".join(self.fields[n].column_name for n in self.get_import_id_fields())
                result.validation_error = ValidationError(
                    {NON_FIELD_ERRORS: [_("This row repeats row %(row)s (same %(columns)s).")
                                        % {"row": self.duplicate_rows[number], "columns": columns}]}
                )
                return result
            return super().import_row(row, instance_loader, **kwargs)
        finally:
            if self.progress is not None and number is not None:
                self.progress(number, self.total_rows)

    def get_instance(self, instance_loader, row):
        try:
            return super().get_instance(instance_loader, row)
        except (ValueError, ObjectDoesNotExist):
            return None  # a key that matches nothing: the row's field errors say which
        except self._meta.model.MultipleObjectsReturned:
            columns = ", ".join(self.fields[n].column_name for n in self.get_import_id_fields())
            message = _("Several %(models)s match this row's %(columns)s: correct them in the admin first.") % {
                "models": self._meta.model._meta.verbose_name_plural, "columns": columns,
            }
            raise ValidationError({NON_FIELD_ERRORS: [message]}) from None

    def save_instance(self, instance, is_create, row, **kwargs):
        """A unique value that a concurrent write took after the row was validated is the row's
        validation error, with the model's message (`jfo_registry.integrity`)."""
        with refuse_conflicts():
            super().save_instance(instance, is_create, row, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        """The stock fields, then the set columns (which the stock import leaves to save_m2m)."""
        errors: dict = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for f in self.get_import_fields():
            if isinstance(f, SetField) and f.column_name in row:
                try:
                    f.clean(row)
                except ValueError as error:
                    errors[f.attribute] = ValidationError(str(error), code="invalid")
        errors.update(self.check_row(instance, row, errors))
        if not errors:
            errors.update(self.check_actor(instance))
        if errors:
            raise ValidationError(errors)

    def check_actor(self, instance) -> dict:
        """The region rule for the user importing: the record as stored and as the row leaves it
        must both be theirs to edit (a row error otherwise, so nothing is imported)."""
        if self.actor is None:
            return {}
        stored = type(instance)._default_manager.filter(pk=instance.pk).first() if instance.pk else None
        try:
            permissions.require_edit(self.actor, stored, instance, message=_("You may only import records of your own regions."))
        except PermissionDenied as error:
            return {NON_FIELD_ERRORS: [str(error)]}
        return {}

    def check_row(self, instance, row, errors) -> dict:
        """Further per-row rules of a resource: {attribute: ValidationError}."""
        return {}

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """Unchanged: an existing record whose every column in the file has its current value
        (sets compared as sets of keys)."""
        if import_validation_errors or not self._meta.skip_unchanged:
            return False
        if original is None or original.pk is None:
            return False
        for f in self.get_import_fields():
            if f.column_name not in row:
                continue
            if isinstance(f, SetField):
                try:
                    if f.wanted(row) != f.current(original):
                        return False
                except ValueError:
                    return False
            elif f.get_value(instance) != f.get_value(original):
                return False
        return True

    def describe(self, error: ValidationError) -> list[str]:
        """The messages of a row's ValidationError, each named by its column ('fte: …')."""
        if not hasattr(error, "error_dict"):
            return list(error.messages)
        messages = []
        for attribute, texts in error.message_dict.items():
            for text in texts:
                messages.append(
                    text if attribute == NON_FIELD_ERRORS
                    # Translators: a row's error, named by its column ("fte: FTE must be …").
                    else _("%(column)s: %(message)s") % {"column": self.column_of(attribute), "message": text}
                )
        return messages


class AgencyResource(RegistryResource):
    """Agencies by acronym; `parent` by acronym. A parent defined further down the same file
    is linked once its row is saved."""

    kind = "agencies"

    acronym = Field(attribute="acronym", column_name="acronym", widget=TextWidget())
    name_en = Field(attribute="name_en", column_name="name_en", widget=TextWidget())
    name_fr = Field(attribute="name_fr", column_name="name_fr", widget=TextWidget())
    jurisdiction = Field(attribute="jurisdiction", column_name="jurisdiction", widget=ChoiceWidget(Jurisdiction.choices))
    country = Field(attribute="country", column_name="country", widget=ChoiceWidget(Country.choices))
    parent = Field(
        attribute="parent", column_name="parent",
        widget=KeyWidget(Agency, "acronym", gettext_lazy("No agency has the acronym '%(key)s'.")),
    )
    active = Field(attribute="active", column_name="active", widget=BooleanWidget())

    class Meta:
        model = Agency
        fields = ("acronym", "name_en", "name_fr", "jurisdiction", "country", "parent", "active")
        import_order = export_order = fields
        import_id_fields = ("acronym",)

    def _reset(self) -> None:
        super()._reset()
        self.file_acronyms: set[str] = set()
        self.waiting: dict[int, tuple[str, Agency, dict]] = {}  # row -> (parent acronym, agency, row)

    def prepare(self, dataset) -> None:
        self.file_acronyms = {cell_text(row.get("acronym")) for row in dataset.dict} - {""}

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.attribute == "parent" and field.column_name in row:
            key = cell_text(row[field.column_name])
            if key and key in self.file_acronyms and field.widget.find(key) is None:
                # Defined further down: saved once the parent row is (see after_import).
                self.waiting[kwargs.get("row_number")] = (key, instance, row)
                return
        return super().import_field(field, instance, row, is_m2m, **kwargs)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if self.row_number in self.waiting:
            return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def import_row(self, row, instance_loader, **kwargs):
        result = super().import_row(row, instance_loader, **kwargs)
        number = kwargs.get("row_number")
        if number in self.waiting and not result.is_valid():
            del self.waiting[number]
        return result

    def do_instance_save(self, instance, is_create):
        if self.row_number in self.waiting:
            return  # saved with its parent in after_import
        super().do_instance_save(instance, is_create)

    def after_import(self, dataset, result, **kwargs):
        if self.waiting and not (result.has_errors() or result.has_validation_errors()):
            parent_widget = self.fields["parent"].widget
            waiting = dict(self.waiting)
            progressed = True
            while waiting and progressed:
                progressed = False
                for number, (key, agency, row) in list(waiting.items()):
                    parent = parent_widget.find(key)
                    if parent is None:
                        continue
                    del waiting[number]
                    progressed = True
                    agency.parent = parent
                    try:
                        with transaction.atomic():
                            agency.full_clean()
                            agency.save()
                    except ValidationError as error:
                        self._invalid(result, number, row, error)
            for number, (key, agency, row) in sorted(waiting.items()):
                if key == agency.acronym:
                    message = _("An agency cannot be its own parent.")
                else:
                    message = _("'%(acronym)s' cannot be saved before its own parent: the parents form a loop.") % {
                        "acronym": key
                    }
                self._invalid(result, number, row, ValidationError({"parent": [message]}))
        super().after_import(dataset, result, **kwargs)

    def _invalid(self, result, number, row, error) -> None:
        if self.raise_errors:
            raise ie_exceptions.ImportError(error, number=number, row=row)
        result.append_invalid_row(number, row, error)

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("parent").order_by("acronym")

    def iter_queryset(self, queryset):
        """Parents before their children, so the file imports in one pass."""
        agencies = list(super().iter_queryset(queryset))
        by_pk = {a.pk: a for a in agencies}
        done: set[int] = set()

        def emit(agency, trail=()):
            if agency.pk in done or agency.pk in trail:
                return
            if agency.parent_id in by_pk:
                yield from emit(by_pk[agency.parent_id], (*trail, agency.pk))
            done.add(agency.pk)
            yield agency

        for agency in agencies:
            yield from emit(agency)


class JointForceOperationResource(RegistryResource):
    """JFO units by acronym; region and program by code; threats, leads and partners as
    comma-separated lists (threat codes, agency acronyms). `leads` and `partners` set the
    unit's participations; a column left out of the file leaves those participations as they are."""

    kind = "jfos"

    acronym = Field(attribute="acronym", column_name="acronym", widget=TextWidget())
    name = Field(attribute="name", column_name="name", widget=TextWidget())
    jfo_type = Field(attribute="jfo_type", column_name="jfo_type", widget=ChoiceWidget(JfoType.choices))
    program = Field(
        attribute="program", column_name="program",
        widget=KeyWidget(Program, "code", gettext_lazy("No program has the code '%(key)s'.")),
    )
    region = Field(
        attribute="region", column_name="region",
        widget=KeyWidget(Region, "code", gettext_lazy("No region has the code '%(key)s'.")),
    )
    objectives = TextField(attribute="objectives", column_name="objectives", widget=TextWidget(strip=False))
    threats = SetField(
        attribute="threats", column_name="threats",
        widget=KeyListWidget(Threat, "code", gettext_lazy("Unknown threat codes: %(keys)s.")),
    )
    leads = ParticipationField(
        ParticipationRole.LEAD, attribute="leads", column_name="leads",
        widget=KeyListWidget(Agency, "acronym", gettext_lazy("Unknown agency acronyms: %(keys)s.")),
    )
    partners = ParticipationField(
        ParticipationRole.PARTNER, attribute="partners", column_name="partners",
        widget=KeyListWidget(Agency, "acronym", gettext_lazy("Unknown agency acronyms: %(keys)s.")),
    )
    co_located = Field(attribute="co_located", column_name="co_located", widget=BooleanWidget())
    has_joint_management_team = Field(
        attribute="has_joint_management_team", column_name="has_joint_management_team", widget=BooleanWidget()
    )
    status = Field(attribute="status", column_name="status", widget=ChoiceWidget(JfoStatus.choices))
    start_date = Field(attribute="start_date", column_name="start_date", widget=DateWidget())
    end_date = Field(attribute="end_date", column_name="end_date", widget=DateWidget())

    class Meta:
        model = JointForceOperation
        fields = (
            "acronym", "name", "jfo_type", "program", "region", "objectives", "threats", "leads", "partners",
            "co_located", "has_joint_management_team", "status", "start_date", "end_date",
        )
        import_order = export_order = fields
        import_id_fields = ("acronym",)

    def _role_columns(self, row) -> dict[str, ParticipationField]:
        return {f.role: f for f in (self.fields["leads"], self.fields["partners"]) if f.column_name in row}

    def check_row(self, instance, row, errors) -> dict:
        columns = self._role_columns(row)
        if len(columns) == 2 and "leads" not in errors and "partners" not in errors:
            both = set(columns[ParticipationRole.LEAD].wanted(row)) & set(columns[ParticipationRole.PARTNER].wanted(row))
            if both:
                return {"partners": ValidationError(
                    _("%(agencies)s: an agency is either a lead or a partner of a unit, not both.")
                    % {"agencies": ", ".join(sorted(both))}
                )}
        return {}

    def save_m2m(self, instance, row, **kwargs):
        super().save_m2m(instance, row, **kwargs)  # threats
        self.save_participations(instance, row)

    def save_participations(self, jfo, row) -> None:
        columns = self._role_columns(row)
        if not columns:
            return
        wanted: dict[int, tuple[str, Agency]] = {}
        for role, f in columns.items():
            for agency in f.clean(row):
                wanted[agency.pk] = (role, agency)
        for participation in jfo.participations.all():
            if participation.agency_id in wanted:
                role, _agency = wanted.pop(participation.agency_id)
                if participation.role != role:
                    participation.role = role
                    participation.full_clean()
                    participation.save()
            elif participation.role in columns:
                participation.delete()
        for role, agency in sorted(wanted.values(), key=lambda item: (item[0], item[1].acronym)):
            participation = Participation(jfo=jfo, agency=agency, role=role)
            participation.full_clean()
            participation.save()

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("program", "region").prefetch_related(
            "threats", Prefetch("participations", queryset=Participation.objects.select_related("agency"))
        ).order_by("acronym")


class OfficerResource(RegistryResource):
    """Officers by employee number; home region by code."""

    kind = "officers"

    employee_number = Field(attribute="employee_number", column_name="employee_number", widget=TextWidget())
    name = Field(attribute="name", column_name="name", widget=TextWidget())
    position = Field(attribute="position", column_name="position", widget=ChoiceWidget(Position.choices))
    classification = Field(
        attribute="classification", column_name="classification", widget=ChoiceWidget(Classification.choices)
    )
    home_region = Field(
        attribute="home_region", column_name="home_region",
        widget=KeyWidget(Region, "code", gettext_lazy("No region has the code '%(key)s'.")),
    )
    active = Field(attribute="active", column_name="active", widget=BooleanWidget())

    class Meta:
        model = Officer
        fields = ("employee_number", "name", "position", "classification", "home_region", "active")
        import_order = export_order = fields
        import_id_fields = ("employee_number",)

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("home_region").order_by("employee_number")


class AssignmentResource(RegistryResource):
    """Assignments by (employee_number, jfo acronym, start_date).

    The FTE invariant is checked over the whole file: each changed row with the file's other
    rows as pending changes, so the result does not depend on the rows' order. Saves lock the
    officer's row like every other write (`services.assignment_save`)."""

    kind = "assignments"

    employee_number = Field(
        attribute="officer", column_name="employee_number",
        widget=KeyWidget(Officer, "employee_number", gettext_lazy("No officer has the employee number '%(key)s'.")),
    )
    jfo = Field(
        attribute="jfo", column_name="jfo",
        widget=KeyWidget(JointForceOperation, "acronym", gettext_lazy("No JFO unit has the acronym '%(key)s'.")),
    )
    fte = Field(attribute="fte", column_name="fte", widget=DecimalWidget())
    start_date = Field(attribute="start_date", column_name="start_date", widget=DateWidget())
    end_date = Field(attribute="end_date", column_name="end_date", widget=DateWidget())
    role = Field(attribute="role", column_name="role", widget=TextWidget())
    notes = TextField(attribute="notes", column_name="notes", widget=TextWidget(strip=False))

    class Meta:
        model = Assignment
        fields = ("employee_number", "jfo", "fte", "start_date", "end_date", "role", "notes")
        import_order = export_order = fields
        import_id_fields = ("employee_number", "jfo", "start_date")

    def _reset(self) -> None:
        super()._reset()
        self.file_rows: dict[int, dict[int, Assignment]] = {}  # officer id -> {row: the assignment as the file leaves it}

    def prepare(self, dataset) -> None:
        """Every valid row as the file would leave it: the pending changes of the FTE check."""
        loader = self._meta.instance_loader_class(self, dataset)
        for number, values in enumerate(dataset, 1):
            if number in self.blank_rows or number in self.duplicate_rows:
                continue
            row = dict(zip(dataset.headers, values))
            try:
                instance = self.get_instance(loader, row) or self.init_instance(row)
                super().import_instance(instance, row)
                # The model's rules on values (officer and unit were found by their keys);
                # the row's own full_clean() runs when it is imported.
                instance.full_clean(exclude=["officer", "jfo"], validate_unique=False, validate_constraints=False)
            except (ValidationError, ValueError, ObjectDoesNotExist):
                continue  # invalid: reported when its row is imported, and left out of the check
            self.file_rows.setdefault(instance.officer_id, {})[number] = instance

    def pending(self, instance) -> list[Assignment]:
        """The file's other rows for the same officer."""
        rows = self.file_rows.get(instance.officer_id, {})
        return [other for number, other in rows.items() if number != self.row_number]

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        super().validate_instance(instance, import_validation_errors, validate_unique)
        services.check_allocation(instance, pending=self.pending(instance))

    def do_instance_save(self, instance, is_create):
        # The file's other rows for this officer are pending changes, so a file that ends one
        # assignment and starts the next saves in any row order.
        services.assignment_save(instance, pending=self.pending(instance), actor=self.actor)

    def after_save_instance(self, instance, row, **kwargs):
        mine = self.file_rows.get(instance.officer_id, {}).get(kwargs.get("row_number"))
        if mine is not None and mine.pk is None:
            mine.pk = instance.pk  # saved: counted from the file, no longer from the database

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("officer", "jfo").order_by(
            "officer__employee_number", "jfo__acronym", "start_date", "pk"
        )


KINDS: dict[str, type[RegistryResource]] = {
    "agencies": AgencyResource,
    "jfos": JointForceOperationResource,
    "officers": OfficerResource,
    "assignments": AssignmentResource,
}
#: the model of each kind (for the admin: `resource_classes = [RESOURCES[Model]]`)
RESOURCES: dict[type, type[RegistryResource]] = {cls._meta.model: cls for cls in KINDS.values()}


def resource_class(kind: str) -> type[RegistryResource]:
    try:
        return KINDS[kind]
    except KeyError:
        raise UnknownKind(
            _("Unknown kind '%(kind)s': use one of %(kinds)s.") % {"kind": kind, "kinds": ", ".join(KINDS)}
        ) from None


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------


def guess_format(name: str | os.PathLike) -> str:
    """'csv' or 'xlsx' from a file name's extension."""
    suffix = Path(name).suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    raise UnreadableFile(
        _("Cannot tell the format of '%(name)s' from its extension: use .csv or .xlsx, or give the format.")
        % {"name": Path(name).name}
    )


def _read_bytes(source) -> tuple[bytes, str | None]:
    """(content, file name or None) of a path, bytes or an open (binary or text) file."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), None
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        try:
            return path.read_bytes(), path.name
        except FileNotFoundError:
            raise UnreadableFile(_("Cannot read '%(path)s': no such file.") % {"path": path}) from None
        except IsADirectoryError:
            raise UnreadableFile(_("Cannot read '%(path)s': it is a directory.") % {"path": path}) from None
        except OSError as error:
            raise UnreadableFile(
                _("Cannot read '%(path)s': %(reason)s.") % {"path": path, "reason": error.strerror or error}
            ) from None
    if hasattr(source, "read"):
        content = source.read()
        if isinstance(content, str):
            content = content.encode("utf-8")
        return content, getattr(source, "name", None)
    raise UnreadableFile(
        _("Cannot read a %(type)s: give a path, bytes or an open file.") % {"type": type(source).__name__}
    )


def _trim(rows: list[list]) -> list[list]:
    """Drop the empty rows at the end (spreadsheets keep formatted but empty rows)."""
    while rows and all(_is_blank(v) for v in rows[-1]):
        rows.pop()
    return rows


def _dataset(headers: list, rows: list[list]) -> tablib.Dataset:
    """The file's rows as a dataset, each cell as it was before export (`spreadsheets.restore`)."""
    if not headers or all(_is_blank(h) for h in headers):
        raise UnreadableFile(_("The file has no header row."))
    width = len(headers)
    while width and _is_blank(headers[width - 1]) and all(len(r) < width or _is_blank(r[width - 1]) for r in rows):
        width -= 1  # unnamed empty columns at the right
    for index, header in enumerate(headers[:width]):
        if _is_blank(header) and any(len(r) > index and not _is_blank(r[index]) for r in rows):
            raise UnreadableFile(
                _("Column %(number)s has values but no name in the header row.") % {"number": index + 1}
            )
    dataset = tablib.Dataset(headers=[cell_text(h) for h in headers[:width]])
    for number, row in enumerate(_trim(rows), 1):
        row = list(row)
        extra = row[width:]
        if any(not _is_blank(v) for v in extra):
            raise UnreadableFile(
                _("Row %(number)s has more values than the header row has columns.") % {"number": number}
            )
        row = row[:width] + [""] * (width - len(row))
        dataset.append([spreadsheets.restore(value) for value in row])
    return dataset


def _read_csv(content: bytes) -> tablib.Dataset:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything
        raise UnreadableFile(_("The CSV file is neither UTF-8 nor Windows-1252 text."))
    if "\x00" in text:
        raise UnreadableFile(_("The file is not a CSV text file."))
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)  # French Excel writes ';'
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise UnreadableFile(_("The CSV file cannot be read: %(error)s.") % {"error": error}) from None
    if not rows:
        raise UnreadableFile(_("The file is empty."))
    return _dataset(rows[0], rows[1:])


def _read_xlsx(content: bytes) -> tablib.Dataset:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # zipfile.BadZipFile, KeyError, InvalidFileException, …
        raise UnreadableFile(
            _("The file is not a readable XLSX workbook (%(error)s).") % {"error": type(error).__name__}
        ) from None
    try:
        sheet = workbook.active
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()  # some writers store wrong dimensions; read every cell
        rows = [["" if v is None else v for v in r] for r in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    if not rows:
        raise UnreadableFile(_("The workbook's first sheet is empty."))
    return _dataset(rows[0], rows[1:])


def read_dataset(source, format: str | None = None) -> tablib.Dataset:
    """A CSV or XLSX file (a path, bytes or an open file) as a dataset. Raises UnreadableFile."""
    content, name = _read_bytes(source)
    if format is None:
        if name:
            format = guess_format(name)
        else:
            format = "xlsx" if content[:4] == b"PK\x03\x04" else "csv"
    format = format.lower()
    if format not in FORMATS:
        raise UnreadableFile(_("Unknown format '%(format)s': use csv or xlsx.") % {"format": format})
    if not content.strip():
        raise UnreadableFile(_("The file is empty."))
    return _read_xlsx(content) if format == "xlsx" else _read_csv(content)


# ---------------------------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------------------------


class RowError(NamedTuple):
    """One problem of a file: `row` is None for the whole file (its header row, its format)."""

    row: int | None
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}


@dataclass
class ImportSummary:
    kind: str
    dry_run: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def written(self) -> bool:
        """Whether the import changed the database."""
        return self.ok and not self.dry_run and bool(self.created or self.updated)

    def counts(self) -> str:
        return ", ".join([
            # Translators: the counts of records, joined by ", ": "12 created, 3 updated, 40 unchanged".
            ngettext("%(count)s created", "%(count)s created", self.created) % {"count": self.created},
            ngettext("%(count)s updated", "%(count)s updated", self.updated) % {"count": self.updated},
            ngettext("%(count)s unchanged", "%(count)s unchanged", self.unchanged) % {"count": self.unchanged},
        ])

    def error_lines(self) -> list[str]:
        return [str(error) for error in self.errors]

    def __str__(self) -> str:
        if self.errors:
            return "\n".join([*self.error_lines(), _("Nothing was imported.")])
        if self.dry_run:
            return _("Dry run, nothing was written: %(counts)s.") % {"counts": self.counts()}
        return f"{self.counts()}."


def summarize(resource: RegistryResource, result, *, dry_run: bool) -> ImportSummary:
    """An import_export Result as counts and per-row messages."""
    summary = ImportSummary(kind=resource.kind, dry_run=dry_run, rows=result.total_rows - len(resource.blank_rows))
    summary.created = result.totals[RowResult.IMPORT_TYPE_NEW]
    summary.updated = result.totals[RowResult.IMPORT_TYPE_UPDATE]
    summary.unchanged = max(result.totals[RowResult.IMPORT_TYPE_SKIP] - len(resource.blank_rows), 0)
    errors: list[RowError] = []
    for error in result.base_errors:
        errors.append(RowError(None, _exception_text(error.error)))
    for invalid in result.invalid_rows:
        for message in resource.describe(invalid.error):
            errors.append(RowError(invalid.number, message))
    for error_row in result.error_rows:
        for error in error_row.errors:
            errors.append(RowError(error_row.number, _exception_text(error.error)))
    summary.errors = sorted(errors, key=lambda e: (e.row or 0))
    if summary.errors and resource.file_error:
        summary.created = summary.updated = summary.unchanged = 0
    return summary


def _exception_text(error: BaseException) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    text = str(error)
    if isinstance(error, (ValueError, KeyError)) and text:
        return text.strip("'\"")
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def import_dataset(
    kind: str, dataset: tablib.Dataset, *, dry_run: bool = False, progress: StageProgress | None = None,
    actor=None,
) -> ImportSummary:
    """Check every row (a dry run) and, when none is invalid and `dry_run` is false, import them:
    all or nothing, in one transaction, recorded in the history as "import". `actor`: the user
    importing, held to the region rules (None: the system)."""
    cls = resource_class(kind)

    def stage(name):
        return None if progress is None else (lambda number, total: progress(name, number, total))

    with audit.entry_point(audit.IMPORT), transaction.atomic():
        checker = cls(progress=stage("check"))
        summary = summarize(checker, checker.import_data(dataset, dry_run=True, user=actor), dry_run=True)
        if summary.errors or dry_run:
            return summary
        importer = cls(progress=stage("import"))
        summary = summarize(importer, importer.import_data(dataset, dry_run=False, user=actor), dry_run=False)
        if summary.errors:  # changed since the check (another user's write): keep nothing
            transaction.set_rollback(True)
        return summary


def import_file(
    kind: str,
    source,
    format: str | None = None,
    dry_run: bool = False,
    *,
    progress: StageProgress | None = None,
) -> ImportSummary:
    """Import a CSV or XLSX file (path, bytes or open file) of `kind` records.

    Raises UnknownKind or UnreadableFile; invalid rows are reported in the summary's errors
    (and then nothing is written)."""
    resource_class(kind)
    return import_dataset(kind, read_dataset(source, format), dry_run=dry_run, progress=progress)


# ---------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------


def export_dataset(kind: str, queryset=None) -> tablib.Dataset:
    """Every record of `kind` (or those of `queryset`) with the import's columns."""
    resource = resource_class(kind)()
    return resource.export(queryset=resource.get_queryset() if queryset is None else queryset)


def render(dataset: tablib.Dataset, format: str = "csv", title: str = "records") -> bytes:
    """A dataset as CSV (UTF-8) or XLSX bytes, every cell text, through `jfo_registry.spreadsheets`
    (cells that would start a formula get a leading apostrophe, which the import removes)."""
    format = (format or "").lower()
    if format == "csv":
        return spreadsheets.csv_text([dataset.headers or [], *dataset]).encode("utf-8")
    if format == "xlsx":
        return spreadsheets.xlsx_bytes(
            dataset.headers or [], ([str(v) if v is not None else "" for v in row] for row in dataset), title=title
        )
    raise UnreadableFile(_("Unknown format '%(format)s': use csv or xlsx.") % {"format": format})


def export(kind: str, format: str = "csv") -> bytes:
    """Every record of `kind` as a CSV or XLSX file, ready to be imported again."""
    return render(export_dataset(kind), format, title=kind)
