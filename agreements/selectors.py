"""Reads about arrangements. "In force" is decided by status and dates together, so an
arrangement past its expiry date counts as expired in every report even before anyone edits it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import (
    BooleanField, Case, Count, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet, Value, When,
)
from django.utils import timezone

from jfo_registry.core import periods
from jfo_registry.core.fiscal import FiscalYear, add_days
from jfo_registry.core.history import all_links, records_as_of
from jfo_registry.core.roles import Role
from jfo_registry.core.routers import reports_read_from_replica
from operations.choices import JfoType
from operations.models import JointForceOperation, Program, Region
from operations.attributes import attribute_on_expression
from operations.selectors import day_closure_facts, in_regions_on, region_codes

from .choices import ArrangementStatus, CoverageStatus, ReminderKind
from jfo_registry.core.shapes import Period

from .models import Arrangement, ConditionCoverage, GapAction, InformationSharingCondition
from .report_shapes import (
    ArrangementGap, ConditionCount, ConditionRow, ConditionsReport, ConditionText, CoverageGroup, CoverageReport,
    ExpiringReport, ExpiringRow, GapActionRow, GapsReport, UncoveredUnit, UnitGap,
)


#: An arrangement's period: from its effective date (required to be in force) to its expiry date
#: (none: open-ended), for `periods.overlaps_q`.
ARRANGEMENT_PERIOD = {"start_field": "effective_date", "end_field": "expiry_date"}


def in_force_on(day: datetime.date) -> Q:
    """Arrangements in force on `day`: signed status in force, effective, not yet expired."""
    return Q(status=ArrangementStatus.IN_FORCE) & periods.on_day_q(day, **ARRANGEMENT_PERIOD)


def arrangements_in_force(day: datetime.date) -> QuerySet:
    """The arrangements in force on `day` (`in_force_on`): a queryset of Arrangement."""
    return Arrangement.objects.filter(in_force_on(day))


def covered_by_arrangement_in_force(day: datetime.date):
    """An `Exists` for JointForceOperation querysets: the unit has an arrangement in force on `day`."""
    return Exists(Arrangement.objects.filter(in_force_on(day), jfos=OuterRef("pk")))


# --- "Expiring": one rule for the reminders, the expiring report, its filter and the dashboard ---

def expiring_q(day: datetime.date, days: int) -> Q:
    """The SQL form of `expiring_reasons`: in force on `day` and either expiring within `days`
    days (expiry date in [day, day + days]) or due for review by then (review date <= day + days,
    so a review already overdue counts: it is the most urgent)."""
    horizon = add_days(day, days)
    return in_force_on(day) & (Q(expiry_date__range=(day, horizon)) | Q(review_date__lte=horizon))


def expiring_reasons(arrangement: Arrangement, day: datetime.date, days: int) -> list[tuple[str, datetime.date]]:
    """The Python form of `expiring_q` for an arrangement in force on `day`: its (kind, date)
    pairs, expiry (date in [day, day + days]) then review (date <= day + days, overdue
    included); kinds are `ReminderKind` values. Empty when it is not expiring. Raises nothing."""
    horizon = add_days(day, days)
    found = []
    if arrangement.expiry_date is not None and day <= arrangement.expiry_date <= horizon:
        found.append((ReminderKind.EXPIRY.value, arrangement.expiry_date))
    if arrangement.review_date is not None and arrangement.review_date <= horizon:
        found.append((ReminderKind.REVIEW.value, arrangement.review_date))
    return found


def expiring_within(day: datetime.date, days: int, as_of: datetime.datetime | None = None) -> QuerySet:
    """Arrangements expiring within `days` days of `day` (`expiring_q`), soonest expiry first,
    then review date and reference; with `as_of`, the arrangements as they stood then (their
    historical rows: read them through `id`)."""
    return records_as_of(Arrangement, as_of).filter(expiring_q(day, days)).order_by("expiry_date", "review_date", "reference")


# --- Transaction time: the arrangements' links and units as they are or stood at `as_of` ---------

def unit_ids_covered_on(day: datetime.date, as_of: datetime.datetime | None = None) -> set[int]:
    """The ids of the units covered by an arrangement in force on `day` (`in_force_on`), the
    arrangements and the units they cover as they are, or as they stood at `as_of` (from their
    history). Two queries (three with `as_of`); raises nothing."""
    in_force = records_as_of(Arrangement, as_of).filter(in_force_on(day)).values_list("id", flat=True)
    return set().union(*all_links(Arrangement, "jfos", as_of, ids=list(in_force)).values())


def covered_on(day: datetime.date, as_of: datetime.datetime | None = None) -> Q:
    """A Q for JFO unit rows (the units, or their historical rows with `as_of`): the unit is
    covered by an arrangement in force on `day` (`covered_by_arrangement_in_force`; with `as_of`,
    as the registry said then, `unit_ids_covered_on`). Raises nothing."""
    if as_of is None:
        return Q(covered_by_arrangement_in_force(day))
    return Q(id__in=unit_ids_covered_on(day, as_of))


def covering_regions(arrangements: QuerySet, region, as_of: datetime.datetime | None = None) -> QuerySet:
    """`arrangements` (rows of Arrangement, or its history with `as_of`) narrowed to those
    covering a unit of the `region` code(s) (comma-separated or a list; None: all), the links
    and units as they stood at `as_of` when given. Raises nothing."""
    if not region:
        return arrangements
    if as_of is None:
        return arrangements.filter(jfos__region__code__in=region_codes(region)).distinct()
    in_regions = set(records_as_of(JointForceOperation, as_of).filter(
        region__code__in=region_codes(region)).values_list("id", flat=True))
    links = all_links(Arrangement, "jfos", as_of, ids=list(arrangements.values_list("id", flat=True)))
    return arrangements.filter(id__in=[pk for pk, unit_ids in links.items() if unit_ids & in_regions])


def regions_covered(arrangement_ids, as_of: datetime.datetime | None = None) -> dict[int, list[str]]:
    """{arrangement id: sorted region codes of the units it covers} for `arrangement_ids`, the
    links and units as they are or as they stood at `as_of`; one without units absent. Two queries."""
    links = all_links(Arrangement, "jfos", as_of, ids=list(arrangement_ids))
    region_of = dict(records_as_of(JointForceOperation, as_of).filter(
        id__in=set().union(*links.values())).values_list("id", "region__code"))
    return {pk: sorted({region_of[unit] for unit in unit_ids if unit in region_of}) for pk, unit_ids in links.items()}


def with_in_force_flag(queryset: QuerySet, day: datetime.date) -> QuerySet:
    """Annotate `is_in_force` (on `day`), whatever the stored status says."""
    return queryset.annotate(
        is_in_force=Case(When(in_force_on(day), then=Value(True)), default=Value(False), output_field=BooleanField())
    )


def in_force_during(start: datetime.date, end: datetime.date) -> Q:
    """In force at some time in [start, end]: status in force (or since expired, terminated or
    superseded, which were in force before), effective by `end`, not expired before `start`."""
    was_in_force = (
        Q(status=ArrangementStatus.IN_FORCE)
        | Q(status__in=[ArrangementStatus.EXPIRED, ArrangementStatus.SUPERSEDED, ArrangementStatus.TERMINATED],
            effective_date__isnull=False)
    )
    return was_in_force & periods.overlaps_q(start, end, **ARRANGEMENT_PERIOD)


#: The effective status of an arrangement signed into force whose effective date is still to come:
#: never stored (its stored status is `in_force`), only reported.
NOT_YET_IN_FORCE = "not_yet_in_force"


def effective_status_of(arrangement, day: datetime.date) -> str:
    """The Python form of `effective_status`, for one arrangement in hand: its stored status,
    except that one stored as in force is `expired` on a `day` past its expiry date and
    `NOT_YET_IN_FORCE` on a `day` before its effective date; so it is `in_force` exactly when
    `in_force_on(day)` holds. Returns a status value (str); raises nothing."""
    if arrangement.status == ArrangementStatus.IN_FORCE:
        if arrangement.expiry_date and arrangement.expiry_date < day:
            return ArrangementStatus.EXPIRED.value
        if arrangement.effective_date and arrangement.effective_date > day:
            return NOT_YET_IN_FORCE
    return arrangement.status


def effective_status(day: datetime.date):
    """The SQL form of `effective_status_of` (a `Case` expression over Arrangement rows): the
    status as reports must see it on `day`."""
    in_force = Q(status=ArrangementStatus.IN_FORCE)
    return Case(
        When(in_force & Q(expiry_date__lt=day), then=Value(ArrangementStatus.EXPIRED.value)),
        When(in_force & Q(effective_date__gt=day), then=Value(NOT_YET_IN_FORCE)),
        default="status",
    )


@reports_read_from_replica
def coverage_report(
    *, fiscal_year=None, on: datetime.date | None = None, region=None, as_of: datetime.datetime | None = None
) -> CoverageReport:
    """JFO units with and without an arrangement in force (Exhibit 5), in all, by region and type.

    With `fiscal_year` (a FiscalYear, "2010-2011" or 2010): in force at some time in the year;
    otherwise on `on` (default today). `region`: region code(s), comma-separated. Only units
    active in the period are counted. With `as_of` (an aware datetime): as the registry said at
    that moment: the units, the arrangements and the units they covered rebuilt from their
    history (`history.rows_as_of`, `history.all_links_as_of`); the report says the `as_of` it
    answers. `closed_on` and `corrections`: those of the fiscal year (`fiscal_year`, else the one
    of `on`), as the resources report gives them (`year_closure_facts`). Returns a CoverageReport;
    raises ValueError for an unknown year.
    """
    if fiscal_year is not None:
        year = FiscalYear.parse(fiscal_year)
        start, end, label = year.start, year.end, year.label
    else:
        start = end = on or timezone.localdate()
        label = None
    if as_of is None:
        units = JointForceOperation.objects.all()
        covered = Exists(Arrangement.objects.filter(in_force_during(start, end), jfos=OuterRef("pk")))
    else:
        units = records_as_of(JointForceOperation, as_of)
        in_force = records_as_of(Arrangement, as_of).filter(in_force_during(start, end)).values_list("id", flat=True)
        covered_ids = set().union(*all_links(Arrangement, "jfos", as_of, ids=list(in_force)).values())
        covered = ExpressionWrapper(Q(id__in=covered_ids), output_field=BooleanField())
    units = units.exclude(status="proposed").filter(periods.overlaps_q(start, end, open_start=True))
    # Each unit's region and type as they were on the report's day (its last: the year's end).
    key = "pk" if as_of is None else "id"
    units = units.annotate(
        region_on_day=attribute_on_expression("region", end, record=key, as_of=as_of),
        type_on_day=attribute_on_expression("jfo_type", end, record=key, as_of=as_of),
        program_on_day=attribute_on_expression("program", end, record=key, as_of=as_of),
    )
    if region:
        units = in_regions_on(units, region, end, record=key, as_of=as_of)
    units = units.annotate(covered=covered)

    def grouped(field: str, labels, keys=None) -> list[CoverageGroup]:
        """Units per value of `field`; `keys`: records by primary key whose code is the group's key."""
        rows = units.values(key=F(field)).annotate(
            units=Count("id"), covered_count=Count("id", filter=Q(covered=True))
        ).order_by("key")
        return [
            CoverageGroup(key=keys[r["key"]].code if keys else r["key"], label=labels(r["key"]), units=r["units"],
                          covered=r["covered_count"], not_covered=r["units"] - r["covered_count"])
            for r in rows
        ]

    regions = {r.pk: r for r in Region.objects.all()}
    program_codes = dict(Program.objects.values_list("pk", "code"))
    type_names = dict(JfoType.choices)
    totals = units.aggregate(total=Count("id"), covered_count=Count("pk", filter=Q(covered=True)))
    uncovered = sorted(
        units.filter(covered=False),
        key=lambda u: (regions[u.region_on_day].code if u.region_on_day in regions else "", u.acronym),
    )
    report = CoverageReport(
        report="coverage",
        fiscal_year=label,
        period=Period(start=start, end=end),
        as_of=as_of,
        units=totals["total"],
        covered=totals["covered_count"],
        not_covered=totals["total"] - totals["covered_count"],
        by_region=sorted(
            grouped("region_on_day", lambda key: regions[key].name if key in regions else key, regions),
            key=lambda group: group.key or "",
        ),
        by_type=grouped("type_on_day", lambda key: str(type_names.get(key, key))),
        uncovered_units=[
            UncoveredUnit(id=u.id, acronym=u.acronym, name=u.name, region=regions[u.region_on_day].code,
                          jfo_type=u.type_on_day, program=program_codes.get(u.program_on_day))
            for u in uncovered
        ],
    )
    report.closed_on, report.corrections = day_closure_facts(start, as_of)
    return report


