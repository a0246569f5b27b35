"""The four registry resources (agencies, JFO units, officers, assignments) and their kinds."""

from __future__ import annotations

import copy
import datetime

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import exceptions as ie_exceptions
from import_export.fields import Field

from jfo_registry.core import periods

from .. import services
from ..choices import Classification, Country, JfoStatus, JfoType, Jurisdiction, ParticipationRole, Position
from ..models import Agency, Assignment, JointForceOperation, Officer, Participation, Program, Region, Threat
from .base import RegistryResource
from .fields import ParticipationField, SetField, TextField, column
from .widgets import (
    BooleanWidget, ChoiceWidget, DateWidget, DecimalWidget, KeyListWidget, KeyWidget, TextWidget, cell_text,
)

# Messages of keys that match nothing, shared by the columns that name the same records.
NO_REGION = gettext_lazy("No region has the code '%(key)s'.")
UNKNOWN_AGENCIES = gettext_lazy("Unknown agency acronyms: %(keys)s.")


class UnknownKind(ValueError):
    """The kind of record is not one of KINDS."""


class AgencyResource(RegistryResource):
    """Agencies by acronym; `parent` by acronym. A parent defined further down the same file
    is linked once its row is saved."""

    kind = "agencies"

    acronym = column("acronym", TextWidget())
    name_en = column("name_en", TextWidget())
    name_fr = column("name_fr", TextWidget())
    jurisdiction = column("jurisdiction", ChoiceWidget(Jurisdiction.choices))
    country = column("country", ChoiceWidget(Country.choices))
    parent = column("parent", KeyWidget(Agency, "acronym", gettext_lazy("No agency has the acronym '%(key)s'.")))
    active = column("active", BooleanWidget())

    class Meta:
        model = Agency
        fields = ("acronym", "name_en", "name_fr", "jurisdiction", "country", "parent", "active")
        import_order = export_order = fields
        import_id_fields = ("acronym",)

    def _reset(self) -> None:
        super()._reset()
        self.file_acronyms: set[str] = set()
        self.waiting: dict[int, tuple[str, Agency, dict]] = {}  # row -> (parent acronym, agency, row)

    def prepare(self, dataset) -> None:
        """Remember the file's acronyms, to tell a parent further down from an unknown one."""
        self.file_acronyms = {cell_text(row.get("acronym")) for row in dataset.dict} - {""}

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        """The stock field import, except a `parent` defined further down the file: that row waits."""
        if field.attribute == "parent" and field.column_name in row:
            key = cell_text(row[field.column_name])
            if key and key in self.file_acronyms and field.widget.find(key) is None:
                # Defined further down: saved once the parent row is (see after_import).
                self.waiting[kwargs.get("row_number")] = (key, instance, row)
                return
        return super().import_field(field, instance, row, is_m2m, **kwargs)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """A row waiting for its parent is never unchanged; otherwise as every resource."""
        if self.row_number in self.waiting:
            return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def import_row(self, row, instance_loader, **kwargs):
        """The row's RowResult; an invalid row no longer waits for its parent."""
        result = super().import_row(row, instance_loader, **kwargs)
        number = kwargs.get("row_number")
        if number in self.waiting and not result.is_valid():
            del self.waiting[number]
        return result

    def do_instance_save(self, instance, is_create):
        """Save the agency, unless it waits for its parent (saved in after_import)."""
        if self.row_number in self.waiting:
            return  # saved with its parent in after_import
        super().do_instance_save(instance, is_create)

    def after_import(self, dataset, result, **kwargs):
        """Save the waiting agencies once their parents exist; a loop or an agency that is its own
        parent is the row's error (appended to `result`, or raised with `raise_errors`)."""
        if self.waiting and not (result.has_errors() or result.has_validation_errors()):
            parent_widget = self.fields["parent"].widget
            waiting = dict(self.waiting)
            progressed = True
            while waiting and progressed:
                progressed = False
                for number, (key, agency, row) in list(waiting.items()):
                    parent = parent_widget.find(key)
                    if parent is None:
                        continue
                    del waiting[number]
                    progressed = True
                    agency.parent = parent
                    try:
                        with transaction.atomic():
                            agency.full_clean()
                            agency.save()
                    except ValidationError as error:
                        self._invalid(result, number, row, error)
            for number, (key, agency, row) in sorted(waiting.items()):
                if key == agency.acronym:
                    message = _("An agency cannot be its own parent.")
                else:
                    message = _("'%(acronym)s' cannot be saved before its own parent: the parents form a loop.") % {
                        "acronym": key
                    }
                self._invalid(result, number, row, ValidationError({"parent": [message]}))
        super().after_import(dataset, result, **kwargs)

    def _invalid(self, result, number, row, error) -> None:
        # after_import runs after the stock row loop, so the row's error is reported by hand.
        if self.raise_errors:
            raise ie_exceptions.ImportError(error, number=number, row=row)
        result.append_invalid_row(number, row, error)

    def filter_export(self, queryset, **kwargs):
        """The records to export, in the file's order, with what their columns read."""
        return queryset.select_related("parent").order_by("acronym")

    def iter_queryset(self, queryset):
        """Parents before their children, so the file imports in one pass."""
        agencies = list(super().iter_queryset(queryset))
        by_pk = {a.pk: a for a in agencies}
        done: set[int] = set()

        def emit(agency, trail=()):
            if agency.pk in done or agency.pk in trail:
                return
            if agency.parent_id in by_pk:
                yield from emit(by_pk[agency.parent_id], (*trail, agency.pk))
            done.add(agency.pk)
            yield agency

        for agency in agencies:
            yield from emit(agency)


