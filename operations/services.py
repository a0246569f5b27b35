"""Writes that span rows. Admin, API, pages and importers all call these.

The FTE invariant: on every day, the FTE of an officer's assignments sums to at most 1.00.
Every write of an assignment goes through `assignment_save`, which locks the officer's row
(on PostgreSQL; SQLite serialises writers) so two concurrent writes cannot both pass the check.
"""

from __future__ import annotations

import copy
import contextlib
import contextvars
import datetime
from collections.abc import Iterable
import dataclasses
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import Group
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from jfo_registry.core import permissions
from jfo_registry.core import periods
from jfo_registry.core.fiscal import FiscalYear
from jfo_registry.core.models import EARLIEST_DATE
from jfo_registry.core.roles import Role

from .choices import JfoStatus, ParticipationRole
from .models import (
    FTE_MAX, Assignment, ClosedYearCorrection, DatedPeriod, FiscalYearClosure, JointForceOperation, Officer,
    Participation, Region, closed_year_message, closed_year_record_message, year_labels,
)

#: A run of days, both ends inclusive; an end of None: from the start on, with no end.
Span = tuple[datetime.date, datetime.date | None]

_FOREVER = datetime.date.max


@dataclass(frozen=True)
class OverAllocation:
    """A run of days on which an officer's assignments add up to more than 1.00 FTE."""

    start: datetime.date
    end: datetime.date | None  # None: from `start` on, with no end
    total: Decimal
    assignments: tuple[Assignment, ...]

    def describe(self) -> str:
        """The run in words, translated: its total FTE (a daily share, not FTE-years), its
        days and each assignment's unit and FTE, e.g. "1.20 FTE from 2011-01-01 on (A 0.50, B 0.70)"."""
        parts = ", ".join(
            f"{a.jfo.acronym} {a.fte:.2f}" for a in sorted(self.assignments, key=lambda a: a.jfo.acronym)
        )
        if self.end is None:
            period = _("from %(start)s on") % {"start": date_format(self.start, "Y-m-d")}
        elif self.end == self.start:
            period = _("on %(day)s") % {"day": date_format(self.start, "Y-m-d")}
        else:
            period = _("from %(start)s to %(end)s") % {
                "start": date_format(self.start, "Y-m-d"),
                "end": date_format(self.end, "Y-m-d"),
            }
        return _("%(total)s FTE %(period)s (%(parts)s)") % {
            "total": f"{self.total:.2f}",
            "period": period,
            "parts": parts,
        }


def over_allocations(assignments: Iterable[Assignment], limit: Decimal = FTE_MAX) -> list[OverAllocation]:
    """Runs of days on which `assignments` (one officer's) sum to more than `limit` FTE (a daily
    share of a full-time position, not FTE-years): a list of `OverAllocation`, in date order,
    empty when none. Assignments without a start date or an FTE are left out; reads nothing.

    A sweep over the start and end points: O(n log n) in the number of assignments.
    """
    assignments = [a for a in assignments if a.start_date and a.fte is not None]
    points = sorted(
        {a.start_date for a in assignments}
        | {a.end_date + datetime.timedelta(days=1) for a in assignments if a.end_date and a.end_date < _FOREVER}
    )
    runs: list[OverAllocation] = []
    for index, point in enumerate(points):
        active = tuple(
            a for a in assignments if periods.overlaps(a.start_date, a.end_date, point, point)
        )
        total = sum((a.fte for a in active), Decimal(0))
        if total <= limit:
            continue
        next_point = points[index + 1] if index + 1 < len(points) else None
        end = next_point - datetime.timedelta(days=1) if next_point else None
        if runs and runs[-1].end is not None and runs[-1].end + datetime.timedelta(days=1) == point and (
            [id(a) for a in runs[-1].assignments] == [id(a) for a in active]
        ):
            runs[-1] = OverAllocation(runs[-1].start, end, total, active)
        else:
            runs.append(OverAllocation(point, end, total, active))
    return runs


def _overlapping(officer_id: int, start: datetime.date, end: datetime.date | None):
    return Assignment.objects.filter(periods.overlaps_q(start, end), officer_id=officer_id).select_related("jfo")


# --- Closed fiscal years -------------------------------------------------------------------


def fiscal_years_of(start: datetime.date, end: datetime.date | None) -> list[FiscalYear]:
    """The fiscal years the days `start`..`end` (inclusive; end None: ongoing, counted up to the
    current fiscal year or the start's, whichever is later) overlap, in order. Reads nothing."""
    first = FiscalYear.of(start)
    last = FiscalYear.of(end) if end is not None else max(FiscalYear.current(), first, key=lambda y: y.start_year)
    return [FiscalYear(year) for year in range(first.start_year, last.start_year + 1)]


def closed_years_touched(spans: Iterable[Span]) -> list[FiscalYear]:
    """The closed fiscal years any of `spans` (runs of days, see `Span`) overlaps, in order: one
    query. Returns a list of FiscalYear, empty when the spans touch no closed year."""
    spans = [(start, end) for start, end in spans if start is not None and (end is None or end >= start)]
    if not spans:
        return []
    closed = FiscalYearClosure.objects.filter(closed=True).values_list("fiscal_year", flat=True)
    return [
        FiscalYear(year) for year in sorted(closed)
        if any(periods.overlaps(start, end, FiscalYear(year).start, FiscalYear(year).end) for start, end in spans)
    ]


#: True while the system writes a file it was given (`import_records`): the closed-year rule then
#: holds it as it holds an administrator (a reason, recorded); other commands (the inventory
#: loader) write the past freely.
_SYSTEM_HELD = contextvars.ContextVar("closed_years_hold_the_system", default=False)


@contextlib.contextmanager
def closed_years_hold_the_system():
    """Within this block, a write by the system (`actor` None) that would alter a closed fiscal
    year needs a reason, as an administrator's does (`check_closed_years`)."""
    token = _SYSTEM_HELD.set(True)
    try:
        yield
    finally:
        _SYSTEM_HELD.reset(token)


def check_closed_years(
    actor, spans: Iterable[Span], *, reason: str | None = None, refusal=closed_year_message
) -> list[FiscalYear]:
    """The rule of closed fiscal years, for every write that would alter a year's figures (an
    assignment's period, FTE, officer or unit; a year's salary rates and costing policy).

    `actor`: the user writing (None: the system — loading, commands — to which no rule applies);
    `spans`: the runs of days whose figures the write changes (`Span`); `reason`: an
    administrator's reason for correcting a closed year. Returns the closed years an
    administrator corrects (to record with `record_corrections` once the write is saved), empty
    when no closed year is touched. Raises ValidationError (code "closed_year", the same message
    on every entry point) when the spans touch a closed year and `actor` is not an administrator,
    or is one and gives no reason; `refusal(years)` gives the first message (default: the one of
    writes that can take effect after the year). Changes nothing; one query."""
    years = closed_years_touched(spans)
    if not years or (actor is None and not _SYSTEM_HELD.get()):
        return []
    if actor is not None and not permissions.is_administrator(actor):
        raise ValidationError(refusal(years), code="closed_year")
    if not (reason or "").strip():
        raise ValidationError(
            ngettext(
                "Fiscal year %(years)s is closed: give the reason for correcting it.",
                "Fiscal years %(years)s are closed: give the reason for correcting them.",
                len(years),
            ) % {"years": year_labels(years)},
            code="closed_year_reason",
        )
    return years


def record_corrections(actor, years: Iterable[FiscalYear], *, reason: str, description: str = "") -> list:
    """Record an administrator's (`actor`) correction of each closed year in `years` (from
    `check_closed_years`) with its `reason` and what was changed (`description`, text). Returns
    the `ClosedYearCorrection` rows created (none for no years)."""
    now = timezone.now()
    return [
        ClosedYearCorrection.objects.create(
            fiscal_year=year.start_year, corrected_at=now, corrected_by=actor, reason=reason.strip(),
            description=description,
        )
        for year in years
    ]


@transaction.atomic
def fiscal_year_close(*, fiscal_year: FiscalYear | str | int, actor=None, reason: str = "") -> FiscalYearClosure:
    """Close `fiscal_year` ("2010-2011", 2010 or a FiscalYear): its figures become final. `actor`
    must be an administrator (None: the system). Returns the closure row (its history keeps every
    close and reopen). Raises PermissionDenied for anyone else, ValidationError when already closed
    or when the year has not ended (`check_year_ended`)."""
    _require_administrator(actor)
    year = FiscalYear.parse(fiscal_year)
    check_year_ended(year)
    closure = FiscalYearClosure.objects.select_for_update().filter(fiscal_year=year.start_year).first()
    if closure is not None and closure.closed:
        raise ValidationError(_("Fiscal year %(year)s is already closed.") % {"year": year.label})
    closure = closure or FiscalYearClosure(fiscal_year=year.start_year)
    closure.closed, closure.closed_at, closure.closed_by, closure.reason = True, timezone.now(), actor, reason
    closure.reopened_at = closure.reopened_by = None
    closure.reopen_reason = ""
    closure.full_clean()
    closure.save()
    return closure


def check_year_ended(year: FiscalYear) -> None:
    """Refuse closing `year` before it has ended: a year is closed once its figures are final,
    so only one whose last day is before today. Raises ValidationError (on `fiscal_year`, code
    "year_not_ended"); reads nothing."""
    if year.end >= timezone.localdate():
        raise ValidationError(
            {"fiscal_year": _(
                "Fiscal year %(year)s has not ended (its last day is %(end)s): only a year that has "
                "ended can be closed."
            ) % {"year": year.label, "end": date_format(year.end, "Y-m-d")}},
            code="year_not_ended",
        )


