"""What every API resource shares: model validation, object checks on writes, filters."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, models
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from rest_framework import exceptions, serializers, views, viewsets
from rest_framework.decorators import action
from rest_framework.relations import MANY_RELATION_KWARGS
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.validators import UniqueValidator
from drf_spectacular.utils import extend_schema, extend_schema_field

from . import permissions
from .core import periods
from .api_access import RegistryPermission, RejectNullCharactersMixin
from .audit import RecordKept, deletion_refusal
from .history import record_history
from .integrity import as_validation_error
from .throttling import ThrottleFirstMixin


def as_drf_error(error: DjangoValidationError) -> exceptions.ValidationError:
    """Django's per-field errors as DRF's 400 body; errors of no field under `non_field_errors`."""
    if hasattr(error, "error_dict"):
        detail = {
            (api_settings.NON_FIELD_ERRORS_KEY if field == "__all__" else field): messages
            for field, messages in error.message_dict.items()
        }
    else:
        detail = {api_settings.NON_FIELD_ERRORS_KEY: error.messages}
    return exceptions.ValidationError(detail)


def exception_handler(exc, context):
    """DRF's handler, and a database refusal (a write that passed validation, then lost a race
    to a concurrent one) answers 400 with the message its validator gives, never a 500."""
    if isinstance(exc, IntegrityError):
        exc = as_drf_error(as_validation_error(exc))
    return views.exception_handler(exc, context)


class StrictManyRelatedField(serializers.ManyRelatedField):
    """A list of relations must be a list: an object is refused, not read as its keys."""

    def to_internal_value(self, data):
        if not isinstance(data, (list, tuple)):
            self.fail("not_a_list", input_type=type(data).__name__)
        return super().to_internal_value(data)


class StrictPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A record id is a whole number: 1.5, true or "1e3" are refused, not rounded to a record."""

    @classmethod
    def many_init(cls, *args, **kwargs):
        list_kwargs = {"child_relation": cls(*args, **kwargs)}
        list_kwargs.update({key: value for key, value in kwargs.items() if key in MANY_RELATION_KWARGS})
        return StrictManyRelatedField(**list_kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not (
            (isinstance(data, int)) or (isinstance(data, str) and is_record_id(data))
        ):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


class StrictTextMixin:
    """Text must be text: a number, list or object sent for a text field is refused."""

    default_error_messages = {"invalid": _("Not a valid string.")}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictCharField(StrictTextMixin, serializers.CharField):
    pass


class StrictSlugField(StrictTextMixin, serializers.SlugField):
    pass


class RegistryModelSerializer(serializers.ModelSerializer):
    """Every serializer: strict record ids and strict text."""

    serializer_related_field = StrictPrimaryKeyRelatedField
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.SlugField: StrictSlugField,
    }


class ModelValidatedSerializer(RegistryModelSerializer):
    """Validates through the model: `full_clean()` (fields, `clean()`, named constraints).

    Unique rules too are the model's (DRF's own unique validators are left out), so a duplicate
    reads the same here, in the admin and when it loses a race (`integrity.violation_of`).
    Relations written through nested lists are left to the serializer's `save`.
    """

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            field.validators = [v for v in field.validators if not isinstance(v, UniqueValidator)]
        return fields

    def get_unique_together_validators(self):
        return []

    def model_instance(self, attrs: dict):
        """An unsaved copy of the instance with `attrs` applied (many-to-many left out)."""
        model = self.Meta.model
        instance = model() if self.instance is None else model.objects.get(pk=self.instance.pk)
        for field, value in attrs.items():
            model_field = model._meta.get_field(field) if field in {f.name for f in model._meta.get_fields()} else None
            if model_field is not None and not model_field.many_to_many and not model_field.one_to_many:
                setattr(instance, field, value)
        return instance

    @property
    def actor(self):
        """The user writing through this serializer (None outside a request: the system)."""
        request = self.context.get("request")
        return None if request is None else request.user

    def validate(self, attrs):
        """The region rule first (a 403 tells nothing of another region's records), then the
        model's and the services' rules (400)."""
        attrs = super().validate(attrs)
        instance = self.model_instance(attrs)
        self.check_permission(instance, attrs)
        try:
            self.validate_instance(instance)
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        return attrs

    def check_permission(self, instance, attrs: dict) -> None:
        """Raise PermissionDenied unless the actor may leave the record as `instance` (the
        stored state is checked by the viewset's object permission)."""
        if self.actor is not None:
            permissions.require_edit(self.actor, instance)

    def validate_instance(self, instance) -> None:
        instance.full_clean()


