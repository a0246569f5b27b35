from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, ListView

from jfo_registry.core import permissions
from jfo_registry.core.history import record_history
from jfo_registry.core.reports import ReportPageView, ReportQueryForm
from jfo_registry.core.reports_api import YearQuery
from jfo_registry.core.views import RoleRequiredMixin, SortedListMixin

from . import selectors, services
from .api import reports
from .filtersets import JfoPageFilterSet, OfficerPageFilterSet
from .extensions import unit_arrangements
from .forms import (
    AssignmentChangeForm, AssignmentCorrectionForm, AssignmentEndForm, AssignmentPageForm, OfficerChangeForm, UnitChangeForm,
)
from .models import Assignment, JointForceOperation, Officer, Participation, Region


def user_region_codes(user) -> list[str] | None:
    """The regions a page shows by default: a manager's own; None (all) for everyone else."""
    if permissions.is_regional_manager(user) and not permissions.is_administrator(user):
        return list(Region.objects.managed_by(user).values_list("code", flat=True))
    return None


def report_query_form(data, *, query=YearQuery, fields=("fiscal_year", "as_of")) -> ReportQueryForm:
    """The report-query form of a page that takes a fiscal year (the dashboard): validated by
    `query` (a ReportQuery; default: `fiscal_year` and `as_of`), its years back to the first assignment
    and its `group_by` choices those of the resources report."""
    return ReportQueryForm(
        data, query=query, fields=fields, first_day=selectors.first_assignment_day(),
        group_by_choices=selectors.GROUP_BY_CHOICES,
    )


class JfoListView(RoleRequiredMixin, SortedListMixin, ListView):
    template_name = "operations/jfo_list.html"
    context_object_name = "units"
    ordering_fields = {
        "acronym": gettext_lazy("Acronym"),
        "name": gettext_lazy("Name"),
        "jfo_type": gettext_lazy("Type"),
        "program__code": gettext_lazy("Program"),
        "region__code": gettext_lazy("Region"),
        "status": gettext_lazy("Status"),
        "current_fte": gettext_lazy("FTE now"),
    }
    default_ordering = "region__code"
    filter_fields = ("q", "region", "jfo_type", "program", "lead_agency", "status", "threat", "covered")

    filterset_class = JfoPageFilterSet

    def base_queryset(self):
        return selectors.jfo_list(timezone.localdate()).visible_to(self.request.user)


class JfoDetailView(RoleRequiredMixin, DetailView):
    template_name = "operations/jfo_detail.html"
    context_object_name = "unit"
    queryset = JointForceOperation.objects.select_related("region", "program").prefetch_related(
        "threats",
        Prefetch("participations", queryset=Participation.objects.select_related("agency").order_by("role", "agency__acronym")),
    )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unit = self.object
        day = timezone.localdate()
        assignments = list(unit.assignments.select_related("officer").order_by("-start_date", "pk"))
        can_edit = permissions.can_edit(self.request.user, Assignment(jfo=unit))
        for assignment in assignments:
            assignment.editable = can_edit
        context.update(
            today=day,
            leads=[p for p in unit.participations.all() if p.role == "lead"],
            partners=[p for p in unit.participations.all() if p.role == "partner"],
            arrangements=unit_arrangements().of_unit(unit, day),
            timeline=split_by_time(assignments, day),
            can_edit=can_edit,
            can_change=services.can_change_dated(self.request.user, unit),
            periods=unit.periods.select_related("region", "program").order_by("-start_date"),
            history=record_history(unit),
        )
        return context


def split_by_time(assignments, day):
    """Current, future and past assignments, for a timeline."""
    return {
        "current": [a for a in assignments if a.start_date <= day and (a.end_date is None or a.end_date >= day)],
        "future": [a for a in assignments if a.start_date > day],
        "past": [a for a in assignments if a.end_date is not None and a.end_date < day],
    }


class OfficerListView(RoleRequiredMixin, SortedListMixin, ListView):
    template_name = "operations/officer_list.html"
    context_object_name = "officers"
    ordering_fields = {
        "employee_number": gettext_lazy("Employee number"),
        "name": gettext_lazy("Name"),
        "position": gettext_lazy("Position"),
        "classification": gettext_lazy("Classification"),
        "home_region__code": gettext_lazy("Region"),
        "current_fte": gettext_lazy("FTE now"),
    }
    default_ordering = "employee_number"
    filter_fields = ("q", "home_region", "position", "classification", "active", "jfo")

    filterset_class = OfficerPageFilterSet

    def base_queryset(self):
        return selectors.officer_list(timezone.localdate()).visible_to(self.request.user)