@transaction.atomic
def fiscal_year_reopen(*, fiscal_year: FiscalYear | str | int, actor=None, reason: str) -> FiscalYearClosure:
    """Reopen the closed `fiscal_year`, giving `reason` (required). `actor` must be an
    administrator (None: the system). Returns the closure row. Raises PermissionDenied for anyone
    else, ValidationError without a reason or when the year is not closed."""
    _require_administrator(actor)
    year = FiscalYear.parse(fiscal_year)
    if not (reason or "").strip():
        raise ValidationError({"reopen_reason": _("Give the reason for reopening %(year)s.") % {"year": year.label}})
    closure = FiscalYearClosure.objects.select_for_update().filter(fiscal_year=year.start_year, closed=True).first()
    if closure is None:
        raise ValidationError(_("Fiscal year %(year)s is not closed.") % {"year": year.label})
    closure.closed, closure.reopened_at, closure.reopened_by = False, timezone.now(), actor
    closure.reopen_reason = reason.strip()
    closure.full_clean()
    closure.save()
    return closure


def year_closure(fiscal_year: FiscalYear) -> FiscalYearClosure | None:
    """The closure of `fiscal_year` while it is closed, else None (one query)."""
    return FiscalYearClosure.objects.filter(fiscal_year=fiscal_year.start_year, closed=True).first()


def _require_administrator(actor) -> None:
    if actor is not None and not permissions.is_administrator(actor):
        raise PermissionDenied(_("Only administrators close and reopen fiscal years."))


def check_year_record_write(*, actor, record) -> None:
    """The closed-year rule for a record of one fiscal year that the reports cost by (a
    `SalaryRate` or `CostingPolicy`): refuse (ValidationError naming the year, code "closed_year")
    a change of it, as stored or as written, inside a closed year by anyone but the system. No
    reason makes it a correction: an administrator reopens the year first, as the refusal says
    (`closed_year_record_message`). Returns None; one or two queries."""
    stored = type(record).objects.filter(pk=record.pk).first() if record.pk else None
    years = {record.fiscal_year} | ({stored.fiscal_year} if stored is not None else set())
    closed = closed_years_touched([(FiscalYear(year).start, FiscalYear(year).end) for year in years if year])
    if closed and actor is not None:
        raise ValidationError(closed_year_record_message(closed), code="closed_year")


def assignment_spans(
    stored: Assignment | None, assignment: Assignment, *, identity: tuple[str, ...] = ("officer_id", "jfo_id", "fte")
) -> list[Span]:
    """The runs of days whose figures a write of `assignment` changes, against its `stored` state
    (None: a new assignment, its whole period): both periods when a field of `identity` (by
    default those the reports read: officer, unit, FTE) changes, otherwise the days added or
    removed at either end; empty when nothing of it changes. A start that moves on a period
    continuing none (`predecessor`) changes every later day of it too, from the earlier of the
    two starts to its end: the officer's tenure on the unit runs from that start (the periods
    continuing it are `assignment_write_spans`'s). Reads nothing."""
    if stored is None:
        return [(assignment.start_date, assignment.end_date)]
    if any(getattr(stored, name) != getattr(assignment, name) for name in identity):
        return [(stored.start_date, stored.end_date), (assignment.start_date, assignment.end_date)]
    spans: list[Span] = []
    if stored.start_date != assignment.start_date and stored.start_date and assignment.start_date:
        first, last = sorted([stored.start_date, assignment.start_date])
        if assignment.predecessor_id is None:  # tenure on every later day, up to the later end
            ends = (stored.end_date, assignment.end_date)
            spans.append((first, None if None in ends else max(ends)))
        else:
            spans.append((first, last - datetime.timedelta(days=1)))
    if stored.end_date != assignment.end_date:
        ends = [e for e in (stored.end_date, assignment.end_date) if e is not None]
        first = min(ends) + datetime.timedelta(days=1)
        spans.append((first, None if len(ends) == 1 else max(ends)))
    return spans


def series_followers(stored: Assignment | None, assignment: Assignment) -> list[Assignment]:
    """The periods continuing `assignment` (its successor, theirs..., in order) whose tenure a
    write of it changes against its `stored` state: when it continues none and its start moves
    (they keep its start as `series_start`); empty otherwise. One query per period continuing it."""
    if stored is None or assignment.predecessor_id is not None or stored.start_date == assignment.start_date:
        return []
    followers: list[Assignment] = []
    current = Assignment.objects.filter(predecessor_id=assignment.pk).first()
    while current is not None and len(followers) < 1000:
        followers.append(current)
        current = Assignment.objects.filter(predecessor_id=current.pk).first()
    return followers


def assignment_write_spans(
    stored: Assignment | None, assignment: Assignment, *, identity: tuple[str, ...] = ("officer_id", "jfo_id", "fte")
) -> list[Span]:
    """`assignment_spans` (same arguments) and, when the start of a chain of periods moves, the
    days of the periods continuing it up to the last one's end: their tenure runs from that
    start too (`series_followers`). Returns a list of Span; reads the periods continuing it."""
    spans = assignment_spans(stored, assignment, identity=identity)
    followers = series_followers(stored, assignment)
    if followers:
        spans.append((min(stored.start_date, assignment.start_date), followers[-1].end_date))
    return spans


def overlapping_periods(stored: Assignment | None, wanted: Assignment) -> list[Assignment]:
    """The other periods of `wanted`'s officer on its unit that `wanted` (a write of the
    assignment `stored`, as saved; None for a new one: nothing) would newly overlap: those its
    dates overlap and the stored period did not (a period and the one it continues, say). A
    list, in order of start; one query, none when the period, officer and unit are unchanged."""
    if stored is None or not (wanted.officer_id and wanted.jfo_id and wanted.start_date):
        return []
    same_place = (stored.officer_id, stored.jfo_id) == (wanted.officer_id, wanted.jfo_id)
    if same_place and (stored.start_date, stored.end_date) == (wanted.start_date, wanted.end_date):
        return []
    return [
        other for other in Assignment.objects.filter(
            periods.overlaps_q(wanted.start_date, wanted.end_date), officer_id=wanted.officer_id, jfo_id=wanted.jfo_id,
        ).exclude(pk=stored.pk).select_related("officer", "jfo").order_by("start_date", "pk")
        if not (same_place and periods.overlaps(other.start_date, other.end_date, stored.start_date, stored.end_date))
    ]


def check_unit_overlap(assignment: Assignment) -> None:
    """Refuse a write of the stored `assignment` that would make it overlap another period of
    the same officer on the same unit that it did not overlap (`overlapping_periods`): those
    days would be counted twice. A new assignment is not checked here. Raises ValidationError
    (code "periods_overlap", on the date that moved) naming the other periods; changes nothing;
    one or two queries."""
    if not assignment.pk:
        return
    stored = Assignment.objects.filter(pk=assignment.pk).first()
    others = overlapping_periods(stored, assignment)
    if not others:
        return
    field = "start_date" if stored.start_date != assignment.start_date else (
        "end_date" if stored.end_date != assignment.end_date else NON_FIELD_ERRORS
    )
    raise ValidationError({field: ValidationError(
        _("This would make the assignment overlap %(others)s, of the same officer on the same unit, whose days "
          "would be counted twice: change the other period's dates first.")
        % {"others": "; ".join(describe_assignment(other) for other in others)},
        code="periods_overlap",
    )})


def lock_officer(officer_id: int) -> None:
    """Hold the row of the officer `officer_id` (a primary key) until the surrounding
    transaction ends (no-op on SQLite). Returns None; on PostgreSQL, outside a transaction,
    raises TransactionManagementError."""
    list(Officer.objects.select_for_update().filter(pk=officer_id).values_list("pk", flat=True))


def check_assignment_write(*, actor, assignment: Assignment) -> None:
    """Refuse (PermissionDenied) unless `actor` may change the assignment both as stored and as
    the write leaves it: a manager moves no assignment out of, or into, another region.
    `actor` None is the system (commands, data loading): no region rule applies. Returns None;
    reads the stored assignment (one query) when it has a primary key."""
    if actor is None:
        return
    stored = Assignment.objects.select_related("jfo").filter(pk=assignment.pk).first() if assignment.pk else None
    permissions.require_edit(
        actor, stored, assignment, message=_("You may only edit assignments of your own regions.")
    )


def check_participations_write(*, actor, jfo: JointForceOperation, participations: Iterable[dict] | None) -> None:
    """Refuse (PermissionDenied, changing nothing) a replacement of the stored `jfo`'s
    participations by `participations` (dicts with `agency`, an Agency, and `role`; None leaves
    them unchanged) unless `actor` holds the model permission for each row it adds or removes
    (`permissions.check_rows_replacement`). `actor` None is the system. Returns None; reads the
    stored participations (one query) when the unit has a primary key."""
    if participations is None:
        return
    stored = Participation.objects.filter(jfo_id=jfo.pk) if jfo.pk else Participation.objects.none()
    permissions.check_rows_replacement(actor, Participation, stored=stored, wanted=participations, key=("agency", "role"))


def _lead_ids(rows: Iterable) -> set[int]:
    """The agency keys of the lead rows among `rows` (Participations, or dicts with `agency`, an
    Agency, and `role`)."""
    leads = set()
    for row in rows:
        agency, role = (row["agency"], row["role"]) if isinstance(row, dict) else (row.agency, row.role)
        if role == ParticipationRole.LEAD:
            leads.add(agency.pk)
    return leads


