"""Writes that span rows. Admin, API, pages and importers all call these.

The FTE invariant: on every day, the FTE of an officer's assignments sums to at most 1.00.
Every write of an assignment goes through `assignment_save`, which locks the officer's row
(on PostgreSQL; SQLite serialises writers) so two concurrent writes cannot both pass the check.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from jfo_registry.core import permissions
from jfo_registry.core import periods
from jfo_registry.core.roles import Role

from jfo_registry.core.fiscal import FiscalYear

from .models import (
    FTE_MAX,
    OFFICER_PERIOD_ATTRIBUTES,
    OFFICER_PERIOD_OVERLAP_MESSAGE,
    Assignment,
    JointForceOperation,
    Officer,
    OfficerPeriod,
    Region,
)

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


def assignment_validate(assignment: Assignment, *, pending: Iterable[Assignment] = (), actor=None) -> None:
    """Every rule of an assignment: the region rule for `actor` first (PermissionDenied, which
    tells nothing of the officer's other assignments), then the model's own, then the officer's
    daily FTE limit (with `pending`: other unsaved changes of the same write, e.g. an imported
    file's other rows).

    Raises PermissionDenied, or ValidationError with per-field messages; changes nothing.
    """
    check_assignment_write(actor=actor, assignment=assignment)
    assignment.full_clean()
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
def assignment_save(assignment: Assignment, *, pending: Iterable[Assignment] = (), actor=None) -> Assignment:
    """Validate (under the officer's row lock) and save a new or changed assignment written by
    `actor` (None: the system); atomic. Returns the saved `assignment` (the same object).

    Raises as `assignment_validate` (PermissionDenied, or ValidationError per field); nothing is
    saved then."""
    lock_officer(assignment.officer_id)
    assignment_validate(assignment, pending=pending, actor=actor)
    assignment.save()
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


def assignment_update(*, assignment: Assignment, actor=None, **changes) -> Assignment:
    """Change fields of `assignment` (`changes`: field name to value, among
    `ASSIGNMENT_EDITABLE_FIELDS`; `fte` a daily share, dates inclusive) written by `actor`
    (None: the system). Returns the saved assignment.

    Raises ValidationError, changing nothing, for an unknown field; otherwise as `assignment_save`."""
    unknown = set(changes) - set(ASSIGNMENT_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    for field, value in changes.items():
        setattr(assignment, field, value)
    return assignment_save(assignment, actor=actor)


def assignment_end(*, assignment: Assignment, end_date: datetime.date, actor=None) -> Assignment:
    """End `assignment` on `end_date` (its last day, inclusive), written by `actor` (None: the
    system). Assignments are ended, never deleted. Returns the saved assignment.

    Raises ValidationError on "end_date" when no date is given (or it is before the start);
    otherwise as `assignment_save`."""
    if end_date is None:
        raise ValidationError({"end_date": _("Give the date on which the assignment ends.")})
    return assignment_update(assignment=assignment, end_date=end_date, actor=actor)


@dataclass
class OfficerChange:
    """What `officer_change` writes, worked out before anything is written: `ended`, the period
    that held on the day before `effective_from` and now ends then (None when there is none, or
    when the change replaces the values of a period starting on `effective_from`), and `started`,
    the period holding the new values from `effective_from` on (open). The days whose values
    change are `effective_from` onwards; `fiscal_years` are the years they fall in, up to today's."""

    officer: Officer
    effective_from: datetime.date
    ended: OfficerPeriod | None
    started: OfficerPeriod
    created_base: OfficerPeriod | None = None  # the officer's first period, made from their fields

    @property
    def periods(self) -> list[OfficerPeriod]:
        """Every period the change writes (a closed-year check reads their days)."""
        written: list[OfficerPeriod] = []
        for period in (self.created_base, self.ended, self.started):
            if period is not None and all(period is not other for other in written):
                written.append(period)
        return written

    @property
    def spans(self) -> list[tuple[datetime.date, datetime.date | None]]:
        """The runs of days whose figures the change alters (first day, last day or None: on
        and on): the days from `effective_from`, the only ones whose values change."""
        return [(self.effective_from, None)]

    @property
    def fiscal_years(self) -> list[FiscalYear]:
        """The fiscal years whose figures the change touches, from `effective_from`'s to today's."""
        first = FiscalYear.of(self.effective_from).start_year
        last = max(FiscalYear.current().start_year, first)
        return [FiscalYear(year) for year in range(first, last + 1)]


def check_officer_change(change: OfficerChange, *, actor) -> None:
    """Every rule of an officer change before it is written: the region rule for `actor` (the
    officer as stored and as the change leaves them: a manager transfers nobody out of, or into,
    another region; None is the system), each period's own rules, and no two periods of the
    officer overlapping. Returns None; raises PermissionDenied or ValidationError."""
    officer = change.officer
    if actor is not None:
        stored = Officer.objects.filter(pk=officer.pk).first()
        after = Officer(pk=officer.pk, home_region_id=change.started.home_region_id)
        permissions.require_edit(actor, stored, after, message=_("You may only edit officers of your own regions."))
    written = change.periods
    for period in written:
        period.full_clean(validate_constraints=False)
    others = [p for p in officer.periods.all() if p.pk not in {w.pk for w in written if w.pk}]
    spans = [*others, *written]
    for index, period in enumerate(spans):
        for other in spans[index + 1:]:
            if periods.overlaps(period.start_date, period.end_date, other.start_date, other.end_date):
                raise ValidationError({"effective_from": OFFICER_PERIOD_OVERLAP_MESSAGE}, code="periods_overlap")


def plan_officer_change(officer: Officer, *, effective_from: datetime.date, **values) -> OfficerChange:
    """Work out (writing nothing) the change of `officer`'s `values` (among
    `OFFICER_PERIOD_ATTRIBUTES`: classification and position codes, home_region a Region) from
    `effective_from` (a date, not after today) on. Returns an `OfficerChange`.

    Raises ValidationError: on "effective_from" when it is missing, after today, or before the
    start of the officer's latest period (rewriting the past is a correction, not a change); on
    none when no value differs from what the officer holds then."""
    unknown = set(values) - set(OFFICER_PERIOD_ATTRIBUTES)
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    if effective_from is None:
        raise ValidationError({"effective_from": _("Give the date from which the change takes effect.")})
    if effective_from > timezone.localdate():
        raise ValidationError({"effective_from": _("A change takes effect today or on an earlier day, not later.")})
    existing = list(officer.periods.order_by("start_date"))
    latest = existing[-1] if existing else None
    base = None
    if latest is None:
        first = officer.assignments.order_by("start_date").values_list("start_date", flat=True).first()
        if first is not None and first < effective_from:
            base = latest = OfficerPeriod(
                officer=officer, start_date=first, end_date=None,
                **{attribute: getattr(officer, attribute) for attribute in OFFICER_PERIOD_ATTRIBUTES},
            )
    elif effective_from < latest.start_date:
        raise ValidationError({"effective_from": _(
            "The officer's current period starts on %(start)s: a change takes effect on that day or later. "
            "Rewriting earlier days is a correction."
        ) % {"start": date_format(latest.start_date, "Y-m-d")}})
    holding = latest or officer
    new = {attribute: getattr(holding, attribute) for attribute in OFFICER_PERIOD_ATTRIBUTES}
    new.update({attribute: value for attribute, value in values.items() if value is not None})
    if all(getattr(holding, attribute) == new[attribute] for attribute in OFFICER_PERIOD_ATTRIBUTES):
        raise ValidationError(_("Nothing changes: give a classification, position or home region the officer does not hold."))
    if latest is not None and latest.start_date == effective_from:
        for attribute, value in new.items():
            setattr(latest, attribute, value)
        return OfficerChange(officer, effective_from, ended=None, started=latest)
    if latest is not None:
        latest.end_date = effective_from - datetime.timedelta(days=1)
    started = OfficerPeriod(officer=officer, start_date=effective_from, end_date=None, **new)
    return OfficerChange(officer, effective_from, ended=latest, started=started, created_base=base)


@transaction.atomic
def officer_change(
    officer: Officer, *, effective_from: datetime.date, classification: str | None = None,
    position: str | None = None, home_region: Region | None = None, actor=None,
) -> OfficerChange:
    """Record a promotion, a change of position or a transfer of `officer` from `effective_from`
    (a date, not after today) on: the period holding the day before ends then, and a period with
    the new values (None: unchanged) starts on that day (a period starting on that very day has
    its values replaced). The officer's own fields are kept equal to the latest period's, which
    holds today, so every list, filter and region rule reading them reads the current values.
    Written by `actor` (None: the system), under the officer's row lock; atomic.

    Returns the `OfficerChange` written. Raises as `plan_officer_change` and
    `check_officer_change` (PermissionDenied, ValidationError); nothing is written then."""
    lock_officer(officer.pk)
    change = plan_officer_change(
        officer, effective_from=effective_from,
        classification=classification, position=position, home_region=home_region,
    )
    check_officer_change(change, actor=actor)
    for period in change.periods:  # the ended period first: it makes room for its successor
        period.save()
    for attribute in OFFICER_PERIOD_ATTRIBUTES:
        setattr(officer, attribute, getattr(change.started, attribute))
    officer.full_clean()
    officer.save()
    return change


@transaction.atomic
def officer_save(officer: Officer, *, effective_from: datetime.date | None = None, actor=None) -> Officer:
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
    stored = Officer.objects.get(pk=officer.pk)
    changed = {
        attribute: getattr(officer, attribute) for attribute in OFFICER_PERIOD_ATTRIBUTES
        if getattr(officer, OfficerPeriod._meta.get_field(attribute).attname)
        != getattr(stored, OfficerPeriod._meta.get_field(attribute).attname)
    }
    for attribute in changed:
        setattr(officer, attribute, getattr(stored, attribute))
    officer.full_clean()
    officer.save()
    if changed:
        officer_change(officer, effective_from=effective_from or timezone.localdate(), actor=actor, **changed)
    return officer


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
