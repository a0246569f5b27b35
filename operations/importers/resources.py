"""The four registry resources (agencies, JFO units, officers, assignments) and their kinds."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import exceptions as ie_exceptions
from import_export.fields import Field

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
        services.unit_save(instance, actor=self.actor)

    def _role_columns(self, row) -> dict[str, ParticipationField]:
        return {f.role: f for f in (self.fields["leads"], self.fields["partners"]) if f.column_name in row}

    def check_row(self, instance, row, errors) -> dict:
        """An agency both lead and partner of the unit is the row's error on `partners`."""
        columns = self._role_columns(row)
        if len(columns) == 2 and "leads" not in errors and "partners" not in errors:
            leads, partners = columns[ParticipationRole.LEAD], columns[ParticipationRole.PARTNER]
            both = set(leads.wanted(row)) & set(partners.wanted(row))
            if both:
                return {"partners": ValidationError(
                    _("%(agencies)s: an agency is either a lead or a partner of a unit, not both.")
                    % {"agencies": ", ".join(sorted(both))}
                )}
        return {}

    def save_m2m(self, instance, row, **kwargs):
        """The threats (stock), then the participations of the `leads`/`partners` columns."""
        super().save_m2m(instance, row, **kwargs)  # threats
        self.save_participations(instance, row)

    def save_participations(self, jfo, row) -> None:
        """Make the unit's participations in the roles the row has columns for those it names:
        roles changed, missing ones deleted, new ones created (each full_clean()ed: ValidationError)."""
        columns = self._role_columns(row)
        if not columns:
            return
        wanted: dict[int, tuple[str, Agency]] = {}
        for role, f in columns.items():
            for agency in f.clean(row):
                wanted[agency.pk] = (role, agency)
        for participation in jfo.participations.all():
            if participation.agency_id in wanted:
                role, _agency = wanted.pop(participation.agency_id)
                if participation.role != role:
                    participation.role = role
                    participation.full_clean()
                    participation.save()
            elif participation.role in columns:
                participation.delete()
        for role, agency in sorted(wanted.values(), key=lambda item: (item[0], item[1].acronym)):
            participation = Participation(jfo=jfo, agency=agency, role=role)
            participation.full_clean()
            participation.save()

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
        services.officer_save(instance, actor=self.actor)


class AssignmentResource(RegistryResource):
    """Assignments by (employee_number, jfo acronym, start_date).

    The FTE invariant is checked over the whole file: each changed row with the file's other
    rows as pending changes, so the result does not depend on the rows' order. Saves lock the
    officer's row like every other write (`services.assignment_save`)."""

    kind = "assignments"

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
        # officer id -> {row: the assignment as the file leaves it}
        self.file_rows: dict[int, dict[int, Assignment]] = {}

    def prepare(self, dataset) -> None:
        """Every valid row as the file would leave it: the pending changes of the FTE check."""
        loader = self._meta.instance_loader_class(self, dataset)
        for number, values in enumerate(dataset, 1):
            if number in self.blank_rows or number in self.duplicate_rows:
                continue
            row = dict(zip(dataset.headers, values))
            try:
                instance = self.get_instance(loader, row) or self.init_instance(row)
                super().import_instance(instance, row)
                # The model's rules on values (officer and unit were found by their keys);
                # the row's own full_clean() runs when it is imported.
                instance.full_clean(exclude=["officer", "jfo"], validate_unique=False, validate_constraints=False)
            except (ValidationError, ValueError, ObjectDoesNotExist):
                continue  # invalid: reported when its row is imported, and left out of the check
            self.file_rows.setdefault(instance.officer_id, {})[number] = instance

    def pending(self, instance) -> list[Assignment]:
        """The file's other rows for the same officer."""
        rows = self.file_rows.get(instance.officer_id, {})
        return [other for number, other in rows.items() if number != self.row_number]

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The model's validation, then the FTE invariant with the file's other rows pending
        (`services.check_allocation`). Raises ValidationError."""
        super().validate_instance(instance, import_validation_errors, validate_unique)
        services.check_allocation(instance, pending=self.pending(instance))

    def do_instance_save(self, instance, is_create):
        """Save through `services.assignment_save` (the officer's row locked, the actor's regions)."""
        # The file's other rows for this officer are pending changes, so a file that ends one
        # assignment and starts the next saves in any row order.
        services.assignment_save(instance, pending=self.pending(instance), actor=self.actor)

    def after_save_instance(self, instance, row, **kwargs):
        """The file's copy of the saved row takes its primary key."""
        mine = self.file_rows.get(instance.officer_id, {}).get(kwargs.get("row_number"))
        if mine is not None and mine.pk is None:
            mine.pk = instance.pk  # saved: counted from the file, no longer from the database

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

