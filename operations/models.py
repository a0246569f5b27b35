from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from jfo_registry.core.fiscal import FiscalYear
from jfo_registry.core.history import RegistryHistory
from jfo_registry.core.models import BilingualNameMixin, TimeStampedModel, date_validators, long_text
from jfo_registry.core.permissions import RegionalQuerySet
from jfo_registry.core.validators import validate_single_line

from .choices import Classification, Country, JfoStatus, JfoType, Jurisdiction, ParticipationRole, Position, RiskLevel

# An assignment's FTE: more than 0, at most 1.00, two places. The one home of that range: the
# field's validator (model forms, admin, pages, importers and, through the serializer the
# ModelSerializer builds from the field, the API), the constraint and the page form's bounds.
FTE_MAX = Decimal("1.00")
FTE_STEP = Decimal("0.01")  # the smallest FTE, given two decimal places
FTE_IN_RANGE = Q(fte__gt=0) & Q(fte__lte=FTE_MAX)
FTE_RANGE_MESSAGE = _("FTE must be more than 0 and at most 1.00.")
FISCAL_YEAR_MIN = 1990
FISCAL_YEAR_MAX = 2100
fiscal_year_validators = [MinValueValidator(FISCAL_YEAR_MIN), MaxValueValidator(FISCAL_YEAR_MAX)]


def validate_fte(value: Decimal | None) -> None:
    """Refuse (ValidationError, code "fte_out_of_range", `FTE_RANGE_MESSAGE`) an FTE (a share of
    a full-time position, not FTE-years) that is not more than 0 and at most `FTE_MAX`; None passes."""
    if value is not None and not (Decimal(0) < value <= FTE_MAX):
        raise ValidationError(FTE_RANGE_MESSAGE, code="fte_out_of_range")


def dates_in_order(start: str, end: str, name: str, message) -> models.CheckConstraint:
    """Named check: the end date, when set, is not before the start date."""
    return models.CheckConstraint(
        condition=Q(**{f"{end}__isnull": True}) | Q(**{f"{start}__isnull": True}) | Q(**{f"{end}__gte": F(start)}),
        name=name,
        violation_error_code="dates_out_of_order",
        violation_error_message=message,
    )


class Region(BilingualNameMixin, TimeStampedModel):
    objects = RegionalQuerySet.as_manager()  # editable_by, visible_to: see rules.py
    code = models.CharField(_("code"), max_length=8, unique=True, validators=[validate_single_line])
    name_en = models.CharField(_("name (English)"), max_length=100, validators=[validate_single_line])
    name_fr = models.CharField(_("name (French)"), max_length=100, validators=[validate_single_line])
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="managed_regions",
        blank=True,
        verbose_name=_("regional managers"),
        help_text=_("Users with the regional manager role who may edit this region's officers and assignments."),
    )

    history = RegistryHistory(links=["managers"])

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class Agency(BilingualNameMixin, TimeStampedModel):
    name_en = models.CharField(_("name (English)"), max_length=200, validators=[validate_single_line])
    name_fr = models.CharField(_("name (French)"), max_length=200, blank=True, validators=[validate_single_line])
    acronym = models.CharField(_("acronym"), max_length=20, unique=True, validators=[validate_single_line])
    jurisdiction = models.CharField(_("jurisdiction"), max_length=20, choices=Jurisdiction.choices)
    country = models.CharField(_("country"), max_length=2, choices=Country.choices, default=Country.CANADA)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent agency"),
    )
    active = models.BooleanField(_("active"), default=True)

    history = RegistryHistory()

    class Meta:
        ordering = ["acronym"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return self.acronym

    def clean(self) -> None:
        if self.parent_id and self.pk and self.parent_id == self.pk:
            raise ValidationError({"parent": _("An agency cannot be its own parent.")})


class Threat(BilingualNameMixin, TimeStampedModel):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100, validators=[validate_single_line])
    name_fr = models.CharField(_("name (French)"), max_length=100, validators=[validate_single_line])
    risk_level = models.CharField(_("risk level"), max_length=10, choices=RiskLevel.choices)

    history = RegistryHistory()

    class Meta:
        ordering = ["risk_level", "name_en"]
        verbose_name = _("threat")
        verbose_name_plural = _("threats")

    def __str__(self) -> str:
        return self.name

    def deletion_refusal(self) -> str | None:
        """Why this threat cannot be deleted (units are linked to it), or None."""
        if self.pk and self.jfos.exists():
            return str(_("A threat linked to JFO units is kept: unlink it from the units first."))
        return None