def _condition_text(condition) -> str:
    """A condition's text in the current language, of the condition or of its historical row
    (which has its fields, not its properties)."""
    return InformationSharingCondition.text.fget(condition)


@reports_read_from_replica
def conditions_report(*, status=None, as_of: datetime.datetime | None = None) -> ConditionsReport:
    """The Exhibit 6 matrix: arrangements × the seven conditions, with per-condition counts.

    `status`: arrangement status(es), comma-separated; by default every arrangement that is
    not superseded or terminated. A condition is "addressed in N of M": M counts the
    arrangements assessed for it. With `as_of` (an aware datetime): as the registry said at that
    moment (the arrangements, conditions and coverage marks rebuilt from their history); the
    report says the `as_of` it answers. Four queries; returns a ConditionsReport; raises nothing.
    """
    arrangements = records_as_of(Arrangement, as_of)
    if status:
        arrangements = arrangements.filter(status__in=[s.strip() for s in str(status).split(",") if s.strip()])
    else:
        arrangements = arrangements.exclude(status__in=[ArrangementStatus.SUPERSEDED, ArrangementStatus.TERMINATED])
    conditions = list(records_as_of(InformationSharingCondition, as_of).order_by("letter"))
    letter_of = {c.id: c.letter for c in conditions}
    coverages = records_as_of(ConditionCoverage, as_of).filter(arrangement_id__in=arrangements.values("id"))
    marks: dict[int, dict[str, str]] = {}
    for arrangement_id, condition_id, mark in coverages.values_list("arrangement_id", "condition_id", "status"):
        if condition_id in letter_of:
            marks.setdefault(arrangement_id, {})[letter_of[condition_id]] = mark
    rows = []
    for arrangement in arrangements.order_by("reference"):
        statuses = [marks.get(arrangement.id, {}).get(c.letter, CoverageStatus.NOT_ASSESSED) for c in conditions]
        rows.append(ConditionRow(
            id=arrangement.id, reference=arrangement.reference, title=arrangement.title,
            status=arrangement.status, conditions=dict(zip((c.letter for c in conditions), statuses)),
            addressed=statuses.count(CoverageStatus.ADDRESSED),
            assessed=sum(1 for s in statuses if s != CoverageStatus.NOT_ASSESSED),
        ))
    counts = {
        row["condition_id"]: row
        for row in coverages.values("condition_id")
        .annotate(
            addressed=Count("id", filter=Q(status=CoverageStatus.ADDRESSED)),
            partly_addressed=Count("id", filter=Q(status=CoverageStatus.PARTLY_ADDRESSED)),
            not_addressed=Count("id", filter=Q(status=CoverageStatus.NOT_ADDRESSED)),
        )
        .order_by()
    }
    total = len(rows)
    per_condition = []
    for condition in conditions:
        c = counts.get(condition.id, {})
        assessed = c.get("addressed", 0) + c.get("partly_addressed", 0) + c.get("not_addressed", 0)
        per_condition.append(ConditionCount(
            letter=condition.letter, text=_condition_text(condition),
            addressed=c.get("addressed", 0), partly_addressed=c.get("partly_addressed", 0),
            not_addressed=c.get("not_addressed", 0), not_assessed=total - assessed, assessed=assessed,
        ))
    return ConditionsReport(
        report="conditions",
        as_of=as_of,
        conditions=[ConditionText(letter=c.letter, text=_condition_text(c)) for c in conditions],
        arrangements=rows,
        per_condition=per_condition,
        arrangement_count=total,
        addressing_all=[r.reference for r in rows if r.addressed == len(conditions) and conditions],
        addressing_none=[r.reference for r in rows if r.assessed == len(conditions) and r.addressed == 0 and conditions],
        not_assessed=[r.reference for r in rows if r.assessed == 0],
    )


