from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from jfo_registry.core.api.errors import as_drf_error
from jfo_registry.core.api.fields import FiscalYearField, StrictCharField, StrictPrimaryKeyRelatedField, nullable_text
from jfo_registry.core.api.serializers import ModelValidatedSerializer, RegistryModelSerializer, require_item_fields

from .. import services
from ..choices import Classification, JfoType, Position
from ..models import (
    Agency, Assignment, CostingPolicy, JointForceOperation, Officer, OfficerPeriod, Participation, Program, Region,
    SalaryRate,
    Threat,
    UnitPeriod,
    validate_fte,
)

TIMESTAMPS = ["created", "last_updated"]


class RegionSerializer(ModelValidatedSerializer):
    name = serializers.CharField(read_only=True, help_text="Name in the request's language.")

    class Meta:
        model = Region
        fields = ["id", "code", "name", "name_en", "name_fr", *TIMESTAMPS]


class AgencySerializer(ModelValidatedSerializer):
    name = serializers.CharField(read_only=True, help_text="Name in the request's language.")
    parent_acronym = nullable_text("parent.acronym")

    class Meta:
        model = Agency
        fields = [
            "id", "acronym", "name", "name_en", "name_fr", "jurisdiction", "country", "parent", "parent_acronym",
            "active", *TIMESTAMPS,
        ]