class Program(BilingualNameMixin, TimeStampedModel):
    code = models.CharField(_("code"), max_length=10, unique=True, validators=[validate_single_line])
    name_en = models.CharField(_("name (English)"), max_length=200, validators=[validate_single_line])
    name_fr = models.CharField(_("name (French)"), max_length=200, validators=[validate_single_line])
    default_jfo_type = models.CharField(_("default JFO type"), max_length=12, choices=JfoType.choices)

    history = RegistryHistory()

    class Meta:
        ordering = ["code"]
        verbose_name = _("program")
        verbose_name_plural = _("programs")

    def __str__(self) -> str:
        return self.code


class JointForceOperation(TimeStampedModel):
    objects = RegionalQuerySet.as_manager()  # editable_by, visible_to: see rules.py
    name = models.CharField(_("name"), max_length=200, validators=[validate_single_line])
    acronym = models.CharField(_("acronym"), max_length=30, unique=True, validators=[validate_single_line])
    jfo_type = models.CharField(_("JFO type"), max_length=12, choices=JfoType.choices)
    program = models.ForeignKey(
        Program,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="jfos",
        verbose_name=_("program"),
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="jfos", verbose_name=_("region"))
    objectives = long_text(_("objectives"), blank=True)
    threats = models.ManyToManyField(Threat, related_name="jfos", blank=True, verbose_name=_("threats"))
    agencies = models.ManyToManyField(
        Agency, through="Participation", related_name="jfos", verbose_name=_("agencies")
    )
    co_located = models.BooleanField(_("co-located"), default=False)
    has_joint_management_team = models.BooleanField(_("has a joint management team"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=JfoStatus.choices, default=JfoStatus.ACTIVE)
    start_date = models.DateField(_("start date"), null=True, blank=True, validators=date_validators)
    end_date = models.DateField(_("end date"), null=True, blank=True, validators=date_validators)

    history = RegistryHistory(links=["threats"])

    class Meta:
        ordering = ["region__code", "acronym"]
        verbose_name = _("JFO unit")
        verbose_name_plural = _("JFO units")
        constraints = [
            dates_in_order(
                "start_date", "end_date", "jfo_end_not_before_start",
                _("A JFO unit's end date cannot be before its start date."),
            ),
        ]

    def __str__(self) -> str:
        return self.acronym

    def get_absolute_url(self) -> str:
        return reverse("operations:jfo-detail", args=[self.pk])

    def deletion_refusal(self) -> str | None:
        """Why this unit cannot be deleted (it is covered by an arrangement: close it instead),
        or None. Assignments and gap actions protect it through their foreign keys."""
        if self.pk and self.arrangements.exists():
            return str(_("A JFO unit covered by an arrangement is closed (status and end date), not deleted."))
        return None

    def history_parts(self) -> list:
        """Historical rows shown with the unit's own: its participations and assignments."""
        return [
            Participation.history.filter(jfo_id=self.pk), Assignment.history.filter(jfo_id=self.pk),
            UnitPeriod.history.filter(jfo_id=self.pk),
        ]

    def clean(self) -> None:
        if self.status == JfoStatus.CLOSED and not self.end_date:
            raise ValidationError({"end_date": _("A closed JFO unit needs an end date.")})
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("A JFO unit's end date cannot be before its start date.")})


