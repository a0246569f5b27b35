"""Serializer fields that refuse what they cannot read exactly: record ids, text, fiscal years,
moments, and read-only texts taken from a relation that may be missing. A refusal is a field
error: DRF answers 400 with `{field: [message]}`."""

from __future__ import annotations

import datetime
import re

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.relations import MANY_RELATION_KWARGS

from jfo_registry.core.fiscal import FiscalYear


def is_record_id(value: str) -> bool:
    """Is `value` (text) a record id: 1 to 18 ASCII digits ("²".isdigit() is true, int("²") fails)?

    Returns: True or False; raises nothing.
    """
    return bool(re.fullmatch(r"[0-9]{1,18}", value))


class StrictManyRelatedField(serializers.ManyRelatedField):
    """A list of relations must be a list: an object is refused (400, `not_a_list`), not read as
    its keys."""

    def to_internal_value(self, data):
        """Returns: the related records (a list); raises ValidationError (400) for a non-list."""
        if not isinstance(data, (list, tuple)):
            self.fail("not_a_list", input_type=type(data).__name__)
        return super().to_internal_value(data)


class StrictPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A record id is a whole number: 1.5, true or "1e3" are refused (400, `incorrect_type`), not
    rounded to a record."""

    @classmethod
    def many_init(cls, *args, **kwargs):
        """`many=True`: a StrictManyRelatedField around one of these."""
        list_kwargs = {"child_relation": cls(*args, **kwargs)}
        list_kwargs.update({key: value for key, value in kwargs.items() if key in MANY_RELATION_KWARGS})
        return StrictManyRelatedField(**list_kwargs)

    def to_internal_value(self, data):
        """Args: `data`, an int or a text of digits. Returns: the record. Raises ValidationError
        (400): another type (`incorrect_type`), no such record (`does_not_exist`)."""
        if isinstance(data, bool) or not (
            (isinstance(data, int)) or (isinstance(data, str) and is_record_id(data))
        ):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


class StrictTextMixin:
    """Text must be text: a number, list or object sent for a text field is refused (400,
    "Not a valid string.")."""

    default_error_messages = {"invalid": _("Not a valid string.")}

    def to_internal_value(self, data):
        """Returns: the text, as the field reads it; raises ValidationError (400) for a non-text."""
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictCharField(StrictTextMixin, serializers.CharField):
    """A CharField that refuses anything but text (400)."""


class StrictSlugField(StrictTextMixin, serializers.SlugField):
    """A SlugField that refuses anything but text (400)."""


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{4}$", "example": "2010-2011"})
class FiscalYearField(serializers.Field):
    """A fiscal year stored as its starting year (2010, an int) and shown as "2010-2011"."""

    default_error_messages = {"invalid": _("Use the form 2010-2011 or 2010.")}

    def to_representation(self, value):
        """Args: the starting year (int). Returns: the label, "2010-2011"."""
        return FiscalYear(value).label

    def to_internal_value(self, data):
        """Args: "2010-2011", "2010" or 2010. Returns: the starting year (int). Raises
        ValidationError (400): another type, or a text that is no fiscal year."""
        if not isinstance(data, (str, int)) or isinstance(data, bool):
            self.fail("invalid")
        try:
            return FiscalYear.parse(data).start_year
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from error


@extend_schema_field({"type": "string", "example": "2011-03-31T23:59:59-04:00",
                      "description": "A date (end of that day, Toronto time) or a date and time."})
class AsOfField(serializers.Field):
    """`as_of=2011-03-31` (the end of that day) or an ISO date-time: the registry as it stood then."""

    default_error_messages = {
        "invalid": _("Use a date (2011-03-31) or a date and time (2011-03-31T17:00)."),
        "out_of_range": _("This moment is out of range: use a date between the years 1 and 9999."),
    }

    def to_representation(self, value):
        """Args: an aware datetime. Returns: its ISO 8601 text."""
        return value.isoformat()

    def to_internal_value(self, data):
        """Args: a date or a date-time (text). Returns: an aware datetime in the current time zone
        (a date: 23:59:59.999999 that day; a date-time with an offset: that moment). Raises
        ValidationError (400): `invalid` for anything else (an impossible date or time, an offset
        of a day or more), `out_of_range` for a moment that cannot be written in UTC and in the
        current time zone (year 1 or 9999 at their ends)."""
        if not isinstance(data, str):
            self.fail("invalid")
        try:
            # A plain date first: Django's date-time parser would read it as that day's midnight.
            day = parse_date(data)
            if day is not None:
                moment = datetime.datetime.combine(day, datetime.time.max)
            else:
                moment = parse_datetime(data)
                if moment is None:
                    self.fail("invalid")
        except ValueError:
            self.fail("invalid")
        try:
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
            # The database compares in UTC (and PostgreSQL refuses offsets past 15:59): the moment
            # must be written in both, so it is given in the current time zone.
            moment.astimezone(datetime.UTC)
            return timezone.localtime(moment)
        except (OverflowError, ValueError):
            self.fail("out_of_range")


def nullable_text(source: str, help_text: str = "") -> serializers.Field:
    """A read-only text taken from a relation that may be missing: null then, in every answer
    (partial updates included), and documented as nullable.

    Args: `source`, a dotted path from the record ("unit.region.name"); `help_text` for the schema.
    Returns: a read-only serializer field whose value is text or None; its `values_path` (the
    ORM path, "unit__region__name") lets a list read it from `.values()` (`listing.values_plan`).
    """

    @extend_schema_field({"type": "string", "nullable": True, "readOnly": True})
    class NullableText(serializers.Field):
        def __init__(self, **kwargs):
            super().__init__(source="*", read_only=True, **kwargs)

        def to_representation(self, instance):
            value = instance
            for part in source.split("."):
                value = getattr(value, part, None)
                if value is None:
                    return None
            return str(value)

    field = NullableText(help_text=help_text)
    field.values_path = source.replace(".", "__")
    return field