@reports_read_from_replica
def expiring_report(
    *, days: int = 90, on: datetime.date | None = None, region=None, as_of: datetime.datetime | None = None,
) -> ExpiringReport:
    """Arrangements expiring within `days` days of `on` (default today): `expiring_within`, the
    rule the reminders and the dashboard use (a review already overdue included).

    `region`: region code(s), comma-separated, of a covered unit. With `as_of` (an aware
    datetime): as the registry said at that moment (the arrangements, the units they covered and
    the units' regions rebuilt from their history). Returns an ExpiringReport: `report`, `on`,
    `days`, `as_of`, `arrangements` (ExpiringRow: `days_to_expiry` in days, None unless it
    expires within the horizon, `review_overdue`, `reasons` ("expiry", "review") and `regions`).
    Three queries (more with `region`, `as_of`); raises nothing for valid arguments."""
    day = on or timezone.localdate()
    queryset = covering_regions(expiring_within(day, days, as_of), region, as_of)
    arrangements = list(queryset.order_by("expiry_date", "review_date", "reference"))
    regions = regions_covered([a.id for a in arrangements], as_of)
    rows = []
    for arrangement in arrangements:
        reasons = dict(expiring_reasons(arrangement, day, days))
        expiring = ReminderKind.EXPIRY.value in reasons
        rows.append(ExpiringRow(
            id=arrangement.id, reference=arrangement.reference, title=arrangement.title,
            expiry_date=arrangement.expiry_date, review_date=arrangement.review_date,
            days_to_expiry=(arrangement.expiry_date - day).days if expiring else None,
            review_overdue=bool(arrangement.review_date and arrangement.review_date < day),
            reasons=list(reasons),
            regions=regions.get(arrangement.id, []),
        ))
    return ExpiringReport(report="expiring", on=day, days=days, as_of=as_of, arrangements=rows)