def check_participations_change(
    *, actor, jfo: JointForceOperation, participations: Iterable[dict] | None, reason: str = ""
) -> list[FiscalYear]:
    """Every rule of a replacement of the stored `jfo`'s participations by `participations`
    (dicts with `agency`, an Agency, and `role`; None: unchanged), writing nothing: the model
    permissions (`check_participations_write`), then, when its lead agencies change, the
    closed-year rule over the unit's assigned days (the resources report by lead agency splits
    them among its leads; leads are not dated, so every such day changes): refused naming the
    year but to an administrator giving `reason`. Returns the closed years an administrator
    corrects (see `check_closed_years`); raises PermissionDenied or ValidationError. Two queries."""
    if participations is None:
        return []
    participations = list(participations)
    check_participations_write(actor=actor, jfo=jfo, participations=participations)
    if not jfo.pk or _lead_ids(Participation.objects.filter(jfo_id=jfo.pk).select_related("agency")) == _lead_ids(participations):
        return []
    spans = list(Assignment.objects.filter(jfo_id=jfo.pk).order_by().values_list("start_date", "end_date"))
    return check_closed_years(actor, spans, reason=reason)


@transaction.atomic
def participations_replace(
    jfo: JointForceOperation, participations: Iterable[dict], *, actor=None, reason: str = ""
) -> list[FiscalYear]:
    """Make the saved unit `jfo`'s participations exactly `participations` (dicts with `agency`,
    an Agency, and `role`; one per agency), written by `actor` (None: the system) under the
    unit's row lock; atomic. The one write of a unit's participations: the API, the admin's
    inline and participation pages and the JFO import call it. Rows no longer wanted are
    deleted, changed roles saved, new rows created (each in its history). A change of the lead
    agencies on days of a closed fiscal year the unit had assignments is refused but to an
    administrator giving `reason`, recorded as that year's correction.

    Returns the closed years corrected (empty when none). Raises as
    `check_participations_change` (PermissionDenied, ValidationError) and ValidationError from a
    participation's own rules; nothing is written then."""
    participations = list(participations)
    lock_unit(jfo.pk)
    years = check_participations_change(actor=actor, jfo=jfo, participations=participations, reason=reason)
    wanted = {item["agency"].pk: item for item in participations}
    for participation in list(Participation.objects.filter(jfo_id=jfo.pk)):
        item = wanted.pop(participation.agency_id, None)
        if item is None:
            participation.delete()
        elif participation.role != item["role"]:
            participation.role = item["role"]
            participation.full_clean()
            participation.save()
    for item in sorted(wanted.values(), key=lambda item: (item["role"], item["agency"].acronym)):
        participation = Participation(jfo=jfo, agency=item["agency"], role=item["role"])
        participation.full_clean()
        participation.save()
    leads = sorted(item["agency"].acronym for item in participations if item["role"] == ParticipationRole.LEAD)
    record_corrections(actor, years, reason=reason, description=_("%(unit)s: lead agencies now %(leads)s") % {
        "unit": jfo, "leads": ", ".join(leads) or "—",
    })
    return years


def assignment_validate(assignment: Assignment, *, pending: Iterable[Assignment] = (), actor=None) -> None:
    """Every rule of an assignment: the region rule for `actor` first (PermissionDenied, which
    tells nothing of the officer's other assignments), then the model's own, then no new overlap
    with the officer's other periods on the unit (`check_unit_overlap`), then the officer's
    daily FTE limit (with `pending`: other unsaved changes of the same write, e.g. an imported
    file's other rows).

    Raises PermissionDenied, or ValidationError with per-field messages; changes nothing.
    """
    check_assignment_write(actor=actor, assignment=assignment)
    assignment.full_clean()
    check_unit_overlap(assignment)
    check_allocation(assignment, pending=pending)


def check_allocation(
    assignment: Assignment, *, pending: Iterable[Assignment] = (), ignore_pks: Iterable[int] = ()
) -> None:
    """Refuse `assignment` if, with the officer's other assignments, any day exceeds 1.00 FTE
    (`FTE_MAX`, a daily share). Returns None; an assignment without an officer, a start date
    or an FTE is left to the model's rules.

    Raises ValidationError on "fte" (code "over_allocated") naming each run of days over the
    limit and the assignments in it.

    `pending` are other unsaved changes of the same write (an admin inline formset, an import);
    `ignore_pks` are assignments the same write deletes. Inside a transaction the officer's row
    is locked first, so a concurrent write waits for this one to commit.
    """
    if not assignment.officer_id or not assignment.start_date or assignment.fte is None:
        return
    if transaction.get_connection().in_atomic_block:
        lock_officer(assignment.officer_id)
    pending = [p for p in pending if p is not assignment and p.officer_id == assignment.officer_id]
    skip = {p.pk for p in pending if p.pk} | set(ignore_pks)
    if assignment.pk:
        skip.add(assignment.pk)
    others = [
        o for o in _overlapping(assignment.officer_id, assignment.start_date, assignment.end_date)
        if o.pk not in skip
    ]
    conflicts = [
        run
        for run in over_allocations([assignment, *others, *pending])
        if any(a is assignment for a in run.assignments)
    ]
    if conflicts:
        raise ValidationError(
            {
                "fte": _(
                    "%(officer)s would be assigned more than %(limit)s FTE: %(details)s. "
                    "Lower the FTE, change the dates or end another assignment first."
                )
                % {
                    "officer": assignment.officer.name,
                    "limit": f"{FTE_MAX:.2f}",
                    "details": "; ".join(run.describe() for run in conflicts),
                }
            },
            code="over_allocated",
        )


@transaction.atomic
def assignment_save(
    assignment: Assignment, *, pending: Iterable[Assignment] = (), actor=None, reason: str = ""
) -> Assignment:
    """Validate (under the officer's row lock) and save a new or changed assignment written by
    `actor` (None: the system); atomic. `reason`: an administrator's reason for correcting a
    closed fiscal year (recorded as a `ClosedYearCorrection`). Returns the saved `assignment`
    (the same object).

    Raises as `assignment_validate` (PermissionDenied, or ValidationError per field), then as
    `check_closed_years` (ValidationError naming the closed year); nothing is saved then."""
    lock_officer(assignment.officer_id)
    assignment_validate(assignment, pending=pending, actor=actor)
    stored = Assignment.objects.filter(pk=assignment.pk).first() if assignment.pk else None
    years = check_closed_years(actor, assignment_write_spans(stored, assignment), reason=reason)
    followers = series_followers(stored, assignment)
    assignment.save()
    for follower in followers:  # a chain's first start moved: the periods continuing it keep it
        follower.series_start = assignment.start_date
        follower.save()
    record_corrections(actor, years, reason=reason, description=str(assignment))
    return assignment


def assignment_create(
    *,
    officer: Officer,
    jfo: JointForceOperation,
    fte: Decimal,
    start_date: datetime.date,
    end_date: datetime.date | None = None,
    role: str = "",
    notes: str = "",
    actor=None,
) -> Assignment:
    """Create an assignment of `officer` to the unit `jfo` at `fte` (a share of a full-time
    position, more than 0 and at most 1.00; not FTE-years) from `start_date` to `end_date`
    (inclusive; None: ongoing), written by `actor` (None: the system). Returns the saved
    assignment. Raises as `assignment_save`."""
    assignment = Assignment(
        officer=officer, jfo=jfo, fte=fte, start_date=start_date, end_date=end_date, role=role, notes=notes
    )
    return assignment_save(assignment, actor=actor)


ASSIGNMENT_EDITABLE_FIELDS = ("officer", "jfo", "fte", "start_date", "end_date", "role", "notes")


