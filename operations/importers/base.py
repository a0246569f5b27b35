"""The base of every registry resource: natural keys, strict validation, all-or-nothing imports
recorded as "import" in the history, unchanged rows skipped, the importing user's regions."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from import_export import resources
from import_export.results import RowResult

from jfo_registry.core import audit, permissions
from jfo_registry.core.integrity import refuse_conflicts

from .fields import SetField
from .widgets import DateWidget, cell_text, is_blank

# Resources call `progress(row_number, total_rows)` after each row.
RowProgress = Callable[[int, int], None]


class RegistryResource(resources.ModelResource):
    """What every registry resource shares: natural keys, strict validation, all-or-nothing
    imports recorded as "import" in the history, unchanged rows skipped.

    `progress`, if given, is called as `progress(row_number, total_rows)` after each row.
    """

    #: the `kind` of the function API ("agencies", ...)
    kind = ""
    #: columns a file may hold that are read on import but never exported (not model fields)
    import_only_columns: tuple[str, ...] = ()

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
        self.reason = ""
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

    def key_columns(self) -> str:
        """The columns that find a row's record, joined for messages ('employee_number, jfo, start_date')."""
        return ", ".join(self.fields[n].column_name for n in self.get_import_id_fields())

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
        signed-in one; None from the command line: the system) writes only what they may edit;
        `reason` (text) is an administrator's reason for correcting a closed fiscal year."""
        self._reset()
        self.raise_errors = raise_errors
        self.actor = kwargs.get("user")
        self.reason = (kwargs.get("reason") or "").strip()
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
        """Check the header row, find blank and repeated rows, then `prepare`. A file-level error
        (ValueError) marks the whole file invalid and is raised for import_export to report."""
        self.total_rows = len(dataset)
        try:
            self.check_headers(dataset)
            seen: dict[tuple, int] = {}
            for number, values in enumerate(dataset, 1):
                row = dict(zip(dataset.headers, values))
                if all(is_blank(v) for v in values):
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
        make the whole file invalid (ValueError with the message)."""
        if not dataset.headers:
            raise ValueError(_("The file has no header row."))
        headers = [cell_text(h).lower() for h in dataset.headers]
        dataset.headers = headers
        known = [*self.columns(), *self.import_only_columns]
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

    def row_refusal(self, number: int) -> ValidationError | None:
        """Why row `number` is refused before it is imported (found while preparing the whole
        file, e.g. a conflict with stored records), or None."""
        return None

    def import_row(self, row, instance_loader, **kwargs):
        """One row's RowResult: skipped when blank (or the file is invalid), invalid when it
        repeats an earlier row's key or `row_refusal` refuses it, else the stock import; progress
        is reported either way."""
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
                columns = self.key_columns()
                result.validation_error = ValidationError(
                    {NON_FIELD_ERRORS: [_("This row repeats row %(row)s (same %(columns)s).")
                                        % {"row": self.duplicate_rows[number], "columns": columns}]}
                )
                return result
            refusal = self.row_refusal(number)
            if refusal is not None:
                result = self.get_row_result_class()()
                result.import_type = RowResult.IMPORT_TYPE_INVALID
                result.validation_error = refusal
                return result
            return super().import_row(row, instance_loader, **kwargs)
        finally:
            if self.progress is not None and number is not None:
                self.progress(number, self.total_rows)

    def get_instance(self, instance_loader, row):
        """The stored record of the row's key, or None when the key matches nothing. Raises
        ValidationError when several records match."""
        try:
            return super().get_instance(instance_loader, row)
        except (ValueError, ObjectDoesNotExist):
            return None  # a key that matches nothing: the row's field errors say which
        except self._meta.model.MultipleObjectsReturned:
            columns = self.key_columns()
            message = _("Several %(models)s match this row's %(columns)s: correct them in the admin first.") % {
                "models": self._meta.model._meta.verbose_name_plural, "columns": columns,
            }
            raise ValidationError({NON_FIELD_ERRORS: [message]}) from None

    def save_instance(self, instance, is_create, row, **kwargs):
        """A unique value that a concurrent write took after the row was validated is the row's
        validation error, with the model's message (`jfo_registry.core.integrity`)."""
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
            permissions.require_edit(
                self.actor, stored, instance, message=_("You may only import records of your own regions.")
            )
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

