from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.core.exceptions import ValidationError
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from import_export.forms import ConfirmImportForm, ImportForm

from jfo_registry.core import permissions

from jfo_registry.core.admin import ReadOnlyAdminMixin, RegistryImportExportMixin, RegistryModelAdmin, RendersVersionMixin
from jfo_registry.core.fiscal import FiscalYear

from . import importers, services
from .forms import AssignmentForm, AssignmentInlineFormSet, OfficerAdminForm, PeriodCorrectionAdminForm, UnitAdminForm
from .models import (
    Agency, Assignment, ClosedYearCorrection, CostingPolicy, FiscalYearClosure, JointForceOperation, Officer, OfficerPeriod,
    Participation, Program, Region, SalaryRate,
    Threat, UnitPeriod,
)


@admin.register(Region)
class RegionAdmin(RegistryModelAdmin):
    list_display = ["code", "name_en", "name_fr"]
    search_fields = ["code", "name_en", "name_fr"]
    filter_horizontal = ["managers"]


@admin.register(Agency)
class AgencyAdmin(RegistryImportExportMixin, RegistryModelAdmin):
    resource_classes = [importers.AgencyResource]
    list_display = ["acronym", "name_en", "jurisdiction", "country", "parent", "active"]
    list_filter = ["jurisdiction", "country", "active"]
    search_fields = ["acronym", "name_en", "name_fr"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]


@admin.register(Threat)
class ThreatAdmin(RegistryModelAdmin):
    list_display = ["name_en", "name_fr", "risk_level"]
    list_filter = ["risk_level"]
    search_fields = ["code", "name_en", "name_fr"]


@admin.register(Program)
class ProgramAdmin(RegistryModelAdmin):
    list_display = ["code", "name_en", "default_jfo_type"]
    list_filter = ["default_jfo_type"]
    search_fields = ["code", "name_en", "name_fr"]


def _participations_wanted(formset) -> list[dict]:
    """The participations a unit's inline `formset` (validated) leaves: {agency, role} per row kept."""
    return [
        {"agency": form.cleaned_data["agency"], "role": form.cleaned_data["role"]}
        for form in formset.forms
        if form.cleaned_data and form.cleaned_data.get("agency") and not form.cleaned_data.get("DELETE")
    ]


class ParticipationInlineFormSet(forms.BaseInlineFormSet):
    """A unit's participations, checked as `services.participations_replace` will write them
    (`services.check_participations_change`: a change of the leads inside a closed year needs an
    administrator's reason, the unit form's "correction_reason"); `actor` and `reason` are set
    by the admin."""

    actor = None
    reason = ""

    def clean(self):
        super().clean()
        if any(self.errors) or self.instance.pk is None:
            return
        try:
            services.check_participations_change(
                actor=self.actor, jfo=self.instance, participations=_participations_wanted(self), reason=self.reason,
            )
        except ValidationError as error:
            raise ValidationError(error.messages) from error