class RecordKeptConflict(exceptions.APIException):
    status_code = 409
    default_detail = _("This record is kept for the record and cannot be deleted.")
    default_code = "record_kept"


class RecordInUseConflict(RecordKeptConflict):
    default_detail = _("This record is still used by other records and cannot be deleted.")
    default_code = "record_in_use"


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = _(
        "Send If-Match with the ETag of the version you are changing (from a GET), or If-Match: * to "
        "overwrite whatever the current version is."
    )
    default_code = "precondition_required"


class PreconditionFailed(exceptions.APIException):
    status_code = 412
    default_detail = _("Someone else changed this record since you read it: read it again, then retry.")
    default_code = "precondition_failed"


def etag_of(instance) -> str:
    """A version tag that changes with every save (every model has `last_updated`)."""
    import hashlib

    stamp = f"{instance._meta.label_lower}:{instance.pk}:{instance.last_updated.isoformat()}"
    return '"' + hashlib.sha256(stamp.encode()).hexdigest()[:32] + '"'


class HistoryEntrySerializer(serializers.Serializer):
    history_id = serializers.IntegerField()
    object_id = serializers.IntegerField()
    object = serializers.CharField()
    date = serializers.DateTimeField()
    user = serializers.CharField(help_text="Who made the change; \"system\" for management commands.")
    entry_point = serializers.ChoiceField(choices=["admin", "api", "page", "import", "command"])
    type = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    changes = serializers.ListField(
        child=serializers.DictField(),
        help_text="Each changed field: field, label, old and new value (text or null); a change of links "
        "(covered units, threats, managers) also lists the items `added` and `removed`.",
    )


FLAT_FIELD_TYPES = (
    serializers.CharField, serializers.IntegerField, serializers.DecimalField, serializers.DateField,
    serializers.DateTimeField, serializers.BooleanField, serializers.ChoiceField, serializers.FloatField,
    serializers.ReadOnlyField, serializers.PrimaryKeyRelatedField,
)


def _is_column_path(model, path: str) -> bool:
    """Does `a__b__c` lead through foreign keys to a stored column (not a property)?"""
    from django.core.exceptions import FieldDoesNotExist

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


def values_plan(serializer) -> list[tuple[str, str, serializers.Field]] | None:
    """How to read a list's rows straight from `.values()`: (output name, ORM path, field) per
    field, or None when a field needs model instances (nested lists, computed values)."""
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


def _formatter(field):
    """The field's own `to_representation`, except for date-times in the default ISO format: the
    same text, with the time zone looked up once per list rather than once per value."""
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