@reports_read_from_replica
def gaps_report(*, on: datetime.date | None = None, region=None, as_of: datetime.datetime | None = None) -> GapsReport:
    """Recommendation 2: each unit with no arrangement in force on `on` (default today) and each
    arrangement in force that does not address all seven conditions, with the actions planned
    to close the gap; `region`: region code(s), comma-separated. With `as_of` (an aware
    datetime): as the registry said at that moment (units, arrangements and their units,
    conditions, coverage marks and gap actions rebuilt from their history). Returns a
    GapsReport; raises nothing."""
    day = on or timezone.localdate()
    coverage = coverage_report(on=day, region=region, as_of=as_of)
    uncovered_ids = [u["id"] for u in coverage["uncovered_units"]]
    region_on_day = {u["id"]: u["region"] for u in coverage["uncovered_units"]}  # each unit's region that day
    units = sorted(
        records_as_of(JointForceOperation, as_of).filter(id__in=uncovered_ids),
        key=lambda u: (region_on_day[u.id] or "", u.acronym),
    )
    condition_count = records_as_of(InformationSharingCondition, as_of).count()
    in_force = covering_regions(records_as_of(Arrangement, as_of).filter(in_force_on(day)), region, as_of)
    addressed = dict(
        records_as_of(ConditionCoverage, as_of)
        .filter(arrangement_id__in=in_force.values("id"), status=CoverageStatus.ADDRESSED)
        .values("arrangement_id").annotate(addressed=Count("id")).order_by().values_list("arrangement_id", "addressed")
    )
    incomplete = [a for a in in_force.order_by("reference") if addressed.get(a.id, 0) < condition_count]
    actions = records_as_of(GapAction, as_of).filter(
        Q(jfo_id__in=uncovered_ids) | Q(arrangement_id__in=[a.id for a in incomplete])
    ).order_by("due_date", "id")
    actions_of: dict[tuple[str, int], list[GapActionRow]] = {}
    for a in actions:
        row = GapActionRow(id=a.id, action=a.action, owner=a.owner, due_date=a.due_date, status=a.status,
                           overdue=a.status in ("open", "in_progress") and a.due_date < day)
        if a.jfo_id is not None:
            actions_of.setdefault(("unit", a.jfo_id), []).append(row)
        if a.arrangement_id is not None:
            actions_of.setdefault(("arrangement", a.arrangement_id), []).append(row)

    return GapsReport(
        report="gaps",
        on=day,
        as_of=as_of,
        units=[
            UnitGap(id=u.id, acronym=u.acronym, name=u.name, region=region_on_day[u.id], gap="no_arrangement",
                    actions=actions_of.get(("unit", u.id), []))
            for u in units
        ],
        arrangements=[
            ArrangementGap(id=a.id, reference=a.reference, title=a.title, gap="conditions",
                           addressed=addressed.get(a.id, 0), of=condition_count,
                           actions=actions_of.get(("arrangement", a.id), []))
            for a in incomplete
        ],
    )


