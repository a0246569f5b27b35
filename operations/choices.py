from django.db import models
from django.utils.translation import gettext_lazy as _


class Jurisdiction(models.TextChoices):
    FEDERAL = "federal", _("Federal")
    PROVINCIAL = "provincial", _("Provincial")
    MUNICIPAL = "municipal", _("Municipal")
    US_FEDERAL = "us_federal", _("U.S. federal")
    US_STATE_LOCAL = "us_state_local", _("U.S. state or local")
    OTHER = "other", _("Other")


class Country(models.TextChoices):
    CANADA = "CA", _("Canada")
    UNITED_STATES = "US", _("United States")


class RiskLevel(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class JfoType(models.TextChoices):
    BINATIONAL = "binational", _("Bi-national")
    NATIONAL = "national", _("National")
    REGIONAL = "regional", _("Regional")


class JfoStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


class ParticipationRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    PARTNER = "partner", _("Partner")


class Position(models.TextChoices):
    INTELLIGENCE_OFFICER = "IO", _("Intelligence officer")
    INTELLIGENCE_ANALYST = "IA", _("Intelligence analyst")
    CRIMINAL_INVESTIGATOR = "CI", _("Criminal investigator")
    INLAND_ENFORCEMENT_OFFICER = "IEO", _("Inland enforcement officer")
    OTHER = "OTHER", _("Other")


class Classification(models.TextChoices):
    FB_03 = "FB-03", "FB-03"
    FB_04 = "FB-04", "FB-04"
    FB_05 = "FB-05", "FB-05"
    OTHER = "OTHER", _("Other")