def assignment_update(*, assignment: Assignment, actor=None, reason: str = "", **changes) -> Assignment:
    """Change fields of `assignment` (`changes`: field name to value, among
    `ASSIGNMENT_EDITABLE_FIELDS`; `fte` a daily share, dates inclusive) written by `actor`
    (None: the system). Returns the saved assignment.

    Raises ValidationError, changing nothing, for an unknown field; otherwise as `assignment_save`."""
    unknown = set(changes) - set(ASSIGNMENT_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    for field, value in changes.items():
        setattr(assignment, field, value)
    return assignment_save(assignment, actor=actor, reason=reason)


def assignment_end(*, assignment: Assignment, end_date: datetime.date, actor=None, reason: str = "") -> Assignment:
    """End `assignment` on `end_date` (its last day, inclusive), written by `actor` (None: the
    system). Assignments are ended, never deleted. Returns the saved assignment.

    Raises ValidationError on "end_date" when no date is given (or it is before the start);
    otherwise as `assignment_save` (an end inside a closed year is refused but to an
    administrator giving `reason`)."""
    if end_date is None:
        raise ValidationError({"end_date": _("Give the date on which the assignment ends.")})
    return assignment_update(assignment=assignment, end_date=end_date, actor=actor, reason=reason)


#: What changes from a date (`assignment_change`); anything else of a period is corrected.
EFFECTIVE_DATED_FIELDS = ("fte", "role")


def _stored_for_write(assignment: Assignment) -> Assignment:
    lock_officer(assignment.officer_id)
    return Assignment.objects.select_related("officer", "jfo__region").get(pk=assignment.pk)


@dataclass
class AssignmentChange:
    """What `assignment_change` writes, worked out and checked before anything is written:
    `stored`, the period as it will be saved (ended the day before `effective_from`, or, for a
    change from its first day, changed in place), and `successor`, the new period from
    `effective_from` (None for a change in place); `years`, the closed fiscal years an
    administrator corrects (see `check_closed_years`)."""

    stored: Assignment
    successor: Assignment | None
    years: list[FiscalYear]
    reason: str = ""
    pending: tuple[Assignment, ...] = ()


def plan_assignment_change(
    *, assignment: Assignment, effective_from: datetime.date, actor=None, reason: str = "",
    pending: Iterable[Assignment] = (), **changes
) -> AssignmentChange:
    """Work out and check (writing nothing; under the officer's row lock inside a transaction)
    the change of `assignment`'s `changes` (among `EFFECTIVE_DATED_FIELDS`) from
    `effective_from` by `actor`, as `assignment_change` describes it (`pending` too). Forms call
    it on validation, so a refused change is a form error. Returns an `AssignmentChange`; raises
    as `assignment_change`."""
    unknown = set(changes) - set(EFFECTIVE_DATED_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be changed from a date: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    stored = _stored_for_write(assignment)
    check_assignment_write(actor=actor, assignment=stored)
    changed = {field: value for field, value in changes.items() if getattr(stored, field) != value}
    if effective_from is None:
        raise ValidationError({"effective_from": _("Give the date from which the change takes effect.")})
    if not changed:
        raise ValidationError(_("Nothing to change: give a new FTE or role."))
    if effective_from < stored.start_date:
        raise ValidationError({"effective_from": _(
            "A change cannot take effect before the assignment starts (%(start)s). To rewrite the past, "
            "correct the assignment instead."
        ) % {"start": date_format(stored.start_date, "Y-m-d")}})
    if stored.end_date is not None and effective_from > stored.end_date:
        raise ValidationError({"effective_from": _("A change cannot take effect after the assignment ends (%(end)s).")
                               % {"end": date_format(stored.end_date, "Y-m-d")}})
    if effective_from == stored.start_date:
        original = Assignment.objects.get(pk=stored.pk)
        for field, value in changed.items():
            setattr(stored, field, value)
        assignment_validate(stored, actor=actor, pending=pending)
        years = check_closed_years(actor, assignment_spans(original, stored), reason=reason)
        return AssignmentChange(stored, None, years, reason, tuple(pending))
    if Assignment.objects.filter(predecessor=stored).exists():
        raise ValidationError(_("This period already has a successor: change the later period instead."))
    successor = Assignment(
        officer=stored.officer, jfo=stored.jfo, fte=stored.fte, role=stored.role, notes=stored.notes,
        start_date=effective_from, end_date=stored.end_date, predecessor=stored,
        series_start=stored.series_start or stored.start_date,  # the officer's tenure on the unit goes on
    )
    for field, value in changed.items():
        setattr(successor, field, value)
    ended_on = stored.end_date
    stored.end_date = effective_from - datetime.timedelta(days=1)
    pending = list(pending)
    assignment_validate(stored, actor=actor, pending=pending)
    assignment_validate(successor, actor=actor, pending=[stored, *pending])
    years = check_closed_years(actor, [(effective_from, ended_on)], reason=reason)
    return AssignmentChange(stored, successor, years, reason, tuple(pending))


@transaction.atomic
def assignment_change(
    *, assignment: Assignment, effective_from: datetime.date, actor=None, reason: str = "",
    pending: Iterable[Assignment] = (), **changes
) -> Assignment:
    """Change the FTE (a daily share, more than 0, at most 1.00) and/or role of `assignment` from
    the day `effective_from` on, written by `actor` (None: the system): the stored period ends on
    the day before and its successor (linked to it by `predecessor`) starts on `effective_from`,
    keeping its end, unit and notes. From its first day, the assignment itself is changed. Years
    before `effective_from` are left as they were. Atomic, under the officer's row lock.

    `changes`: among `EFFECTIVE_DATED_FIELDS`; `reason`: an administrator's reason when the change
    takes effect inside a closed year; `pending`: other unsaved changes of the same write (an
    imported file's other rows), for the FTE check. Returns the assignment that holds the change
    (the successor, or `assignment` itself). Raises ValidationError, changing nothing, for an unknown
    field, no change, or an `effective_from` outside the period (field "effective_from"); then
    PermissionDenied or ValidationError as `assignment_validate` and `check_closed_years`."""
    return assignment_change_apply(
        plan_assignment_change(
            assignment=assignment, effective_from=effective_from, actor=actor, reason=reason, pending=pending, **changes
        ),
        actor=actor,
    )


@transaction.atomic
def assignment_change_apply(change: AssignmentChange, *, actor=None) -> Assignment:
    """Write a change planned by `plan_assignment_change` (in the same transaction, so the
    officer's row lock still holds): the ended (or changed) period, then its successor, and an
    administrator's corrections of closed years. Returns the assignment holding the change."""
    if change.successor is None:
        return assignment_save(change.stored, actor=actor, reason=change.reason, pending=change.pending)
    change.stored.save()
    change.successor.save()
    record_corrections(actor, change.years, reason=change.reason, description=str(change.successor))
    return change.successor


@transaction.atomic
def assignment_correct(
    *, assignment: Assignment, reason: str, actor=None, pending: Iterable[Assignment] = (), **changes
) -> tuple[Assignment, list[FiscalYear]]:
    """Correct a mistake in `assignment` in place, from its first day — the explicit rewrite of
    the past, with `reason` (required), written by `actor` (None: the system). `changes`: among
    "fte" (a daily share), "role", "start_date", "end_date" (inclusive), "notes"; `pending`: other
    unsaved changes of the same write (an imported file's other rows), for the FTE check.

    Returns (the saved assignment, the fiscal years whose record it rewrites, in order); the
    reason and those years are kept on the assignment (`correction`, shown in its history).
    Raises ValidationError, changing nothing, without a reason, for an unknown field or no
    change; then as `assignment_save` (a closed year is corrected by an administrator only)."""
    unknown = set(changes) - {"fte", "role", "start_date", "end_date", "notes"}
    if unknown:
        raise ValidationError(_("These fields cannot be corrected: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for the correction.")})
    stored = _stored_for_write(assignment)
    corrected = Assignment.objects.select_related("officer", "jfo__region").get(pk=stored.pk)
    for field, value in changes.items():
        setattr(corrected, field, value)
    pending = list(pending)
    assignment_validate(corrected, actor=actor, pending=pending)  # the dates within bounds before naming their years
    spans = assignment_write_spans(stored, corrected, identity=("officer_id", "jfo_id", "fte", "role", "notes"))
    if not spans:
        raise ValidationError(_("Nothing to correct: the values given are the stored ones."))
    years = sorted({year for start, end in spans for year in fiscal_years_of(start, end)}, key=lambda y: y.start_year)
    corrected.correction = _("%(reason)s (rewrites %(years)s)") % {
        "reason": reason.strip(), "years": ", ".join(year.label for year in years)
    }
    assignment_save(corrected, actor=actor, reason=reason, pending=pending)
    return corrected, years


@dataclass
class PeriodChange:
    """What `officer_change` or `unit_change` writes, worked out before anything is written:
    `record` (an Officer, a JointForceOperation), `ended`, the period that held on the day
    before `effective_from` and now ends then (None when there is none, or when the change
    replaces the values of a period starting on `effective_from`), and `started`, the period
    holding the new values from `effective_from` on (open). The days whose values change are
    `effective_from` onwards; `fiscal_years` are the years they fall in, up to today's."""

    record: Officer | JointForceOperation
    effective_from: datetime.date
    ended: DatedPeriod | None
    started: DatedPeriod
    created_base: DatedPeriod | None = None  # the record's first period, made from its fields

    @property
    def officer(self) -> Officer:
        """The record of an officer's change."""
        return self.record

    @property
    def unit(self) -> JointForceOperation:
        """The record of a unit's change."""
        return self.record

    @property
    def periods(self) -> list[DatedPeriod]:
        """Every period the change writes (a closed-year check reads their days)."""
        written: list[DatedPeriod] = []
        for period in (self.created_base, self.ended, self.started):
            if period is not None and all(period is not other for other in written):
                written.append(period)
        return written

    @property
    def spans(self) -> list[Span]:
        """The runs of days whose figures the change alters (`Span`) from `effective_from` on
        (the only days whose values change): the record's assigned days (an officer's, a
        unit's assignments), which the reports cost and count, and for a unit its own days
        (start to end date; no start: since always), on which the coverage report counts it;
        one query."""
        assigned = self.record.assignments.filter(periods.overlaps_q(self.effective_from, None)).order_by()
        spans = [(max(start, self.effective_from), end) for start, end in assigned.values_list("start_date", "end_date")]
        if isinstance(self.record, JointForceOperation):
            spans.append((max(self.record.start_date or self.effective_from, self.effective_from), self.record.end_date))
        return spans

    @property
    def fiscal_years(self) -> list[FiscalYear]:
        """The fiscal years whose figures the change touches, from `effective_from`'s to today's."""
        first = FiscalYear.of(self.effective_from).start_year
        last = max(FiscalYear.current().start_year, first)
        return [FiscalYear(year) for year in range(first, last + 1)]


OfficerChange = PeriodChange  # the name of an officer's change

# Per kind of record (`DatedPeriod.OWNER`): the field naming its region, the refusal of the
# region rule, the refusal of a change that changes nothing, and of one before its current period.
_REGION_FIELD = {"officer": "home_region", "jfo": "region"}
_TEXTS = {
    "officer": {
        "region": gettext_lazy("You may only edit officers of your own regions."),
        "nothing": gettext_lazy("Nothing changes: give a classification, position or home region the officer does not hold."),
        "before": gettext_lazy(
            "The officer's current period starts on %(start)s: a change takes effect on that day or later. "
            "Rewriting earlier days is a correction."
        ),
    },
    "jfo": {
        "region": gettext_lazy("You may only edit JFO units of your own regions."),
        "nothing": gettext_lazy("Nothing changes: give a region, JFO type or program the unit does not hold."),
        "before": gettext_lazy(
            "The unit's current period starts on %(start)s: a change takes effect on that day or later. "
            "Rewriting earlier days is a correction."
        ),
    },
}


def can_change_dated(user, record) -> bool:
    """May `user` record a change from a date of `record`'s dated values (an officer's, a JFO
    unit's)? An administrator, or a regional manager of the region the record lies in (the region
    rule; a unit's other fields stay the administrators'). Reads the user's groups and regions."""
    return bool(permissions.can_edit_regional_record(user, record))


def _period_model(record) -> type[DatedPeriod]:
    return record.periods.model


def check_period_change(change: PeriodChange, *, actor, reason: str = "") -> list[FiscalYear]:
    """Every rule of a change of an officer's or a unit's dated values before it is written: the
    region rule for `actor` (the record as stored and as the change leaves it: a manager moves
    nobody and no unit out of, or into, another region; None is the system), each period's own
    rules, no two periods of the record overlapping, and the closed-year rule for the days it
    alters (`change.spans`; `reason`: an administrator's reason for correcting a closed year).
    Returns the closed years an administrator corrects (see `check_closed_years`); raises
    PermissionDenied or ValidationError."""
    record = change.record
    model = _period_model(record)
    if actor is not None:
        region_field = _REGION_FIELD[model.OWNER]
        stored = type(record).objects.filter(pk=record.pk).first()
        after = type(record)(pk=record.pk, **{f"{region_field}_id": getattr(change.started, f"{region_field}_id")})
        if not all(can_change_dated(actor, state) for state in (stored, after) if state is not None):
            raise PermissionDenied(str(_TEXTS[model.OWNER]["region"]))
    written = change.periods
    for period in written:
        try:
            period.full_clean(validate_constraints=False)
        except ValidationError as error:  # the new period's first day is the change's effective_from
            if not hasattr(error, "error_dict") or "start_date" not in error.error_dict:
                raise
            errors = dict(error.error_dict)
            errors["effective_from"] = errors.pop("start_date")
            raise ValidationError(errors) from error
    others = [p for p in record.periods.all() if p.pk not in {w.pk for w in written if w.pk}]
    spans = [*others, *written]
    for index, period in enumerate(spans):
        for other in spans[index + 1:]:
            if periods.overlaps(period.start_date, period.end_date, other.start_date, other.end_date):
                raise ValidationError({"effective_from": model.OVERLAP_MESSAGE}, code="periods_overlap")
    return check_closed_years(actor, change.spans, reason=reason)


check_officer_change = check_unit_change = check_period_change


def plan_period_change(record, *, effective_from: datetime.date, **values) -> PeriodChange:
    """Work out (writing nothing) the change of `record`'s (an Officer's, a
    JointForceOperation's) dated `values` (among its period's `ATTRIBUTES`, each given a new
    value: codes, a Region, a Program or None for no program) from `effective_from` (a date, not
    after today) on. Returns a `PeriodChange`.

    Raises ValidationError: on "effective_from" when it is missing, after today, or before the
    start of the record's latest period (rewriting the past is a correction, not a change); on
    none when no value differs from what the record holds then, or for an unknown field."""
    model = _period_model(record)
    unknown = set(values) - set(model.ATTRIBUTES)
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    if effective_from is None:
        raise ValidationError({"effective_from": _("Give the date from which the change takes effect.")})
    if effective_from > timezone.localdate():
        raise ValidationError({"effective_from": _("A change takes effect today or on an earlier day, not later.")})
    existing = list(record.periods.order_by("start_date"))
    latest = existing[-1] if existing else None
    base = None
    if latest is None:
        # The first period, holding the record's own values, from its first assigned day (for a
        # unit, also counted on its own days: from its start, or since always).
        first = record.assignments.order_by("start_date").values_list("start_date", flat=True).first()
        if isinstance(record, JointForceOperation):
            first = min([day for day in (first, record.start_date) if day is not None], default=EARLIEST_DATE)
        if first is not None and first < effective_from:
            base = latest = model(
                start_date=first, end_date=None, **{model.OWNER: record},
                **{attribute: getattr(record, attribute) for attribute in model.ATTRIBUTES},
            )
    elif effective_from < latest.start_date:
        raise ValidationError({"effective_from": str(_TEXTS[model.OWNER]["before"]) % {
            "start": date_format(latest.start_date, "Y-m-d")
        }})
    holding = latest or record

    def held(attribute):
        return getattr(holding, model._meta.get_field(attribute).attname)

    new = {attribute: getattr(holding, attribute) for attribute in model.ATTRIBUTES}
    new.update(values)
    if all(held(attribute) == _attname_value(new[attribute]) for attribute in model.ATTRIBUTES):
        raise ValidationError(str(_TEXTS[model.OWNER]["nothing"]))
    if latest is not None and latest.start_date == effective_from:
        for attribute, value in new.items():
            setattr(latest, attribute, value)
        return PeriodChange(record, effective_from, ended=None, started=latest)
    if latest is not None:
        latest.end_date = effective_from - datetime.timedelta(days=1)
    started = model(start_date=effective_from, end_date=None, **{model.OWNER: record}, **new)
    return PeriodChange(record, effective_from, ended=latest, started=started, created_base=base)


def _attname_value(value):
    """A value as its column stores it: a record's key, else the value itself."""
    return value.pk if hasattr(value, "_meta") else value


def plan_officer_change(officer: Officer, *, effective_from: datetime.date, **values) -> PeriodChange:
    """`plan_period_change` of `officer`'s `values` (among `OFFICER_PERIOD_ATTRIBUTES`:
    classification and position codes, home_region a Region; None: unchanged)."""
    return plan_period_change(
        officer, effective_from=effective_from, **{name: value for name, value in values.items() if value is not None}
    )


def lock_unit(jfo_id: int) -> None:
    """Hold the row of the JFO unit `jfo_id` until the surrounding transaction ends (no-op on
    SQLite), as `lock_officer` does for an officer. Returns None."""
    list(JointForceOperation.objects.select_for_update().filter(pk=jfo_id).values_list("pk", flat=True))


def _period_change_write(record, values: dict, *, effective_from, actor, reason: str) -> PeriodChange:
    """Plan, check and write a change of `record`'s dated `values` (the caller holds its row
    lock, inside a transaction): the periods, then the record's own fields set to the latest
    period's, then an administrator's corrections of closed years."""
    change = plan_period_change(record, effective_from=effective_from, **values)
    years = check_period_change(change, actor=actor, reason=reason)
    for period in change.periods:  # the ended period first: it makes room for its successor
        period.save()
    for attribute in _period_model(record).ATTRIBUTES:
        setattr(record, attribute, getattr(change.started, attribute))
    record.full_clean()
    record.save()
    record_corrections(actor, years, reason=reason, description=_("%(record)s: change from %(day)s") % {
        "record": record, "day": date_format(effective_from, "Y-m-d"),
    })
    return change


@transaction.atomic
def officer_change(
    officer: Officer, *, effective_from: datetime.date, classification: str | None = None,
    position: str | None = None, home_region: Region | None = None, actor=None, reason: str = "",
) -> PeriodChange:
    """Record a promotion, a change of position or a transfer of `officer` from `effective_from`
    (a date, not after today) on: the period holding the day before ends then, and a period with
    the new values (None: unchanged) starts on that day (a period starting on that very day has
    its values replaced). The officer's own fields are kept equal to the latest period's, which
    holds today, so every list, filter and region rule reading them reads the current values.
    Written by `actor` (None: the system), under the officer's row lock; atomic. A change from a
    day inside a closed fiscal year (on the officer's assigned days) is refused but to an
    administrator giving `reason`, recorded as a correction of that year.

    Returns the `PeriodChange` written. Raises as `plan_period_change` and
    `check_period_change` (PermissionDenied, ValidationError); nothing is written then."""
    lock_officer(officer.pk)
    values = {"classification": classification, "position": position, "home_region": home_region}
    return _period_change_write(
        officer, {name: value for name, value in values.items() if value is not None},
        effective_from=effective_from, actor=actor, reason=reason,
    )


#: `unit_change`'s default for a value it leaves unchanged (None is a value: no program).
KEEP = object()


@transaction.atomic
def unit_change(
    jfo: JointForceOperation, *, effective_from: datetime.date, region: Region | None = None,
    jfo_type: str | None = None, program=KEEP, actor=None, reason: str = "",
) -> PeriodChange:
    """Record a move of the JFO unit `jfo` to another region, a change of its type or of its
    program from `effective_from` (a date, not after today) on, as `officer_change` does for an
    officer: the period holding the day before ends then and one with the new values starts
    (`region` a Region and `jfo_type` a code, None: unchanged; `program` a Program, or None for
    no program; `KEEP`: unchanged). The unit's own fields are kept equal to its latest period's.
    Written by `actor` (None: the system) under the unit's row lock; atomic. A manager moves no
    unit out of, or into, a region they do not manage (PermissionDenied); a change from a day
    inside a closed fiscal year (on the unit's assigned days) is refused but to an administrator
    giving `reason`, recorded as a correction of that year.

    Returns the `PeriodChange` written. Raises as `plan_period_change` and
    `check_period_change` (PermissionDenied, ValidationError); nothing is written then."""
    lock_unit(jfo.pk)
    values = {"region": region, "jfo_type": jfo_type}
    values = {name: value for name, value in values.items() if value is not None}
    if program is not KEEP:
        values["program"] = program
    return _period_change_write(jfo, values, effective_from=effective_from, actor=actor, reason=reason)


def dated_changes(record, stored) -> dict:
    """The dated values (its period's `ATTRIBUTES`) in which the edited `record` (an officer, a
    unit) differs from its `stored` state: name to new value, empty when none. Reads nothing."""
    model = _period_model(record)
    return {
        attribute: getattr(record, attribute) for attribute in model.ATTRIBUTES
        if getattr(record, model._meta.get_field(attribute).attname) != getattr(stored, model._meta.get_field(attribute).attname)
    }


def _save_dated(record, stored, *, effective_from, actor, reason: str):
    """Save the edited `record` (its `stored` state read under its row lock): its other fields as
    given, its changed dated values through `_period_change_write` from `effective_from` (None:
    today)."""
    changed = dated_changes(record, stored)
    for attribute in changed:
        setattr(record, attribute, getattr(stored, attribute))
    record.full_clean()
    record.save()
    if changed:
        _period_change_write(record, changed, effective_from=effective_from or timezone.localdate(), actor=actor, reason=reason)
    return record


@transaction.atomic
def officer_save(
    officer: Officer, *, effective_from: datetime.date | None = None, actor=None, reason: str = ""
) -> Officer:
    """Save a new or edited `officer` (an unsaved state, e.g. from a form, the API or an import
    row) written by `actor` (None: the system); atomic. A new officer is saved as given (their
    fields hold on every day until a change is recorded). For a stored officer, a changed
    classification, position or home region is recorded through `officer_change` from
    `effective_from` (a date; None: today), so earlier days keep their values; other fields are
    saved as given. Returns the saved officer (the same object).

    Raises as `officer_change`, and ValidationError from the officer's own rules; nothing is
    written then."""
    if officer.pk is None:
        officer.full_clean()
        officer.save()
        return officer
    lock_officer(officer.pk)
    return _save_dated(officer, Officer.objects.get(pk=officer.pk), effective_from=effective_from, actor=actor, reason=reason)


def unit_activity_span(jfo: JointForceOperation | None) -> Span | None:
    """The days the unit `jfo` (None: no unit) counts in the coverage report (Exhibit 5): from
    its start (since always without one) to its end (ongoing without one), unless it is only
    proposed (None then). Reads nothing."""
    if jfo is None or jfo.status == JfoStatus.PROPOSED:
        return None
    return (jfo.start_date or periods.SINCE_EVER, jfo.end_date)


def check_unit_activity(stored: JointForceOperation | None, jfo: JointForceOperation, *, actor, reason: str = "") -> list:
    """The closed-year rule for a unit created (`stored` None) or whose dates or status change:
    the days it newly counts, or no longer counts, in the coverage report
    (`unit_activity_span`) may not fall in a closed year, but for an administrator giving
    `reason`. Returns the years an administrator corrects; raises as `check_closed_years`."""
    return check_closed_years(actor, periods.changed_days(unit_activity_span(stored), unit_activity_span(jfo)), reason=reason)


@transaction.atomic
def unit_save(
    jfo: JointForceOperation, *, effective_from: datetime.date | None = None, actor=None, reason: str = ""
) -> JointForceOperation:
    """Save a new or edited JFO unit `jfo` (an unsaved state, from the admin, the API or an
    import row) written by `actor` (None: the system); atomic. A new unit is saved as given. For
    a stored unit, a changed region, type or program is recorded through `unit_change` from
    `effective_from` (None: today), so earlier days keep their values; other fields are saved
    as given. Returns the saved unit (the same object; its many-to-many links are the caller's).

    A unit created, or whose dates or status change, on days of a closed year (a new unit
    without a start date counts since always) is refused but to an administrator giving
    `reason` (`check_unit_activity`).

    Raises as `unit_change` and `check_unit_activity`, and ValidationError from the unit's own
    rules; nothing is written then."""
    stored = None
    if jfo.pk is not None:
        lock_unit(jfo.pk)
        stored = JointForceOperation.objects.get(pk=jfo.pk)
    years = check_unit_activity(stored, jfo, actor=actor, reason=reason)
    if stored is None:
        jfo.full_clean()
        jfo.save()
    else:
        _save_dated(jfo, stored, effective_from=effective_from, actor=actor, reason=reason)
    record_corrections(actor, years, reason=reason, description=_("%(unit)s: its dates or status") % {"unit": jfo})
    return jfo


# --- Corrections of dated attributes ---------------------------------------------------------
#
# A correction rewrites the recorded past of an officer's or a unit's periods (a promotion dated
# a month late, a wrong classification): the explicit, reasoned counterpart of a change from a
# date. The periods stay back to back (the neighbours of a moved start or end follow it) and the
# latest one holds today, so the record's own fields stay equal to the latest period's.

#: What a correction of a period may change besides its kind's `ATTRIBUTES`.
PERIOD_CORRECTED_DATES = ("start_date", "end_date")


@dataclass
class PeriodCorrection:
    """What `period_correct` writes, worked out and checked before anything is written: `record`
    (an Officer, a JointForceOperation), `period` (the corrected period, with its new values),
    `written` (it and the neighbours whose end or start follows it, unsaved), `spans` (the runs
    of days on which the record's values change and the reports count it), `fiscal_years` (the
    years whose record it rewrites, in order) and `years` (the closed ones an administrator
    corrects, see `check_closed_years`)."""

    record: Officer | JointForceOperation
    period: DatedPeriod
    written: list[DatedPeriod]
    spans: list[Span]
    fiscal_years: list[FiscalYear]
    years: list[FiscalYear]
    reason: str


def _values_on(rows: list[DatedPeriod], own: tuple, day: datetime.date, attnames: list[str]) -> tuple:
    for row in rows:
        if periods.overlaps(row.start_date, row.end_date, day, day):
            return tuple(getattr(row, name) for name in attnames)
    return own


def _changed_days(before: list[DatedPeriod], after: list[DatedPeriod], own_before: tuple, own_after: tuple,
                  attnames: list[str]) -> list[Span]:
    """The runs of days on which the values of the periods `before` (falling back on `own_before`)
    and `after` (on `own_after`) differ, in order; reads nothing."""
    points = {EARLIEST_DATE}
    for row in [*before, *after]:
        points.add(row.start_date)
        if row.end_date is not None:
            points.add(row.end_date + datetime.timedelta(days=1))
    points = sorted(points)
    changed: list[Span] = []
    for index, point in enumerate(points):
        end = points[index + 1] - datetime.timedelta(days=1) if index + 1 < len(points) else None
        if _values_on(before, own_before, point, attnames) == _values_on(after, own_after, point, attnames):
            continue
        if changed and changed[-1][1] is not None and changed[-1][1] + datetime.timedelta(days=1) == point:
            changed[-1] = (changed[-1][0], end)
        else:
            changed.append((point, end))
    return changed


def _intersections(spans: Iterable[Span], others: Iterable[Span]) -> list[Span]:
    others = list(others)
    result: list[Span] = []
    for start, end in spans:
        for other_start, other_end in others:
            if periods.overlaps(start, end, other_start, other_end):
                last = [day for day in (end, other_end) if day is not None]
                result.append((max(start, other_start), min(last) if last else None))
    return result


def _counted_days(record) -> list[Span]:
    """The days the reports count `record` on: its assignments' (an officer's, a unit's), and
    for a unit its own days (start to end; no start: since always). One query."""
    spans: list[Span] = list(record.assignments.order_by().values_list("start_date", "end_date"))
    if isinstance(record, JointForceOperation):
        spans.append((record.start_date or EARLIEST_DATE, record.end_date))
    return spans


def _check_correction_regions(actor, record, model, written: list[DatedPeriod], stored: dict) -> None:
    """The region rule of a correction: a manager corrects the records of their regions only, and
    writes no period of (nor into) another region."""
    if actor is None:
        return
    region_field = _REGION_FIELD[model.OWNER]
    region_ids = {getattr(record, f"{region_field}_id")}
    for period in written:
        region_ids.add(getattr(period, f"{region_field}_id"))
        if period.pk in stored:
            region_ids.add(getattr(stored[period.pk], f"{region_field}_id"))
    if not all(can_change_dated(actor, type(record)(pk=record.pk, **{f"{region_field}_id": region_id}))
               for region_id in region_ids):
        raise PermissionDenied(str(_TEXTS[model.OWNER]["region"]))


def plan_period_correction(period: DatedPeriod, *, reason: str, actor=None, **changes) -> PeriodCorrection:
    """Work out and check, writing nothing (under the record's row lock inside a transaction),
    the correction of `period` (an `OfficerPeriod`, a `UnitPeriod`) by `actor` (None: the
    system) with `reason` (required): `changes` among `PERIOD_CORRECTED_DATES` (dates, the end
    inclusive) and its kind's `ATTRIBUTES` (codes, a Region, a Program or None for no program).
    A moved start also moves the previous period's end (to the day before), a moved end the
    next period's start (to the day after); the latest period stays open and starts on or
    before today.

    Returns a `PeriodCorrection`. Raises ValidationError, changing nothing: without a reason
    (field "reason"), for an unknown field, no change, dates out of order or leaving a
    neighbour no day (field "start_date" or "end_date"), an end on the latest period; then
    PermissionDenied (a manager's record or period of another region) and ValidationError as
    `check_closed_years` for the days whose values change (those the reports count)."""
    model = type(period)
    unknown = set(changes) - {*PERIOD_CORRECTED_DATES, *model.ATTRIBUTES}
    if unknown:
        raise ValidationError(_("These fields cannot be corrected: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for the correction.")})
    owner_model = model._meta.get_field(model.OWNER).related_model
    owner_id = getattr(period, f"{model.OWNER}_id")
    (lock_officer if owner_model is Officer else lock_unit)(owner_id)
    record = owner_model.objects.get(pk=owner_id)
    before = list(model.objects.filter(**{model.OWNER: record}).order_by("start_date"))
    after = [copy.copy(row) for row in before]
    index = next(i for i, row in enumerate(after) if row.pk == period.pk)
    corrected = after[index]
    for field, value in changes.items():
        setattr(corrected, field, value)
    latest = index == len(after) - 1
    if corrected.start_date is None:
        raise ValidationError({"start_date": _("Give the period's start date.")})
    if latest and corrected.end_date is not None:
        raise ValidationError({"end_date": _(
            "The latest period holds today: it has no end date. To end it, record a change from a date."
        )})
    if corrected.end_date is not None and corrected.end_date < corrected.start_date:
        raise ValidationError({"end_date": _("A period's end date cannot be before its start date.")})
    if index > 0 and corrected.start_date != before[index].start_date:
        previous = after[index - 1]
        previous.end_date = corrected.start_date - datetime.timedelta(days=1)
        if previous.end_date < previous.start_date:
            raise ValidationError({"start_date": _(
                "This start leaves no day to the previous period (from %(start)s): correct that one first."
            ) % {"start": date_format(previous.start_date, "Y-m-d")}})
    if not latest and corrected.end_date != before[index].end_date:
        following = after[index + 1]
        following.start_date = corrected.end_date + datetime.timedelta(days=1)
        if following.end_date is not None and following.end_date < following.start_date:
            raise ValidationError({"end_date": _(
                "This end leaves no day to the next period (to %(end)s): correct that one first."
            ) % {"end": date_format(following.end_date, "Y-m-d")}})
    if after[-1].start_date > timezone.localdate():
        raise ValidationError({"end_date" if not latest else "start_date": _(
            "The latest period holds today: it cannot start after today."
        )})
    stored = {row.pk: row for row in before}
    written = [row for row in after if any(
        getattr(row, f.attname) != getattr(stored[row.pk], f.attname) for f in model._meta.concrete_fields
    )]
    if not written:
        raise ValidationError(_("Nothing to correct: the values given are the stored ones."))
    _check_correction_regions(actor, record, model, written, stored)
    for row in written:
        row.full_clean(validate_constraints=False)
    attnames = [model._meta.get_field(attribute).attname for attribute in model.ATTRIBUTES]
    own_before = tuple(getattr(record, name) for name in attnames)
    own_after = tuple(getattr(after[-1], name) for name in attnames)
    changed = _changed_days(before, after, own_before, own_after, attnames)
    spans = _intersections(changed, _counted_days(record))
    recorded_from = min(before[0].start_date, after[0].start_date)
    named = [*spans, *_intersections(changed, [(recorded_from, None)])]
    fiscal_years = sorted(
        {year for start, end in named for year in fiscal_years_of(start, end)}, key=lambda year: year.start_year
    )
    years = check_closed_years(actor, spans, reason=reason)
    text = _("%(reason)s (rewrites %(years)s)") % {
        "reason": reason.strip(), "years": ", ".join(year.label for year in fiscal_years) or "—",
    }
    for row in written:
        row.correction = text
    return PeriodCorrection(record, corrected, written, spans, fiscal_years, years, reason.strip())