# --- Expiry and review reminders ----------------------------------------------------------------

#: Reminders go out this many days before an expiry or review date (once each).
REMINDER_THRESHOLDS = (90, 30, 7)


def reminder_candidates(today: datetime.date) -> QuerySet:
    """The arrangements the reminders speak of on `today`: those expiring within the reminder
    horizon (`expiring_within(today, 90)`, overdue reviews included), by reference, with their
    units and regions loaded."""
    return expiring_within(today, max(REMINDER_THRESHOLDS)).prefetch_related("jfos__region").order_by("reference")


def reminders_of(arrangement: Arrangement, today: datetime.date) -> list[tuple[str, datetime.date]]:
    """(kind, date) of each reminder the arrangement has on `today`: `expiring_reasons` within
    the reminder horizon (a review date already past included)."""
    return expiring_reasons(arrangement, today, max(REMINDER_THRESHOLDS))


def reminder_threshold(days_left: int) -> int:
    """The reminder a date `days_left` days away (negative: past) is due: the smallest of
    `REMINDER_THRESHOLDS` it is within, or 0 for a date already past (an overdue review)."""
    if days_left < 0:
        return 0
    return min(t for t in REMINDER_THRESHOLDS if days_left <= t)


def manager_addresses() -> dict[int, list[str]]:
    """Region id → the sorted e-mail addresses of its active regional managers (regions whose
    managers have no address are absent)."""
    addresses: dict[int, set[str]] = {}
    rows = (
        Region.managers.through.objects.filter(user__is_active=True, user__groups__name=Role.REGIONAL_MANAGER.group_name)
        .exclude(user__email="")
        .values_list("region_id", "user__email")
    )
    for region_id, email in rows:
        addresses.setdefault(region_id, set()).add(email)
    return {region_id: sorted(emails) for region_id, emails in addresses.items()}


