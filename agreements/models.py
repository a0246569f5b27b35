from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from jfo_registry.core.history import RegistryHistory
from jfo_registry.core.models import TimeStampedModel, date_validators, long_text
from jfo_registry.core.permissions import RegionalQuerySet
from jfo_registry.core.validators import validate_file_name, validate_single_line
from operations.models import Agency, JointForceOperation, dates_in_order

from .choices import (
    ArrangementKind, ArrangementStatus, CoverageStatus, DocumentKind, GapActionStatus, PartyRole, ReminderKind,
)


# Ten years' notice: longer than any arrangement runs.
NOTICE_PERIOD_MAX_DAYS = 3650
# An arrangement in these statuses has never bound anyone, if its history says so too.
NEVER_IN_FORCE = (ArrangementStatus.DRAFT, ArrangementStatus.UNDER_NEGOTIATION)
# A successor counts until it is terminated: an arrangement has at most one such successor.
LIVE_SUCCESSOR = ~Q(status=ArrangementStatus.TERMINATED)


class Arrangement(TimeStampedModel):
    objects = RegionalQuerySet.as_manager()  # editable_by, visible_to: see rules.py
    reference = models.CharField(_("reference"), max_length=50, unique=True, validators=[validate_single_line])
    title = models.CharField(_("title"), max_length=300, validators=[validate_single_line])
    kind = models.CharField(_("kind"), max_length=10, choices=ArrangementKind.choices, default=ArrangementKind.WCA)
    status = models.CharField(
        _("status"), max_length=20, choices=ArrangementStatus.choices, default=ArrangementStatus.DRAFT
    )
    signed_date = models.DateField(_("signed date"), null=True, blank=True, validators=date_validators)
    effective_date = models.DateField(_("effective date"), null=True, blank=True, validators=date_validators)
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True, help_text=_("Leave empty if open-ended."), validators=date_validators)
    review_date = models.DateField(_("review date"), null=True, blank=True, validators=date_validators)
    # Bounded in the model: SQLite would store any integer that PostgreSQL then refuses.
    notice_period_days = models.PositiveIntegerField(
        _("notice period (days)"), null=True, blank=True, validators=[MaxValueValidator(NOTICE_PERIOD_MAX_DAYS)]
    )
    supersedes = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="successors",
        verbose_name=_("supersedes"),
    )
    jfos = models.ManyToManyField(
        JointForceOperation, related_name="arrangements", blank=True, verbose_name=_("covered JFO units")
    )
    agencies = models.ManyToManyField(
        Agency, through="ArrangementParty", related_name="arrangements", verbose_name=_("parties")
    )
    joint_management_team = models.BooleanField(
        _("provides a joint management team"), default=False
    )
    financial_commitments = models.BooleanField(_("sets out financial commitments"), default=False)
    intelligence_and_investigation_mandates = models.BooleanField(
        _("distinguishes intelligence and criminal-investigation mandates"), default=False
    )
    notes = long_text(_("notes"), blank=True)

    history = RegistryHistory(links=["jfos"])

    class Meta:
        ordering = ["reference"]
        verbose_name = _("arrangement")
        verbose_name_plural = _("arrangements")
        constraints = [
            dates_in_order(
                "effective_date", "expiry_date", "arrangement_expiry_not_before_effective",
                _("The expiry date cannot be before the effective date."),
            ),
            models.CheckConstraint(
                condition=~Q(status=ArrangementStatus.IN_FORCE)
                | (Q(signed_date__isnull=False) & Q(effective_date__isnull=False)),
                name="arrangement_in_force_is_signed",
                violation_error_code="in_force_unsigned",
                violation_error_message=_("An arrangement in force needs a signed date and an effective date."),
            ),
            models.UniqueConstraint(
                fields=["supersedes"],
                condition=LIVE_SUCCESSOR,
                name="arrangement_one_live_successor",
                violation_error_code="unique",  # reported on the field, as a unique field's error is
                violation_error_message=_(
                    "The arrangement this one supersedes already has a successor (one not terminated)."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("agreements:arrangement-detail", args=[self.pk])

    def deletion_refusal(self) -> str | None:
        """Why this arrangement cannot be deleted, or None. Only a draft (or one under
        negotiation) that was never in force may be deleted; any other is kept for the record:
        terminated, left to expire or superseded."""
        if self.pk and (
            self.status not in NEVER_IN_FORCE
            or self.history.exclude(status__in=NEVER_IN_FORCE).exists()
        ):
            return str(_(
                "An arrangement that has been in force is kept for the record: terminate it (or let it "
                "expire or be superseded) instead of deleting it."
            ))
        return None

    def history_parts(self) -> list:
        """Historical rows shown with the arrangement's own: parties, condition coverage,
        documents and gap actions."""
        return [
            model.history.filter(arrangement_id=self.pk)
            for model in (ArrangementParty, ConditionCoverage, ArrangementDocument, GapAction)
        ]

    def clean(self) -> None:
        errors = {}
        if self.status == ArrangementStatus.IN_FORCE:
            if not self.signed_date:
                errors["signed_date"] = _("An arrangement in force needs a signed date.")
            if not self.effective_date:
                errors["effective_date"] = _("An arrangement in force needs an effective date.")
        if self.effective_date and self.expiry_date and self.expiry_date < self.effective_date:
            errors["expiry_date"] = _("The expiry date cannot be before the effective date.")
        if self.supersedes_id and self.pk and self.supersedes_id == self.pk:
            errors["supersedes"] = _("An arrangement cannot supersede itself.")
        if errors:
            raise ValidationError(errors)


class ArrangementParty(TimeStampedModel):
    arrangement = models.ForeignKey(
        Arrangement, on_delete=models.CASCADE, related_name="parties", verbose_name=_("arrangement")
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="arrangement_parties", verbose_name=_("agency")
    )
    role = models.CharField(_("role"), max_length=10, choices=PartyRole.choices, default=PartyRole.SIGNATORY)

    history = RegistryHistory()

    class Meta:
        ordering = ["arrangement", "role", "agency__acronym"]
        verbose_name = _("arrangement party")
        verbose_name_plural = _("arrangement parties")
        constraints = [
            models.UniqueConstraint(
                fields=["arrangement", "agency"],
                name="arrangement_party_unique_agency",
                violation_error_message=_("This agency is already a party to this arrangement."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency} ({self.get_role_display()}) – {self.arrangement}"


class InformationSharingCondition(TimeStampedModel):
    """One of the seven conditions (a–g) the CBSA Customs Enforcement Manual requires in a WCA."""

    letter = models.CharField(_("letter"), max_length=1, unique=True, validators=[validate_single_line])
    text_en = long_text(_("text (English)"))
    text_fr = long_text(_("text (French)"))

    history = RegistryHistory()

    class Meta:
        ordering = ["letter"]
        verbose_name = _("information-sharing condition")
        verbose_name_plural = _("information-sharing conditions")

    def __str__(self) -> str:
        return f"{self.letter}) {self.text}"

    @property
    def text(self) -> str:
        return self.text_fr if (get_language() or "en")[:2] == "fr" else self.text_en


class ConditionCoverage(TimeStampedModel):
    objects = RegionalQuerySet.as_manager()  # editable_by, visible_to: see rules.py
    arrangement = models.ForeignKey(
        Arrangement, on_delete=models.CASCADE, related_name="condition_coverages", verbose_name=_("arrangement")
    )
    condition = models.ForeignKey(
        InformationSharingCondition,
        on_delete=models.PROTECT,
        related_name="coverages",
        verbose_name=_("condition"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CoverageStatus.choices, default=CoverageStatus.NOT_ASSESSED
    )
    clause_reference = models.CharField(
        _("clause"), max_length=200, blank=True, help_text=_("The clause of the arrangement that addresses it."),
        validators=[validate_single_line],
    )

    history = RegistryHistory()

    class Meta:
        ordering = ["arrangement", "condition__letter"]
        verbose_name = _("condition coverage")
        verbose_name_plural = _("condition coverage")
        constraints = [
            models.UniqueConstraint(
                fields=["arrangement", "condition"],
                name="condition_coverage_unique",
                violation_error_message=_("This condition is already recorded for this arrangement."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.arrangement} {self.condition.letter}: {self.get_status_display()}"

    def clean(self) -> None:
        if self.status in (CoverageStatus.ADDRESSED, CoverageStatus.PARTLY_ADDRESSED) and not self.clause_reference.strip():
            raise ValidationError({"clause_reference": _("Name the clause that addresses this condition.")})


def document_path(instance, filename: str) -> str:
    return f"arrangements/{instance.arrangement_id}/{filename}"


class ArrangementDocument(TimeStampedModel):
    """The signed text or an annex of an arrangement, checked by content on upload."""

    objects = RegionalQuerySet.as_manager()  # editable_by, visible_to: see rules.py
    arrangement = models.ForeignKey(
        Arrangement, on_delete=models.PROTECT, related_name="documents", verbose_name=_("arrangement")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=DocumentKind.choices, default=DocumentKind.SIGNED_TEXT)
    title = models.CharField(_("title"), max_length=200, validators=[validate_single_line])
    file = models.FileField(_("file"), upload_to=document_path, max_length=300, validators=[validate_file_name])
    content_type = models.CharField(_("content type"), max_length=100, editable=False)
    size = models.PositiveIntegerField(_("size (bytes)"), editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="arrangement_documents", verbose_name=_("uploaded by"),
    )

    history = RegistryHistory()

    class Meta:
        ordering = ["arrangement", "-created"]
        verbose_name = _("arrangement document")
        verbose_name_plural = _("arrangement documents")

    def __str__(self) -> str:
        return f"{self.arrangement} – {self.title}"


class GapAction(TimeStampedModel):
    """Recommendation 2's plan: an action that closes a gap (a unit with no arrangement in force,
    or an arrangement that misses conditions), with an owner, a due date and a status."""

    objects = RegionalQuerySet.as_manager()  # editable_by, visible_to: see rules.py
    jfo = models.ForeignKey(
        JointForceOperation, on_delete=models.PROTECT, null=True, blank=True,
        related_name="gap_actions", verbose_name=_("JFO unit"),
    )
    arrangement = models.ForeignKey(
        Arrangement, on_delete=models.PROTECT, null=True, blank=True,
        related_name="gap_actions", verbose_name=_("arrangement"),
    )
    action = long_text(_("action"), single_line=True)
    owner = models.CharField(_("owner"), max_length=200, help_text=_("The person or team responsible."), validators=[validate_single_line])
    due_date = models.DateField(_("due date"), validators=date_validators)
    status = models.CharField(_("status"), max_length=12, choices=GapActionStatus.choices, default=GapActionStatus.OPEN)
    notes = long_text(_("notes"), blank=True)

    history = RegistryHistory()

    class Meta:
        ordering = ["status", "due_date", "pk"]
        verbose_name = _("gap action")
        verbose_name_plural = _("gap actions")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(jfo__isnull=False) & models.Q(arrangement__isnull=True))
                | (models.Q(jfo__isnull=True) & models.Q(arrangement__isnull=False)),
                name="gap_action_one_subject",
                violation_error_message=_("A gap action concerns either a JFO unit or an arrangement, not both."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.jfo or self.arrangement}: {self.action[:60]}"

    def clean(self) -> None:
        if bool(self.jfo_id) == bool(self.arrangement_id):
            raise ValidationError(_("A gap action concerns either a JFO unit or an arrangement, not both."))


class ReminderSent(TimeStampedModel):
    """A reminder mailed for an arrangement's expiry or review date, so each goes out once."""

    arrangement = models.ForeignKey(
        Arrangement, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("arrangement")
    )
    kind = models.CharField(_("kind"), max_length=8, choices=ReminderKind.choices)
    target_date = models.DateField(_("date reminded of"), validators=date_validators)
    threshold_days = models.PositiveSmallIntegerField(_("days before"))
    recipients = models.TextField(_("recipients"), blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(
                fields=["arrangement", "kind", "target_date", "threshold_days"],
                name="reminder_sent_once",
                violation_error_message=_("This reminder was already sent."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.arrangement} {self.kind} {self.target_date} −{self.threshold_days}"
