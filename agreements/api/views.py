from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status as http_status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from jfo_registry.core import permissions
from jfo_registry.core.api.errors import as_drf_error
from jfo_registry.core.api.parsers import SafeJSONParser
from jfo_registry.core.api.viewsets import RegistryViewSet

from .. import services
from ..filtersets import ArrangementFilterSet, GapActionFilterSet, InformationSharingConditionFilterSet
from ..models import Arrangement, ArrangementParty, ConditionCoverage, GapAction, InformationSharingCondition
from . import serializers


class ArrangementViewSet(RegistryViewSet):
    serializer_class = serializers.ArrangementSerializer
    filterset_class = ArrangementFilterSet
    search_fields = ["reference", "title", "notes"]
    ordering_fields = ["reference", "title", "status", "effective_date", "expiry_date", "review_date"]
    parser_classes = [SafeJSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return Arrangement.objects.prefetch_related(
            "jfos",
            Prefetch("parties", queryset=ArrangementParty.objects.select_related("agency")),
            Prefetch("condition_coverages", queryset=ConditionCoverage.objects.select_related("condition")),
        )

    def write_checked(self, request, arrangement):
        if not permissions.can_edit(request.user, arrangement):
            self.permission_denied(request, message=_("You may only edit arrangements covering your regions."))

    @extend_schema(request=serializers.TransitionSerializer, responses={200: serializers.ArrangementSerializer})
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the arrangement along its lifecycle (draft → under negotiation → in force → expired,
        terminated or superseded); refused transitions answer 400."""
        arrangement = self.get_object()
        self.write_checked(request, arrangement)
        data = serializers.TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with transaction.atomic():
            try:
                services.arrangement_transition(arrangement=arrangement, actor=request.user, **data.validated_data)
            except ValidationError as error:
                raise as_drf_error(error) from error
        return Response(self.get_serializer(self.get_queryset().get(pk=arrangement.pk)).data)

    @extend_schema(request=serializers.RenewSerializer, responses={201: serializers.ArrangementSerializer})
    @action(detail=True, methods=["post"])
    def renew(self, request, pk=None):
        """Draft the successor: parties, covered units, provisions and condition coverage carried forward."""
        arrangement = self.get_object()
        self.write_checked(request, arrangement)
        data = serializers.RenewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with transaction.atomic():
            try:
                successor = services.arrangement_renew(arrangement=arrangement, actor=request.user, **data.validated_data)
            except ValidationError as error:
                raise as_drf_error(error) from error
        body = self.get_serializer(self.get_queryset().get(pk=successor.pk)).data
        return Response(body, status=http_status.HTTP_201_CREATED)

    @extend_schema(
        methods=["get"], responses={200: serializers.ArrangementDocumentSerializer(many=True)}, request=None,
    )
    @extend_schema(
        methods=["post"],
        request={"multipart/form-data": serializers.ArrangementDocumentSerializer},
        responses={201: serializers.ArrangementDocumentSerializer},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def documents(self, request, pk=None):
        """The arrangement's documents; POST uploads one (PDF, DOCX or ODT, checked by content)."""
        arrangement = self.get_object()
        if request.method == "GET":
            documents = arrangement.documents.select_related("uploaded_by").order_by("-created")
            return Response(serializers.ArrangementDocumentSerializer(documents, many=True).data)
        self.write_checked(request, arrangement)
        if not request.user.has_perm("agreements.add_arrangementdocument", arrangement):
            self.permission_denied(request)
        upload = serializers.ArrangementDocumentSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        document = upload.save(
            arrangement=arrangement, uploaded_by=request.user, content_type=upload.detected_content_type,
            size=upload.validated_data["file"].size,
        )
        return Response(serializers.ArrangementDocumentSerializer(document).data, status=http_status.HTTP_201_CREATED)


class InformationSharingConditionViewSet(RegistryViewSet):
    queryset = InformationSharingCondition.objects.all()
    serializer_class = serializers.InformationSharingConditionSerializer
    filterset_class = InformationSharingConditionFilterSet
    search_fields = ["letter", "text_en", "text_fr"]
    ordering_fields = ["letter"]


class GapActionViewSet(RegistryViewSet):
    queryset = GapAction.objects.select_related("jfo__region", "arrangement")
    serializer_class = serializers.GapActionSerializer
    filterset_class = GapActionFilterSet
    search_fields = ["action", "owner", "notes"]
    ordering_fields = ["due_date", "status", "owner"]

