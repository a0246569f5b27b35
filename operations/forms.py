from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jfo_registry.core import permissions
from jfo_registry.core.concurrency import VersionedFormMixin

from . import services
from .choices import Classification, JfoType, Position
from .models import (
    FTE_MAX, FTE_STEP, OFFICER_PERIOD_ATTRIBUTES, UNIT_PERIOD_ATTRIBUTES, Assignment, JointForceOperation, Officer, Program,
    Region, closed_year_message, year_labels,
)


def reason_field(label, *, required: bool = False, help_text: str = "") -> forms.CharField:
    """A reason for a write (a correction, or an administrator's change of a closed year): free
    text of at most 2,000 characters."""
    return forms.CharField(
        label=label, required=required, help_text=help_text, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
    )


class AssignmentForm(VersionedFormMixin, forms.ModelForm):
    """An assignment with every rule of `services` applied on validation.

    Validation locks the officer's row when run inside a transaction (the admin's change
    view is one), so the checked state cannot change before the save.
    """

    check_allocation_on_clean = True
    #: The user writing (set by the admin): the closed-year rule is checked on validation.
    actor = None

    correction_reason = reason_field(_("Reason (administrators, for a correction of a closed fiscal year)"))
    effective_from = forms.DateField(
        label=_("A changed FTE or role takes effect from"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Default today: the days before keep the FTE and role recorded. To correct the recorded "
                    "past in place instead, leave this empty and give a reason."),
    )
    #: The change from a date this form makes (`services.plan_assignment_change`), once valid,
    #: and once saved the fiscal years it touched, in words.
    planned_change = None
    saved_preview = ""

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
                if self.changes_from_a_date():
                    self.plan_change(self.actor)
                else:
                    services.check_unit_overlap(self.instance)
                    services.check_allocation(self.instance)
                    self.check_closed_years(self.actor)
            except ValidationError as error:
                self._update_errors(error)

    def changes_from_a_date(self) -> bool:
        """Whether the form changes a stored period's FTE or role from a date (the default)
        rather than correcting it in place (a reason given and no `effective_from`)."""
        if "effective_from" not in self.fields or self.instance.pk is None:
            return False
        changed = set(self.changed_data)
        if not changed & set(services.EFFECTIVE_DATED_FIELDS):
            return False
        return bool(self.cleaned_data.get("effective_from")) or not (self.cleaned_data.get("correction_reason") or "").strip()

    def plan_change(self, actor) -> None:
        """Plan (and check, writing nothing) the change from a date into `planned_change`.
        Raises ValidationError: for other fields changed with it, and as
        `services.plan_assignment_change`."""
        others = set(self.changed_data) - {*services.EFFECTIVE_DATED_FIELDS, "effective_from", "correction_reason"}
        if others:
            raise ValidationError(_(
                "A change of FTE or role from a date is saved on its own: save the other changes first, or "
                "correct the assignment in place (give a reason and leave the date empty)."
            ))
        self.planned_change = services.plan_assignment_change(
            assignment=self.instance, actor=actor,
            effective_from=self.cleaned_data.get("effective_from") or timezone.localdate(),
            reason=self.cleaned_data.get("correction_reason", ""),
            **{field: self.cleaned_data[field] for field in services.EFFECTIVE_DATED_FIELDS if field in self.cleaned_data},
        )

    def save_through_services(self, actor) -> Assignment:
        """Save the form's write: its planned change from a date, or the assignment as edited
        (`services.assignment_save`, with the correction reason). Returns the assignment saved."""
        if self.planned_change is not None:
            saved = services.assignment_change_apply(self.planned_change, actor=actor)
            self.saved_preview = change_preview(saved, saved.start_date)
            return saved
        stored = Assignment.objects.filter(pk=self.instance.pk).first() if self.instance.pk else None
        rewritten = services.assignment_spans(stored, self.instance) if stored is not None else []
        saved = services.assignment_save(self.instance, actor=actor, reason=self.cleaned_data.get("correction_reason", ""))
        years = sorted({y for start, end in rewritten for y in services.fiscal_years_of(start, end)}, key=lambda y: y.start_year)
        if years:
            self.saved_preview = gettext("Corrected in place: the figures of %(years)s are rewritten.") % {
                "years": ", ".join(year.label for year in years),
            }
        return saved

    def check_closed_years(self, actor) -> None:
        """The closed-year rule (`services.check_closed_years`) for the write this form makes,
        by `actor` (None: not checked here, the service checks it on saving), with the form's
        reason. Returns None; raises ValidationError naming the closed year."""
        if actor is None:
            return
        stored = Assignment.objects.filter(pk=self.instance.pk).first() if self.instance.pk else None
        services.check_closed_years(
            actor, services.assignment_write_spans(stored, self.instance),
            reason=self.cleaned_data.get("correction_reason", ""),
        )