class RegistryViewSet(ThrottleFirstMixin, RejectNullCharactersMixin, viewsets.ModelViewSet):
    """A resource: reads for every role; writes checked per object before anything is saved.

    Lost updates are impossible: a retrieve sends an ETag, and PUT/PATCH must send it back in
    If-Match (428 without it; `*` explicitly overwrites), checked under the row's lock (412 when
    stale).
    """

    permission_classes = [RegistryPermission]
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    _values_plans: dict = {}

    def list(self, request, *args, **kwargs):
        """Flat resources are listed from `.values()` (no model instances), each value still
        formatted by its serializer field, so a row reads exactly as the record's retrieve."""
        plan = self._values_plans.get(self.get_serializer_class(), ...)
        if plan is ...:  # built once per serializer class: fields are costly to build per request
            plan = self._values_plans[self.get_serializer_class()] = values_plan(self.get_serializer())
        if plan is None:
            return super().list(request, *args, **kwargs)
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset.values(*(path for _name, path, _field in plan)))
        formatters = [(name, path, _formatter(field)) for name, path, field in plan]
        rows = [
            {name: row[path] if row[path] is None or format_value is None else format_value(row[path])
             for name, path, format_value in formatters}
            for row in (page if page is not None else queryset.values(*(p for _n, p, _f in plan)))
        ]
        return self.get_paginated_response(rows) if page is not None else Response(rows)

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = etag_of(self.get_object())
        return response

    @transaction.atomic
    def update(self, request, *args, **kwargs):
        condition = request.headers.get("If-Match")
        instance = self.get_object()  # 404 and 403 come before the precondition
        if not condition:
            raise PreconditionRequired()
        locked = type(instance).objects.select_for_update().get(pk=instance.pk)
        tags = {tag.strip() for tag in condition.split(",")}
        if "*" not in tags and etag_of(locked) not in tags and f"W/{etag_of(locked)}" not in tags:
            raise PreconditionFailed()
        response = super().update(request, *args, **kwargs)
        response["ETag"] = etag_of(type(instance).objects.get(pk=instance.pk))
        return response

    @extend_schema(responses={200: HistoryEntrySerializer(many=True)}, request=None)
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        """Every change of this record and of its parts (an arrangement's parties, a unit's
        assignments...), newest first: who, when, through which entry point, old and new values,
        links added and removed. History is read-only."""
        instance = self.get_object()
        entries = record_history(instance, limit=10_000)
        page = self.paginate_queryset(entries)
        serializer = HistoryEntrySerializer(page if page is not None else entries, many=True)
        return self.get_paginated_response(serializer.data) if page is not None else Response(serializer.data)

    @transaction.atomic
    def perform_create(self, serializer):
        self.save(serializer)

    @transaction.atomic
    def perform_update(self, serializer):
        self.save(serializer)

    def save(self, serializer) -> None:
        try:
            serializer.save()
        except DjangoValidationError as error:
            raise as_drf_error(error) from error

    def perform_destroy(self, instance):
        """Delete, or refuse with 409 Conflict and nothing deleted, body `{"detail": why}`: a kept
        record (`detail` says what to do instead), or a record other records still use (`detail`
        names up to ten of them), the latter also when a concurrent write began using it."""
        from django.db.models import ProtectedError, RestrictedError

        reason = deletion_refusal(instance)
        if reason:
            raise RecordKeptConflict(reason)
        try:
            with transaction.atomic():  # a kept record among the cascade rolls back only this
                instance.delete()
        except RecordKept as error:
            raise RecordKeptConflict(error.reason) from error
        except (ProtectedError, RestrictedError) as error:
            held_by = getattr(error, "protected_objects", None) or getattr(error, "restricted_objects", ())
            raise RecordInUseConflict(in_use_message(sorted({str(obj) for obj in held_by}))) from error
        except IntegrityError as error:  # a row referencing it was committed after the check
            raise RecordInUseConflict() from error


def in_use_message(held_by: list[str]) -> str | None:
    """The refusal naming up to ten of the records that hold it (None without any: the default)."""
    if not held_by:
        return None
    return _("This record is still used by other records and cannot be deleted: %(records)s.") % {
        "records": ", ".join(held_by[:10]) + (" …" if len(held_by) > 10 else "")
    }


def is_record_id(value: str) -> bool:
    """Only ASCII digits make an id ("²".isdigit() is true, int("²") fails)."""
    return bool(re.fullmatch(r"[0-9]{1,18}", value))


class IdOrCodeFilter(filters.CharFilter):
    """A foreign key given by id or by code/acronym; several values separated by commas."""

    def __init__(self, *args, code_field: str, **kwargs):
        self.code_field = code_field
        kwargs.setdefault("lookup_expr", "exact")
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        condition = Q()
        for item in (part.strip() for part in str(value).split(",")):
            if not item:
                continue
            if is_record_id(item):
                condition |= Q(**{f"{self.field_name}__pk": int(item)})
            else:
                condition |= Q(**{f"{self.field_name}__{self.code_field}__iexact": item})
        return qs.filter(condition).distinct() if self.distinct else qs.filter(condition)


class FiscalYearFormField(forms.CharField):
    """A fiscal year in a filter form: 2010-2011 or 2010; anything else is a field error."""

    def clean(self, value):
        from .fiscal import FiscalYear

        value = super().clean(value)
        if value in (None, ""):
            return None
        try:
            return FiscalYear.parse(value)
        except ValueError as error:
            # django-filter %-formats messages: the user's own % signs must survive it.
            raise forms.ValidationError(str(error).replace("%", "%%"), code="invalid") from error