class ParticipationInline(admin.TabularInline):
    model = Participation
    formset = ParticipationInlineFormSet
    extra = 0
    autocomplete_fields = ["agency"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.actor = request.user  # a class made for this request
        formset.reason = (request.POST.get("correction_reason") or "").strip()
        return formset


class AssignmentInline(RendersVersionMixin, admin.TabularInline):
    model = Assignment
    form = AssignmentForm
    formset = AssignmentInlineFormSet
    extra = 0

    def has_delete_permission(self, request, obj=None):
        return False  # assignments are ended (an end date), never deleted

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("officer", "jfo")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.actor = request.user  # a class made for this request: the closed-year rule on validation
        return formset


class JfoAssignmentInline(AssignmentInline):
    fk_name = "jfo"
    autocomplete_fields = ["officer"]
    fields = ["officer", "fte", "start_date", "end_date", "role", "effective_from", "correction_reason"]


class OfficerAssignmentInline(AssignmentInline):
    fk_name = "officer"
    autocomplete_fields = ["jfo"]
    fields = ["jfo", "fte", "start_date", "end_date", "role", "effective_from", "correction_reason"]


class AssignmentSavingAdmin(RegistryModelAdmin):
    """Saves inline assignments through the service (which re-checks under the officer lock)."""

    def save_formset(self, request, form, formset, change):
        if formset.model is not Assignment:
            return super().save_formset(request, form, formset, change)
        instances = formset.save(commit=False)
        forms_of = {id(f.instance): f for f in formset.forms if f.cleaned_data}
        for instance in instances:
            saving = forms_of[id(instance)]
            saving.save_through_services(request.user)
            if saving.saved_preview:
                self.message_user(request, f"{instance.officer} – {instance.jfo}: {saving.saved_preview}")
        formset.save_m2m()


class DatedValuesAdmin(AssignmentSavingAdmin):
    """The admin of a record with dated values (an officer, a unit): its form checks the rules
    for the user writing (`actor`), and the record is saved by `save_service` (`officer_save`,
    `unit_save`) from the form's "Changes take effect from", with its reason."""

    save_service = None

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.actor = request.user  # a class made for this request: the closed-year rule on validation
        return form

    def save_model(self, request, obj, form, change):
        self.save_service(
            obj, effective_from=form.cleaned_data.get("effective_from"), actor=request.user,
            reason=form.cleaned_data.get("correction_reason", ""),
        )


@admin.register(JointForceOperation)
class JointForceOperationAdmin(RegistryImportExportMixin, DatedValuesAdmin):
    resource_classes = [importers.JointForceOperationResource]
    list_display = ["acronym", "name", "jfo_type", "program", "region", "status", "co_located"]
    list_filter = ["jfo_type", "program", "region", "status", "co_located", "has_joint_management_team", "threats"]
    search_fields = ["acronym", "name", "objectives"]
    list_select_related = ["program", "region"]
    autocomplete_fields = ["program", "region", "threats"]
    inlines = [ParticipationInline, JfoAssignmentInline]
    form = UnitAdminForm
    readonly_fields = ["periods_over_time"]

    @admin.display(description=_("region, JFO type and program over time"))
    def periods_over_time(self, obj):
        """The unit's periods, oldest first, one a line (read only: a change is recorded from
        the date in "Changes take effect from")."""
        rows = obj.periods.select_related("region", "program").order_by("start_date") if obj and obj.pk else []
        return format_html_join(
            mark_safe("<br>"), "{} – {}: {} {} {}",
            ((p.start_date.isoformat(), p.end_date.isoformat() if p.end_date else "…", p.region.code,
              p.jfo_type, p.program.code if p.program else "–") for p in rows),
        ) or "—"

    save_service = staticmethod(services.unit_save)

    def save_formset(self, request, form, formset, change):
        """Participations through `services.participations_replace`; assignments as the base does."""
        if formset.model is not Participation:
            return super().save_formset(request, form, formset, change)
        services.participations_replace(
            form.instance, _participations_wanted(formset), actor=request.user,
            reason=form.cleaned_data.get("correction_reason", ""),
        )
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []  # for the log message


def _participations_with(jfo, *, agency=None, role=None, replacing=None) -> list[dict]:
    """The unit `jfo`'s stored participations as {agency, role}, without `replacing` (a stored
    participation's key) and with `agency` in `role` when given."""
    rows = [
        {"agency": p.agency, "role": p.role}
        for p in Participation.objects.filter(jfo=jfo).select_related("agency") if p.pk != replacing
    ]
    if agency is not None:
        rows = [row for row in rows if row["agency"].pk != agency.pk] + [{"agency": agency, "role": role}]
    return rows


class ParticipationAdminForm(forms.ModelForm):
    """One participation, checked as `services.participations_replace` will write the unit's
    participations with it (`services.check_participations_change`); `actor` set by the admin."""

    actor = None
    correction_reason = forms.CharField(
        label=_("Reason (administrators, for a change of the lead agencies inside a closed fiscal year)"),
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = Participation
        fields = ["jfo", "agency", "role"]

    def clean(self):
        cleaned = super().clean()
        jfo, agency, role = cleaned.get("jfo"), cleaned.get("agency"), cleaned.get("role")
        if self.errors or jfo is None:
            return cleaned
        wanted = _participations_with(jfo, agency=agency, role=role, replacing=self.instance.pk)
        stored_jfo = Participation.objects.get(pk=self.instance.pk).jfo if self.instance.pk else jfo
        try:
            services.check_participations_change(
                actor=self.actor, jfo=jfo, participations=wanted, reason=cleaned.get("correction_reason", ""),
            )
            if stored_jfo != jfo:  # moved from another unit: that one loses it
                services.check_participations_change(
                    actor=self.actor, jfo=stored_jfo, participations=_participations_with(stored_jfo, replacing=self.instance.pk),
                    reason=cleaned.get("correction_reason", ""),
                )
        except ValidationError as error:
            raise ValidationError(error.messages) from error
        self.stored_jfo, self.wanted = stored_jfo, wanted
        return cleaned


@admin.register(Participation)
class ParticipationAdmin(RegistryModelAdmin):
    """Participations one by one, written through `services.participations_replace` (a change of
    a unit's leads inside a closed year is refused but to an administrator giving a reason); a
    refused deletion says why. No bulk deletion: each goes through the rule."""

    form = ParticipationAdminForm
    list_display = ["jfo", "agency", "role"]
    list_filter = ["role", "jfo__region"]
    search_fields = ["jfo__acronym", "agency__acronym", "agency__name_en"]
    autocomplete_fields = ["jfo", "agency"]
    list_select_related = ["jfo", "agency"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.actor = request.user  # a class made for this request
        return form

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data.get("correction_reason", "")
        if form.stored_jfo != obj.jfo:
            services.participations_replace(
                form.stored_jfo, _participations_with(form.stored_jfo, replacing=obj.pk), actor=request.user, reason=reason,
            )
        services.participations_replace(obj.jfo, form.wanted, actor=request.user, reason=reason)
        saved = Participation.objects.get(jfo=obj.jfo, agency=obj.agency)
        obj.pk, obj.id = saved.pk, saved.pk  # the admin logs and redirects to the saved row
        obj._state.adding = False

    def delete_view(self, request, object_id, extra_context=None):
        """A deletion that would change a closed year's leads is refused with the rule's message."""
        participation = self.get_object(request, object_id)
        if participation is not None and request.method == "POST":
            try:
                services.check_participations_change(
                    actor=request.user, jfo=participation.jfo,
                    participations=_participations_with(participation.jfo, replacing=participation.pk),
                )
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), level=messages.ERROR)
                return HttpResponseRedirect(reverse("admin:operations_participation_change", args=[participation.pk]))
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request, obj):
        services.participations_replace(obj.jfo, _participations_with(obj.jfo, replacing=obj.pk), actor=request.user)