class JointForceOperationResource(RegistryResource):
    """JFO units by acronym; region and program by code; threats, leads and partners as
    comma-separated lists (threat codes, agency acronyms). `leads` and `partners` set the
    unit's participations; a column left out of the file leaves those participations as they are."""

    kind = "jfos"

    acronym = column("acronym", TextWidget())
    name = column("name", TextWidget())
    jfo_type = column("jfo_type", ChoiceWidget(JfoType.choices))
    program = column("program", KeyWidget(Program, "code", gettext_lazy("No program has the code '%(key)s'.")))
    region = column("region", KeyWidget(Region, "code", NO_REGION))
    objectives = column("objectives", TextWidget(strip=False), TextField)
    threats = column(
        "threats", KeyListWidget(Threat, "code", gettext_lazy("Unknown threat codes: %(keys)s.")), SetField,
    )
    leads = column(
        "leads", KeyListWidget(Agency, "acronym", UNKNOWN_AGENCIES), ParticipationField,
        role=ParticipationRole.LEAD,
    )
    partners = column(
        "partners", KeyListWidget(Agency, "acronym", UNKNOWN_AGENCIES), ParticipationField,
        role=ParticipationRole.PARTNER,
    )
    co_located = column("co_located", BooleanWidget())
    has_joint_management_team = column("has_joint_management_team", BooleanWidget())
    status = column("status", ChoiceWidget(JfoStatus.choices))
    start_date = column("start_date", DateWidget())
    end_date = column("end_date", DateWidget())

    class Meta:
        model = JointForceOperation
        fields = (
            "acronym", "name", "jfo_type", "program", "region", "objectives", "threats", "leads", "partners",
            "co_located", "has_joint_management_team", "status", "start_date", "end_date",
        )
        import_order = export_order = fields
        import_id_fields = ("acronym",)

    def do_instance_save(self, instance, is_create):
        """Save through `services.unit_save`: a changed region, type or program takes effect
        from today (earlier days keep the old value)."""
        services.unit_save(instance, actor=self.actor, reason=self.reason)

    def _role_columns(self, row) -> dict[str, ParticipationField]:
        return {f.role: f for f in (self.fields["leads"], self.fields["partners"]) if f.column_name in row}

    def check_row(self, instance, row, errors) -> dict:
        """An agency both lead and partner of the unit is the row's error on `partners`; a change
        of the stored unit's leads refused by `services.check_participations_change` (inside a
        closed year) is the row's error on `leads`."""
        columns = self._role_columns(row)
        if len(columns) == 2 and "leads" not in errors and "partners" not in errors:
            leads, partners = columns[ParticipationRole.LEAD], columns[ParticipationRole.PARTNER]
            both = set(leads.wanted(row)) & set(partners.wanted(row))
            if both:
                return {"partners": ValidationError(
                    _("%(agencies)s: an agency is either a lead or a partner of a unit, not both.")
                    % {"agencies": ", ".join(sorted(both))}
                )}
        if columns and instance.pk and "leads" not in errors and "partners" not in errors:
            try:
                services.check_participations_change(
                    actor=self.actor, jfo=instance, participations=self._participations_wanted(instance, row),
                    reason=self.reason,
                )
            except ValidationError as error:
                return {"leads": ValidationError(error.messages)}
        return {}

    def _participations_wanted(self, jfo, row) -> list[dict]:
        """The unit's participations as the row leaves them: in the roles it has columns for,
        the agencies it names; in the others, the stored ones (an agency named keeps one role)."""
        columns = self._role_columns(row)
        wanted: dict[int, dict] = {}
        for role, f in columns.items():
            for agency in f.clean(row):
                wanted[agency.pk] = {"agency": agency, "role": role}
        for participation in jfo.participations.select_related("agency") if jfo.pk else ():
            if participation.role not in columns and participation.agency_id not in wanted:
                wanted[participation.agency_id] = {"agency": participation.agency, "role": participation.role}
        return list(wanted.values())

    def save_m2m(self, instance, row, **kwargs):
        """The threats (stock), then the participations of the `leads`/`partners` columns."""
        super().save_m2m(instance, row, **kwargs)  # threats
        self.save_participations(instance, row)

    def save_participations(self, jfo, row) -> None:
        """Make the unit's participations in the roles the row has columns for those it names,
        through `services.participations_replace` (roles changed, missing ones deleted, new ones
        created; a change of the leads inside a closed year refused but to an administrator
        giving the import's reason: ValidationError)."""
        if not self._role_columns(row):
            return
        services.participations_replace(jfo, self._participations_wanted(jfo, row), actor=self.actor, reason=self.reason)

    def filter_export(self, queryset, **kwargs):
        """The records to export, in the file's order, with what their columns read."""
        return queryset.select_related("program", "region").prefetch_related(
            "threats", Prefetch("participations", queryset=Participation.objects.select_related("agency"))
        ).order_by("acronym")