@transaction.atomic
def period_correction_apply(correction: PeriodCorrection, *, actor=None) -> PeriodCorrection:
    """Write a correction planned by `plan_period_correction` (in the same transaction, so the
    record's row lock still holds): its periods (each saved once no other period overlaps it
    any more, so no constraint sees two overlapping), the record's own fields set to its latest
    period's, and an administrator's corrections of closed years. Returns `correction`."""
    record = correction.record
    model = type(correction.period)
    placed = {row.pk: (row.start_date, row.end_date) for row in model.objects.filter(**{model.OWNER: record})}
    todo = list(correction.written)
    while todo:
        row = next(row for row in todo if not any(
            periods.overlaps(row.start_date, row.end_date, start, end)
            for pk, (start, end) in placed.items() if pk != row.pk
        ))
        row.save()
        placed[row.pk] = (row.start_date, row.end_date)
        todo.remove(row)
    latest = model.objects.filter(**{model.OWNER: record}).order_by("-start_date").first()
    for attribute in model.ATTRIBUTES:
        setattr(record, attribute, getattr(latest, attribute))
    record.full_clean()
    record.save()
    record_corrections(actor, correction.years, reason=correction.reason, description=_(
        "%(record)s: correction of the period from %(day)s"
    ) % {"record": record, "day": date_format(correction.period.start_date, "Y-m-d")})
    return correction


