"""Uniqueness under concurrency: a database refusal read back as the model rule it enforces.

Two writes of the same unique value can both pass validation and then race to the database,
which refuses the second (IntegrityError). `violation_of` names the rule behind the refusal and
gives the error its validator would have given, on the same field with the same message, so the
loser of a race reads exactly what it would have read a moment later. Every entry point uses it:
the services (`refuse_conflicts`), the API (its exception handler) and the admin (its forms).
"""

from __future__ import annotations

import re
from contextlib import contextmanager

from django.apps import apps
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext_lazy as _

CONFLICT_MESSAGE = _(
    "Someone else saved a conflicting change at the same moment: nothing was saved. Check your "
    "entries against the current records and try again."
)

# SQLite: "UNIQUE constraint failed: table.col1, table.col2" / "CHECK constraint failed: name".
_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (?P<columns>[\w.]+(?:, [\w.]+)*)")
_SQLITE_NAMED = re.compile(r"(?:CHECK|UNIQUE) constraint failed: (?:index '(?P<index>\w+)'|(?P<name>\w+)$)")
# PostgreSQL's detail of a unique violation: "Key (col1, col2)=(...) already exists."
_POSTGRES_KEY = re.compile(r"Key \((?P<columns>[^)]*)\)=")


def _refusal(error: IntegrityError) -> tuple[str | None, str | None, tuple[str, ...]]:
    """(table, constraint name, columns) as far as the database tells them."""
    diag = getattr(error.__cause__, "diag", None)
    if diag is not None:  # PostgreSQL (psycopg)
        key = _POSTGRES_KEY.match(diag.message_detail or "")
        columns = tuple(c.strip().strip('"') for c in key["columns"].split(",")) if key else ()
        return diag.table_name, diag.constraint_name, columns
    text = str(error)
    unique = _SQLITE_UNIQUE.search(text)
    if unique:
        qualified = [column.split(".") for column in unique["columns"].split(", ")]
        if all(len(parts) == 2 for parts in qualified):
            return qualified[0][0], None, tuple(column for _table, column in qualified)
    named = _SQLITE_NAMED.search(text)
    if named:
        return None, named["index"] or named["name"], ()
    return None, None, ()


def _keyed(fields: tuple[str, ...], error: ValidationError) -> ValidationError:
    """Keyed as `full_clean()` keys it: a one-field unique rule on its field, others on none."""
    if len(fields) == 1 and error.code == "unique":
        return ValidationError({fields[0]: [error]})
    return ValidationError({NON_FIELD_ERRORS: [error]})


def _unique_constraint_error(model, constraint: models.UniqueConstraint) -> ValidationError:
    """What `UniqueConstraint.validate()` raises for this constraint."""
    if constraint.fields and constraint.violation_error_message == constraint.default_violation_error_message:
        return model().unique_error_message(model, constraint.fields)
    return ValidationError(constraint.get_violation_error_message(), code=constraint.violation_error_code)


def _model_rules(model):
    """(constraint name or None, columns, the validator's error) for every unique and check rule."""
    meta = model._meta
    for field in meta.concrete_fields:
        if field.unique and not field.primary_key:
            yield None, (field.column,), _keyed((field.name,), model().unique_error_message(model, (field.name,)))
    for together in meta.unique_together:
        columns = tuple(meta.get_field(name).column for name in together)
        yield None, columns, _keyed(tuple(together), model().unique_error_message(model, tuple(together)))
    for constraint in meta.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            columns = tuple(meta.get_field(name).column for name in constraint.fields)
            yield constraint.name, columns, _keyed(tuple(constraint.fields), _unique_constraint_error(model, constraint))
        elif isinstance(constraint, models.CheckConstraint):
            error = ValidationError(constraint.get_violation_error_message(), code=constraint.violation_error_code)
            yield constraint.name, (), _keyed((), error)


def violation_of(error: IntegrityError) -> ValidationError | None:
    """The error the model's own validation gives for the rule the database enforced
    (`{field: [message]}` for a one-field unique rule, `{"__all__": [message]}` otherwise), or
    None when the refusal matches no unique or check rule of an installed model.

    The rule is found by its name when the database gives one that a model declares (named
    constraints), else by its table and columns (`unique=True` fields, whose names the database
    chooses; SQLite names no unique rule)."""
    table, name, columns = _refusal(error)
    rules = [
        rule
        for model in apps.get_models(include_auto_created=True)
        if table in (None, model._meta.db_table)
        for rule in _model_rules(model)
    ]
    for rule_name, _columns, rule_error in rules:
        if name is not None and rule_name == name:
            return rule_error
    for _name, rule_columns, rule_error in rules:
        if columns and table is not None and set(rule_columns) == set(columns):
            return rule_error
    return None


def as_validation_error(error: IntegrityError) -> ValidationError:
    """`violation_of(error)`, or a general "saved at the same moment" refusal."""
    return violation_of(error) or ValidationError({NON_FIELD_ERRORS: [CONFLICT_MESSAGE]}, code="conflict")


@contextmanager
def refuse_conflicts():
    """Run writes in a savepoint; a database refusal comes out as the ValidationError of the rule
    (see `violation_of`), with nothing written and the surrounding transaction still usable."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as error:
        raise as_validation_error(error) from error


def form_showing(form_class, error: ValidationError):
    """`form_class` that also reports `error` (a refusal met after the form was validated), each
    message once, on its field when the form has it, else above the form."""

    class RefusedForm(form_class):
        def _post_clean(self):
            super()._post_clean()
            for field, messages in error.message_dict.items():
                target = field if field in self.fields else None
                shown = self._errors.get(target or NON_FIELD_ERRORS, [])
                for message in messages:
                    if message not in shown:
                        self.add_error(target, message)

    RefusedForm.__name__ = form_class.__name__
    return RefusedForm
