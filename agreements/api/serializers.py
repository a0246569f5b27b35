from django.db import transaction
from rest_framework import serializers

from jfo_registry.api import ModelValidatedSerializer

from ..models import Arrangement, ArrangementParty, ConditionCoverage, InformationSharingCondition

TIMESTAMPS = ["created", "last_updated"]


class InformationSharingConditionSerializer(ModelValidatedSerializer):
    text = serializers.CharField(read_only=True, help_text="The condition in the request's language.")

    class Meta:
        model = InformationSharingCondition
        fields = ["id", "letter", "text", "text_en", "text_fr", *TIMESTAMPS]


class ArrangementPartySerializer(serializers.ModelSerializer):
    agency_acronym = serializers.CharField(source="agency.acronym", read_only=True)

    class Meta:
        model = ArrangementParty
        fields = ["agency", "agency_acronym", "role"]


class ConditionCoverageSerializer(serializers.ModelSerializer):
    letter = serializers.CharField(source="condition.letter", read_only=True)

    class Meta:
        model = ConditionCoverage
        fields = ["condition", "letter", "status", "clause_reference"]


class ArrangementSerializer(ModelValidatedSerializer):
    parties = ArrangementPartySerializer(many=True, required=False)
    condition_coverages = ConditionCoverageSerializer(many=True, required=False)
    jfo_acronyms = serializers.SlugRelatedField(source="jfos", slug_field="acronym", many=True, read_only=True)

    class Meta:
        model = Arrangement
        fields = [
            "id", "reference", "title", "kind", "status", "signed_date", "effective_date", "expiry_date",
            "review_date", "notice_period_days", "supersedes", "jfos", "jfo_acronyms", "parties",
            "condition_coverages", "joint_management_team", "financial_commitments",
            "intelligence_and_investigation_mandates", "notes", *TIMESTAMPS,
        ]

    def validate_parties(self, value):
        agencies = [item["agency"].pk for item in value]
        if len(agencies) != len(set(agencies)):
            raise serializers.ValidationError("Each agency may appear only once.")
        return value

    def validate_condition_coverages(self, value):
        conditions = [item["condition"].pk for item in value]
        if len(conditions) != len(set(conditions)):
            raise serializers.ValidationError("Each condition may appear only once.")
        return value

    @transaction.atomic
    def create(self, validated_data):
        parties = validated_data.pop("parties", [])
        coverages = validated_data.pop("condition_coverages", [])
        arrangement = super().create(validated_data)
        self._replace(arrangement, ArrangementParty, "agency", parties)
        self._replace(arrangement, ConditionCoverage, "condition", coverages)
        return arrangement

    @transaction.atomic
    def update(self, instance, validated_data):
        parties = validated_data.pop("parties", None)
        coverages = validated_data.pop("condition_coverages", None)
        arrangement = super().update(instance, validated_data)
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
