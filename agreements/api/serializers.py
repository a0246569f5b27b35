from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from jfo_registry.core.api.errors import as_drf_error
from jfo_registry.core.api.fields import StrictCharField, nullable_text
from jfo_registry.core.api.serializers import ModelValidatedSerializer, RegistryModelSerializer, require_item_fields

from .. import services
from ..choices import ArrangementStatus
from ..documents import validate_document
from ..models import (
    Arrangement, ArrangementDocument, ArrangementParty, ConditionCoverage, GapAction,
    InformationSharingCondition,
)
from ..selectors import effective_status_of

TIMESTAMPS = ["created", "last_updated"]


class InformationSharingConditionSerializer(ModelValidatedSerializer):
    text = serializers.CharField(read_only=True, help_text="The condition in the request's language.")

    class Meta:
        model = InformationSharingCondition
        fields = ["id", "letter", "text", "text_en", "text_fr", *TIMESTAMPS]


class ArrangementPartySerializer(RegistryModelSerializer):
    agency_acronym = serializers.CharField(source="agency.acronym", read_only=True)

    class Meta:
        model = ArrangementParty
        fields = ["agency", "agency_acronym", "role"]


class ConditionCoverageSerializer(RegistryModelSerializer):
    letter = serializers.CharField(source="condition.letter", read_only=True)

    class Meta:
        model = ConditionCoverage
        fields = ["condition", "letter", "status", "clause_reference"]


class ArrangementSerializer(ModelValidatedSerializer):
    parties = ArrangementPartySerializer(many=True, required=False)
    condition_coverages = ConditionCoverageSerializer(many=True, required=False)
    jfo_acronyms = serializers.SlugRelatedField(source="jfos", slug_field="acronym", many=True, read_only=True)
    effective_status = serializers.SerializerMethodField(
        help_text="The status as reports see it today: in force but past its expiry date counts as expired, and in force "
        "before its effective date as not_yet_in_force.",
    )
    reason = StrictCharField(
        write_only=True, required=False, allow_blank=True, max_length=2000,
        help_text="An administrator's reason for a change of the covered units or period inside a closed fiscal "
        "year (refused without one, and to anyone else).",
    )

    class Meta:
        model = Arrangement
        fields = [
            "id", "reference", "title", "kind", "status", "signed_date", "effective_date", "expiry_date",
            "review_date", "notice_period_days", "supersedes", "jfos", "jfo_acronyms", "parties",
            "condition_coverages", "joint_management_team", "financial_commitments",
            "intelligence_and_investigation_mandates", "notes", "effective_status", "reason", *TIMESTAMPS,
        ]

    def validate_parties(self, value):
        require_item_fields(value, ("agency",))
        agencies = [item["agency"].pk for item in value]
        if len(agencies) != len(set(agencies)):
            raise serializers.ValidationError("Each agency may appear only once.")
        return value

    def validate_condition_coverages(self, value):
        require_item_fields(value, ("condition",))
        conditions = [item["condition"].pk for item in value]
        if len(conditions) != len(set(conditions)):
            raise serializers.ValidationError("Each condition may appear only once.")
        return value

    def check_permission(self, instance, attrs: dict) -> None:
        services.check_arrangement_write(actor=self.actor, arrangement=instance, jfos=attrs.get("jfos"))
        services.check_arrangement_rows(
            actor=self.actor, arrangement=instance, parties=attrs.get("parties"),
            coverages=attrs.get("condition_coverages"),
        )

    def validate_instance(self, instance) -> None:
        services.arrangement_validate(instance)

    def validate(self, attrs):
        """As every model's, then the closed-year rule of coverage (400 naming the year)."""
        attrs = super().validate(attrs)
        try:
            services.check_coverage_closed_years(
                actor=self.actor, arrangement=self.model_instance(attrs), jfos=attrs.get("jfos"),
                reason=attrs.get("reason", ""),
            )
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        return attrs

    @extend_schema_field(serializers.ChoiceField(choices=ArrangementStatus.choices))
    def get_effective_status(self, arrangement) -> str:
        return effective_status_of(arrangement, timezone.localdate())

    @transaction.atomic
    def create(self, validated_data):
        parties = validated_data.pop("parties", [])
        coverages = validated_data.pop("condition_coverages", [])
        jfos = validated_data.pop("jfos", [])
        reason = validated_data.pop("reason", "")
        arrangement = services.arrangement_save(Arrangement(**validated_data), actor=self.actor, jfos=jfos, reason=reason)
        self._replace(arrangement, ArrangementParty, "agency", parties)
        self._replace(arrangement, ConditionCoverage, "condition", coverages)
        return arrangement

    @transaction.atomic
    def update(self, instance, validated_data):
        parties = validated_data.pop("parties", None)
        coverages = validated_data.pop("condition_coverages", None)
        jfos = validated_data.pop("jfos", None)
        reason = validated_data.pop("reason", "")
        for field, value in validated_data.items():
            setattr(instance, field, value)
        arrangement = services.arrangement_save(instance, actor=self.actor, jfos=jfos, reason=reason)
        if parties is not None:
            self._replace(arrangement, ArrangementParty, "agency", parties)
        if coverages is not None:
            self._replace(arrangement, ConditionCoverage, "condition", coverages)
        return arrangement

    @staticmethod
    def _replace(arrangement, model, key: str, items):
        """The list given replaces the arrangement's rows of `model`, matched on `key`."""
        wanted = {item[key].pk: item for item in items}
        model.objects.filter(arrangement=arrangement).exclude(**{f"{key}__in": list(wanted)}).delete()
        for pk, item in wanted.items():
            row = model.objects.filter(arrangement=arrangement, **{key: pk}).first() or model(arrangement=arrangement)
            for field, value in item.items():
                setattr(row, field, value)
            row.full_clean()
            row.save()


class TransitionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ArrangementStatus.choices)
    signed_date = serializers.DateField(required=False)
    effective_date = serializers.DateField(required=False)
    reason = StrictCharField(
        required=False, allow_blank=True, max_length=2000,
        help_text="An administrator's reason for a change of a closed fiscal year's coverage (refused without one).",
    )


class RenewSerializer(serializers.Serializer):
    reference = StrictCharField(max_length=50)
    title = StrictCharField(max_length=300, required=False)


class ArrangementDocumentSerializer(RegistryModelSerializer):
    uploaded_by = nullable_text("uploaded_by.username")
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ArrangementDocument
        fields = ["id", "arrangement", "kind", "title", "file", "content_type", "size", "uploaded_by", "created",
                  "download_url"]
        read_only_fields = ["arrangement", "content_type", "size", "uploaded_by", "created"]
        extra_kwargs = {"file": {"write_only": True}}

    def get_download_url(self, document) -> str:
        return reverse("arrangement-document-download", args=[document.pk])

    def validate_file(self, uploaded):
        try:
            self.detected_content_type = validate_document(uploaded)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error
        return uploaded


class GapActionSerializer(ModelValidatedSerializer):
    jfo_acronym = nullable_text("jfo.acronym")
    arrangement_reference = nullable_text("arrangement.reference")

    class Meta:
        model = GapAction
        fields = ["id", "jfo", "jfo_acronym", "arrangement", "arrangement_reference", "action", "owner", "due_date",
                  "status", "notes", *TIMESTAMPS]