class AssignmentInlineFormSet(forms.BaseInlineFormSet):
    """Assignments edited together (inline on a JFO unit or officer) are checked together: the
    FTE rule across them, then the closed-year rule for each (a form error, never a 500)."""

    #: The user writing (set by the admin).
    actor = None

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
            if form.changes_from_a_date():
                try:
                    form.plan_change(self.actor)
                except ValidationError as error:
                    form.add_error(None, error)
                continue
            try:
                services.check_unit_overlap(form.instance)
            except ValidationError as error:
                form.add_error(None, error.messages)
                continue
            try:
                services.check_allocation(form.instance, pending=pending, ignore_pks=deleted)
            except ValidationError as error:
                form.add_error(None, error.message_dict.get("fte", error.messages))
                continue
            try:
                form.check_closed_years(self.actor)
            except ValidationError as error:
                form.add_error(None, error)


class AssignmentPageForm(AssignmentForm):
    """The assignment form of the pages: officers by employee number and units by acronym
    (suggested from the user's regions), only the fields the page edits."""

    def __init__(self, *args, fields, user, **kwargs):
        super().__init__(*args, **kwargs)
        # an administrator's reason, for a write whose dates touch a closed fiscal year
        kept = (*fields, self.version_field_name, *(["correction_reason"] if permissions.is_administrator(user) else []))
        for name in list(self.fields):
            if name not in kept:
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


