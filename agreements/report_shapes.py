"""The typed shapes of the agreements reports (coverage, conditions, expiring, gaps), from which
their API schema serializers and CSV columns are derived (`jfo_registry.core.shapes`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from jfo_registry.core.shapes import Period, Shape, public
from operations.selectors import YearCorrection

#: What a report's `as_of` says: the moment whose registry it answers (None: as it is now).
AS_OF_HELP = "The moment the report answers for (transaction time: the registry as it stood then); null: now."


@dataclass(eq=False, kw_only=True)
class CoverageGroup(Shape):
    """A region or JFO type (`key`, `label`): its units, how many covered and not covered."""

    key: str
    label: str
    units: int
    covered: int
    not_covered: int


@dataclass(eq=False, kw_only=True)
class UncoveredUnit(Shape):
    """A unit with no arrangement in force in the period (codes of its region, type, program)."""

    id: int
    acronym: str
    name: str
    region: str
    jfo_type: str
    program: str | None


@dataclass(eq=False, kw_only=True)
class CoverageReport(Shape):
    """Units active in the period (a fiscal year, or one day: `fiscal_year` None) with and
    without an arrangement in force, in all, by region and by type, and the units not covered."""

    report: str
    fiscal_year: str | None
    period: Period
    as_of: datetime.datetime | None = public(help_text=AS_OF_HELP)
    units: int
    covered: int
    not_covered: int
    by_region: list[CoverageGroup]
    by_type: list[CoverageGroup]
    uncovered_units: list[UncoveredUnit]
    closed_on: datetime.datetime | None = public(
        omit_none=True, default=None, csv=False,
        help_text="When the fiscal year (`fiscal_year`, else the one of the day) was closed; absent while it is open.",
    )
    corrections: list[YearCorrection] | None = public(
        omit_none=True, default=None, csv=False,
        help_text="A closed year's corrections by administrators, oldest first; absent for an open year without any.",
    )


@dataclass(eq=False, kw_only=True)
class ConditionText(Shape):
    """An information-sharing condition: its letter (a to g) and text."""

    letter: str
    text: str


@dataclass(eq=False, kw_only=True)
class ConditionRow(Shape):
    """An arrangement's row of the matrix: each condition's coverage status (letter → status),
    how many conditions it addresses and how many are assessed."""

    id: int = public(csv=False)
    reference: str
    title: str
    status: str
    conditions: dict[str, str] = public(help_text="Letter → coverage status.")
    addressed: int
    assessed: int = public(csv=False)


@dataclass(eq=False, kw_only=True)
class ConditionCount(Shape):
    """A condition's counts over the arrangements: addressed, partly, not addressed, not
    assessed, and assessed (the three first together)."""

    letter: str
    text: str
    addressed: int
    partly_addressed: int
    not_addressed: int
    not_assessed: int
    assessed: int


@dataclass(eq=False, kw_only=True)
class ConditionsReport(Shape):
    """The Exhibit 6 matrix: the conditions, a row per arrangement, counts per condition, and the
    references addressing all, addressing none (assessed) and not assessed."""

    report: str
    as_of: datetime.datetime | None = public(help_text=AS_OF_HELP)
    conditions: list[ConditionText]
    arrangements: list[ConditionRow]
    per_condition: list[ConditionCount]
    arrangement_count: int
    addressing_all: list[str]
    addressing_none: list[str]
    not_assessed: list[str]


@dataclass(eq=False, kw_only=True)
class ExpiringRow(Shape):
    """An arrangement expiring or due for review: `days_to_expiry` (days; None unless it expires
    within the horizon), `reasons` ("expiry", "review") and the region codes of its units."""

    id: int = public(csv=False)
    reference: str
    title: str
    expiry_date: datetime.date | None
    review_date: datetime.date | None
    days_to_expiry: int | None
    review_overdue: bool
    reasons: list[str] = public(csv=False, help_text="expiry, review")
    regions: list[str]


@dataclass(eq=False, kw_only=True)
class ExpiringReport(Shape):
    """The arrangements expiring within `days` days of `on`."""

    report: str
    on: datetime.date
    days: int
    as_of: datetime.datetime | None = public(help_text=AS_OF_HELP)
    arrangements: list[ExpiringRow]


@dataclass(eq=False, kw_only=True)
class GapActionRow(Shape):
    """An action planned to close a gap: who, by when, its status, whether it is overdue."""

    id: int = public(csv=False)
    action: str
    owner: str
    due_date: datetime.date
    status: str
    overdue: bool


@dataclass(eq=False, kw_only=True)
class UnitGap(Shape):
    """A unit with no arrangement in force (`gap` "no_arrangement") and its actions."""

    id: int
    acronym: str
    name: str
    region: str
    gap: str
    actions: list[GapActionRow]


@dataclass(eq=False, kw_only=True)
class ArrangementGap(Shape):
    """An arrangement in force addressing `addressed` of the `of` conditions (`gap`
    "conditions") and its actions."""

    id: int
    reference: str
    title: str
    gap: str
    addressed: int
    of: int
    actions: list[GapActionRow]


@dataclass(eq=False, kw_only=True)
class GapsReport(Shape):
    """Recommendation 2's plan on `on`: the units and arrangements with a gap."""

    report: str
    on: datetime.date
    as_of: datetime.datetime | None = public(help_text=AS_OF_HELP)
    units: list[UnitGap]
    arrangements: list[ArrangementGap]