@transaction.atomic
def period_correct(period: DatedPeriod, *, reason: str, actor=None, **changes) -> PeriodCorrection:
    """Correct the recorded past of an officer's or a unit's `period` (an `OfficerPeriod`, a
    `UnitPeriod`) with `reason` (required), written by `actor` (None: the system): move its
    start or end (its neighbours follow, so the periods stay back to back) or fix its values.
    The one correction of dated attributes the API, the admin and the pages call. A manager
    corrects the records of their regions, outside closed years; an administrator corrects a
    closed year with the reason, recorded as its `ClosedYearCorrection`. The reason and the
    fiscal years rewritten are kept on each period written (`correction`, in its history).
    Atomic, under the record's row lock.

    Returns the `PeriodCorrection` written (`fiscal_years`: the years it rewrites). Raises as
    `plan_period_correction`; nothing is written then."""
    return period_correction_apply(plan_period_correction(period, reason=reason, actor=actor, **changes), actor=actor)


# --- Imported assignment rows ---------------------------------------------------------------
#
# The matching rule of an imported assignment row (every import: admin, `import_records`, the
# function API; `operations.importers.AssignmentResource` calls these): a row for the same officer
# and JFO unit as a stored assignment whose period it overlaps is not a new assignment. It updates
# the stored one with the row's start date (its key: employee number, unit, start date), else the
# only one whose period overlaps the row's; several that overlap, none keyed, are a conflict.
# Against that stored assignment the row is unchanged, a change of FTE or role from a date
# (`assignment_change`), or a correction of its period or notes (`assignment_correct`).

