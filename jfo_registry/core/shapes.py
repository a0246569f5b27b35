"""Typed report shapes: a report's output written once, as a dataclass whose field names carry
units (`fte_years`, `salaries_cad`), from which the API schema serializer and the CSV columns
are derived.

A shape reads as the published mapping (the API and report contract of DESIGN.md): `row["fte"]`
is the field `fte_years` when that field declares `public("fte")`. Templates, the JSON renderer
and tests read it as they read a dict; `as_data()` gives the plain dict.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
import datetime
import types
import typing
from collections.abc import Iterator, Mapping
from decimal import Decimal
from functools import cache

from rest_framework import serializers


def public(
    key: str | None = None, *, help_text: str = "", omit_none: bool = False, csv: bool = True,
    nullable: bool | None = None, **kwargs,
):
    """A shape field published as `key` (default: its own name), with `help_text` for the
    schema; `omit_none`: absent from the mapping (not required in the schema) while None;
    `csv=False`: not a CSV column; `nullable=False`: never null where it is published (the
    schema says so although in-process callers may see None). Other keyword arguments go to
    `dataclasses.field`."""
    metadata = {"key": key, "help_text": help_text, "omit_none": omit_none, "csv": csv, "nullable": nullable}
    return dataclasses.field(metadata=metadata, **kwargs)


@cache
def _keys(cls) -> dict[str, str]:
    """Public key → attribute name, in field order."""
    return {field.metadata.get("key") or field.name: field.name for field in dataclasses.fields(cls)}


class Shape(Mapping):
    """Base of the report shapes (decorate subclasses with `@dataclass(eq=False)`): a mapping of
    the public keys to the fields' values, fields declared `omit_none` left out while None."""

    def __getitem__(self, key: str):
        name = _keys(type(self)).get(key)
        if name is None:
            raise KeyError(key)
        value = getattr(self, name)
        if value is None and _omitted_when_none(type(self), name):
            raise KeyError(key)
        return value

    def __iter__(self) -> Iterator[str]:
        for key, name in _keys(type(self)).items():
            if getattr(self, name) is not None or not _omitted_when_none(type(self), name):
                yield key

    def __len__(self) -> int:
        return sum(1 for _key in self)

    def as_data(self) -> dict:
        """The published dict (public keys, nested shapes as dicts), as the API sends it."""
        return {key: plain(value) for key, value in self.items()}


@cache
def _omitted_when_none(cls, name: str) -> bool:
    return next(f for f in dataclasses.fields(cls) if f.name == name).metadata.get("omit_none", False)


def plain(value):
    """`value` as plain data: shapes as their published dicts, lists and dicts walked; any other
    value as it is. Raises nothing."""
    if isinstance(value, Shape):
        return value.as_data()
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


# --- Derived: the schema serializer ------------------------------------------------------------

_SCALARS = {
    int: serializers.IntegerField,
    Decimal: serializers.FloatField,  # numbers in JSON are numbers (DESIGN.md)
    float: serializers.FloatField,
    str: serializers.CharField,
    bool: serializers.BooleanField,
    datetime.date: serializers.DateField,
    datetime.datetime: serializers.DateTimeField,
}


def _unwrap_optional(annotation):
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        return (rest[0] if len(rest) == 1 else typing.Union[tuple(rest)]), True
    return annotation, False


def _serializer_field(annotation, nullable: bool | None = None, **kwargs) -> serializers.Field:
    annotation, optional = _unwrap_optional(annotation)
    if optional if nullable is None else nullable:
        kwargs["allow_null"] = True
    origin = typing.get_origin(annotation)
    if origin in (list, tuple):
        (item,) = typing.get_args(annotation)[:1]
        if isinstance(item, type) and issubclass(item, Shape):
            return serializer_for(item)(many=True, **kwargs)
        return serializers.ListField(child=_serializer_field(item), **kwargs)
    if origin is dict or annotation is dict:
        return serializers.DictField(child=serializers.JSONField(), **kwargs)
    if isinstance(annotation, type) and issubclass(annotation, Shape):
        return serializer_for(annotation)(**kwargs)
    if isinstance(annotation, type) and issubclass(annotation, str):  # a TextChoices value
        annotation = str
    return _SCALARS[annotation](**kwargs)


@cache
def serializer_for(cls: type[Shape]) -> type[serializers.Serializer]:
    """The schema serializer of a shape (named as the shape, for the OpenAPI components): one
    field per shape field under its public key, typed from its annotation. Raises KeyError for
    an annotation it cannot map."""
    hints = typing.get_type_hints(cls)
    attrs = {}
    for field in dataclasses.fields(cls):
        key = field.metadata.get("key") or field.name
        kwargs = {}
        if field.metadata.get("help_text"):
            kwargs["help_text"] = field.metadata["help_text"]
        if field.metadata.get("omit_none"):
            kwargs["required"] = False
        attrs[key] = _serializer_field(hints[field.name], field.metadata.get("nullable"), **kwargs)
    attrs["__doc__"] = cls.__doc__
    return type(cls.__name__, (serializers.Serializer,), attrs)


# --- Derived: the CSV columns ------------------------------------------------------------------

@cache
def csv_columns(cls: type[Shape]) -> tuple[str, ...]:
    """The public keys of a row shape's CSV columns: its scalar fields and lists of scalars (not
    nested shapes or lists of them), in order, less those declared `csv=False`."""
    hints = typing.get_type_hints(cls)
    columns = []
    for field in dataclasses.fields(cls):
        annotation, _nullable = _unwrap_optional(hints[field.name])
        if typing.get_origin(annotation) in (list, tuple):
            annotation = typing.get_args(annotation)[0]
        nested = isinstance(annotation, type) and issubclass(annotation, Shape)
        if field.metadata.get("csv", True) and not nested:
            columns.append(field.metadata.get("key") or field.name)
    return tuple(columns)


def csv_values(columns: tuple[str, ...], row: Mapping) -> list:
    """`row`'s values under `columns` (public keys): "" for a missing key or a None, a list as
    its items joined by spaces."""
    return [_csv_value(row.get(column)) for column in columns]


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return " ".join(str(item) for item in value)
    return value


@dataclass(eq=False)
class Period(Shape):
    """A report's period: its first and last day (inclusive)."""

    start: datetime.date
    end: datetime.date
