from django.db import models
from django.utils.translation import gettext_lazy as _


class ArrangementKind(models.TextChoices):
    WCA = "wca", _("Written collaborative arrangement")
    MOU = "mou", _("Memorandum of understanding")
    LETTER = "letter", _("Letter of agreement")
    OTHER = "other", _("Other written agreement")


class ArrangementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    UNDER_NEGOTIATION = "under_negotiation", _("Under negotiation")
    IN_FORCE = "in_force", _("In force")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")
    SUPERSEDED = "superseded", _("Superseded")


class PartyRole(models.TextChoices):
    SIGNATORY = "signatory", _("Signatory")
    PARTNER = "partner", _("Partner")
    OBSERVER = "observer", _("Observer")


class CoverageStatus(models.TextChoices):
    ADDRESSED = "addressed", _("Addressed")
    PARTLY_ADDRESSED = "partly_addressed", _("Partly addressed")
    NOT_ADDRESSED = "not_addressed", _("Not addressed")
    NOT_ASSESSED = "not_assessed", _("Not assessed")


class DocumentKind(models.TextChoices):
    SIGNED_TEXT = "signed_text", _("Signed text")
    ANNEX = "annex", _("Annex")
    OTHER = "other", _("Other document")


class GapActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class ReminderKind(models.TextChoices):
    EXPIRY = "expiry", _("Expiry")
    REVIEW = "review", _("Review")