class Participation(TimeStampedModel):
    jfo = models.ForeignKey(
        JointForceOperation, on_delete=models.CASCADE, related_name="participations", verbose_name=_("JFO unit")
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="participations", verbose_name=_("agency"))
    role = models.CharField(_("role"), max_length=10, choices=ParticipationRole.choices)

    history = RegistryHistory()

    class Meta:
        ordering = ["jfo", "role", "agency__acronym"]
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(
                fields=["jfo", "agency"],
                name="participation_unique_agency_per_jfo",
                violation_error_message=_("This agency already takes part in this JFO unit."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency} ({self.get_role_display()}) – {self.jfo}"


class Officer(TimeStampedModel):
    objects = RegionalQuerySet.as_manager()  # editable_by, visible_to: see rules.py
    employee_number = models.CharField(_("employee number"), max_length=20, unique=True, validators=[validate_single_line])
    name = models.CharField(_("name"), max_length=200, validators=[validate_single_line])
    position = models.CharField(_("position"), max_length=5, choices=Position.choices)
    classification = models.CharField(_("classification"), max_length=5, choices=Classification.choices)
    home_region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="officers", verbose_name=_("home region")
    )
    active = models.BooleanField(_("active"), default=True)

    history = RegistryHistory()

    class Meta:
        ordering = ["employee_number"]
        verbose_name = _("officer")
        verbose_name_plural = _("officers")

    def __str__(self) -> str:
        return f"{self.name} ({self.employee_number})"

    def get_absolute_url(self) -> str:
        return reverse("operations:officer-detail", args=[self.pk])

    def history_parts(self) -> list:
        """Historical rows shown with the officer's own: their assignments."""
        return [Assignment.history.filter(officer_id=self.pk), OfficerPeriod.history.filter(officer_id=self.pk)]


class DatedPeriod(TimeStampedModel):
    """What a record (an officer, a JFO unit: `OWNER`, the field naming it) was from `start_date`
    to `end_date` (inclusive; null: still so): the values of its `ATTRIBUTES`. A record's periods
    do not overlap (the services `officer_change` and `unit_change` check it under the record's
    row lock; on PostgreSQL also an exclusion constraint, `NO_OVERLAP`); a change from a date ends
    one period the day before the next starts. Kept for good. Read through
    `operations/attributes.py`, which holds the one rule of "attribute X of record R on day D"."""

    OWNER: str
    ATTRIBUTES: tuple[str, ...]
    NO_OVERLAP: str
    OVERLAP_MESSAGE: str

    start_date = models.DateField(_("start date"), validators=date_validators)
    end_date = models.DateField(_("end date"), null=True, blank=True, help_text=_("Leave empty while it holds."), validators=date_validators)
    correction = long_text(
        _("last correction"), blank=True, editable=False,
        help_text=_("The reason of the last correction of the past and the fiscal years it rewrote."),
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        end = self.end_date.isoformat() if self.end_date else "…"
        values = " ".join(str(self._named(a) or "–") for a in self.ATTRIBUTES)
        return f"{self._named(self.OWNER)} {self.start_date:%Y-%m-%d}–{end}: {values}"

    def _named(self, name: str):
        """The value of field `name` as text can show it: a related record by its name when it is
        loaded (the admin's lists select them), else its key (never a query per row: history
        pages list many periods)."""
        field = self._meta.get_field(name)
        if field.is_relation and not field.is_cached(self):
            return getattr(self, field.attname)
        return getattr(self, name)

    never_deleted = True  # each kind's `deletion_refusal` says so


# The attributes an officer holds for a period (classification, position, home region): the one
# list the periods, the service `officer_change` and `operations/attributes.py` read.
OFFICER_PERIOD_ATTRIBUTES = ("classification", "position", "home_region")
OFFICER_PERIOD_NO_OVERLAP = "officer_period_no_overlap"
OFFICER_PERIOD_OVERLAP_MESSAGE = _("An officer's periods cannot overlap: end the current period before the next one starts.")


class OfficerPeriod(DatedPeriod):
    """An officer's classification, position and home region over a period (`DatedPeriod`; the
    exclusion constraint `officer_period_no_overlap` is added by migration 0014)."""

    OWNER = "officer"
    ATTRIBUTES = OFFICER_PERIOD_ATTRIBUTES
    NO_OVERLAP = OFFICER_PERIOD_NO_OVERLAP
    OVERLAP_MESSAGE = OFFICER_PERIOD_OVERLAP_MESSAGE

    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="periods", verbose_name=_("officer"))
    classification = models.CharField(_("classification"), max_length=5, choices=Classification.choices)
    position = models.CharField(_("position"), max_length=5, choices=Position.choices)
    home_region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="officer_periods", verbose_name=_("home region")
    )

    history = RegistryHistory()

    class Meta:
        ordering = ["officer", "start_date"]
        verbose_name = _("officer period")
        verbose_name_plural = _("officer periods")
        constraints = [
            dates_in_order(
                "start_date", "end_date", "officer_period_end_not_before_start",
                _("A period's end date cannot be before its start date."),
            ),
            models.UniqueConstraint(
                fields=["officer", "start_date"],
                name="officer_period_unique_start",
                violation_error_message=OFFICER_PERIOD_OVERLAP_MESSAGE,
            ),
        ]
        indexes = [models.Index(fields=["officer", "start_date", "end_date"], name="officer_period_span")]

    def deletion_refusal(self) -> str:
        """Why this record cannot be deleted (always: a period is ended, or corrected, never removed)."""
        return str(_("An officer's period is kept: record a change from a date instead."))