class ThreatSerializer(ModelValidatedSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = Threat
        fields = ["id", "code", "name", "name_en", "name_fr", "risk_level", *TIMESTAMPS]


class ProgramSerializer(ModelValidatedSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = Program
        fields = ["id", "code", "name", "name_en", "name_fr", "default_jfo_type", *TIMESTAMPS]


class ParticipationSerializer(RegistryModelSerializer):
    agency_acronym = serializers.CharField(source="agency.acronym", read_only=True)

    class Meta:
        model = Participation
        fields = ["agency", "agency_acronym", "role"]


class UnitPeriodSerializer(RegistryModelSerializer):
    region_code = serializers.CharField(source="region.code", read_only=True)
    program_code = nullable_text("program.code")

    class Meta:
        model = UnitPeriod
        fields = ["id", "start_date", "end_date", "region", "region_code", "jfo_type", "program", "program_code"]
        read_only_fields = fields


class JointForceOperationSerializer(ModelValidatedSerializer):
    """A JFO unit; `periods` are its region, type and program over time. A PUT or PATCH of
    region, jfo_type or program records the change from today (`services.unit_save`); the
    `change` operation records it from another day."""

    region_code = serializers.CharField(source="region.code", read_only=True)
    program_code = nullable_text("program.code")
    participations = ParticipationSerializer(many=True, required=False)
    periods = UnitPeriodSerializer(many=True, read_only=True)
    reason = StrictCharField(
        write_only=True, required=False, allow_blank=True, max_length=2000,
        help_text="An administrator's reason for a change of the lead agencies on days of a closed fiscal year "
        "the unit had assignments (refused without one; recorded as the year's correction).",
    )

    class Meta:
        model = JointForceOperation
        fields = [
            "id", "acronym", "name", "jfo_type", "program", "program_code", "region", "region_code", "objectives",
            "threats", "participations", "co_located", "has_joint_management_team", "status", "start_date",
            "end_date", "periods", "reason", *TIMESTAMPS,
        ]

    def validate_participations(self, value):
        require_item_fields(value, ("agency", "role"))
        agencies = [item["agency"].pk for item in value]
        if len(agencies) != len(set(agencies)):
            raise serializers.ValidationError("Each agency may appear only once.")
        return value

    def check_permission(self, instance, attrs: dict) -> None:
        super().check_permission(instance, attrs)
        services.check_participations_write(actor=self.actor, jfo=instance, participations=attrs.get("participations"))

    def validate(self, attrs):
        """The model's and services' rules, then those of a change of the participations
        (`services.check_participations_change`: a change of the leads inside a closed year)."""
        attrs = super().validate(attrs)
        if self.instance is not None:
            try:
                services.check_participations_change(
                    actor=self.actor, jfo=self.instance, participations=attrs.get("participations"),
                    reason=attrs.get("reason", ""),
                )
            except DjangoValidationError as error:
                raise as_drf_error(error) from error
        return attrs

    @transaction.atomic
    def create(self, validated_data):
        reason = validated_data.pop("reason", "")
        participations = validated_data.pop("participations", [])
        threats = validated_data.pop("threats", [])
        jfo = services.unit_save(JointForceOperation(**validated_data), actor=self.actor, reason=reason)
        jfo.threats.set(threats)
        self._set_participations(jfo, participations, reason)
        return jfo

    @transaction.atomic
    def update(self, instance, validated_data):
        """A changed region, type or program takes effect from today (`services.unit_save`)."""
        reason = validated_data.pop("reason", "")
        participations = validated_data.pop("participations", None)
        threats = validated_data.pop("threats", None)
        for field, value in validated_data.items():
            setattr(instance, field, value)
        jfo = services.unit_save(instance, actor=self.actor, reason=reason)
        if threats is not None:
            jfo.threats.set(threats)
        if participations is not None:
            self._set_participations(jfo, participations, reason)
        return jfo

    def _set_participations(self, jfo, participations, reason: str):
        """The list given replaces the unit's participations (`services.participations_replace`)."""
        try:
            services.participations_replace(jfo, participations, actor=self.actor, reason=reason)
        except DjangoValidationError as error:
            raise as_drf_error(error) from error


class OfficerPeriodSerializer(RegistryModelSerializer):
    home_region_code = serializers.CharField(source="home_region.code", read_only=True)

    class Meta:
        model = OfficerPeriod
        fields = ["id", "start_date", "end_date", "classification", "position", "home_region", "home_region_code"]
        read_only_fields = fields


class OfficerSerializer(ModelValidatedSerializer):
    """An officer; `periods` are their classification, position and home region over time. A
    PUT or PATCH of classification, position or home region records the change from today
    (`services.officer_save`); the `change` operation records it from another day."""

    home_region_code = serializers.CharField(source="home_region.code", read_only=True)
    periods = OfficerPeriodSerializer(many=True, read_only=True)

    class Meta:
        model = Officer
        fields = [
            "id", "employee_number", "name", "position", "classification", "home_region", "home_region_code",
            "active", "periods", *TIMESTAMPS,
        ]

    def create(self, validated_data):
        return services.officer_save(Officer(**validated_data), actor=self.actor)

    def update(self, instance, validated_data):
        for field, value in validated_data.items():
            setattr(instance, field, value)
        return services.officer_save(instance, actor=self.actor)


class OfficerChangeSerializer(serializers.Serializer):
    """A promotion, a change of position or a transfer from `effective_from` (default today);
    each value left out is unchanged."""

    effective_from = serializers.DateField(required=False, help_text="The first day of the new values; default today.")
    classification = serializers.ChoiceField(choices=Classification.choices, required=False)
    position = serializers.ChoiceField(choices=Position.choices, required=False)
    home_region = StrictPrimaryKeyRelatedField(queryset=Region.objects.all(), required=False)
    reason = StrictCharField(
        required=False, allow_blank=True, max_length=2000,
        help_text="An administrator's reason for a change inside a closed fiscal year (refused without one).",
    )


class UnitChangeSerializer(serializers.Serializer):
    """A move of a unit to another region, or a change of its type or program, from
    `effective_from` (default today); each value left out is unchanged (`program` null: none)."""

    effective_from = serializers.DateField(required=False, help_text="The first day of the new values; default today.")
    region = StrictPrimaryKeyRelatedField(queryset=Region.objects.all(), required=False)
    jfo_type = serializers.ChoiceField(choices=JfoType.choices, required=False)
    program = StrictPrimaryKeyRelatedField(queryset=Program.objects.all(), required=False, allow_null=True)
    reason = StrictCharField(
        required=False, allow_blank=True, max_length=2000,
        help_text="An administrator's reason for a change inside a closed fiscal year (refused without one).",
    )


class PeriodCorrectionSerializer(serializers.Serializer):
    """The explicit correction of a dated period's past (`services.period_correct`): a moved
    start or end (the neighbouring periods follow) and/or other values; each value left out is
    unchanged."""

    reason = StrictCharField(max_length=2000, help_text="Why the recorded past was wrong (required).")
    start_date = serializers.DateField(required=False, help_text="The period's corrected first day.")
    end_date = serializers.DateField(
        required=False, allow_null=True, help_text="The period's corrected last day (inclusive); the latest period has none."
    )


class OfficerPeriodCorrectionSerializer(PeriodCorrectionSerializer):
    """A correction of an officer's period: dates, classification, position, home region."""

    classification = serializers.ChoiceField(choices=Classification.choices, required=False)
    position = serializers.ChoiceField(choices=Position.choices, required=False)
    home_region = StrictPrimaryKeyRelatedField(queryset=Region.objects.all(), required=False)


class UnitPeriodCorrectionSerializer(PeriodCorrectionSerializer):
    """A correction of a JFO unit's period: dates, region, JFO type, program (null: none)."""

    region = StrictPrimaryKeyRelatedField(queryset=Region.objects.all(), required=False)
    jfo_type = serializers.ChoiceField(choices=JfoType.choices, required=False)
    program = StrictPrimaryKeyRelatedField(queryset=Program.objects.all(), required=False, allow_null=True)


class OfficerCorrectionResultSerializer(serializers.Serializer):
    """The answer of officers/{id}/periods/{period_id}/correct/: the officer as corrected and the
    fiscal years whose record the correction rewrites."""

    officer = OfficerSerializer()
    fiscal_years = serializers.ListField(child=serializers.CharField(), help_text="Labels such as 2010-2011, in order.")


class UnitCorrectionResultSerializer(serializers.Serializer):
    """The answer of jfos/{id}/periods/{period_id}/correct/: the unit as corrected and the fiscal
    years whose record the correction rewrites."""

    jfo = JointForceOperationSerializer()
    fiscal_years = serializers.ListField(child=serializers.CharField(), help_text="Labels such as 2010-2011, in order.")


class AssignmentSerializer(ModelValidatedSerializer):
    employee_number = serializers.CharField(source="officer.employee_number", read_only=True)
    officer_name = serializers.CharField(source="officer.name", read_only=True)
    jfo_acronym = serializers.CharField(source="jfo.acronym", read_only=True)
    region_code = serializers.CharField(source="jfo.region.code", read_only=True)

    class Meta:
        model = Assignment
        fields = [
            "id", "officer", "employee_number", "officer_name", "jfo", "jfo_acronym", "region_code", "fte",
            "start_date", "end_date", "role", "notes", "predecessor", *TIMESTAMPS,
        ]
        read_only_fields = ["predecessor"]

    def validate(self, attrs):
        """A change of FTE or role is refused (400) on PUT/PATCH: it takes effect from a date
        (POST …/change/) or corrects the past (POST …/correct/), never silently rewrites it."""
        if self.instance is not None:
            refused = {
                field: [EFFECTIVE_DATED_REFUSAL]
                for field in services.EFFECTIVE_DATED_FIELDS
                if field in attrs and attrs[field] != getattr(self.instance, field)
            }
            if refused:
                raise serializers.ValidationError(refused)
        return super().validate(attrs)

    def check_permission(self, instance, attrs: dict) -> None:
        services.check_assignment_write(actor=self.actor, assignment=instance)

    def validate_instance(self, instance) -> None:
        services.assignment_validate(instance)

    def create(self, validated_data):
        return services.assignment_save(Assignment(**validated_data), actor=self.actor)

    def update(self, instance, validated_data):
        return services.assignment_update(assignment=instance, actor=self.actor, **validated_data)


EFFECTIVE_DATED_REFUSAL = _(
    "FTE and role are not changed by PUT or PATCH: POST /api/v1/assignments/{id}/change/ with "
    "effective_from makes the change from a date; POST /api/v1/assignments/{id}/correct/ with a "
    "reason corrects the past."
)


class AssignmentChangeSerializer(serializers.Serializer):
    """A change of an assignment's FTE and/or role from a date (`services.assignment_change`)."""

    effective_from = serializers.DateField(
        required=False, help_text="The first day of the change (default: today); the period before ends the day before."
    )
    fte = serializers.DecimalField(
        max_digits=3, decimal_places=2, required=False, validators=[validate_fte],
        help_text="The new FTE from that day: a daily share, more than 0, at most 1.00.",
    )
    role = StrictCharField(required=False, allow_blank=True, max_length=100)
    reason = StrictCharField(
        required=False, allow_blank=True, max_length=2000,
        help_text="An administrator's reason, required when the change takes effect inside a closed fiscal year.",
    )


class AssignmentCorrectionSerializer(serializers.Serializer):
    """A correction of an assignment's past, in place (`services.assignment_correct`)."""

    reason = StrictCharField(max_length=2000, help_text="Why the recorded past was wrong (required).")
    fte = serializers.DecimalField(max_digits=3, decimal_places=2, required=False, validators=[validate_fte])
    role = StrictCharField(required=False, allow_blank=True, max_length=100)
    start_date = serializers.DateField(required=False)
    end_date = serializers.DateField(required=False, allow_null=True)
    notes = StrictCharField(required=False, allow_blank=True, max_length=2000)


class AssignmentWriteResultSerializer(serializers.Serializer):
    """The answer of …/change/ and …/correct/: the assignment that holds the change and the
    fiscal years whose figures it changes (change) or rewrites (correct)."""

    assignment = AssignmentSerializer()
    fiscal_years = serializers.ListField(child=serializers.CharField(), help_text="Labels such as 2010-2011, in order.")


class SalaryRateSerializer(ModelValidatedSerializer):
    fiscal_year = FiscalYearField()

    def validate_instance(self, instance) -> None:
        """The model's rules, then the closed-year rule (`services.check_year_record_write`)."""
        super().validate_instance(instance)
        services.check_year_record_write(actor=self.actor, record=instance)

    class Meta:
        model = SalaryRate
        fields = ["id", "classification", "fiscal_year", "annual_salary", *TIMESTAMPS]


class CostingPolicySerializer(ModelValidatedSerializer):
    fiscal_year = FiscalYearField()

    def validate_instance(self, instance) -> None:
        """The model's rules, then the closed-year rule (`services.check_year_record_write`)."""
        super().validate_instance(instance)
        services.check_year_record_write(actor=self.actor, record=instance)

    class Meta:
        model = CostingPolicy
        fields = ["id", "fiscal_year", "employee_benefits_rate", *TIMESTAMPS]
