"""The unit and officer lists with their current FTE, and an officer's allocation over time."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Prefetch, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from jfo_registry.core import periods
from jfo_registry.core.fiscal import add_days

from ..extensions import unit_arrangements
from ..models import FTE_MAX, Assignment, JointForceOperation, Officer, Participation
from .assignments import NUMBER, active_on


def current_fte_subquery(day: datetime.date, **outer):
    """Sum of FTE of assignments active on `day`, for annotating units or officers."""
    return Subquery(
        active_on(Assignment.objects.filter(**{field: OuterRef(ref) for field, ref in outer.items()}), day)
        .order_by()
        .values(*outer)
        .annotate(total=Sum("fte"))
        .values("total"),
        output_field=DecimalField(max_digits=6, decimal_places=2),
    )


def jfo_list(day: datetime.date) -> QuerySet:
    """JFO units with their current FTE (`current_fte`, FTE on `day`) and whether an arrangement
    is in force on `day` (`has_arrangement_in_force`, from the registered unit arrangements)."""
    return JointForceOperation.objects.select_related("region", "program").prefetch_related(
        Prefetch(
            "participations",
            queryset=Participation.objects.filter(role="lead").select_related("agency"),
            to_attr="lead_participations",
        )
    ).annotate(
        current_fte=Coalesce(current_fte_subquery(day, jfo="pk"), Value(Decimal(0)), output_field=NUMBER),
        has_arrangement_in_force=unit_arrangements().covered_on(day),
    )


def officer_list(day: datetime.date) -> QuerySet:
    """Officers with their home region and `current_fte` (the FTE of their assignments on `day`)."""
    return Officer.objects.select_related("home_region").annotate(
        current_fte=Coalesce(current_fte_subquery(day, officer="pk"), Value(Decimal(0)), output_field=NUMBER)
    )


@dataclass(frozen=True)
class AllocationPeriod:
    """A stretch [start, end] (end None: ongoing) of an officer's timeline with the same
    assignments, `total` their FTE; `state` is excess, gap, full or partial."""

    start: datetime.date
    end: datetime.date | None
    total: Decimal
    assignments: tuple

    @property
    def state(self) -> str:
        """The stretch's state by its total FTE: "excess" (above 1.00), "gap" (0), "full"
        (exactly 1.00) or "partial" (in between)."""
        if self.total > FTE_MAX:
            return "excess"
        if self.total == 0:
            return "gap"
        return "full" if self.total == FTE_MAX else "partial"


def officer_allocation(officer: Officer) -> list[AllocationPeriod]:
    """An officer's total FTE over time: consecutive periods with the same assignments,
    including gaps between assignments (total 0) and any excess."""
    assignments = list(officer.assignments.select_related("jfo").order_by("start_date", "pk"))
    if not assignments:
        return []
    one_day = datetime.timedelta(days=1)
    points = sorted(
        {a.start_date for a in assignments} | {add_days(a.end_date, 1) for a in assignments if a.end_date}
    )
    found: list[AllocationPeriod] = []
    for index, point in enumerate(points):
        active = tuple(a for a in assignments if periods.overlaps(a.start_date, a.end_date, point, point))
        end = points[index + 1] - one_day if index + 1 < len(points) else None
        if end is None and not active:
            break
        found.append(AllocationPeriod(point, end, sum((a.fte for a in active), Decimal(0)), active))
    return found