#: The outcomes of an imported assignment row (`ImportMatch.outcome`).
IMPORT_NEW, IMPORT_CHANGE, IMPORT_CORRECTION, IMPORT_UNCHANGED, IMPORT_CONFLICT = (
    "new", "change", "correction", "unchanged", "conflict",
)
#: What a correction by import records on the assignment when no reason was given.
IMPORT_CORRECTION_REASON = gettext_lazy("corrected by an import")
_IMPORTED_FIELDS = ("fte", "role", "start_date", "end_date", "notes")
_CORRECTED_FIELDS = ("start_date", "end_date", "notes")


def describe_assignment(assignment: Assignment) -> str:
    """An assignment named for a message: "#12 (T-000001 in GTA-UNIT, 2007-04-01 to 2011-03-31)"."""
    if assignment.end_date is None:
        period = _("from %(start)s on") % {"start": date_format(assignment.start_date, "Y-m-d")}
    else:
        period = _("%(start)s to %(end)s") % {
            "start": date_format(assignment.start_date, "Y-m-d"), "end": date_format(assignment.end_date, "Y-m-d"),
        }
    # Translators: an assignment named in an import's message: "#12 (T-000001 in GTA-UNIT, 2007-04-01 to 2011-03-31)".
    return _("#%(id)s (%(officer)s in %(unit)s, %(period)s)") % {
        "id": assignment.pk, "officer": assignment.officer.employee_number, "unit": assignment.jfo.acronym,
        "period": period,
    }


def _value_text(field: str, value) -> str:
    if value is None or value == "":
        return "—"
    if field == "fte":
        return f"{Decimal(value):.2f}"
    if isinstance(value, datetime.date):
        return date_format(value, "Y-m-d")
    text = str(value)
    return text if len(text) <= 40 else f"{text[:39]}…"


def _years_text(years: Iterable[FiscalYear]) -> str:
    return ", ".join(year.label for year in years)


@dataclass(frozen=True)
class ImportMatch:
    """What an imported assignment row does (`assignment_import_match`).

    `outcome`: one of IMPORT_NEW, IMPORT_CHANGE, IMPORT_CORRECTION, IMPORT_UNCHANGED,
    IMPORT_CONFLICT; `existing`: the stored assignment it updates (or conflicts with), None for a
    new one; `effective_from`: a change's first day; `changes`: the fields changed or corrected,
    each mapped to (stored value, row's value); `fiscal_years`: the years a change touches or a
    correction rewrites, in order; `conflict`: why the row is refused (translated)."""

    outcome: str
    existing: Assignment | None = None
    effective_from: datetime.date | None = None
    changes: dict = dataclasses.field(default_factory=dict)
    fiscal_years: tuple[FiscalYear, ...] = ()
    conflict: str = ""

    def describe(self) -> str:
        """The outcome in words, translated, as the import's preview shows it per row."""
        changes = ", ".join(
            f"{name} {_value_text(name, old)} → {_value_text(name, new)}" for name, (old, new) in self.changes.items()
        )
        if self.outcome == IMPORT_NEW:
            return _("New assignment")
        if self.outcome == IMPORT_UNCHANGED:
            return _("Unchanged: assignment %(assignment)s") % {"assignment": describe_assignment(self.existing)}
        if self.outcome == IMPORT_CHANGE:
            return _(
                "Update: change from %(date)s of assignment %(assignment)s (%(changes)s; touches %(years)s)"
            ) % {
                "date": date_format(self.effective_from, "Y-m-d"), "assignment": describe_assignment(self.existing),
                "changes": changes, "years": _years_text(self.fiscal_years),
            }
        if self.outcome == IMPORT_CORRECTION:
            return _("Correction of assignment %(assignment)s (%(changes)s): rewrites fiscal years %(years)s") % {
                "assignment": describe_assignment(self.existing), "changes": changes,
                "years": _years_text(self.fiscal_years),
            }
        return _("Conflict: %(reason)s") % {"reason": self.conflict}

    def periods(self, wanted: Assignment) -> list[Assignment]:
        """The officer's periods as the row leaves them (unsaved copies, for the FTE check of the
        file's other rows): `wanted` (the row's values) itself, or for a change from a later day
        than the start, the stored period ended the day before and its successor (no primary key)."""
        if self.outcome != IMPORT_CHANGE or self.effective_from == self.existing.start_date:
            return [wanted]
        ended = copy.copy(self.existing)
        ended.end_date = self.effective_from - datetime.timedelta(days=1)
        successor = copy.copy(self.existing)
        successor.pk = successor.id = None
        successor.start_date = self.effective_from
        for name, (_old, new) in self.changes.items():
            setattr(successor, name, new)
        return [ended, successor]


