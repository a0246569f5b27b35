"""The base serializers: strict record ids and text for every serializer, validation through
the model (`full_clean()`) and the region rule for those that write, and the shape of a history
entry."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.validators import UniqueValidator

from jfo_registry.core import permissions

from .errors import as_drf_error
from .fields import StrictCharField, StrictPrimaryKeyRelatedField, StrictSlugField


def require_item_fields(items: list[dict], names: tuple[str, ...]) -> None:
    """Raise ValidationError (400) unless every item of a nested list (dicts of validated values)
    gives each field of `names`: a partial update (PATCH) makes nested fields optional, but the
    rows are matched on these. Returns None."""
    missing = sorted({name for item in items for name in names if name not in item})
    if missing:
        raise serializers.ValidationError(_("Each item needs: %(fields)s.") % {"fields": ", ".join(missing)})


class RegistryModelSerializer(serializers.ModelSerializer):
    """Every serializer: strict record ids and strict text (a wrong type is a 400, never coerced)."""

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
        """The fields, without DRF's UniqueValidator (the model's rules decide)."""
        fields = super().get_fields()
        for field in fields.values():
            field.validators = [v for v in field.validators if not isinstance(v, UniqueValidator)]
        return fields

    def get_unique_together_validators(self):
        """None: the model's constraints decide, through `full_clean()`."""
        return []

    def model_instance(self, attrs: dict):
        """An unsaved copy of the instance with `attrs` applied.

        Args: `attrs`, the validated values by field name. Returns: a model instance (a fresh one
        on create, the stored record re-read on update) with the concrete and foreign-key fields
        set; many-to-many and reverse relations are left out. Raises DoesNotExist if the record
        was deleted meanwhile.
        """
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
        model's and the services' rules.

        Returns: `attrs`. Raises PermissionDenied (403) or ValidationError (400, per field).
        """
        attrs = super().validate(attrs)
        instance = self.model_instance(attrs)
        self.check_permission(instance, attrs)
        try:
            self.validate_instance(instance)
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        return attrs

    def check_permission(self, instance, attrs: dict) -> None:
        """Raise PermissionDenied (403) unless the actor may leave the record as `instance` (the
        stored state is checked by the viewset's object permission). Returns None."""
        if self.actor is not None:
            permissions.require_edit(self.actor, instance)

    def validate_instance(self, instance) -> None:
        """The model's rules: raises Django's ValidationError (answered 400). Returns None."""
        instance.full_clean()


class HistoryEntrySerializer(serializers.Serializer):
    """One entry of a record's history (`history.record_history`), as the `history` action lists it."""

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
