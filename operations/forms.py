from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jfo_registry.core.concurrency import VersionedFormMixin

from . import services
from .choices import Classification, Position
from .models import FTE_MAX, FTE_STEP, OFFICER_PERIOD_ATTRIBUTES, Assignment, JointForceOperation, Officer, Region


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


class OfficerChangeForm(forms.Form):
    """A promotion, a change of position or a transfer from a date (the page's form); the
    values it shows start as the officer's current ones. Saved by `services.officer_change`."""

    effective_from = forms.DateField(
        label=_("Effective from"),
        help_text=_("The first day of the new values (today or earlier). Earlier days keep the old ones."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    classification = forms.ChoiceField(label=_("Classification"), choices=Classification.choices)
    position = forms.ChoiceField(label=_("Position"), choices=Position.choices)
    home_region = forms.ModelChoiceField(label=_("Home region"), queryset=Region.objects.order_by("code"))

    def __init__(self, *args, officer: Officer, **kwargs):
        kwargs.setdefault("initial", {
            "effective_from": timezone.localdate(), "classification": officer.classification,
            "position": officer.position, "home_region": officer.home_region_id,
        })
        super().__init__(*args, **kwargs)
        self.officer = officer

    def values(self) -> dict:
        """The cleaned values that differ from the officer's current ones (None for the others)."""
        return {
            name: (value if value != getattr(self.officer, name) else None)
            for name, value in self.cleaned_data.items() if name != "effective_from"
        }


class OfficerAdminForm(forms.ModelForm):
    """The admin's officer form: a changed classification, position or home region takes effect
    from `effective_from` (default today), checked here as `services.officer_save` will save it."""

    effective_from = forms.DateField(
        label=_("Changes take effect from"), required=False,
        help_text=_("For a changed classification, position or home region: the first day of the new value "
                    "(default today). Earlier days keep the old one."),
    )

    class Meta:
        model = Officer
        fields = ["employee_number", "name", "position", "classification", "home_region", "active"]

    def _post_clean(self) -> None:
        super()._post_clean()
        if self.errors or self.instance.pk is None:
            return
        stored = Officer.objects.get(pk=self.instance.pk)
        changed = {
            name: getattr(self.instance, name) for name in OFFICER_PERIOD_ATTRIBUTES
            if getattr(self.instance, name) != getattr(stored, name)
        }
        if changed:
            try:
                services.plan_officer_change(
                    stored, effective_from=self.cleaned_data.get("effective_from") or timezone.localdate(), **changed
                )
            except ValidationError as error:
                self._update_errors(error)
