from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.forms import modelformset_factory
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, ListView

from jfo_registry.core import errors, permissions
from jfo_registry.core.history import record_history
from jfo_registry.core.reports import ReportPageView
from jfo_registry.core.views import RoleRequiredMixin, SortedListMixin
from operations import selectors as operations_selectors
from operations.models import JointForceOperation

from . import selectors, services
from .api import reports
from .filtersets import ArrangementPageFilterSet
from .forms import ArrangementDocumentForm, ConditionCoverageForm, GapActionForm, RenewForm, TransitionForm
from .models import Arrangement, ArrangementDocument, ArrangementParty, ConditionCoverage, GapAction, InformationSharingCondition

logger = logging.getLogger(__name__)


class ArrangementListView(RoleRequiredMixin, SortedListMixin, ListView):
    template_name = "agreements/arrangement_list.html"
    context_object_name = "arrangements"
    ordering_fields = {
        "reference": gettext_lazy("Reference"),
        "title": gettext_lazy("Title"),
        "status": gettext_lazy("Status"),
        "effective_date": gettext_lazy("In effect from"),
        "expiry_date": gettext_lazy("Expires"),
        "review_date": gettext_lazy("Review"),
    }
    default_ordering = "reference"
    filter_fields = ("q", "status", "kind", "region", "party", "expiring")

    filterset_class = ArrangementPageFilterSet

    def base_queryset(self):
        return Arrangement.objects.visible_to(self.request.user).annotate(
            effective_status=selectors.effective_status(timezone.localdate())
        ).prefetch_related("jfos", Prefetch("parties", queryset=ArrangementParty.objects.select_related("agency")))


class ArrangementMixin(RoleRequiredMixin):
    """Loads the arrangement and, for writes, checks that the user manages a region it covers."""

    write = True

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.arrangement = get_object_or_404(Arrangement, pk=kwargs["pk"])
            if self.write and not permissions.can_edit(request.user, self.arrangement):
                raise PermissionDenied(_("You may only edit arrangements covering your regions."))
        return super().dispatch(request, *args, **kwargs)


def refusal_of(check, **kwargs) -> str:
    """The message of the PermissionDenied `check(**kwargs)` raises, or "" when it passes: a page
    says why an action is not offered instead of offering it and refusing."""
    try:
        check(**kwargs)
    except PermissionDenied as refusal:
        return str(refusal)
    return ""


