"""A flat list read straight from `.values()` (no model instances), each value still formatted by
its serializer field, so a row reads exactly as the record's retrieve."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings as django_settings
from django.core.exceptions import FieldDoesNotExist
from rest_framework import serializers
from rest_framework.settings import api_settings

FLAT_FIELD_TYPES = (
    serializers.CharField, serializers.IntegerField, serializers.DecimalField, serializers.DateField,
    serializers.DateTimeField, serializers.BooleanField, serializers.ChoiceField, serializers.FloatField,
    serializers.ReadOnlyField, serializers.PrimaryKeyRelatedField,
)


def _is_column_path(model, path: str) -> bool:
    """Does `a__b__c` lead through foreign keys to a stored column (not a property)?"""
    parts = path.split("__")
    for index, part in enumerate(parts):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        if field.many_to_many or field.one_to_many:
            return False
        if index < len(parts) - 1:
            if not field.is_relation:
                return False
            model = field.related_model
    return True


def values_plan(serializer) -> list[tuple[str, str, serializers.Field | None]] | None:
    """How to read a list's rows straight from `.values()`.

    Args: `serializer`, a model serializer instance. Returns: one (output name, ORM path, field)
    per readable field, the field None where `.values()` already gives the shown value (a
    related id); or None when a field needs model instances (nested lists, computed values).
    Raises nothing.
    """
    model = serializer.Meta.model
    plan = []
    for name, field in serializer.fields.items():
        if field.write_only:
            continue
        path = getattr(field, "values_path", None)
        if path is None:
            if not isinstance(field, FLAT_FIELD_TYPES) or isinstance(field, serializers.ManyRelatedField) or field.source == "*":
                return None
            path = field.source.replace(".", "__")
        if not _is_column_path(model, path):
            return None
        # A related field shows the id `.values()` already gives; others format as in retrieve.
        plan.append((name, path, None if isinstance(field, serializers.PrimaryKeyRelatedField) else field))
    return plan


def formatter(field: serializers.Field | None) -> Callable | None:
    """How a list formats one column's values.

    Args: a plan's field (None: shown as stored). Returns: the field's own `to_representation`,
    except for date-times in the default ISO format: the same text, with the time zone looked up
    once per list rather than once per value; None for None.
    """
    if field is None:
        return None
    if isinstance(field, serializers.DateTimeField) and getattr(field, "format", None) in (None, serializers.empty) and (
        api_settings.DATETIME_FORMAT == "iso-8601"
    ):
        zone = field.default_timezone() if django_settings.USE_TZ else None

        def iso(value):
            text = (value.astimezone(zone) if zone is not None else value).isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text

        return iso
    return field.to_representation