@extend_schema_field({"type": "string", "example": "2010-2011"})
class FiscalYearValueFilter(filters.Filter):
    """A fiscal year (2010-2011 or 2010) handed to the filter method as a FiscalYear."""

    field_class = FiscalYearFormField


@extend_schema_field({"type": "string", "example": "2010-2011"})
class FiscalYearFilter(filters.Filter):
    """`fiscal_year=2010-2011` (or 2010): rows whose period overlaps that fiscal year."""

    field_class = FiscalYearFormField

    def __init__(self, *args, start_field: str = "start_date", end_field: str = "end_date", **kwargs):
        self.start_field = start_field
        self.end_field = end_field
        kwargs.setdefault("help_text", _("Active during this fiscal year: 2010-2011 or 2010."))
        super().__init__(*args, **kwargs)

    def filter(self, qs, year):
        if year is None:
            return qs
        result = qs.filter(
            periods.overlaps_q(year.start, year.end, start_field=self.start_field, end_field=self.end_field, open_start=True)
        )
        return result.distinct() if self.distinct else result


class StrictBooleanFormField(forms.NullBooleanField):
    """true/false (or 1/0); anything else is an error, not silently "any"."""

    widget = forms.TextInput
    TRUE, FALSE = {"true", "1", "yes", "on"}, {"false", "0", "no", "off"}

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise forms.ValidationError(_("Use true or false."), code="invalid")

    def validate(self, value):
        pass


@extend_schema_field({"type": "boolean"})
class StrictBooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanFormField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput)  # DRF's BooleanWidget would turn junk into "any"
        super().__init__(*args, **kwargs)


YES_NO_ANY = forms.Select(choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))])


class RegistryFilterSet(filters.FilterSet):
    """Every filter set: boolean fields refuse values other than true/false."""

    FILTER_DEFAULTS = {**filters.FilterSet.FILTER_DEFAULTS, models.BooleanField: {"filter_class": StrictBooleanFilter}}


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{4}$", "example": "2010-2011"})
class FiscalYearField(serializers.Field):
    """A fiscal year stored as its starting year (2010) and shown as "2010-2011"."""

    default_error_messages = {"invalid": _("Use the form 2010-2011 or 2010.")}

    def to_representation(self, value):
        from .fiscal import FiscalYear

        return FiscalYear(value).label

    def to_internal_value(self, data):
        from .fiscal import FiscalYear

        if not isinstance(data, (str, int)) or isinstance(data, bool):
            self.fail("invalid")
        try:
            return FiscalYear.parse(data).start_year
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from error


class TextSearchFilter(filters.CharFilter):
    """`q` on the pages: every word must appear in one of `search_fields` (as DRF's SearchFilter)."""

    def __init__(self, *args, search_fields: list[str], **kwargs):
        self.search_fields = search_fields
        kwargs.setdefault("label", _("Search"))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        for word in str(value or "").split():
            condition = Q()
            for field in self.search_fields:
                condition |= Q(**{f"{field}__icontains": word})
            qs = qs.filter(condition)
        return qs.distinct() if value and any("__" in f for f in self.search_fields) else qs


@extend_schema_field({"type": "string", "example": "2011-03-31T23:59:59-04:00",
                      "description": "A date (end of that day, Toronto time) or a date and time."})
class AsOfField(serializers.Field):
    """`as_of=2011-03-31` (the end of that day) or an ISO date-time: the registry as it stood then."""

    default_error_messages = {"invalid": _("Use a date (2011-03-31) or a date and time (2011-03-31T17:00).")}

    def to_representation(self, value):
        return value.isoformat()

    def to_internal_value(self, data):
        import datetime

        from django.utils import timezone
        from django.utils.dateparse import parse_date, parse_datetime

        if not isinstance(data, str):
            self.fail("invalid")
        try:
            moment = parse_datetime(data)
            if moment is None:
                day = parse_date(data)
                if day is None:
                    self.fail("invalid")
                moment = datetime.datetime.combine(day, datetime.time.max)
        except ValueError:
            self.fail("invalid")
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return moment


def nullable_text(source: str, help_text: str = ""):
    """A read-only text taken from a relation that may be missing: null then, in every answer
    (partial updates included), and documented as nullable."""

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
