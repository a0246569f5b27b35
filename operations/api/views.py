from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.response import Response

from jfo_registry.core import permissions
from jfo_registry.core.api.errors import as_drf_error
from jfo_registry.core.api.parsers import SafeJSONParser

from jfo_registry.core.api.viewsets import RegistryViewSet

from .. import services
from ..filtersets import (
    AgencyFilterSet,
    AssignmentFilterSet,
    CostingPolicyFilterSet,
    JointForceOperationFilterSet,
    OfficerFilterSet,
    ProgramFilterSet,
    RegionFilterSet,
    SalaryRateFilterSet,
    ThreatFilterSet,
)
from ..models import (
    Agency,
    Assignment,
    CostingPolicy,
    JointForceOperation,
    Officer,
    OfficerPeriod,
    Participation,
    Program,
    Region,
    SalaryRate,
    Threat,
)
from . import serializers


class RegionViewSet(RegistryViewSet):
    queryset = Region.objects.all()
    serializer_class = serializers.RegionSerializer
    filterset_class = RegionFilterSet
    search_fields = ["code", "name_en", "name_fr"]
    ordering_fields = ["code", "name_en", "name_fr"]


class AgencyViewSet(RegistryViewSet):
    queryset = Agency.objects.select_related("parent")
    serializer_class = serializers.AgencySerializer
    filterset_class = AgencyFilterSet
    search_fields = ["acronym", "name_en", "name_fr"]
    ordering_fields = ["acronym", "name_en", "jurisdiction", "country"]


class ThreatViewSet(RegistryViewSet):
    queryset = Threat.objects.all()
    serializer_class = serializers.ThreatSerializer
    filterset_class = ThreatFilterSet
    search_fields = ["code", "name_en", "name_fr"]
    ordering_fields = ["code", "name_en", "risk_level"]


class ProgramViewSet(RegistryViewSet):
    queryset = Program.objects.all()
    serializer_class = serializers.ProgramSerializer
    filterset_class = ProgramFilterSet
    search_fields = ["code", "name_en", "name_fr"]
    ordering_fields = ["code", "name_en"]


class JointForceOperationViewSet(RegistryViewSet):
    queryset = JointForceOperation.objects.select_related("region", "program").prefetch_related(
        "threats", Prefetch("participations", queryset=Participation.objects.select_related("agency"))
    )
    serializer_class = serializers.JointForceOperationSerializer
    filterset_class = JointForceOperationFilterSet
    search_fields = ["acronym", "name", "objectives"]
    ordering_fields = ["acronym", "name", "jfo_type", "region__code", "program__code", "status", "start_date"]


class OfficerViewSet(RegistryViewSet):
    queryset = Officer.objects.select_related("home_region").prefetch_related(
        Prefetch("periods", queryset=OfficerPeriod.objects.select_related("home_region").order_by("start_date"))
    )
    serializer_class = serializers.OfficerSerializer
    filterset_class = OfficerFilterSet
    search_fields = ["employee_number", "name"]
    ordering_fields = ["employee_number", "name", "position", "classification", "home_region__code"]

    @extend_schema(request=serializers.OfficerChangeSerializer, responses={200: serializers.OfficerSerializer})
    @action(detail=True, methods=["post"], parser_classes=[SafeJSONParser])
    def change(self, request, pk=None):
        """Record a promotion, a change of position or a transfer from `effective_from` (default
        today, never later): the current period ends the day before and the new values hold from
        that day, so earlier days, and the fiscal years they fall in, keep their values. A date
        before the current period's start (a correction of the past) is refused: 400; an officer
        outside the user's regions, or a transfer out of them: 403."""
        officer = self.get_object()
        if not permissions.can_edit(request.user, officer):
            self.permission_denied(request, message=_("You may only edit officers of your own regions."))
        data = serializers.OfficerChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        effective_from = values.pop("effective_from", None) or timezone.localdate()
        with transaction.atomic():
            try:
                services.officer_change(officer, effective_from=effective_from, actor=request.user, **values)
            except ValidationError as error:
                raise as_drf_error(error) from error
        return Response(self.get_serializer(self.get_queryset().get(pk=officer.pk)).data)


@extend_schema_view(
    partial_update=extend_schema(description="Change FTE, dates or role; end an assignment by setting `end_date`."),
)
class AssignmentViewSet(RegistryViewSet):
    """Assignments are ended (PATCH `end_date`), never deleted, by any role: DELETE answers 405."""

    http_method_names = [m for m in RegistryViewSet.http_method_names if m != "delete"]
    queryset = Assignment.objects.select_related("officer", "jfo__region")
    serializer_class = serializers.AssignmentSerializer
    filterset_class = AssignmentFilterSet
    search_fields = ["officer__name", "officer__employee_number", "jfo__acronym", "jfo__name", "role"]
    ordering_fields = ["start_date", "end_date", "fte", "officer__employee_number", "jfo__acronym"]


class SalaryRateViewSet(RegistryViewSet):
    queryset = SalaryRate.objects.all()
    serializer_class = serializers.SalaryRateSerializer
    filterset_class = SalaryRateFilterSet
    search_fields = ["classification"]
    ordering_fields = ["fiscal_year", "classification", "annual_salary"]


class CostingPolicyViewSet(RegistryViewSet):
    queryset = CostingPolicy.objects.all()
    serializer_class = serializers.CostingPolicySerializer
    filterset_class = CostingPolicyFilterSet
    search_fields = ["fiscal_year"]
    ordering_fields = ["fiscal_year"]
