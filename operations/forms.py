from django import forms
from django.core.exceptions import ValidationError

from . import services
from .models import Assignment


class AssignmentForm(forms.ModelForm):
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