def _conflict(existing: Assignment | None, reason: str) -> ImportMatch:
    return ImportMatch(IMPORT_CONFLICT, existing=existing, conflict=reason)


def assignment_import_target(wanted: Assignment) -> Assignment | None:
    """The stored assignment an imported row `wanted` (unsaved: officer, unit and period as the
    row gives them) updates: of the same officer and unit, the one with the row's start date (the
    row's key), else the only one whose period overlaps the row's. None when none overlaps (the
    row is a new assignment). Raises ValidationError (code "import_conflict") naming each stored
    assignment when several share the key, or several overlap and none has the row's start date.
    One query."""
    same = list(
        Assignment.objects.filter(officer_id=wanted.officer_id, jfo_id=wanted.jfo_id)
        .select_related("officer", "jfo").order_by("start_date", "pk")
    )
    keyed = [a for a in same if a.start_date == wanted.start_date]
    if len(keyed) == 1:
        return keyed[0]
    candidates = keyed or [
        a for a in same if periods.overlaps(a.start_date, a.end_date, wanted.start_date, wanted.end_date)
    ]
    if len(candidates) > 1:
        raise ValidationError(
            _("Conflict: this row overlaps %(count)s assignments of the same officer to the same unit and cannot "
              "tell which one it updates: %(assignments)s. Give the start date of the one it updates, or correct "
              "them in the admin first.")
            % {"count": len(candidates), "assignments": "; ".join(describe_assignment(a) for a in candidates)},
            code="import_conflict",
        )
    return candidates[0] if candidates else None


def assignment_import_match(
    stored: Assignment | None, wanted: Assignment, *, effective_from: datetime.date | None = None,
    today: datetime.date | None = None,
) -> ImportMatch:
    """What an imported row does to `stored` (from `assignment_import_target`; None: nothing
    matched): `wanted` holds the row's values (a copy of `stored` with them, or a new unsaved
    assignment). Reads nothing but, for a correction, the officer's other periods in the unit.

    * nothing matched: IMPORT_NEW (an `effective_from` is then a conflict: there is nothing to change);
    * no field differs: IMPORT_UNCHANGED;
    * the FTE or role differs: IMPORT_CHANGE from `effective_from` if the row gives one, else
      from the row's start date when it is later than the stored start (the row says "from this
      day"), else from `today` (default: today), or the stored start when the period starts later;
      when the period ended before that day, the row corrects it instead (IMPORT_CORRECTION). A row
      that also changes the end date or notes (or the start, when the change is not from it) is an
      IMPORT_CONFLICT: a change and a correction are imported separately;
    * only the dates or notes differ: IMPORT_CORRECTION of the stored period, naming the fiscal
      years it rewrites; a corrected period overlapping another of the officer in the unit is an
      IMPORT_CONFLICT, and so is an `effective_from` (a correction is not from a date).

    Returns an ImportMatch; raises nothing."""
    if stored is None:
        if effective_from is not None:
            return _conflict(None, _(
                "effective_from is given, but no assignment of this officer to this unit overlaps the row: "
                "there is nothing to change from that date. Leave it empty for a new assignment."
            ))
        return ImportMatch(IMPORT_NEW)
    differ = {
        name: (getattr(stored, name), getattr(wanted, name)) for name in _IMPORTED_FIELDS
        if getattr(stored, name) != getattr(wanted, name)
    }
    if not differ:
        if effective_from is not None:
            return _conflict(stored, _(
                "effective_from is given, but this row changes nothing of assignment %(assignment)s: give the new "
                "FTE or role, or leave effective_from empty."
            ) % {"assignment": describe_assignment(stored)})
        return ImportMatch(IMPORT_UNCHANGED, existing=stored)
    effective = {name: values for name, values in differ.items() if name in EFFECTIVE_DATED_FIELDS}
    if effective:
        corrected = set(_CORRECTED_FIELDS)
        if effective_from is None and wanted.start_date > stored.start_date:
            effective_from = wanted.start_date
            corrected.discard("start_date")
        elif effective_from is None:
            today = today or timezone.localdate()
            effective_from = max(today, stored.start_date)
            if stored.end_date is not None and effective_from > stored.end_date:
                return _correction(stored, wanted, differ)  # the period is over: its past is corrected
        mixed = sorted(set(differ) & corrected)
        if mixed:
            return _conflict(stored, _(
                "This row changes the %(changed)s of assignment %(assignment)s from %(date)s and also corrects "
                "its %(corrected)s: import the change and the correction separately (one file each)."
            ) % {
                "changed": ", ".join(effective), "assignment": describe_assignment(stored),
                "date": date_format(effective_from, "Y-m-d"), "corrected": ", ".join(mixed),
            })
        return ImportMatch(
            IMPORT_CHANGE, existing=stored, effective_from=effective_from, changes=effective,
            fiscal_years=tuple(fiscal_years_of(effective_from, stored.end_date)),
        )
    if effective_from is not None:
        return _conflict(stored, _(
            "effective_from is for a change of FTE or role; this row corrects the %(corrected)s of assignment "
            "%(assignment)s, which rewrites its past. Leave effective_from empty to correct it."
        ) % {"corrected": ", ".join(differ), "assignment": describe_assignment(stored)})
    return _correction(stored, wanted, differ)


def _correction(stored: Assignment, wanted: Assignment, differ: dict) -> ImportMatch:
    # Periods of the officer in the unit that the corrected dates would newly overlap.
    others = overlapping_periods(stored, wanted) if {"start_date", "end_date"} & set(differ) else []
    if others:
        return _conflict(stored, _(
            "Correcting assignment %(assignment)s as this row says would make it overlap %(others)s, of the same "
            "officer in the same unit: correct both in the same way, or in the admin."
        ) % {"assignment": describe_assignment(stored), "others": "; ".join(describe_assignment(a) for a in others)})
    spans = assignment_write_spans(stored, wanted, identity=("officer_id", "jfo_id", *EFFECTIVE_DATED_FIELDS, "notes"))
    years = sorted({year for start, end in spans for year in fiscal_years_of(start, end)}, key=lambda y: y.start_year)
    return ImportMatch(IMPORT_CORRECTION, existing=stored, changes=differ, fiscal_years=tuple(years))


@transaction.atomic
def assignment_import_apply(
    match: ImportMatch, wanted: Assignment, *, actor=None, reason: str = "", pending: Iterable[Assignment] = (),
) -> Assignment:
    """Write an imported row as `match` (from `assignment_import_match`) says: a new `wanted`
    through `assignment_save`, a change through `assignment_change`, a correction through
    `assignment_correct` (recorded with `reason`, or `IMPORT_CORRECTION_REASON` without one);
    nothing for an unchanged row. `actor`: the user importing (None: the system); `reason`: an
    administrator's reason for correcting a closed fiscal year (none given: refused, as
    `check_closed_years`); `pending`: the file's other rows as it leaves them. Atomic.

    Returns the assignment that holds the row (a change's successor). Raises ValidationError for
    a conflict (its reason) and as the service called (PermissionDenied, ValidationError)."""
    if match.outcome == IMPORT_CONFLICT:
        raise ValidationError(match.conflict, code="import_conflict")
    if match.outcome == IMPORT_NEW:
        return assignment_save(wanted, pending=pending, actor=actor, reason=reason)
    if match.outcome == IMPORT_UNCHANGED:
        return match.existing
    values = {name: new for name, (_old, new) in match.changes.items()}
    if match.outcome == IMPORT_CHANGE:
        return assignment_change(
            assignment=match.existing, effective_from=match.effective_from, actor=actor, reason=reason,
            pending=pending, **values,
        )
    # A correction: an administrator's rewrite of a closed year needs their own reason, not the default one.
    check_closed_years(actor, assignment_write_spans(match.existing, wanted), reason=reason)
    corrected, _years = assignment_correct(
        assignment=match.existing, reason=reason or str(IMPORT_CORRECTION_REASON), actor=actor, pending=pending,
        **values,
    )
    return corrected


@transaction.atomic
def user_set_role(*, user, role: Role, region_codes: list[str] | tuple[str, ...] = ()) -> None:
    """Give `user` exactly one role (a `Role` or its value); a regional manager also gets exactly
    the regions `region_codes` (codes such as "GTA", any case, blanks ignored). Only
    administrators are admin staff. Returns None.

    Raises ValidationError, changing nothing, for an unknown region code or for regions given
    to a role other than regional manager (ValueError for an unknown role)."""
    role = Role(role)
    codes = sorted({code.strip().upper() for code in region_codes if code.strip()})
    regions = list(Region.objects.filter(code__in=codes))
    unknown = sorted(set(codes) - {region.code for region in regions})
    if unknown:
        raise ValidationError(_("Unknown region code(s): %(codes)s.") % {"codes": ", ".join(unknown)})
    if codes and role != Role.REGIONAL_MANAGER:
        raise ValidationError(_("Only regional managers are given regions."))
    role_groups = Group.objects.filter(name__in=[r.group_name for r in Role])
    user.groups.remove(*role_groups)
    user.groups.add(Group.objects.get(name=role.group_name))
    user.is_staff = role == Role.ADMINISTRATOR
    user.save(update_fields=["is_staff"])
    user.managed_regions.set(regions if role == Role.REGIONAL_MANAGER else [])
    for cache in ("_role_group_names", "_managed_region_ids"):
        user.__dict__.pop(cache, None)