class OfficerDetailView(RoleRequiredMixin, DetailView):
    template_name = "operations/officer_detail.html"
    context_object_name = "officer"
    queryset = Officer.objects.select_related("home_region")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        officer = self.object
        day = timezone.localdate()
        assignments = list(officer.assignments.select_related("jfo__region").order_by("-start_date", "pk"))
        user = self.request.user
        for assignment in assignments:
            assignment.editable = permissions.can_edit(user, assignment)
        context.update(
            today=day,
            any_editable=any(a.editable for a in assignments),
            timeline=split_by_time(assignments, day),
            allocation=selectors.officer_allocation(officer),
            history=record_history(officer),
            periods=officer.periods.select_related("home_region").order_by("-start_date"),
            can_change=permissions.can_edit(user, officer),
            can_add=permissions.is_administrator(user) or bool(user_region_codes(user)),
        )
        return context


class DatedChangeView(RoleRequiredMixin, View):
    """Record a change of a record's dated values from a date (an officer's, a unit's: the
    subclass names its queryset, form, service, refusal and template)."""

    queryset = None
    form_class = None
    record_name = ""  # the record's name in the form and the template
    refusal = ""

    def change(self, record, **kwargs):
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        self.record = get_object_or_404(self.queryset, pk=kwargs["pk"])
        if not services.can_change_dated(request.user, self.record):
            raise PermissionDenied(self.refusal)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, **kwargs):
        return self.render(self.form_class(**{self.record_name: self.record}, user=request.user))

    def post(self, request, **kwargs):
        form = self.form_class(request.POST, **{self.record_name: self.record}, user=request.user)
        with transaction.atomic():
            if form.is_valid():
                try:
                    change = self.change(
                        self.record, effective_from=form.cleaned_data["effective_from"], actor=request.user,
                        reason=form.cleaned_data.get("reason", ""), **form.values(),
                    )
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    messages.success(request, _("The change was recorded from %(day)s; it touches %(years)s.") % {
                        "day": change.effective_from.isoformat(),
                        "years": ", ".join(year.label for year in change.fiscal_years),
                    })
                    return redirect(self.record.get_absolute_url())
        return self.render(form, status=400)

    def render(self, form, status=200):
        return render(
            self.request, self.template_name,
            {"form": form, self.record_name: self.record, "cancel_url": self.record.get_absolute_url()},
            status=status,
        )


class OfficerChangeView(DatedChangeView):
    """Record a promotion, a change of position or a transfer from a date (`services.officer_change`)."""

    template_name = "operations/officer_change.html"
    queryset = Officer.objects.select_related("home_region")
    form_class = OfficerChangeForm
    record_name = "officer"
    refusal = gettext_lazy("You may only edit officers of your own regions.")

    def change(self, record, **kwargs):
        return services.officer_change(record, **kwargs)


class UnitChangeView(DatedChangeView):
    """Move a unit to another region, or change its type or program, from a date (`services.unit_change`)."""

    template_name = "operations/unit_change.html"
    queryset = JointForceOperation.objects.select_related("region", "program")
    form_class = UnitChangeForm
    record_name = "unit"
    refusal = gettext_lazy("You may only edit JFO units of your own regions.")

    def change(self, record, **kwargs):
        return services.unit_change(record, **kwargs)


class AssignmentFormView(RoleRequiredMixin, View):
    """Create (from a unit or an officer page) or change an assignment, through the services."""

    template_name = "operations/assignment_form.html"

    def setup_assignment(self, request, **kwargs) -> tuple[Assignment, list[str], object]:
        if "assignment_pk" in kwargs:
            assignment = get_object_or_404(Assignment.objects.select_related("officer", "jfo__region"), pk=kwargs["assignment_pk"])
            return assignment, ["fte", "start_date", "end_date", "role", "notes"], assignment.jfo
        if "jfo_pk" in kwargs:
            unit = get_object_or_404(JointForceOperation.objects.select_related("region"), pk=kwargs["jfo_pk"])
            return Assignment(jfo=unit), ["officer", "fte", "start_date", "end_date", "role", "notes"], unit
        officer = get_object_or_404(Officer.objects.select_related("home_region"), pk=kwargs["officer_pk"])
        return Assignment(officer=officer), ["jfo", "fte", "start_date", "end_date", "role", "notes"], officer

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        self.assignment, self.fields, self.parent = self.setup_assignment(request, **kwargs)
        if self.assignment.jfo_id and not permissions.can_edit(request.user, self.assignment):
            raise PermissionDenied(_("You may only edit assignments of your own regions."))
        if not self.assignment.jfo_id and not (permissions.is_administrator(request.user) or user_region_codes(request.user)):
            raise PermissionDenied(_("You may not add assignments."))
        return super().dispatch(request, *args, **kwargs)

    def form(self, data=None):
        return AssignmentPageForm(data, instance=self.assignment, fields=self.fields, user=self.request.user)

    def get(self, request, **kwargs):
        return self.render(self.form())

    def post(self, request, **kwargs):
        form = self.form(request.POST)
        with transaction.atomic():
            if form.is_valid():
                assignment = form.save(commit=False)
                try:
                    services.assignment_save(
                        assignment, actor=request.user, reason=form.cleaned_data.get("correction_reason", "")
                    )
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    messages.success(request, _("The assignment was saved."))
                    return redirect(self.success_url(assignment))
        return self.render(form, status=400)

    def success_url(self, assignment):
        if isinstance(self.parent, Officer):
            return self.parent.get_absolute_url()
        return assignment.jfo.get_absolute_url()

    def render(self, form, status=200):
        return render(
            self.request,
            self.template_name,
            {"form": form, "assignment": self.assignment, "parent": self.parent, "cancel_url": self.parent.get_absolute_url()},
            status=status,
        )


