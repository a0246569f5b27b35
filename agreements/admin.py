from django.contrib import admin

from jfo_registry.admin import RegistryModelAdmin

from .models import Arrangement, ArrangementParty, ConditionCoverage, InformationSharingCondition


class ArrangementPartyInline(admin.TabularInline):
    model = ArrangementParty
    extra = 0
    autocomplete_fields = ["agency"]


class ConditionCoverageInline(admin.TabularInline):
    model = ConditionCoverage
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("condition")


@admin.register(Arrangement)
class ArrangementAdmin(RegistryModelAdmin):
    list_display = ["reference", "title", "kind", "status", "effective_date", "expiry_date", "review_date"]
    list_filter = ["kind", "status", "joint_management_team", "financial_commitments", "jfos__region"]
    search_fields = ["reference", "title", "notes", "jfos__acronym", "agencies__acronym"]
    autocomplete_fields = ["jfos", "supersedes"]
    list_select_related = ["supersedes"]
    date_hierarchy = "effective_date"
    inlines = [ArrangementPartyInline, ConditionCoverageInline]


@admin.register(ArrangementParty)
class ArrangementPartyAdmin(RegistryModelAdmin):
    list_display = ["arrangement", "agency", "role"]
    list_filter = ["role"]
    search_fields = ["arrangement__reference", "agency__acronym", "agency__name_en"]
    autocomplete_fields = ["arrangement", "agency"]
    list_select_related = ["arrangement", "agency"]


@admin.register(InformationSharingCondition)
class InformationSharingConditionAdmin(RegistryModelAdmin):
    list_display = ["letter", "text_en"]
    search_fields = ["letter", "text_en", "text_fr"]


@admin.register(ConditionCoverage)
class ConditionCoverageAdmin(RegistryModelAdmin):
    list_display = ["arrangement", "condition", "status", "clause_reference"]
    list_filter = ["status", "condition"]
    search_fields = ["arrangement__reference", "clause_reference"]
    autocomplete_fields = ["arrangement"]
    list_select_related = ["arrangement", "condition"]