@admin.register(Officer)
class OfficerAdmin(RegistryImportExportMixin, DatedValuesAdmin):
    resource_classes = [importers.OfficerResource]
    form = OfficerAdminForm
    list_display = ["employee_number", "name", "position", "classification", "home_region", "active"]
    list_filter = ["position", "classification", "home_region", "active"]
    search_fields = ["employee_number", "name"]
    region_limited_choices = frozenset({"home_region"})
    list_select_related = ["home_region"]
    autocomplete_fields = ["home_region"]
    inlines = [OfficerAssignmentInline]
    readonly_fields = ["periods_over_time"]

    @admin.display(description=_("classification, position and home region over time"))
    def periods_over_time(self, obj):
        """The officer's periods, oldest first, one a line (read only: a change is recorded from
        the date in "Changes take effect from")."""
        rows = obj.periods.select_related("home_region").order_by("start_date") if obj and obj.pk else []
        return format_html_join(
            mark_safe("<br>"), "{} – {}: {} {} {}",
            ((p.start_date.isoformat(), p.end_date.isoformat() if p.end_date else "…", p.classification,
              p.position, p.home_region.code) for p in rows),
        ) or "—"

    save_service = staticmethod(services.officer_save)


class PeriodCorrectionAdmin(RegistryModelAdmin):
    """A kind of dated period, listed for all, corrected by administrators only: each save is an
    explicit correction with a reason through `services.period_correct` (the neighbouring periods
    follow a moved start or end), answered with the fiscal years it rewrites. Periods are never
    added here (a change from a date is recorded on the record's own form) nor deleted."""

    form = PeriodCorrectionAdminForm

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return permissions.is_administrator(request.user)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [self.model.OWNER, "correction"]

    def get_fields(self, request, obj=None):
        return [self.model.OWNER, "start_date", "end_date", *self.model.ATTRIBUTES, "correction", "correction_reason"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["fields"] = ["start_date", "end_date", *self.model.ATTRIBUTES, "correction_reason"]
        form = super().get_form(request, obj, change, **kwargs)
        form.actor = request.user  # a class made for this request: the rules are checked on validation
        return form

    def save_model(self, request, obj, form, change):
        correction = services.period_correction_apply(form.correction, actor=request.user)
        years = ", ".join(year.label for year in correction.fiscal_years) or "—"
        self.message_user(request, _("Correction saved: it rewrites fiscal years %(years)s.") % {"years": years})


@admin.register(OfficerPeriod)
class OfficerPeriodAdmin(PeriodCorrectionAdmin):
    """Officers' periods: a change is recorded from a date through the officer's form, page or
    API operation (`services.officer_change`); a correction of the past here."""

    list_display = ["officer", "start_date", "end_date", "classification", "position", "home_region"]
    list_filter = ["classification", "position", "home_region"]
    search_fields = ["officer__employee_number", "officer__name"]
    list_select_related = ["officer", "home_region"]


IMPORT_REASON_LABEL = _("Reason for the corrections (recorded on each; an administrator's correction of a closed "
                        "fiscal year needs it)")


class AssignmentImportForm(ImportForm):
    """The import form of assignments, with the reason for the corrections the file makes."""

    reason = forms.CharField(label=IMPORT_REASON_LABEL, required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class AssignmentConfirmImportForm(ConfirmImportForm):
    """The confirmation of an assignment import, carrying the reason given with the file."""

    reason = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput())


@admin.register(UnitPeriod)
class UnitPeriodAdmin(PeriodCorrectionAdmin):
    """JFO units' periods: a change is recorded from a date through the unit's form, page or API
    operation (`services.unit_change`); a correction of the past here."""

    list_display = ["jfo", "start_date", "end_date", "region", "jfo_type", "program"]
    list_filter = ["region", "jfo_type", "program"]
    search_fields = ["jfo__acronym", "jfo__name"]
    list_select_related = ["jfo", "region", "program"]


@admin.register(Assignment)
class AssignmentAdmin(RegistryImportExportMixin, RegistryModelAdmin):
    resource_classes = [importers.AssignmentResource]
    # The preview says what each row does (new, change from a date, correction, unchanged) and
    # the page states the matching rule of rows and stored assignments.
    import_template_name = "admin/operations/assignment/import.html"
    import_form_class = AssignmentImportForm
    confirm_form_class = AssignmentConfirmImportForm
    form = AssignmentForm
    list_display = ["officer", "jfo", "region", "fte", "start_date", "end_date", "role"]
    list_filter = ["jfo__region", "jfo__jfo_type", "jfo__program", "officer__position", "start_date", "end_date"]
    search_fields = ["officer__name", "officer__employee_number", "jfo__acronym", "jfo__name", "role"]
    list_select_related = ["officer", "jfo__region"]
    autocomplete_fields = ["officer", "jfo"]
    region_limited_choices = frozenset({"jfo"})
    date_hierarchy = "start_date"

    @admin.display(description=_("region"), ordering="jfo__region__code")
    def region(self, obj):
        return obj.jfo.region.code

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        # A class made for this request: set on it, not on a subclass (which would rebuild the
        # fields, losing the choices limited to the user's regions).
        form.actor = request.user
        return form

    def save_model(self, request, obj, form, change):
        form.save_through_services(request.user)
        if form.saved_preview:
            self.message_user(request, form.saved_preview)

    def get_confirm_form_initial(self, request, import_form):
        """The stock fields, and the reason given with the file (kept to the confirmation)."""
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["reason"] = import_form.cleaned_data.get("reason", "")
        return initial

    def get_import_data_kwargs(self, **kwargs):
        """The reason of the import (or confirmation) form, for the resource's corrections."""
        form = kwargs.get("form")
        reason = form.cleaned_data.get("reason", "") if form is not None and hasattr(form, "cleaned_data") else ""
        return {**super().get_import_data_kwargs(**kwargs), "reason": reason}


class ClosedYearRecordAdmin(RegistryModelAdmin):
    """A record of one fiscal year the reports cost by: refused inside a closed year
    (`services.check_year_record_write`), with the message of every entry point."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)

        def _post_clean(self):
            form._post_clean(self)
            if not self.errors:
                try:
                    services.check_year_record_write(actor=request.user, record=self.instance)
                except ValidationError as error:
                    self._update_errors(error)

        return type(form.__name__, (form,), {"_post_clean": _post_clean})


@admin.register(SalaryRate)
class SalaryRateAdmin(ClosedYearRecordAdmin):
    list_display = ["fiscal_year_label", "classification", "annual_salary"]
    list_filter = ["fiscal_year", "classification"]
    search_fields = ["classification"]

    @admin.display(description=_("fiscal year"), ordering="fiscal_year")
    def fiscal_year_label(self, obj):
        return obj.fiscal_year_label


@admin.register(CostingPolicy)
class CostingPolicyAdmin(ClosedYearRecordAdmin):
    list_display = ["fiscal_year_label", "employee_benefits_rate"]
    search_fields = ["fiscal_year"]

    @admin.display(description=_("fiscal year"), ordering="fiscal_year")
    def fiscal_year_label(self, obj):
        return obj.fiscal_year_label


class FiscalYearClosureForm(forms.ModelForm):
    """Close a year (a new record, or an open one closed again, with a reason) or reopen a closed
    one (with the reason for reopening): through `services.fiscal_year_close`/`fiscal_year_reopen`."""

    class Meta:
        model = FiscalYearClosure
        fields = ["fiscal_year", "reason", "reopen_reason"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.pk:
            self.fields["fiscal_year"].disabled = True
            if self.instance.closed:
                self.fields["reason"].disabled = True
                self.fields["reopen_reason"].required = True
                self.fields["reopen_reason"].help_text = _("Saving with a reason reopens the year.")
            else:
                self.fields["reopen_reason"].disabled = True
                self.fields["reason"].help_text = _("Saving closes the year again.")
        else:
            self.fields.pop("reopen_reason", None)  # nothing to reopen yet

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if self.instance.pk and self.instance.closed:
            self.result = lambda: services.fiscal_year_reopen(
                fiscal_year=self.instance.fiscal_year, actor=self.user, reason=cleaned["reopen_reason"]
            )
        else:
            year = self.instance.fiscal_year if self.instance.pk else cleaned["fiscal_year"]
            if not self.instance.pk and FiscalYearClosure.objects.filter(fiscal_year=year).exists():
                raise ValidationError({"fiscal_year": _("This fiscal year already has a closure record: change it.")})
            services.check_year_ended(FiscalYear(year))
            self.result = lambda: services.fiscal_year_close(
                fiscal_year=year, actor=self.user, reason=cleaned.get("reason", "")
            )
        return cleaned

    def _post_clean(self):
        pass  # the services validate and save the record


@admin.register(FiscalYearClosure)
class FiscalYearClosureAdmin(RegistryModelAdmin):
    """Administrators close a fiscal year (its figures final) and reopen it with a reason; each
    close and reopen is kept in the record's history."""

    form = FiscalYearClosureForm
    list_display = ["fiscal_year_label", "closed", "closed_at", "closed_by", "reopened_at", "reopened_by"]
    readonly_fields = ["closed", "closed_at", "closed_by", "reopened_at", "reopened_by"]
    list_select_related = ["closed_by", "reopened_by"]

    @admin.display(description=_("fiscal year"), ordering="fiscal_year")
    def fiscal_year_label(self, obj):
        return obj.fiscal_year_label

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return fields if obj is not None else [name for name in fields if name != "reopen_reason"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)

        class WithUser(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, user=request.user, **inner)

        return WithUser

    def has_add_permission(self, request):
        return permissions.is_administrator(request.user)

    def has_change_permission(self, request, obj=None):
        return permissions.is_administrator(request.user)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        saved = form.result()
        for field in saved._meta.concrete_fields:  # the admin logs and redirects to the saved row
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False


@admin.register(ClosedYearCorrection)
class ClosedYearCorrectionAdmin(ReadOnlyAdminMixin, RegistryModelAdmin):
    """Corrections of closed years, as recorded: read-only."""

    list_display = ["fiscal_year", "corrected_at", "corrected_by", "reason"]
    readonly_fields = ["fiscal_year", "corrected_at", "corrected_by", "reason", "description"]
    list_select_related = ["corrected_by"]