# The attributes a JFO unit holds for a period (region, JFO type, program): the one list the
# periods, the service `unit_change` and `operations/attributes.py` read.
UNIT_PERIOD_ATTRIBUTES = ("region", "jfo_type", "program")
UNIT_PERIOD_NO_OVERLAP = "unit_period_no_overlap"
UNIT_PERIOD_OVERLAP_MESSAGE = _("A JFO unit's periods cannot overlap: end the current period before the next one starts.")


class UnitPeriod(DatedPeriod):
    """A JFO unit's region, type and program over a period (`DatedPeriod`; the exclusion
    constraint `unit_period_no_overlap` is added by migration 0015)."""

    OWNER = "jfo"
    ATTRIBUTES = UNIT_PERIOD_ATTRIBUTES
    NO_OVERLAP = UNIT_PERIOD_NO_OVERLAP
    OVERLAP_MESSAGE = UNIT_PERIOD_OVERLAP_MESSAGE

    jfo = models.ForeignKey(
        JointForceOperation, on_delete=models.PROTECT, related_name="periods", verbose_name=_("JFO unit")
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="unit_periods", verbose_name=_("region"))
    jfo_type = models.CharField(_("JFO type"), max_length=12, choices=JfoType.choices)
    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, null=True, blank=True, related_name="unit_periods", verbose_name=_("program"),
    )

    history = RegistryHistory()

    class Meta:
        ordering = ["jfo", "start_date"]
        verbose_name = _("JFO unit period")
        verbose_name_plural = _("JFO unit periods")
        constraints = [
            dates_in_order(
                "start_date", "end_date", "unit_period_end_not_before_start",
                _("A period's end date cannot be before its start date."),
            ),
            models.UniqueConstraint(
                fields=["jfo", "start_date"],
                name="unit_period_unique_start",
                violation_error_message=UNIT_PERIOD_OVERLAP_MESSAGE,
            ),
        ]
        indexes = [models.Index(fields=["jfo", "start_date", "end_date"], name="unit_period_span")]

    def deletion_refusal(self) -> str:
        """Why this record cannot be deleted (always: a period is ended, or corrected, never removed)."""
        return str(_("A JFO unit's period is kept: record a change from a date instead."))


#: Every kind of dated period, by the field of an assignment that names its record.
DATED_PERIODS: dict[str, type[DatedPeriod]] = {"officer": OfficerPeriod, "jfo": UnitPeriod}


