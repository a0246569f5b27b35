from django.db.models import Prefetch

from jfo_registry.api import RegistryViewSet

from ..filtersets import ArrangementFilterSet, InformationSharingConditionFilterSet
from ..models import Arrangement, ArrangementParty, ConditionCoverage, InformationSharingCondition
from . import serializers


class ArrangementViewSet(RegistryViewSet):
    queryset = Arrangement.objects.prefetch_related(
        "jfos",
        Prefetch("parties", queryset=ArrangementParty.objects.select_related("agency")),
        Prefetch("condition_coverages", queryset=ConditionCoverage.objects.select_related("condition")),
    )
    serializer_class = serializers.ArrangementSerializer
    filterset_class = ArrangementFilterSet
    search_fields = ["reference", "title", "notes"]
    ordering_fields = ["reference", "title", "status", "effective_date", "expiry_date", "review_date"]


class InformationSharingConditionViewSet(RegistryViewSet):
    queryset = InformationSharingCondition.objects.all()
    serializer_class = serializers.InformationSharingConditionSerializer
    filterset_class = InformationSharingConditionFilterSet
    search_fields = ["letter", "text_en", "text_fr"]
    ordering_fields = ["letter"]
