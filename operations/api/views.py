from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status as http_status
from rest_framework.decorators import action
from rest_framework.response import Response

from jfo_registry.core import permissions
from jfo_registry.core.api.parsers import SafeJSONParser

from jfo_registry.core.api.errors import as_drf_error
from jfo_registry.core.api.preconditions import refuse_stale_write, tags_seen
from jfo_registry.core.api.access import RegistryPermission
from jfo_registry.core.api.viewsets import RegistryViewSet

from .. import services

from ..filtersets import (
    AgencyFilterSet, AssignmentFilterSet, CostingPolicyFilterSet, JointForceOperationFilterSet,
    OfficerFilterSet, ProgramFilterSet, RegionFilterSet, SalaryRateFilterSet, ThreatFilterSet,
)
from ..models import (
    Agency, Assignment, CostingPolicy, JointForceOperation, Officer, OfficerPeriod, Participation, Program, Region,
    SalaryRate,
    Threat,
    UnitPeriod,
)
from . import serializers


def dated_change(viewset, request, *, may, refusal: str, lock, body, change):
    """The `change` operation of a record with dated values (an officer, a unit): the record of
    the URL, 403 (`refusal`) unless `may(user, record)`, 428 without If-Match before the body is
    read, then under the record's row lock (`lock(pk)`) 412 for a stale version (so concurrent
    changes with one ETag make one change), the body (`body`, a serializer: 400) and
    `change(record, effective_from=..., actor=..., **values)` (400 for its ValidationError).
    Returns the record as the viewset shows it."""
    record = viewset.get_object()
    if not may(request.user, record):
        viewset.permission_denied(request, message=refusal)
    tags_seen(request)
    with transaction.atomic():
        lock(record.pk)
        refuse_stale_write(request, type(record).objects.get(pk=record.pk))
        data = body(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        effective_from = values.pop("effective_from", None) or timezone.localdate()
        try:
            change(record, effective_from=effective_from, actor=request.user, **values)
        except ValidationError as error:
            raise as_drf_error(error) from error
    return Response(viewset.get_serializer(viewset.get_queryset().get(pk=record.pk)).data)


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


class DatedChangePermission(RegistryPermission):
    """The `change` operation of a record's dated values: any role reads; the change itself is
    for an administrator or a manager of the record's region (`services.can_change_dated`), also
    on a unit, whose other fields only administrators edit."""

    def has_permission(self, request, view) -> bool:
        return permissions.can_view(request.user)

    def has_object_permission(self, request, view, obj) -> bool:
        return services.can_change_dated(request.user, obj)


PERIOD_CORRECTION_DESCRIPTION = (
    "Correct the recorded past of one of the record's periods with a `reason` (required): move its "
    "start or end (the neighbouring periods follow, so they stay back to back; the latest has no end) "
    "or fix its values. `fiscal_years` names the years it rewrites (also kept in the period's history). "
    "A manager corrects the records of their regions outside closed fiscal years (400 naming the year); "
    "an administrator's correction of a closed year is recorded with its reason. Needs If-Match with "
    "the record's ETag (428 without, 412 when it changed since); 404 for a period of another record."
)


def correct_period(viewset, request, period_id, serializer_class, result_key: str):
    """The `periods/{period_id}/correct/` operation of an officer or a unit (`viewset`'s record):
    under the record's row lock, its ETag checked, through `services.period_correct`. Returns the
    Response `{result_key: the record, "fiscal_years": [labels]}`."""
    with transaction.atomic():
        record = viewset.get_object()  # 403 unless `services.can_change_dated` (DatedChangePermission)
        (services.lock_officer if isinstance(record, Officer) else services.lock_unit)(record.pk)
        refuse_stale_write(request, record)
        period = get_object_or_404(record.periods.all(), pk=period_id)
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        reason = values.pop("reason")
        try:
            correction = services.period_correct(period, reason=reason, actor=request.user, **values)
        except ValidationError as error:
            raise as_drf_error(error) from error
    body = {
        result_key: viewset.get_serializer(viewset.get_queryset().get(pk=record.pk)).data,
        "fiscal_years": [year.label for year in correction.fiscal_years],
    }
    return Response(body)


class JointForceOperationViewSet(RegistryViewSet):
    queryset = JointForceOperation.objects.select_related("region", "program").prefetch_related(
        "threats", Prefetch("participations", queryset=Participation.objects.select_related("agency")),
        Prefetch("periods", queryset=UnitPeriod.objects.select_related("region", "program").order_by("start_date")),
    )
    serializer_class = serializers.JointForceOperationSerializer
    filterset_class = JointForceOperationFilterSet
    search_fields = ["acronym", "name", "objectives"]
    ordering_fields = ["acronym", "name", "jfo_type", "region__code", "program__code", "status", "start_date"]
    if_match_actions = ("change", "correct_period")  # the schema declares If-Match on these POSTs

    @extend_schema(request=serializers.UnitChangeSerializer, responses={200: serializers.JointForceOperationSerializer})
    @action(detail=True, methods=["post"], parser_classes=[SafeJSONParser], permission_classes=[DatedChangePermission])
    def change(self, request, pk=None):
        """Move the unit to another region, or change its type or program, from `effective_from`
        (default today, never later): the current period ends the day before and the new values
        hold from that day, so earlier days, and the fiscal years they fall in, keep their values.
        A date before the current period's start (a correction of the past), or inside a closed
        fiscal year on days the unit had assignments (but for an administrator giving `reason`):
        400 naming the year; a unit outside the user's regions, or a move out of them: 403. Needs
        If-Match with the unit's ETag (428 without, 412 when the unit changed since)."""
        return dated_change(
            self, request, may=services.can_change_dated, refusal=_("You may only edit JFO units of your own regions."),
            lock=services.lock_unit, body=serializers.UnitChangeSerializer, change=services.unit_change,
        )

    @extend_schema(
        request=serializers.UnitPeriodCorrectionSerializer, responses={200: serializers.UnitCorrectionResultSerializer},
        description=PERIOD_CORRECTION_DESCRIPTION,
    )
    @action(
        detail=True, methods=["post"], url_path=r"periods/(?P<period_id>[0-9]+)/correct", parser_classes=[SafeJSONParser],
        permission_classes=[DatedChangePermission],
    )
    def correct_period(self, request, pk=None, period_id=None):
        """A correction of one of the unit's periods through `services.period_correct`."""
        return correct_period(self, request, period_id, serializers.UnitPeriodCorrectionSerializer, "jfo")


class OfficerViewSet(RegistryViewSet):
    queryset = Officer.objects.select_related("home_region").prefetch_related(
        Prefetch("periods", queryset=OfficerPeriod.objects.select_related("home_region").order_by("start_date"))
    )
    serializer_class = serializers.OfficerSerializer
    filterset_class = OfficerFilterSet
    search_fields = ["employee_number", "name"]
    ordering_fields = ["employee_number", "name", "position", "classification", "home_region__code"]
    if_match_actions = ("change", "correct_period")  # the schema declares If-Match on these POSTs

    @extend_schema(request=serializers.OfficerChangeSerializer, responses={200: serializers.OfficerSerializer})
    @action(detail=True, methods=["post"], parser_classes=[SafeJSONParser])
    def change(self, request, pk=None):
        """Record a promotion, a change of position or a transfer from `effective_from` (default
        today, never later): the current period ends the day before and the new values hold from
        that day, so earlier days, and the fiscal years they fall in, keep their values. A date
        before the current period's start (a correction of the past) is refused: 400, and so is
        a date inside a closed fiscal year but from an administrator giving `reason`; an officer
        outside the user's regions, or a transfer out of them: 403. Needs If-Match with the
        officer's ETag (428 without, 412 when the officer changed since)."""
        return dated_change(
            self, request, may=permissions.can_edit, refusal=_("You may only edit officers of your own regions."),
            lock=services.lock_officer, body=serializers.OfficerChangeSerializer, change=services.officer_change,
        )

    @extend_schema(
        request=serializers.OfficerPeriodCorrectionSerializer, responses={200: serializers.OfficerCorrectionResultSerializer},
        description=PERIOD_CORRECTION_DESCRIPTION,
    )
    @action(
        detail=True, methods=["post"], url_path=r"periods/(?P<period_id>[0-9]+)/correct", parser_classes=[SafeJSONParser],
        permission_classes=[DatedChangePermission],
    )
    def correct_period(self, request, pk=None, period_id=None):
        """A correction of one of the officer's periods through `services.period_correct`."""
        return correct_period(self, request, period_id, serializers.OfficerPeriodCorrectionSerializer, "officer")


ASSIGNMENT_WRITE_CONTRACT = (
    "PUT/PATCH change dates and notes; end an assignment by setting `end_date`. A change of `fte` or "
    "`role` is refused there (400 naming the two operations): POST `/change/` makes it from "
    "`effective_from` (the earlier period ends the day before), POST `/correct/` rewrites the past "
    "with a reason. A write that alters a closed fiscal year is refused (400 naming the year) but to "
    "an administrator giving `reason`."
)


@extend_schema_view(
    partial_update=extend_schema(description=ASSIGNMENT_WRITE_CONTRACT),
    update=extend_schema(description=ASSIGNMENT_WRITE_CONTRACT),
)
class AssignmentViewSet(RegistryViewSet):
    """Assignments are ended (PATCH `end_date`), never deleted, by any role: DELETE answers 405.
    FTE and role change from a date (POST …/change/) or are corrected (POST …/correct/)."""

    http_method_names = [m for m in RegistryViewSet.http_method_names if m != "delete"]
    queryset = Assignment.objects.select_related("officer", "jfo__region")
    serializer_class = serializers.AssignmentSerializer
    filterset_class = AssignmentFilterSet
    search_fields = ["officer__name", "officer__employee_number", "jfo__acronym", "jfo__name", "role"]
    ordering_fields = ["start_date", "end_date", "fte", "officer__employee_number", "jfo__acronym"]
    if_match_actions = ("change", "correct")  # the schema declares If-Match on these POSTs

    def _writable_object(self, request):
        """The assignment of the URL, once the writer may write it (403 for another region's,
        before its body is read) and their copy is current (428, 412)."""
        assignment = self.get_object()
        services.check_assignment_write(actor=request.user, assignment=assignment)
        refuse_stale_write(request, assignment)
        return assignment

    def _write_result(self, assignment, years, status):
        body = {
            "assignment": self.get_serializer(self.get_queryset().get(pk=assignment.pk)).data,
            "fiscal_years": [year.label for year in years],
        }
        return Response(body, status=status)

    @extend_schema(
        request=serializers.AssignmentChangeSerializer,
        responses={201: serializers.AssignmentWriteResultSerializer, 200: serializers.AssignmentWriteResultSerializer},
        description="Change FTE and/or role from `effective_from` (default today): 201 and the new period (its "
        "`predecessor` the one ended the day before), or 200 when it takes effect on the first day. "
        "`fiscal_years`: the years whose figures change. Needs If-Match (428, 412 as PATCH).",
    )
    @action(detail=True, methods=["post"])
    def change(self, request, pk=None):
        """An effective-dated change through `services.assignment_change`."""
        with transaction.atomic():
            assignment = self._writable_object(request)
            data = serializers.AssignmentChangeSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            values = dict(data.validated_data)
            effective_from = values.pop("effective_from", None) or timezone.localdate()
            reason = values.pop("reason", "")
            try:
                result = services.assignment_change(
                    assignment=assignment, effective_from=effective_from, actor=request.user, reason=reason, **values
                )
            except ValidationError as error:
                raise as_drf_error(error) from error
        created = result.pk != assignment.pk
        years = services.fiscal_years_of(effective_from if created else result.start_date, result.end_date)
        return self._write_result(result, years, http_status.HTTP_201_CREATED if created else http_status.HTTP_200_OK)

    @extend_schema(
        request=serializers.AssignmentCorrectionSerializer,
        responses={200: serializers.AssignmentWriteResultSerializer},
        description="Correct the recorded past in place, with a `reason`: `fiscal_years` names the years it "
        "rewrites (also kept in the assignment's history). A closed year is corrected by an administrator "
        "only. Needs If-Match (428, 412 as PATCH).",
    )
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        """A correction of the past through `services.assignment_correct`."""
        with transaction.atomic():
            assignment = self._writable_object(request)
            data = serializers.AssignmentCorrectionSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            values = dict(data.validated_data)
            reason = values.pop("reason")
            try:
                result, years = services.assignment_correct(
                    assignment=assignment, actor=request.user, reason=reason, **values
                )
            except ValidationError as error:
                raise as_drf_error(error) from error
        return self._write_result(result, years, http_status.HTTP_200_OK)


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