class Assignment(TimeStampedModel):
    objects = RegionalQuerySet.as_manager()  # editable_by, visible_to: see rules.py
    officer = models.ForeignKey(
        Officer, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("officer")
    )
    jfo = models.ForeignKey(
        JointForceOperation, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("JFO unit")
    )
    fte = models.DecimalField(
        _("FTE"),
        max_digits=3,
        decimal_places=2,
        help_text=_("Share of a full-time position, more than 0 and at most 1.00."),
        validators=[validate_fte],
    )
    start_date = models.DateField(_("start date"), validators=date_validators)
    end_date = models.DateField(_("end date"), null=True, blank=True, help_text=_("Leave empty while ongoing."), validators=date_validators)
    role = models.CharField(_("role"), max_length=100, blank=True, validators=[validate_single_line])
    notes = long_text(_("notes"), blank=True)
    predecessor = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="successor",
        verbose_name=_("predecessor"),
        help_text=_("The period this one continues: a change of FTE or role from a date ends it the day before."),
    )
    # The first day of the chain of periods this one continues (its first predecessor's start):
    # tenure on the unit runs from it. Empty for a period that continues none (its own start);
    # read it as `series_start_expression()`. Kept by the services (assignment_change, assignment_save).
    series_start = models.DateField(
        _("series start"), null=True, blank=True, editable=False,
        help_text=_("The first day of the periods this one continues; empty when it continues none."),
    )
    correction = long_text(
        _("last correction"), blank=True, editable=False,
        help_text=_("The reason of the last correction of the past and the fiscal years it rewrote."),
    )

    history = RegistryHistory()

    class Meta:
        ordering = ["officer__employee_number", "start_date", "pk"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.CheckConstraint(
                condition=FTE_IN_RANGE,
                name="assignment_fte_in_range",
                violation_error_code="fte_out_of_range",
                violation_error_message=FTE_RANGE_MESSAGE,
            ),
            dates_in_order(
                "start_date", "end_date", "assignment_end_not_before_start",
                _("An assignment's end date cannot be before its start date."),
            ),
        ]
        indexes = [
            models.Index(fields=["officer", "start_date", "end_date"], name="assignment_officer_period"),
            models.Index(fields=["jfo", "start_date", "end_date"], name="assignment_jfo_period"),
            # The fiscal-year overlap (end null or after the year's start, start before its end):
            # EXPLAIN ANALYZE at national scale, resources report scan 134 ms -> 119 ms.
            models.Index(fields=["end_date", "start_date"], name="assignment_period"),
        ]

    def __str__(self) -> str:
        return f"{self.officer} – {self.jfo} ({self.fte})"

    @property
    def is_ongoing(self) -> bool:
        return self.end_date is None

    # Kept for good: an assignment ends with an end date, by anyone, through any entry point.
    never_deleted = True

    def deletion_refusal(self) -> str:
        """Why this record cannot be deleted (always: see `never_deleted`)."""
        return str(_("An assignment is never deleted: end it with an end date instead."))

    def clean(self) -> None:
        # The FTE range is the field's validator (`validate_fte`), run by full_clean before this.
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("An assignment's end date cannot be before its start date.")})


class FiscalYearRecord(TimeStampedModel):
    """A record that holds for one fiscal year, stored as the year in which it starts."""

    fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year"), validators=fiscal_year_validators, help_text=_("The year in which it starts: 2010 for 2010-2011.")
    )

    class Meta:
        abstract = True

    @property
    def fiscal_year_label(self) -> str:
        return FiscalYear(self.fiscal_year).label


def year_labels(years) -> str:
    """`years` (FiscalYear, in order) in words, translated: "2010-2011", "2010-2011 and
    2012-2013", "2010-2011, 2011-2012 and 2012-2013"."""
    labels = [year.label for year in years]
    if len(labels) < 2:
        return "".join(labels)
    return str(_("%(years)s and %(last)s") % {"years": ", ".join(labels[:-1]), "last": labels[-1]})


def closed_year_message(years) -> str:
    """The one refusal of a write to a closed fiscal year (`years`: FiscalYear), naming the years
    (translated, singular or plural): the message of `services.check_closed_years` on every entry point."""
    years = list(years)
    return ngettext(
        "Fiscal year %(years)s is closed: its figures can no longer be changed. Make the change take "
        "effect after it, or ask an administrator to correct the year, giving a reason.",
        "Fiscal years %(years)s are closed: their figures can no longer be changed. Make the change take "
        "effect after them, or ask an administrator to correct the years, giving a reason.",
        len(years),
    ) % {"years": year_labels(years)}


def closed_year_record_message(years) -> str:
    """The refusal of a change or deletion of a salary rate or costing policy of a closed fiscal
    year (`years`: FiscalYear), naming the years (translated): only administrators write them,
    and they reopen the year first (an in-place correction with a reason is for assignments)."""
    years = list(years)
    return ngettext(
        "Fiscal year %(years)s is closed: its salary rates and costing policy are kept as they are. "
        "Reopen the year first (Fiscal year closures, with a reason), then close it again.",
        "Fiscal years %(years)s are closed: their salary rates and costing policies are kept as they are. "
        "Reopen the years first (Fiscal year closures, with a reason), then close them again.",
        len(years),
    ) % {"years": year_labels(years)}


