from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jfo_registry.models import TimeStampedModel
from operations.models import Agency, JointForceOperation, dates_in_order

from .choices import ArrangementKind, ArrangementStatus, CoverageStatus, PartyRole


class Arrangement(TimeStampedModel):
    reference = models.CharField(_("reference"), max_length=50, unique=True)
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=10, choices=ArrangementKind.choices, default=ArrangementKind.WCA)
    status = models.CharField(
        _("status"), max_length=20, choices=ArrangementStatus.choices, default=ArrangementStatus.DRAFT
    )
    signed_date = models.DateField(_("signed date"), null=True, blank=True)
    effective_date = models.DateField(_("effective date"), null=True, blank=True)
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True, help_text=_("Leave empty if open-ended."))
    review_date = models.DateField(_("review date"), null=True, blank=True)
    notice_period_days = models.PositiveIntegerField(_("notice period (days)"), null=True, blank=True)
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
    notes = models.TextField(_("notes"), blank=True)

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
        ]

    def __str__(self) -> str:
        return self.reference

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

    letter = models.CharField(_("letter"), max_length=1, unique=True)
    text_en = models.TextField(_("text (English)"))
    text_fr = models.TextField(_("text (French)"))

    class Meta:
        ordering = ["letter"]
        verbose_name = _("information-sharing condition")
        verbose_name_plural = _("information-sharing conditions")

    def __str__(self) -> str:
        return f"{self.letter}) {self.text}"

    @property
    def text(self) -> str:
        from django.utils.translation import get_language

        return self.text_fr if (get_language() or "en")[:2] == "fr" else self.text_en


class ConditionCoverage(TimeStampedModel):
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
        _("clause"), max_length=200, blank=True, help_text=_("The clause of the arrangement that addresses it.")
    )

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
