"""Reads about arrangements. "In force" is decided by status and dates together, so an
arrangement past its expiry date counts as expired in every report even before anyone edits it."""

from __future__ import annotations

import datetime

from django.db.models import BooleanField, Case, Exists, OuterRef, Q, QuerySet, Value, When

from .choices import ArrangementStatus
from .models import Arrangement


def in_force_on(day: datetime.date) -> Q:
    """Arrangements in force on `day`: signed status in force, effective, not yet expired."""
    return (
        Q(status=ArrangementStatus.IN_FORCE)
        & Q(effective_date__lte=day)
        & (Q(expiry_date__isnull=True) | Q(expiry_date__gte=day))
    )


def arrangements_in_force(day: datetime.date) -> QuerySet:
    return Arrangement.objects.filter(in_force_on(day))


def covered_by_arrangement_in_force(day: datetime.date):
    """An `Exists` for JointForceOperation querysets: the unit has an arrangement in force on `day`."""
    return Exists(Arrangement.objects.filter(in_force_on(day), jfos=OuterRef("pk")))


def expiring_within(day: datetime.date, days: int) -> QuerySet:
    """Arrangements in force on `day` whose expiry or review date falls within `days` days."""
    horizon = day + datetime.timedelta(days=days)
    return (
        arrangements_in_force(day)
        .filter(Q(expiry_date__range=(day, horizon)) | Q(review_date__range=(day, horizon)))
        .order_by("expiry_date", "review_date", "reference")
    )


def with_in_force_flag(queryset: QuerySet, day: datetime.date) -> QuerySet:
    """Annotate `is_in_force` (on `day`), whatever the stored status says."""
    return queryset.annotate(
        is_in_force=Case(When(in_force_on(day), then=Value(True)), default=Value(False), output_field=BooleanField())
    )