class AssignmentEndView(AssignmentFormView):
    """End an assignment on a date; nothing is deleted."""

    template_name = "operations/assignment_end.html"

    def form(self, data=None):
        return AssignmentEndForm(data, instance=self.assignment)

    def post(self, request, **kwargs):
        form = self.form(request.POST)
        with transaction.atomic():
            if form.is_valid():
                try:
                    services.assignment_end(
                        assignment=form.instance, end_date=form.cleaned_data["end_date"], actor=request.user
                    )
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    messages.success(request, _("The assignment was ended."))
                    return redirect(self.success_url(form.instance))
        return self.render(form, status=400)


class AssignmentChangeView(AssignmentFormView):
    """Change FTE and/or role from a date (the earlier period ends the day before); "Preview"
    re-renders the form with the fiscal years it touches, saving nothing."""

    template_name = "operations/assignment_change.html"

    def form(self, data=None):
        return AssignmentChangeForm(data, instance=self.assignment, user=self.request.user)

    def post(self, request, **kwargs):
        form = self.form(request.POST)
        with transaction.atomic():
            if form.is_valid() and "preview" not in request.POST:
                try:
                    services.assignment_change(
                        assignment=self.assignment, effective_from=form.cleaned_data["effective_from"],
                        actor=request.user, reason=form.cleaned_data.get("reason", ""), **form.changes(),
                    )
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    messages.success(request, _("The change was saved. %(preview)s") % {"preview": form.preview()})
                    return redirect(self.success_url(self.assignment))
        return self.render(form, status=200 if "preview" in request.POST and form.is_valid() else 400)


class AssignmentCorrectView(AssignmentFormView):
    """Correct the recorded past of an assignment, with a reason: the explicit rewrite."""

    template_name = "operations/assignment_correct.html"

    def form(self, data=None):
        return AssignmentCorrectionForm(data, instance=self.assignment)

    def post(self, request, **kwargs):
        form = self.form(request.POST)
        with transaction.atomic():
            if form.is_valid():
                try:
                    _corrected, years = services.assignment_correct(
                        assignment=self.assignment, actor=request.user, reason=form.cleaned_data["reason"],
                        **form.changes(),
                    )
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    messages.success(request, _("The correction was saved. It rewrites %(years)s.") % {
                        "years": ", ".join(year.label for year in years)
                    })
                    return redirect(self.success_url(self.assignment))
        return self.render(form, status=400)


class OperationsReportPage(ReportPageView):
    """A report page of operations: its years back to the first assignment, its `group_by`
    choices those of the resources report."""

    def query_form_kwargs(self) -> dict:
        """`first_day` and `group_by_choices` for the page's ReportQueryForm."""
        return {"first_day": selectors.first_assignment_day(), "group_by_choices": selectors.GROUP_BY_CHOICES}


class ResourcesReportPage(OperationsReportPage):
    template_name = "reports/resources.html"
    report_view = reports.ResourcesReportView
    query_fields = ("fiscal_year", "group_by", "as_of")


class TenureReportPage(OperationsReportPage):
    template_name = "reports/tenure.html"
    report_view = reports.TenureReportView
    query_fields = ("on", "as_of")


class AllocationReportPage(OperationsReportPage):
    template_name = "reports/allocation.html"
    report_view = reports.AllocationReportView
    query_fields = ("fiscal_year", "as_of")