class ArrangementDetailView(RoleRequiredMixin, DetailView):
    template_name = "agreements/arrangement_detail.html"
    context_object_name = "arrangement"

    def get_queryset(self):
        return Arrangement.objects.visible_to(self.request.user).annotate(
            effective_status=selectors.effective_status(timezone.localdate())
        ).select_related("supersedes").prefetch_related(
            Prefetch("jfos", queryset=JointForceOperation.objects.select_related("region")),
            Prefetch("parties", queryset=ArrangementParty.objects.select_related("agency")),
            Prefetch("documents", queryset=ArrangementDocument.objects.select_related("uploaded_by")),
            Prefetch("gap_actions", queryset=GapAction.objects.order_by("due_date")),
            "successors",
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        arrangement = self.object
        marks = {c.condition_id: c for c in arrangement.condition_coverages.select_related("condition")}
        renewal_refused = refusal_of(services.check_renewal, actor=self.request.user, arrangement=arrangement)
        status_refused = refusal_of(services.check_lifecycle_change, actor=self.request.user, arrangement=arrangement)
        context.update(
            conditions=[(condition, marks.get(condition.pk)) for condition in InformationSharingCondition.objects.all()],
            can_edit=permissions.can_edit(self.request.user, arrangement),
            renewal_refused=renewal_refused,
            status_refused=status_refused,
            transitions=services.allowed_transitions(arrangement.status),
            reminders=arrangement.reminders.order_by("-created")[:20],
            history=record_history(arrangement),
        )
        return context


class ConditionsEditView(ArrangementMixin, View):
    """Record, per condition, whether the arrangement addresses it and in which clause."""

    def formset(self, data=None):
        for condition in InformationSharingCondition.objects.all():
            ConditionCoverage.objects.get_or_create(arrangement=self.arrangement, condition=condition)
        queryset = self.arrangement.condition_coverages.select_related("condition").order_by("condition__letter")
        FormSet = modelformset_factory(ConditionCoverage, form=ConditionCoverageForm, extra=0)
        return FormSet(data, queryset=queryset, prefix="conditions")

    def get(self, request, pk):
        return self.render(self.formset())

    def post(self, request, pk):
        with transaction.atomic():
            formset = self.formset(request.POST)
            if formset.is_valid():
                formset.save()
                messages.success(request, _("The conditions were recorded."))
                return redirect("agreements:arrangement-detail", pk=pk)
        return self.render(formset, status=400)

    def render(self, formset, status=200):
        return render(
            self.request, "agreements/conditions_form.html",
            {"arrangement": self.arrangement, "formset": formset}, status=status,
        )


class ArrangementFormView(ArrangementMixin, View):
    """Base for one-form pages about an arrangement (upload, transition, renew, gap action)."""

    template_name = "agreements/arrangement_form.html"
    title: str
    submit_label: str

    def make_form(self, data=None, files=None):
        raise NotImplementedError

    def get(self, request, pk, **kwargs):
        return self.render(self.make_form())

    def post(self, request, pk, **kwargs):
        form = self.make_form(request.POST, request.FILES)
        with transaction.atomic():
            if form.is_valid():
                try:
                    target = self.save(form)
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    return redirect(target)
        return self.render(form, status=400)

    def render(self, form, status=200):
        return render(
            self.request, self.template_name,
            {"arrangement": self.arrangement, "form": form, "title": self.title, "submit_label": self.submit_label,
             "multipart": getattr(self, "multipart", False)},
            status=status,
        )


class DocumentUploadView(ArrangementFormView):
    title = gettext_lazy("Add a document")
    submit_label = gettext_lazy("Upload")
    multipart = True

    def make_form(self, data=None, files=None):
        return ArrangementDocumentForm(data, files)

    def save(self, form):
        if not self.request.user.has_perm("agreements.add_arrangementdocument", self.arrangement):
            raise PermissionDenied
        document = form.save(commit=False)
        document.arrangement = self.arrangement
        document.uploaded_by = self.request.user
        document.save()
        messages.success(self.request, _("The document was added."))
        return self.arrangement.get_absolute_url()


class TransitionView(ArrangementFormView):
    title = gettext_lazy("Change the status")
    submit_label = gettext_lazy("Change the status")

    def get(self, request, pk, **kwargs):
        services.check_lifecycle_change(actor=request.user, arrangement=self.arrangement)  # no form to refuse later
        return super().get(request, pk, **kwargs)

    def make_form(self, data=None, files=None):
        return TransitionForm(data, arrangement=self.arrangement, user=self.request.user, initial={
            "signed_date": self.arrangement.signed_date, "effective_date": self.arrangement.effective_date,
        })

    def save(self, form):
        services.arrangement_transition(
            arrangement=self.arrangement, status=form.cleaned_data["status"],
            signed_date=form.cleaned_data.get("signed_date"), effective_date=form.cleaned_data.get("effective_date"),
            actor=self.request.user, reason=form.cleaned_data.get("reason", ""),
        )
        messages.success(self.request, _("The status was changed."))
        return self.arrangement.get_absolute_url()


class RenewView(ArrangementFormView):
    title = gettext_lazy("Renew the arrangement")
    submit_label = gettext_lazy("Draft the successor")

    def get(self, request, pk, **kwargs):
        services.check_renewal(actor=request.user, arrangement=self.arrangement)  # no form to be refused later
        return super().get(request, pk, **kwargs)

    def make_form(self, data=None, files=None):
        return RenewForm(data, initial={"title": self.arrangement.title})

    def save(self, form):
        successor = services.arrangement_renew(
            arrangement=self.arrangement, reference=form.cleaned_data["reference"],
            title=form.cleaned_data.get("title") or None, actor=self.request.user,
        )
        messages.success(self.request, _("The successor was drafted with the parties, units and conditions carried forward."))
        return successor.get_absolute_url()


class GapActionView(RoleRequiredMixin, View):
    """Add or change a gap action for a unit with no arrangement or an incomplete arrangement."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            if "action_pk" in kwargs:
                self.action = get_object_or_404(GapAction.objects.select_related("jfo", "arrangement"), pk=kwargs["action_pk"])
            elif "jfo_pk" in kwargs:
                self.action = GapAction(jfo=get_object_or_404(JointForceOperation, pk=kwargs["jfo_pk"]))
            else:
                self.action = GapAction(arrangement=get_object_or_404(Arrangement, pk=kwargs["arrangement_pk"]))
            if not permissions.can_edit(request.user, self.action):
                raise PermissionDenied(_("You may only plan actions for your own regions."))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, **kwargs):
        return self.render(GapActionForm(instance=self.action))

    def post(self, request, **kwargs):
        form = GapActionForm(request.POST, instance=self.action)
        with transaction.atomic():
            if form.is_valid():
                form.save()
                messages.success(request, _("The gap action was saved."))
                return redirect("agreements:report-gaps")
        return self.render(form, status=400)

    def render(self, form, status=200):
        return render(
            self.request, "agreements/arrangement_form.html",
            {"form": form, "title": _("Gap action: %(subject)s") % {"subject": self.action.jfo or self.action.arrangement},
             "submit_label": _("Save"), "arrangement": self.action.arrangement},
            status=status,
        )


class DocumentDownloadView(RoleRequiredMixin, View):
    """Documents are served only to signed-in users with a role, never from a public URL.

    A record whose file is missing from storage answers 404 (the file is not there; the user
    may still read it) and is logged as a warning naming the record and the stored name."""

    def get(self, request, pk):
        document = get_object_or_404(ArrangementDocument, pk=pk)
        try:
            handle = document.file.open("rb")
        except (FileNotFoundError, ValueError):  # ValueError: no file name recorded at all
            logger.warning("Document %s (%r) is missing from storage", document.pk, document.file.name)
            # Answered, not raised: a raised Http404 would log the exception's traceback too.
            return errors.page_not_found(request, Http404(_("The file is missing from storage.")))
        extension = {"application/pdf": ".pdf"}.get(document.content_type, "")
        name = document.file.name.rsplit("/", 1)[-1] or f"document-{document.pk}{extension}"
        return FileResponse(handle, as_attachment=True, filename=name, content_type=document.content_type)


class AgreementsReportPage(ReportPageView):
    """A report page of agreements: its years back to the first assignment."""

    query_fields: tuple[str, ...] = ("as_of",)

    def query_form_kwargs(self) -> dict:
        """`first_day` for the page's ReportQueryForm."""
        return {"first_day": operations_selectors.first_assignment_day()}


class CoverageReportPage(AgreementsReportPage):
    template_name = "reports/coverage.html"
    report_view = reports.CoverageReportView
    query_fields = ("fiscal_year", "as_of")


class ConditionsReportPage(AgreementsReportPage):
    template_name = "reports/conditions.html"
    report_view = reports.ConditionsReportView


class ExpiringReportPage(AgreementsReportPage):
    template_name = "reports/expiring.html"
    report_view = reports.ExpiringReportView
    query_fields = ("days", "as_of")


class GapsReportPage(AgreementsReportPage):
    template_name = "reports/gaps.html"
    report_view = reports.GapsReportView

    def build(self, params: dict):
        """The gaps plan (a GapsReport), each unit and arrangement marked `can_plan` (an
        attribute, not a published key) when the user may plan an action for it."""
        user = self.request.user
        report = super().build(params)
        # A plan is a gap action: on a unit of the user's regions, or an arrangement they may edit.
        plannable_units = set(JointForceOperation.objects.managed_by(user).filter(
            pk__in=[unit.id for unit in report.units]).values_list("pk", flat=True))
        for unit in report.units:
            unit.can_plan = unit.id in plannable_units
        editable = set(Arrangement.objects.editable_by(user).values_list("pk", flat=True))
        for arrangement in report.arrangements:
            arrangement.can_plan = arrangement.id in editable
        return report


