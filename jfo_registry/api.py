"""What every API resource shares: model validation, object checks on writes, filters."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from rest_framework import exceptions, serializers, viewsets
from rest_framework.settings import api_settings
from drf_spectacular.utils import extend_schema_field

from . import permissions
from .api_access import RegistryPermission


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


class ModelValidatedSerializer(serializers.ModelSerializer):
    """Validates through the model: `full_clean()` (fields, `clean()`, named constraints).

    Relations written through nested lists are left to the serializer's `save`.
    """

    def model_instance(self, attrs: dict):
        """An unsaved copy of the instance with `attrs` applied (many-to-many left out)."""
        model = self.Meta.model
        instance = model() if self.instance is None else model.objects.get(pk=self.instance.pk)
        for field, value in attrs.items():
            model_field = model._meta.get_field(field) if field in {f.name for f in model._meta.get_fields()} else None
            if model_field is not None and not model_field.many_to_many and not model_field.one_to_many:
                setattr(instance, field, value)
        return instance

    def validate(self, attrs):
        attrs = super().validate(attrs)
        instance = self.model_instance(attrs)
        try:
            self.validate_instance(instance)
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        return attrs

    def validate_instance(self, instance) -> None:
        instance.full_clean()


class RegistryViewSet(viewsets.ModelViewSet):
    """A resource: reads for every role; writes checked per object before anything is saved."""

    permission_classes = [RegistryPermission]
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def check_new_state(self, serializer) -> None:
        """The object as it would be after the write must be editable by the user too
        (a manager cannot move an assignment into another region)."""
        instance = serializer.model_instance(serializer.validated_data)
        if not permissions.can_edit(self.request.user, instance):
            self.permission_denied(self.request, message=_("You may only edit records of your own regions."))

    @transaction.atomic
    def perform_create(self, serializer):
        self.check_new_state(serializer)
        self.save(serializer)

    @transaction.atomic
    def perform_update(self, serializer):
        self.check_new_state(serializer)
        self.save(serializer)

    def save(self, serializer) -> None:
        try:
            serializer.save()
        except DjangoValidationError as error:
            raise as_drf_error(error) from error

    def perform_destroy(self, instance):
        from django.db.models import ProtectedError, RestrictedError

        try:
            instance.delete()
        except (ProtectedError, RestrictedError) as error:
            held_by = sorted({str(obj) for obj in error.protected_objects} if hasattr(error, "protected_objects") else [])
            raise exceptions.ValidationError(
                {
                    api_settings.NON_FIELD_ERRORS_KEY: [
                        _("This record is still used by other records and cannot be deleted: %(records)s.")
                        % {"records": ", ".join(held_by[:10]) + (" …" if len(held_by) > 10 else "")}
                    ]
                }
            ) from error


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
            if item.isdigit():
                condition |= Q(**{f"{self.field_name}__pk": int(item)})
            else:
                condition |= Q(**{f"{self.field_name}__{self.code_field}__iexact": item})
        return qs.filter(condition).distinct() if self.distinct else qs.filter(condition)


class FiscalYearFilter(filters.CharFilter):
    """`fiscal_year=2010-2011` (or 2010): rows whose period overlaps that fiscal year."""

    def __init__(self, *args, start_field: str = "start_date", end_field: str = "end_date", **kwargs):
        self.start_field = start_field
        self.end_field = end_field
        kwargs.setdefault("help_text", _("Active during this fiscal year: 2010-2011 or 2010."))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        from .fiscal import FiscalYear

        if not value:
            return qs
        try:
            year = FiscalYear.parse(value)
        except ValueError as error:
            raise exceptions.ValidationError({self.field_name or "fiscal_year": [str(error)]}) from error
        overlap = (Q(**{f"{self.start_field}__isnull": True}) | Q(**{f"{self.start_field}__lte": year.end})) & (
            Q(**{f"{self.end_field}__isnull": True}) | Q(**{f"{self.end_field}__gte": year.start})
        )
        result = qs.filter(overlap)
        return result.distinct() if self.distinct else result


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
