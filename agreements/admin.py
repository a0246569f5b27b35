from django.contrib import admin

from jfo_registry.core.admin import RegistryModelAdmin

from . import services
from .forms import ArrangementDocumentForm, ArrangementForm
from .models import (
    Arrangement, ArrangementDocument, ArrangementParty, ConditionCoverage, GapAction,
    InformationSharingCondition, ReminderSent,
)


class ArrangementPartyInline(admin.TabularInline):
    model = ArrangementParty
    extra = 0
    autocomplete_fields = ["agency"]


class ConditionCoverageInline(admin.TabularInline):
    model = ConditionCoverage
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("condition")


class ArrangementDocumentInline(admin.TabularInline):
    model = ArrangementDocument
    form = ArrangementDocumentForm
    extra = 0
    fields = ["kind", "title", "file", "content_type", "size", "uploaded_by", "created"]
    readonly_fields = ["content_type", "size", "uploaded_by", "created"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")


class GapActionInline(admin.TabularInline):
    model = GapAction
    fk_name = "arrangement"
    extra = 0
    fields = ["action", "owner", "due_date", "status"]


@admin.register(Arrangement)
class ArrangementAdmin(RegistryModelAdmin):
    form = ArrangementForm
    list_display = ["reference", "title", "kind", "status", "effective_date", "expiry_date", "review_date"]
    list_filter = ["kind", "status", "joint_management_team", "financial_commitments", "jfos__region"]
    search_fields = ["reference", "title", "notes", "jfos__acronym", "agencies__acronym"]
    autocomplete_fields = ["jfos", "supersedes"]
    region_limited_choices = frozenset({"jfos", "supersedes"})
    whole_region_choices = frozenset({"supersedes"})  # superseding ends it for every region it covers
    list_select_related = ["supersedes"]
    date_hierarchy = "effective_date"
    inlines = [ArrangementPartyInline, ConditionCoverageInline, ArrangementDocumentInline, GapActionInline]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.actor = request.user  # a class made for this request: the closed-year rule on validation
        return form

    def save_model(self, request, obj, form, change):
        services.arrangement_save(
            obj, actor=request.user, jfos=form.cleaned_data.get("jfos"), reason=form.cleaned_data.get("correction_reason", ""),
        )

    def save_formset(self, request, form, formset, change):
        if formset.model is ArrangementDocument:
            for document_form in formset.forms:
                if document_form.has_changed() and not document_form.instance.uploaded_by_id:
                    document_form.instance.uploaded_by = request.user
        super().save_formset(request, form, formset, change)


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
    region_limited_choices = frozenset({"arrangement"})
    list_select_related = ["arrangement", "condition"]


@admin.register(ArrangementDocument)
class ArrangementDocumentAdmin(RegistryModelAdmin):
    form = ArrangementDocumentForm
    list_display = ["arrangement", "title", "kind", "content_type", "size", "uploaded_by", "created"]
    list_filter = ["kind", "content_type"]
    search_fields = ["arrangement__reference", "title"]
    region_limited_choices = frozenset({"arrangement"})
    autocomplete_fields = ["arrangement"]
    list_select_related = ["arrangement", "uploaded_by"]
    fields = ["arrangement", "kind", "title", "file"]

    def save_model(self, request, obj, form, change):
        if not obj.uploaded_by_id:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(GapAction)
class GapActionAdmin(RegistryModelAdmin):
    list_display = ["__str__", "owner", "due_date", "status"]
    list_filter = ["status", "jfo__region"]
    search_fields = ["action", "owner", "jfo__acronym", "arrangement__reference"]
    autocomplete_fields = ["jfo", "arrangement"]
    region_limited_choices = frozenset({"jfo", "arrangement"})
    list_select_related = ["jfo", "arrangement"]


@admin.register(ReminderSent)
class ReminderSentAdmin(RegistryModelAdmin):
    list_display = ["arrangement", "kind", "target_date", "threshold_days", "created"]
    list_filter = ["kind", "threshold_days"]
    search_fields = ["arrangement__reference", "recipients"]
    list_select_related = ["arrangement"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