def change_preview(assignment: Assignment, day) -> str:
    """Which fiscal years a change of `assignment` from `day` (a date) touches, in words
    (translated): the page's preview and the admin's message after saving."""
    end = assignment.end_date if assignment.end_date is None or assignment.end_date >= day else day
    years = services.fiscal_years_of(day, end)
    if assignment.end_date is None:
        touched = gettext("%(first)s and the years after") % {"first": years[0].label}
    else:
        touched = ", ".join(year.label for year in years)
    return gettext(
        "From %(day)s: the figures of %(years)s change; the years before keep the values recorded."
    ) % {"day": date_format(day, "Y-m-d"), "years": touched}


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AssignmentChangeForm(VersionedFormMixin, forms.ModelForm):
    """A change of FTE and/or role from a date (`services.assignment_change`), with the line that
    says, before saving, which fiscal years it touches (`preview`)."""

    effective_from = forms.DateField(
        label=_("Effective from"), initial=timezone.localdate, widget=_date_input(),
        help_text=_("The first day of the change. The days before keep their FTE and role."),
    )
    reason = reason_field(_("Reason (administrators, for a change inside a closed fiscal year)"))

    class Meta:
        model = Assignment
        fields = ["fte", "role"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.stored_fte, self.stored_role = self.instance.fte, self.instance.role
        self.fields["fte"].widget.attrs.update(
            {"step": str(FTE_STEP), "min": str(FTE_STEP), "max": str(FTE_MAX), "inputmode": "decimal"}
        )
        self.user = user
        if user is not None and not permissions.is_administrator(user):
            del self.fields["reason"]

    def effective_day(self):
        """The day the form's change takes effect: as submitted when valid, else the initial one."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["effective_from"]
        return self.fields["effective_from"].initial()

    def preview(self) -> str:
        """Which fiscal years the change touches, in words (translated)."""
        day = self.effective_day()
        text = change_preview(self.instance, day)
        closed = services.closed_years_touched([(day, self.instance.end_date)])
        if closed and self.user is not None:  # say before saving what the closed-year rule will answer
            if permissions.is_administrator(self.user):
                text += " " + gettext("Closed: %(years)s. Saving needs your reason, recorded as a correction.") % {
                    "years": year_labels(closed),
                }
            else:
                text += " " + closed_year_message(closed)
        return text

    def changes(self) -> dict:
        """The fields whose value the form changes (field name to new value)."""
        values = {"fte": self.cleaned_data.get("fte"), "role": self.cleaned_data.get("role", "")}
        stored = {"fte": self.stored_fte, "role": self.stored_role}
        return {name: value for name, value in values.items() if value != stored[name]}


class AssignmentCorrectionForm(VersionedFormMixin, forms.ModelForm):
    """A correction of the recorded past, in place, with its reason (`services.assignment_correct`)."""

    reason = reason_field(
        _("Reason for the correction"), required=True,
        help_text=_("Why the recorded values were wrong. The fiscal years rewritten are named when saved."),
    )

    class Meta:
        model = Assignment
        fields = ["fte", "start_date", "end_date", "role", "notes"]
        widgets = {"start_date": _date_input(), "end_date": _date_input()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stored = {name: getattr(self.instance, name) for name in self._meta.fields}

    def changes(self) -> dict:
        """The fields whose value the form changes (field name to new value)."""
        return {
            name: self.cleaned_data.get(name) for name in self._meta.fields
            if self.cleaned_data.get(name) != self.stored[name]
        }
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
    reason = reason_field(_("Reason (administrators, for a change inside a closed fiscal year)"))

    def __init__(self, *args, officer: Officer, user=None, **kwargs):
        kwargs.setdefault("initial", {
            "effective_from": timezone.localdate(), "classification": officer.classification,
            "position": officer.position, "home_region": officer.home_region_id,
        })
        super().__init__(*args, **kwargs)
        self.officer = officer
        if user is not None:
            # The regions the user may transfer an officer to (the region rule's queryset form).
            self.fields["home_region"].queryset = Region.objects.managed_by(user).order_by("code")
            if not permissions.is_administrator(user):
                del self.fields["reason"]

    def values(self) -> dict:
        """The cleaned values that differ from the officer's current ones (None for the others)."""
        return {
            name: (value if value != getattr(self.officer, name) else None)
            for name, value in self.cleaned_data.items() if name in OFFICER_PERIOD_ATTRIBUTES
        }


class UnitChangeForm(forms.Form):
    """A move of a unit to another region, or a change of its type or program, from a date (the
    unit page's form); the values it shows start as the unit's current ones. Saved by
    `services.unit_change`."""

    effective_from = forms.DateField(
        label=_("Effective from"),
        help_text=_("The first day of the new values (today or earlier). Earlier days keep the old ones."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.order_by("code"))
    jfo_type = forms.ChoiceField(label=_("JFO type"), choices=JfoType.choices)
    program = forms.ModelChoiceField(label=_("Program"), queryset=Program.objects.order_by("code"), required=False)
    reason = forms.CharField(
        label=_("Reason (administrators, for a change inside a closed fiscal year)"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
    )

    def __init__(self, *args, unit: JointForceOperation, user=None, **kwargs):
        kwargs.setdefault("initial", {
            "effective_from": timezone.localdate(), "region": unit.region_id, "jfo_type": unit.jfo_type,
            "program": unit.program_id,
        })
        super().__init__(*args, **kwargs)
        self.unit = unit
        if user is not None:
            # The regions the user may move a unit to (the region rule's queryset form).
            self.fields["region"].queryset = Region.objects.managed_by(user).order_by("code")
            if not permissions.is_administrator(user):
                del self.fields["reason"]

    def values(self) -> dict:
        """The cleaned values that differ from the unit's current ones (name to new value)."""
        return {
            name: value for name, value in self.cleaned_data.items()
            if name in UNIT_PERIOD_ATTRIBUTES and value != getattr(self.unit, name)
        }


class DatedValuesAdminForm(forms.ModelForm):
    """The admin's form of a record with dated values (an officer, a JFO unit): a changed dated
    value takes effect from `effective_from` (default today), checked here as
    `services.officer_save` / `services.unit_save` will save it (`plan_period_change`,
    `check_period_change`), the closed-year rule included for `actor` (set by the admin)."""

    #: The user writing (set by the admin): the closed-year rule is checked on validation.
    actor = None

    correction_reason = reason_field(_("Reason (administrators, for a change inside a closed fiscal year)"))

    def _post_clean(self) -> None:
        super()._post_clean()
        if self.errors:
            return
        stored = type(self.instance).objects.get(pk=self.instance.pk) if self.instance.pk is not None else None
        if self.actor is not None and isinstance(self.instance, JointForceOperation):
            try:
                services.check_unit_activity(
                    stored, self.instance, actor=self.actor, reason=self.cleaned_data.get("correction_reason", "")
                )
            except ValidationError as error:
                self._update_errors(error)
                return
        if stored is None:
            return
        changed = services.dated_changes(self.instance, stored)
        if changed:
            try:
                change = services.plan_period_change(
                    stored, effective_from=self.cleaned_data.get("effective_from") or timezone.localdate(), **changed
                )
                if self.actor is not None:
                    services.check_period_change(
                        change, actor=self.actor, reason=self.cleaned_data.get("correction_reason", "")
                    )
            except ValidationError as error:
                self._update_errors(error)


class OfficerAdminForm(DatedValuesAdminForm):
    """The admin's officer form (`DatedValuesAdminForm`): classification, position and home region."""

    effective_from = forms.DateField(
        label=_("Changes take effect from"), required=False,
        help_text=_("For a changed classification, position or home region: the first day of the new value "
                    "(default today). Earlier days keep the old one."),
    )

    class Meta:
        model = Officer
        fields = ["employee_number", "name", "position", "classification", "home_region", "active"]


class UnitAdminForm(DatedValuesAdminForm):
    """The admin's JFO unit form (`DatedValuesAdminForm`): region, JFO type and program."""

    effective_from = forms.DateField(
        label=_("Changes take effect from"), required=False,
        help_text=_("For a changed region, JFO type or program: the first day of the new value "
                    "(default today). Earlier days keep the old one."),
    )

    class Meta:
        model = JointForceOperation
        fields = [
            "name", "acronym", "jfo_type", "program", "region", "objectives", "threats", "co_located",
            "has_joint_management_team", "status", "start_date", "end_date",
        ]


class PeriodCorrectionAdminForm(forms.ModelForm):
    """The admin's correction of a dated period (an officer's, a unit's: `Meta.model` set by the
    admin): its dates and values as corrected, with the reason (required), checked on validation
    as `services.period_correct` will write it (`plan_period_correction`, under the record's row
    lock: the admin's change view is a transaction), for `actor` (set by the admin)."""

    #: The user writing (set by the admin).
    actor = None

    correction_reason = reason_field(
        _("Reason for the correction"), required=True,
        help_text=_("Why the recorded past was wrong. Neighbouring periods follow a moved start or end; "
                    "a correction of a closed fiscal year is recorded with this reason."),
    )

    def _post_clean(self) -> None:
        # The service validates the periods it writes (the neighbours too), not the model form.
        if self.errors:
            return
        model = type(self.instance)
        stored = model.objects.get(pk=self.instance.pk)
        changes = {
            name: self.cleaned_data[name] for name in ("start_date", "end_date", *model.ATTRIBUTES)
            if name in self.cleaned_data
            and getattr(stored, model._meta.get_field(name).attname) != getattr(self.cleaned_data[name], "pk", self.cleaned_data[name])
        }
        try:
            self.correction = services.plan_period_correction(
                stored, reason=self.cleaned_data.get("correction_reason", ""), actor=self.actor, **changes
            )
        except ValidationError as error:
            self._update_errors(error)