def regions_of(arrangement: Arrangement) -> list[Region]:
    """The regions of the units an arrangement covers, by code (from its loaded units)."""
    return sorted({unit.region for unit in arrangement.jfos.all()}, key=lambda region: region.code)


@dataclass(frozen=True)
class UnreachableReminder:
    """A reminder due within the horizon that some of its regions' managers cannot receive:
    `regions` are the codes of the covered regions with no manager who has an e-mail address
    (empty when the arrangement covers no unit, so no region at all)."""

    arrangement: Arrangement
    kind: str
    target_date: datetime.date
    regions: tuple[str, ...]

    @property
    def covers_no_unit(self) -> bool:
        """True when the arrangement covers no unit (so no region: `regions` is empty)."""
        return not self.regions

    @property
    def kind_label(self) -> str:
        """The reminder's kind as the user reads it (the translated `ReminderKind` label)."""
        return ReminderKind(self.kind).label


def unreachable_regions(arrangement: Arrangement, addresses: dict[int, list[str]]) -> tuple[str, ...] | None:
    """The codes of the arrangement's regions that `addresses` (from `manager_addresses`) cannot
    reach; () when it covers no unit; None when every region's managers can be mailed."""
    regions = regions_of(arrangement)
    missing = tuple(region.code for region in regions if not addresses.get(region.pk))
    return missing if missing or not regions else None


def unreachable_reminders(today: datetime.date, *, region_codes: list[str] | None = None) -> list[UnreachableReminder]:
    """Reminders due within the horizon that cannot reach every covered region's managers, by
    reference then date; with `region_codes`, only arrangements covering one of those regions."""
    addresses = manager_addresses()
    found = []
    for arrangement in reminder_candidates(today):
        if region_codes and not {region.code for region in regions_of(arrangement)} & set(region_codes):
            continue
        missing = unreachable_regions(arrangement, addresses)
        if missing is None:
            continue
        for kind, target in reminders_of(arrangement, today):
            found.append(UnreachableReminder(arrangement, kind, target, missing))
    return sorted(found, key=lambda item: (item.arrangement.reference, item.target_date))


class UnitArrangements:
    """What operations' unit list, filter and page show about arrangements
    (registered in `AgreementsConfig.ready` as `operations.extensions.UnitArrangements`)."""

    def covered_on(self, day: datetime.date):
        """`covered_by_arrangement_in_force(day)`: an `Exists` for JointForceOperation querysets."""
        return covered_by_arrangement_in_force(day)

    def of_unit(self, unit, day: datetime.date) -> QuerySet:
        """The arrangements covering `unit`, latest effective first, with `is_in_force` on `day`."""
        return with_in_force_flag(unit.arrangements.order_by("-effective_date"), day)


UNIT_ARRANGEMENTS = UnitArrangements()
