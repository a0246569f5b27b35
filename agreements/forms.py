from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jfo_registry.core import permissions
from jfo_registry.core.concurrency import VersionedFormMixin, check_version, version_of

from . import services
from .choices import ArrangementStatus
from .documents import validate_document
from .models import Arrangement, ArrangementDocument, ConditionCoverage, GapAction


class ArrangementForm(VersionedFormMixin, forms.ModelForm):
    """An arrangement with the lifecycle rule and, for `actor` (set by the admin), the
    closed-year rule of coverage applied on validation."""

    #: The user writing (set by the admin).
    actor = None

    correction_reason = forms.CharField(
        label=_("Reason (administrators, for a change of a closed fiscal year's coverage)"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
    )

    class Meta:
        model = Arrangement
        fields = [
            "reference", "title", "kind", "status", "signed_date", "effective_date", "expiry_date", "review_date",
            "notice_period_days", "supersedes", "jfos", "joint_management_team", "financial_commitments",
            "intelligence_and_investigation_mandates", "notes",
        ]

    def _post_clean(self) -> None:
        super()._post_clean()
        if "status" in self.cleaned_data and not self.has_error("status"):
            try:
                services.check_transition(services.stored_status(self.instance), self.instance.status)
            except ValidationError as error:
                self._update_errors(error)
        if self.actor is not None and not self.errors:
            try:
                services.check_coverage_closed_years(
                    actor=self.actor, arrangement=self.instance, jfos=self.cleaned_data.get("jfos"),
                    reason=self.cleaned_data.get("correction_reason", ""),
                )
            except ValidationError as error:
                self._update_errors(error)


class ArrangementDocumentForm(forms.ModelForm):
    class Meta:
        model = ArrangementDocument
        fields = ["kind", "title", "file"]

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if uploaded and hasattr(uploaded, "content_type"):  # a new upload, not the stored file
            self.detected_content_type = validate_document(uploaded)
        return uploaded

    def save(self, commit=True):
        document = super().save(commit=False)
        if hasattr(self, "detected_content_type"):
            document.content_type = self.detected_content_type
            document.size = self.cleaned_data["file"].size
        if commit:
            document.save()
        return document


class ConditionCoverageForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = ConditionCoverage
        fields = ["status", "clause_reference"]
        labels = {"status": _("Status"), "clause_reference": _("Clause")}


class GapActionForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = GapAction
        fields = ["action", "owner", "due_date", "status", "notes"]
        widgets = {
            "action": forms.TextInput,  # one line: it names the action wherever the action is listed
            "due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


class TransitionForm(forms.Form):
    """A status change; carries the arrangement's version so a stale change is refused."""

    status = forms.ChoiceField(label=_("New status"))
    version = forms.CharField(widget=forms.HiddenInput, required=False)
    signed_date = forms.DateField(label=_("Signed on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    effective_date = forms.DateField(label=_("In effect from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(
        label=_("Reason (administrators, for a change of a closed fiscal year's coverage)"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
    )

    def __init__(self, *args, arrangement, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.arrangement = arrangement
        if user is None or not permissions.is_administrator(user):
            del self.fields["reason"]
        self.fields["status"].choices = [
            (status, ArrangementStatus(status).label) for status in services.allowed_transitions(arrangement.status)
        ]
        self.fields["version"].initial = version_of(arrangement)

    def clean(self):
        cleaned = super().clean()
        check_version(self.arrangement, self.data.get("version", ""))
        return cleaned


class RenewForm(forms.Form):
    reference = forms.CharField(label=_("Reference of the new arrangement"), max_length=50)
    title = forms.CharField(label=_("Title"), max_length=300, required=False)

    def clean_reference(self):
        reference = self.cleaned_data["reference"].strip()
        if Arrangement.objects.filter(reference__iexact=reference).exists():
            raise ValidationError(_("An arrangement with this reference already exists."))
        return reference