class OfficerResource(RegistryResource):
    """Officers by employee number; home region by code."""

    kind = "officers"

    employee_number = column("employee_number", TextWidget())
    name = column("name", TextWidget())
    position = column("position", ChoiceWidget(Position.choices))
    classification = column("classification", ChoiceWidget(Classification.choices))
    home_region = column("home_region", KeyWidget(Region, "code", NO_REGION))
    active = column("active", BooleanWidget())

    class Meta:
        model = Officer
        fields = ("employee_number", "name", "position", "classification", "home_region", "active")
        import_order = export_order = fields
        import_id_fields = ("employee_number",)

    def filter_export(self, queryset, **kwargs):
        """The records to export, in the file's order, with what their columns read."""
        return queryset.select_related("home_region").order_by("employee_number")

    def do_instance_save(self, instance, is_create):
        """Save through `services.officer_save`: a changed classification, position or home
        region takes effect from today (earlier days keep the old value)."""
        services.officer_save(instance, actor=self.actor, reason=self.reason)


class AssignmentResource(RegistryResource):
    """Assignments by (employee_number, jfo acronym, start_date), and by overlap.

    The matching rule (`services.assignment_import_target` and `assignment_import_match`): a row
    for the same officer and unit as a stored assignment whose period it overlaps updates it
    (the one with the row's start date, else the only one overlapping): unchanged, a change of
    FTE or role from a date (the optional `effective_from` column, else the row's later start
    date, else today), or a correction of its dates or notes naming the fiscal years it
    rewrites. Several overlapping ones, two rows for one stored assignment, rows of the file
    overlapping each other for the same officer and unit, a change that also corrects: a
    conflict, and the whole file is refused. A row that overlaps nothing is a new assignment.
    Each row is matched against the registry as it was before the file.

    The FTE invariant is checked over the whole file: each changed row with the file's other
    rows (as they leave the officer's periods) as pending changes, so the result does not depend
    on the rows' order. Saves lock the officer's row like every other write."""

    kind = "assignments"
    import_only_columns = ("effective_from",)

    employee_number = Field(
        attribute="officer", column_name="employee_number",
        widget=KeyWidget(Officer, "employee_number", gettext_lazy("No officer has the employee number '%(key)s'.")),
    )
    jfo = column(
        "jfo", KeyWidget(JointForceOperation, "acronym", gettext_lazy("No JFO unit has the acronym '%(key)s'.")),
    )
    fte = column("fte", DecimalWidget())
    start_date = column("start_date", DateWidget())
    end_date = column("end_date", DateWidget())
    role = column("role", TextWidget())
    notes = column("notes", TextWidget(strip=False), TextField)

    class Meta:
        model = Assignment
        fields = ("employee_number", "jfo", "fte", "start_date", "end_date", "role", "notes")
        import_order = export_order = fields
        import_id_fields = ("employee_number", "jfo", "start_date")

    def _reset(self) -> None:
        super()._reset()
        # officer id -> {row: the officer's periods as the row leaves them}
        self.file_rows: dict[int, dict[int, list[Assignment]]] = {}
        self.matches: dict[int, services.ImportMatch] = {}  # row -> what it does
        self.refusals: dict[int, ValidationError] = {}  # row -> its conflict

    @staticmethod
    def effective_from(row) -> datetime.date | None:
        """The row's `effective_from` cell (None when empty or absent). Raises ValueError."""
        return DateWidget().clean(row.get("effective_from"))

    def prepare(self, dataset) -> None:
        """Match every valid row with the stored assignments (the registry before the file) and
        keep what it leaves, the pending changes of the FTE check; conflicts refuse their rows."""
        claimed: dict[int, int] = {}  # stored assignment -> the row that updates it
        for number, values in enumerate(dataset, 1):
            if number in self.blank_rows or number in self.duplicate_rows:
                continue
            row = dict(zip(dataset.headers, values))
            try:
                wanted = self.init_instance(row)
                super().import_instance(wanted, row)
                # The model's rules on values (officer and unit were found by their keys);
                # the row's own full_clean() runs when it is imported.
                wanted.full_clean(exclude=["officer", "jfo"], validate_unique=False, validate_constraints=False)
                effective_from = self.effective_from(row)
            except (ValidationError, ValueError, ObjectDoesNotExist):
                continue  # invalid: reported when its row is imported, and left out of the check
            try:
                stored = services.assignment_import_target(wanted)
            except ValidationError as error:
                self.refusals[number] = ValidationError({NON_FIELD_ERRORS: error.messages})
                continue
            if stored is not None:
                first = claimed.setdefault(stored.pk, number)
                if first != number:
                    self.refusals[number] = ValidationError({NON_FIELD_ERRORS: [
                        _("Conflict: row %(row)s already updates assignment %(assignment)s: one row per assignment.")
                        % {"row": first, "assignment": services.describe_assignment(stored)}
                    ]})
                    continue
                wanted = copy.copy(stored)
                try:
                    super().import_instance(wanted, row)
                except (ValidationError, ValueError, ObjectDoesNotExist):
                    continue  # reported when its row is imported
            match = services.assignment_import_match(stored, wanted, effective_from=effective_from)
            if match.outcome == services.IMPORT_CONFLICT:
                self.refusals[number] = ValidationError({NON_FIELD_ERRORS: [match.describe()]})
                continue
            self.matches[number] = match
            self.file_rows.setdefault(wanted.officer_id, {})[number] = match.periods(wanted)
        self._refuse_overlapping_rows()

    def _moves_days(self, number: int) -> bool:
        match = self.matches[number]
        return match.outcome in (services.IMPORT_NEW, services.IMPORT_CHANGE) or (
            match.outcome == services.IMPORT_CORRECTION and bool({"start_date", "end_date"} & set(match.changes))
        )

    def _refuse_overlapping_rows(self) -> None:
        """Rows of the file that leave the same officer twice in the same unit on a day conflict
        (unless neither adds or moves days: such an overlap is stored already, not the file's)."""
        for rows in self.file_rows.values():
            numbers = sorted(rows)
            for index, number in enumerate(numbers):
                for earlier in numbers[:index]:
                    if not (self._moves_days(number) or self._moves_days(earlier)):
                        continue
                    if any(
                        a.jfo_id == b.jfo_id and periods.overlaps(a.start_date, a.end_date, b.start_date, b.end_date)
                        for a in rows[number] for b in rows[earlier]
                    ):
                        self.refusals.setdefault(number, ValidationError({NON_FIELD_ERRORS: [
                            _("Conflict: this row and row %(row)s put the same officer in the same unit over the "
                              "same days; give one row per period.") % {"row": earlier}
                        ]}))
        for number in self.refusals:
            for rows in self.file_rows.values():
                rows.pop(number, None)

    def row_refusal(self, number: int) -> ValidationError | None:
        """A conflict found while matching the file (`prepare`)."""
        return self.refusals.get(number)

    def get_instance(self, instance_loader, row):
        """The stored assignment the row was matched with (`prepare`), else by its key."""
        match = self.matches.get(self.row_number)
        if match is not None:
            return None if match.existing is None else Assignment.objects.get(pk=match.existing.pk)
        return super().get_instance(instance_loader, row)

    def import_instance(self, instance, row, **kwargs):
        """The row's columns, and a bad `effective_from` as the row's error on that column."""
        errors: dict = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        try:
            self.effective_from(row)
        except ValueError as error:
            errors["effective_from"] = ValidationError(str(error), code="invalid")
        if errors:
            raise ValidationError(errors)

    def pending(self, instance) -> list[Assignment]:
        """The file's other rows for the same officer, as they leave the officer's periods."""
        rows = self.file_rows.get(instance.officer_id, {})
        return [period for number, leaves in rows.items() if number != self.row_number for period in leaves]

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The model's validation, then the FTE invariant with the file's other rows pending
        (`services.check_allocation`; a change's two periods are checked when it is saved).
        Raises ValidationError."""
        super().validate_instance(instance, import_validation_errors, validate_unique)
        match = self.matches.get(self.row_number)
        if match is None or match.outcome != services.IMPORT_CHANGE:
            services.check_allocation(instance, pending=self.pending(instance))

    def do_instance_save(self, instance, is_create):
        """Save as the row's match says (`services.assignment_import_apply`: new, change from a
        date or correction), with the actor's regions and reason; the file's copy of a period
        created takes its primary key (counted from the database from then on)."""
        match = self.matches.get(self.row_number) or services.ImportMatch(services.IMPORT_NEW)
        saved = services.assignment_import_apply(
            match, instance, actor=self.actor, reason=self.reason, pending=self.pending(instance)
        )
        for period in self.file_rows.get(instance.officer_id, {}).get(self.row_number, []):
            if period.pk is None:
                period.pk = saved.pk

    def import_row(self, row, instance_loader, **kwargs):
        """The row's RowResult, with `outcome`: what the row does, in words (the preview's)."""
        result = super().import_row(row, instance_loader, **kwargs)
        number = kwargs.get("row_number")
        match = self.matches.get(number)
        if match is not None and result.is_valid():
            result.outcome, result.outcome_row = match.describe(), number
        return result

    def filter_export(self, queryset, **kwargs):
        """The records to export, in the file's order, with what their columns read."""
        return queryset.select_related("officer", "jfo").order_by(
            "officer__employee_number", "jfo__acronym", "start_date", "pk"
        )


KINDS: dict[str, type[RegistryResource]] = {
    "agencies": AgencyResource,
    "jfos": JointForceOperationResource,
    "officers": OfficerResource,
    "assignments": AssignmentResource,
}
#: the model of each kind (for the admin: `resource_classes = [RESOURCES[Model]]`)
RESOURCES: dict[type, type[RegistryResource]] = {cls._meta.model: cls for cls in KINDS.values()}


def resource_class(kind: str) -> type[RegistryResource]:
    """The resource class of `kind` ("agencies", "jfos", "officers", "assignments").
    Raises UnknownKind, whose message lists the kinds."""
    try:
        return KINDS[kind]
    except KeyError:
        raise UnknownKind(
            _("Unknown kind '%(kind)s': use one of %(kinds)s.") % {"kind": kind, "kinds": ", ".join(KINDS)}
        ) from None

