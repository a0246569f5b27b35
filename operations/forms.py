from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jfo_registry.core.concurrency import VersionedFormMixin

from . import services
from .models import FTE_MAX, FTE_STEP, Assignment, JointForceOperation, Officer


class AssignmentForm(VersionedFormMixin, forms.ModelForm):
    """An assignment with every rule of `services` applied on validation.

    Validation locks the officer's row when run inside a transaction (the admin's change
    view is one), so the checked state cannot change before the save.
    """

    check_allocation_on_clean = True

    class Meta:
        model = Assignment
        fields = ["officer", "jfo", "fte", "start_date", "end_date", "role", "notes"]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
        }

    def _post_clean(self) -> None:
        super()._post_clean()  # builds self.instance and runs the model's own rules
        if self.check_allocation_on_clean and not self.errors:
            try:
                services.check_allocation(self.instance)
            except ValidationError as error:
                self._update_errors(error)


class AssignmentInlineFormSet(forms.BaseInlineFormSet):
    """Assignments edited together (inline on a JFO unit or officer) are checked together."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.check_allocation_on_clean = False
        return form

    def clean(self) -> None:
        super().clean()
        deleted = [f.instance.pk for f in self.deleted_forms if f.instance.pk]
        changed = [
            f for f in self.forms
            if f not in self.deleted_forms and f.has_changed() and not f.errors and f.instance.officer_id
        ]
        for form in changed:  # so messages can name a parent that is not saved yet
            setattr(form.instance, self.fk.name, self.instance)
        pending = [f.instance for f in changed]
        for form in changed:
            try:
                services.check_allocation(form.instance, pending=pending, ignore_pks=deleted)
            except ValidationError as error:
                form.add_error(None, error.message_dict.get("fte", error.messages))


class AssignmentPageForm(AssignmentForm):
    """The assignment form of the pages: officers by employee number and units by acronym
    (suggested from the user's regions), only the fields the page edits."""

    def __init__(self, *args, fields, user, **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in (*fields, self.version_field_name):
                del self.fields[name]
        if "officer" in self.fields:
            officers = Officer.objects.filter(active=True).select_related("home_region")
            self.fields["officer"] = forms.ModelChoiceField(
                queryset=officers,
                to_field_name="employee_number",
                label=_("Officer (employee number)"),
                widget=forms.TextInput(attrs={"list": "officer-choices", "autocomplete": "off"}),
                error_messages={"invalid_choice": _("No active officer has this employee number.")},
            )
            suggested = officers.managed_by(user)
            self.officer_choices = suggested.order_by("employee_number")[:2000]
        if "jfo" in self.fields:
            units = JointForceOperation.objects.exclude(status="closed").managed_by(user)
            self.fields["jfo"] = forms.ModelChoiceField(
                queryset=units,
                to_field_name="acronym",
                label=_("JFO unit (acronym)"),
                widget=forms.TextInput(attrs={"list": "jfo-choices", "autocomplete": "off"}),
                error_messages={"invalid_choice": _("No open JFO unit of your regions has this acronym.")},
            )
            self.jfo_choices = units.order_by("acronym")[:2000]
        for name, field in self.fields.items():
            if name in ("start_date", "end_date"):
                field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        self.fields["fte"].widget.attrs.update(  # the browser's hint; the model's validator decides
            {"step": str(FTE_STEP), "min": str(FTE_STEP), "max": str(FTE_MAX), "inputmode": "decimal"}
        )


class AssignmentEndForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Assignment
        fields = ["end_date"]
        widgets = {"end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["end_date"].required = True
        self.fields["end_date"].help_text = _("The last day of the assignment.")