class ClosedYearKeptMixin:
    """A record the reports of its fiscal year cost by (a salary rate, the costing policy): kept
    while that year is closed, whoever deletes it (an administrator reopens the year first:
    `closed_year_record_message`)."""

    def deletion_refusal(self) -> str | None:
        """The closed-year refusal naming the year while it is closed, else None (one query)."""
        if FiscalYearClosure.objects.filter(fiscal_year=self.fiscal_year, closed=True).exists():
            return closed_year_record_message([FiscalYear(self.fiscal_year)])
        return None


class SalaryRate(ClosedYearKeptMixin, FiscalYearRecord):
    classification = models.CharField(_("classification"), max_length=5, choices=Classification.choices)
    annual_salary = models.DecimalField(
        _("annual salary"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )

    history = RegistryHistory()

    class Meta:
        ordering = ["-fiscal_year", "classification"]
        verbose_name = _("salary rate")
        verbose_name_plural = _("salary rates")
        constraints = [
            models.UniqueConstraint(
                fields=["classification", "fiscal_year"],
                name="salary_rate_unique_per_year",
                violation_error_message=_("This classification already has a salary rate for this fiscal year."),
            ),
            models.CheckConstraint(
                condition=Q(annual_salary__gt=0),
                name="salary_rate_positive",
                violation_error_message=_("The annual salary must be more than 0."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.classification} {self.fiscal_year_label}: {self.annual_salary}"


class CostingPolicy(ClosedYearKeptMixin, FiscalYearRecord):
    employee_benefits_rate = models.DecimalField(
        _("employee benefits rate"),
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
        help_text=_("Share of salaries added for the employee benefits plan, e.g. 0.2000 for 20%."),
    )

    history = RegistryHistory()

    class Meta:
        ordering = ["-fiscal_year"]
        verbose_name = _("costing policy")
        verbose_name_plural = _("costing policies")
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year"],
                name="costing_policy_unique_per_year",
                violation_error_message=_("This fiscal year already has a costing policy."),
            ),
            models.CheckConstraint(
                condition=Q(employee_benefits_rate__gte=0) & Q(employee_benefits_rate__lte=1),
                name="costing_policy_rate_in_range",
                violation_error_message=_("The employee benefits rate must be between 0 and 1."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year_label}: {self.employee_benefits_rate}"


class FiscalYearClosure(FiscalYearRecord):
    """A fiscal year whose figures are final: while `closed`, only an administrator's correction
    with a reason (`ClosedYearCorrection`) may alter them. Closing and reopening are kept in the
    row's history."""

    closed = models.BooleanField(_("closed"), default=True)
    closed_at = models.DateTimeField(_("closed at"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("closed by"),
    )
    reason = long_text(_("reason for closing"), blank=True)
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("reopened by"),
    )
    reopen_reason = long_text(_("reason for reopening"), blank=True)

    history = RegistryHistory()

    class Meta:
        ordering = ["-fiscal_year"]
        verbose_name = _("fiscal year closure")
        verbose_name_plural = _("fiscal year closures")
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year"],
                name="fiscal_year_closure_unique_per_year",
                violation_error_message=_("This fiscal year already has a closure record."),
            ),
        ]

    def __str__(self) -> str:
        state = _("closed") if self.closed else _("open")
        return f"{self.fiscal_year_label} ({state})"

    never_deleted = True

    def deletion_refusal(self) -> str:
        """Why this record cannot be deleted (always: reopen the year instead)."""
        return str(_("A fiscal year closure is kept: reopen the year instead."))


class ClosedYearCorrection(FiscalYearRecord):
    """An administrator's change of a closed fiscal year's figures, with its reason; listed on
    that year's reports ("corrected on … by …: …")."""

    corrected_at = models.DateTimeField(_("corrected at"))
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("corrected by"),
    )
    reason = long_text(_("reason"))
    description = long_text(_("what was changed"), blank=True)

    history = RegistryHistory()

    class Meta:
        ordering = ["fiscal_year", "corrected_at", "pk"]
        verbose_name = _("closed-year correction")
        verbose_name_plural = _("closed-year corrections")

    def __str__(self) -> str:
        return f"{self.fiscal_year_label}: {self.reason[:60]}"

    never_deleted = True

    def deletion_refusal(self) -> str:
        """Why this record cannot be deleted (always)."""
        return str(_("A correction of a closed year is kept for good."))
