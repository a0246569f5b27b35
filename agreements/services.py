"""Writes about arrangements that span rows: the lifecycle, renewal, documents, reminders.

Admin, API and pages call these, so a transition refused in one is refused in all.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history

from jfo_registry.core import periods, permissions
from jfo_registry.core.audit import current_entry_point
from jfo_registry.core.integrity import refuse_conflicts
from operations import services as operations_services
from operations.models import JointForceOperation, year_labels

from . import selectors
from .choices import ArrangementStatus as Status
from .choices import ReminderKind
from .models import LIVE_SUCCESSOR, Arrangement, ArrangementParty, ConditionCoverage, ReminderSent

logger = logging.getLogger(__name__)

# Where an arrangement may go from each status. Terminated and superseded are final.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.UNDER_NEGOTIATION, Status.IN_FORCE}),
    Status.UNDER_NEGOTIATION: frozenset({Status.DRAFT, Status.IN_FORCE}),
    Status.IN_FORCE: frozenset({Status.EXPIRED, Status.TERMINATED, Status.SUPERSEDED}),
    Status.EXPIRED: frozenset({Status.SUPERSEDED}),
    Status.TERMINATED: frozenset(),
    Status.SUPERSEDED: frozenset(),
}


def allowed_transitions(status: str) -> list[str]:
    """The statuses an arrangement in `status` (an `ArrangementStatus` value) may move to, in
    the choices' order: a list of status values, empty for a final status or an unknown one."""
    return [choice for choice in Status.values if choice in TRANSITIONS.get(status, ())]


def check_transition(old_status: str | None, new_status: str) -> None:
    """Refuse a status change from `old_status` (None: a new arrangement) to `new_status` (status
    values) that the lifecycle (`TRANSITIONS`) does not allow; a new arrangement starts as a
    draft, under negotiation or, when entered after signature, in force. Returns None.

    Raises ValidationError on "status" (code "invalid_transition") naming the allowed moves."""
    if old_status is None:
        if new_status not in (Status.DRAFT, Status.UNDER_NEGOTIATION, Status.IN_FORCE):
            raise ValidationError(
                {"status": _("A new arrangement starts as a draft, under negotiation or in force.")},
                code="invalid_transition",
            )
        return
    if old_status == new_status:
        return
    if new_status not in TRANSITIONS.get(old_status, ()):
        allowed = ", ".join(str(Status(s).label) for s in allowed_transitions(old_status)) or _("none (final)")
        raise ValidationError(
            {
                "status": _("An arrangement cannot go from “%(old)s” to “%(new)s”. Allowed: %(allowed)s.")
                % {"old": Status(old_status).label, "new": Status(new_status).label, "allowed": allowed}
            },
            code="invalid_transition",
        )


def stored_status(arrangement: Arrangement) -> str | None:
    """The status value of `arrangement` as stored (one query), or None when it is unsaved or gone."""
    if arrangement.pk is None:
        return None
    return Arrangement.objects.filter(pk=arrangement.pk).values_list("status", flat=True).first()


def arrangement_validate(arrangement: Arrangement) -> None:
    """Every rule of an arrangement: the model's own (`full_clean`) and the lifecycle
    (`check_transition` from its stored status). Returns None; changes nothing.

    Raises ValidationError (per field) on the first failing group of rules."""
    arrangement.full_clean()
    check_transition(stored_status(arrangement), arrangement.status)


def require_every_unit(*, actor, units: Iterable[JointForceOperation], message: str, **values) -> None:
    """Refuse (PermissionDenied with `message`, formatted with `values` and `units`: the units
    outside, by name) a write with effects on every region the `units` (JFO units) lie in,
    unless `actor` manages them all (an administrator always does). Returns None."""
    outside = permissions.units_outside_regions(actor, units)
    if outside:
        raise PermissionDenied(message % {**values, "units": ", ".join(sorted(str(unit) for unit in outside))})


def require_whole_arrangement(*, actor, arrangement: Arrangement, message: str) -> None:
    """Refuse (PermissionDenied) `actor` a write with effects on every region the stored
    `arrangement` covers unless they may edit it and every unit it covers is in their regions
    (`message`: formatted with `reference` and the `units` outside). `actor` None is the system.
    Returns None; raises PermissionDenied (the generic arrangement message when the actor may
    not edit it at all)."""
    if actor is None:
        return
    permissions.require_edit(actor, arrangement, message=_("You may only edit arrangements covering your regions."))
    require_every_unit(actor=actor, units=arrangement.jfos.all(), message=message, reference=arrangement.reference)


def check_lifecycle_change(*, actor, arrangement: Arrangement) -> None:
    """Refuse (PermissionDenied) a change of the stored `arrangement`'s status by `actor` unless
    every unit it covers is in their regions: entering into force, expiring, terminating or being
    superseded ends or starts it for every region it covers. `actor` None is the system.
    Returns None."""
    require_whole_arrangement(
        actor=actor, arrangement=arrangement,
        message=_("A change of status concerns every region the arrangement covers, and %(reference)s also covers "
                  "units of other regions (%(units)s): ask an administrator."),
    )


def check_arrangement_write(
    *, actor, arrangement: Arrangement, jfos: Iterable[JointForceOperation] | None = None
) -> None:
    """Refuse (PermissionDenied, changing nothing) a write of `arrangement` that `actor` may not
    make, judged on the stored arrangement and on the one the write would leave:

    - the stored arrangement must cover a unit of the actor's regions;
    - `jfos`, the units it would cover (None: unchanged), may add or remove only units of the
      actor's regions and must keep one of them (`permissions.check_coverage_change`);
    - a change of its status needs every unit it covers in the actor's regions
      (`check_lifecycle_change`);
    - an arrangement it newly supersedes, or supersedes by entering into force, is ended for
      every region it covers: every one of its units must be in the actor's regions.

    `actor` None is the system (commands, data loading): no region rule applies. Returns None;
    reads the stored arrangement and its units (a few queries).
    """
    if actor is None:
        return
    stored = Arrangement.objects.filter(pk=arrangement.pk).first() if arrangement.pk else None
    permissions.require_edit(actor, stored, message=_("You may only edit arrangements covering your regions."))
    stored_units = list(stored.jfos.all()) if stored else []
    if jfos is not None or stored is None:
        permissions.check_coverage_change(actor, before=stored_units, after=stored_units if jfos is None else jfos)
    if stored is not None and stored.status != arrangement.status:
        check_lifecycle_change(actor=actor, arrangement=stored)
    predecessor = arrangement.supersedes if arrangement.supersedes_id else None
    if predecessor is None:
        return
    newly_linked = stored is None or stored.supersedes_id != predecessor.pk
    entering_force = arrangement.status == Status.IN_FORCE and (stored is None or stored.status != Status.IN_FORCE)
    if newly_linked:
        permissions.require_edit(
            actor, predecessor,
            message=_("An arrangement may only supersede one you may edit; %(reference)s covers no unit of your "
                      "regions.") % {"reference": predecessor.reference},
        )
    if entering_force and predecessor.status in (Status.IN_FORCE, Status.EXPIRED):
        permissions.require_edit(
            actor, predecessor,
            message=_("Putting this arrangement in force would supersede %(reference)s, which covers no unit of "
                      "your regions: ask an administrator.") % {"reference": predecessor.reference},
        )
    if newly_linked or entering_force:
        require_every_unit(
            actor=actor, units=predecessor.jfos.all(),
            message=_("Superseding %(reference)s ends it for every region it covers, and it also covers units of "
                      "other regions (%(units)s): ask an administrator."), reference=predecessor.reference,
        )


_SINCE_EVER = periods.SINCE_EVER  # an in-force period without an effective date


def _coverage_span(status: str | None, effective: datetime.date | None, expiry: datetime.date | None):
    """The days an arrangement in this state counts as in force for the coverage report: the
    Python form of `selectors.in_force_during` (in force; or expired, superseded or terminated
    with an effective date), as (first day, last day or None), or None when it never counts."""
    was_in_force = status == Status.IN_FORCE or (
        status in (Status.EXPIRED, Status.SUPERSEDED, Status.TERMINATED) and effective is not None
    )
    return (effective or _SINCE_EVER, expiry) if was_in_force else None


def coverage_change_spans(stored: Arrangement | None, arrangement: Arrangement, *, jfos=None) -> list:
    """The runs of days whose coverage (Exhibit 5) a write of `arrangement` changes, for the
    closed-year rule (`operations.services.check_closed_years`): a changed set of covered units
    (`jfos`, None: unchanged) changes every day the arrangement counts as in force, before or
    after the write; a changed status or period changes the days one of the two states counts
    and the other does not. Returns a list of (first day, last day or None); reads the stored
    units (one query) when `jfos` is given."""
    before = _coverage_span(*(
        (stored.status, stored.effective_date, stored.expiry_date) if stored is not None else (None, None, None)
    ))
    after = _coverage_span(arrangement.status, arrangement.effective_date, arrangement.expiry_date)
    units_changed = jfos is not None and (
        {unit.pk for unit in jfos} != (set(stored.jfos.values_list("pk", flat=True)) if stored is not None else set())
    )
    if units_changed:
        return [span for span in (before, after) if span is not None]
    return periods.changed_days(before, after)


def check_coverage_closed_years(
    *, actor, arrangement: Arrangement, jfos: Iterable[JointForceOperation] | None = None, reason: str = ""
) -> list:
    """The closed-year rule for a write of `arrangement` (its covered units `jfos`, None:
    unchanged) by `actor`: refused (ValidationError naming the year) when it changes the
    coverage of a closed fiscal year, but to an administrator giving `reason`. Returns the years
    an administrator corrects (to record once saved); see `coverage_change_spans`."""
    stored = Arrangement.objects.filter(pk=arrangement.pk).first() if arrangement.pk else None
    spans = coverage_change_spans(stored, arrangement, jfos=None if jfos is None else list(jfos))
    return operations_services.check_closed_years(actor, spans, reason=reason, refusal=closed_coverage_message)


def closed_coverage_message(years) -> str:
    """The refusal of a change of a closed fiscal year's coverage (`years`: FiscalYear): the
    links of an arrangement carry no date, so it cannot take effect after the year."""
    years = list(years)
    return ngettext(
        "Fiscal year %(years)s is closed: which units an arrangement covered then, and when it was in force, can no "
        "longer be changed. Ask an administrator to correct the year, giving a reason.",
        "Fiscal years %(years)s are closed: which units an arrangement covered then, and when it was in force, can "
        "no longer be changed. Ask an administrator to correct the years, giving a reason.",
        len(years),
    ) % {"years": year_labels(years)}


def check_arrangement_rows(
    *, actor, arrangement: Arrangement, parties: Iterable[dict] | None = None,
    coverages: Iterable[dict] | None = None,
) -> None:
    """Refuse (PermissionDenied, changing nothing) a replacement of the stored `arrangement`'s
    parties (`parties`: dicts with `agency`, an Agency, and optionally `role`) or condition
    coverage rows (`coverages`: dicts with `condition`, an InformationSharingCondition, and
    optionally `status` and `clause_reference`) that `actor` holds no model permission for:
    adding, changing or removing a row needs `add_`, `change_` or `delete_` on its model
    (regional managers: none on parties, no delete on coverage; `roles.REGIONAL_MANAGER_EDITS`).
    None leaves that list unchanged; a list equal to the stored one needs no permission.
    `actor` None is the system. Returns None; reads the stored rows (a query per list)."""
    stored_pk = arrangement.pk
    for model, key, items in ((ArrangementParty, "agency", parties), (ConditionCoverage, "condition", coverages)):
        if items is None:
            continue
        rows = model.objects.filter(arrangement_id=stored_pk) if stored_pk else model.objects.none()
        permissions.check_rows_replacement(actor, model, stored=rows, wanted=items, key=(key,))


@refuse_conflicts()
@transaction.atomic
def arrangement_save(
    arrangement: Arrangement, *, actor=None, jfos: Iterable[JointForceOperation] | None = None, reason: str = ""
) -> Arrangement:
    """Save an arrangement (and, when `jfos` is given, set the units it covers to them);
    entering into force supersedes the arrangement it replaces (in force or expired). Atomic,
    under the arrangement's row lock. Returns the saved `arrangement` (the same object).

    Raises PermissionDenied when `actor` may not make the write (`check_arrangement_write`),
    ValidationError (per field) for bad data, a concurrent write's included, or for a change of
    a closed fiscal year's coverage (`check_coverage_closed_years`; `reason`: an
    administrator's, recorded as the year's correction); either way nothing is changed."""
    if arrangement.pk:  # one status change at a time
        list(Arrangement.objects.select_for_update().filter(pk=arrangement.pk).values_list("pk", flat=True))
    jfos = None if jfos is None else list(jfos)
    check_arrangement_write(actor=actor, arrangement=arrangement, jfos=jfos)
    old_status = stored_status(arrangement)
    arrangement_validate(arrangement)
    years = check_coverage_closed_years(actor=actor, arrangement=arrangement, jfos=jfos, reason=reason)
    arrangement.save()
    if jfos is not None:
        arrangement.jfos.set(jfos)
    operations_services.record_corrections(
        actor, years, reason=reason, description=_("%(reference)s: covered units or period") % {"reference": arrangement.reference},
    )
    if arrangement.status == Status.IN_FORCE and old_status != Status.IN_FORCE and arrangement.supersedes_id:
        predecessor = Arrangement.objects.select_for_update().get(pk=arrangement.supersedes_id)
        if predecessor.status in (Status.IN_FORCE, Status.EXPIRED):
            predecessor.status = Status.SUPERSEDED
            predecessor.save(update_fields=["status", "last_updated"])
    return arrangement


def arrangement_transition(
    *, arrangement: Arrangement, status: str, signed_date: datetime.date | None = None,
    effective_date: datetime.date | None = None, actor=None, reason: str = "",
) -> Arrangement:
    """Move an arrangement to `status` (a status value; `signed_date` and `effective_date` may
    be given when it enters into force, and replace the stored dates when given; `reason`: an
    administrator's, for a change of a closed fiscal year's coverage). Returns the saved
    arrangement.

    Raises PermissionDenied or ValidationError as `arrangement_save` (an illegal move: as
    `check_transition`)."""
    if signed_date is not None:
        arrangement.signed_date = signed_date
    if effective_date is not None:
        arrangement.effective_date = effective_date
    arrangement.status = status
    return arrangement_save(arrangement, actor=actor, reason=reason)


def check_renewal(*, actor, arrangement: Arrangement) -> None:
    """Refuse (PermissionDenied) a renewal by `actor` unless they may edit the arrangement and
    every unit it covers is in their regions: the successor carries them all, so it would
    otherwise be drafted for another region's units. `actor` None is the system. Returns None."""
    require_whole_arrangement(
        actor=actor, arrangement=arrangement,
        message=_("The successor would also cover units of other regions (%(units)s): ask an administrator to "
                  "renew it."),
    )


@refuse_conflicts()
@transaction.atomic
def arrangement_renew(
    *, arrangement: Arrangement, reference: str, title: str | None = None, actor=None
) -> Arrangement:
    """Draft the successor of `arrangement`: same parties, covered units, provisions and
    condition coverage, carried forward for editing. The original stays as it is until the
    successor enters into force, which supersedes it. `reference`: the successor's (unique);
    `title`: the original's when None. Returns the saved successor (a draft).

    Raises PermissionDenied as `check_renewal`; ValidationError when it cannot be renewed: not in
    force or expired, a successor already (a concurrent renewal's included: the arrangement's row
    is locked, so renewals of one arrangement run one after the other), or a reference already
    used. Nothing is changed then."""
    arrangement = Arrangement.objects.select_for_update().get(pk=arrangement.pk)
    check_renewal(actor=actor, arrangement=arrangement)
    if arrangement.status not in (Status.IN_FORCE, Status.EXPIRED):
        raise ValidationError(
            {"status": _("Only an arrangement in force or expired can be renewed.")}, code="not_renewable"
        )
    if arrangement.successors.filter(LIVE_SUCCESSOR).exists():
        raise ValidationError(
            {"reference": _("This arrangement already has a successor: %(reference)s.")
             % {"reference": ", ".join(arrangement.successors.values_list("reference", flat=True))}},
            code="already_renewed",
        )
    successor = Arrangement(
        reference=reference,
        title=title or arrangement.title,
        kind=arrangement.kind,
        status=Status.DRAFT,
        notice_period_days=arrangement.notice_period_days,
        supersedes=arrangement,
        joint_management_team=arrangement.joint_management_team,
        financial_commitments=arrangement.financial_commitments,
        intelligence_and_investigation_mandates=arrangement.intelligence_and_investigation_mandates,
        notes=arrangement.notes,
    )
    arrangement_validate(successor)
    successor.save()
    successor.jfos.set(arrangement.jfos.all())
    # Bulk, with their history rows: the user (from the request) and the entry point as any save.
    bulk_create_with_history(
        [ArrangementParty(arrangement=successor, agency_id=party.agency_id, role=party.role)
         for party in arrangement.parties.all()],
        ArrangementParty, default_change_reason=current_entry_point(),
    )
    bulk_create_with_history(
        [ConditionCoverage(arrangement=successor, condition_id=c.condition_id, status=c.status,
                           clause_reference=c.clause_reference)
         for c in arrangement.condition_coverages.all()],
        ConditionCoverage, default_change_reason=current_entry_point(),
    )
    return successor


@dataclass(frozen=True)
class ReminderFailure:
    """A reminder that could not be sent (`error`: what was raised; nothing was recorded)."""

    arrangement: Arrangement
    kind: str
    target_date: datetime.date
    error: Exception


@dataclass
class ReminderRun:
    """What `send_expiry_reminders` did: reminders sent; reminders that failed; reminders due
    that some covered regions' managers cannot receive (sent to the others, if any)."""

    sent: list[ReminderSent] = field(default_factory=list)
    failed: list[ReminderFailure] = field(default_factory=list)
    unreachable: list[selectors.UnreachableReminder] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every reminder due went out to every region's managers."""
        return not self.failed and not self.unreachable


def reminder_recipients(arrangement: Arrangement, addresses: dict[int, list[str]] | None = None) -> list[str]:
    """E-mail addresses of the active regional managers of the regions the arrangement covers
    (`addresses`: `selectors.manager_addresses()`, {region id: [address, ...]}, read here when
    not given): a sorted list without repeats, empty when no manager can be reached."""
    addresses = selectors.manager_addresses() if addresses is None else addresses
    return sorted({email for region in selectors.regions_of(arrangement) for email in addresses.get(region.pk, ())})


def send_expiry_reminders(today: datetime.date) -> ReminderRun:
    """Mail the managers concerned 90, 30 and 7 days before an arrangement in force expires or
    is due for review, and once when a review is overdue (the arrangements of
    `selectors.expiring_within(today, 90)`, as the expiring report lists them): once per
    threshold, date and arrangement (a second run sends nothing new). Returns a `ReminderRun`.

    Every reminder is tried: one that fails (bad data, the mail server) is rolled back, logged and
    listed in the run's `failed`, and the others still go out; one that reaches no manager in
    some covered region is listed in `unreachable` (and, reaching no one at all, is tried again
    on the next run). `today`: the day of the run. Returns the `ReminderRun`; raises nothing
    for a single reminder's failure."""
    run = ReminderRun()
    addresses = selectors.manager_addresses()
    for arrangement in list(selectors.reminder_candidates(today)):
        for kind, target in selectors.reminders_of(arrangement, today):
            days_left = (target - today).days
            threshold = selectors.reminder_threshold(days_left)
            try:
                with transaction.atomic():
                    if ReminderSent.objects.filter(
                        arrangement=arrangement, kind=kind, target_date=target, threshold_days=threshold
                    ).exists():
                        continue
                    missing = selectors.unreachable_regions(arrangement, addresses)
                    if missing is not None:
                        run.unreachable.append(selectors.UnreachableReminder(arrangement, kind, target, missing))
                    recipients = reminder_recipients(arrangement, addresses)
                    reminder = recipients and _send_reminder(arrangement, kind, target, threshold, days_left, recipients)
                    if reminder:
                        run.sent.append(reminder)
            except Exception as error:  # one bad reminder must not stop the others
                logger.exception("The %s reminder of arrangement %r could not be sent.", kind, arrangement.reference)
                run.failed.append(ReminderFailure(arrangement, kind, target, error))
    return run


def _send_reminder(arrangement, kind, target, threshold, days_left, recipients) -> ReminderSent | None:
    """Record the reminder and mail it, in English and French (the caller's transaction); None
    when a run at the same moment recorded it first (that run mails it)."""
    messages = []
    for language in ("en", "fr"):  # managers read either; Government of Canada mail is bilingual
        with translation.override(language):
            messages.append(_reminder_text(arrangement, kind, target, days_left))
    subject = " / ".join(subject for subject, _body in messages)
    body = "\n\n----\n\n".join(body for _subject, body in messages)
    try:
        with transaction.atomic():
            reminder = ReminderSent.objects.create(
                arrangement=arrangement, kind=kind, target_date=target, threshold_days=threshold,
                recipients=", ".join(recipients),
            )
    except IntegrityError:  # the unique "sent once" rule: the other run has it
        return None
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    return reminder


def _reminder_text(arrangement, kind, target, days_left) -> tuple[str, str]:
    values = {
        "reference": arrangement.reference,
        "title": arrangement.title,
        "date": date_format(target, "DATE_FORMAT"),
        "days": days_left,
        "units": ", ".join(sorted(unit.acronym for unit in arrangement.jfos.all())),
    }
    if kind == ReminderKind.EXPIRY:
        subject = _("Arrangement %(reference)s expires in %(days)s days") % values
        lead = _("The arrangement %(reference)s (%(title)s) expires on %(date)s, in %(days)s days.") % values
    elif days_left < 0:
        values["days"] = -days_left
        subject = _("Arrangement %(reference)s is overdue for review") % values
        lead = _("The arrangement %(reference)s (%(title)s) was due for review on %(date)s, %(days)s days ago.") % values
    else:
        subject = _("Arrangement %(reference)s is due for review in %(days)s days") % values
        lead = _("The arrangement %(reference)s (%(title)s) is due for review on %(date)s, in %(days)s days.") % values
    body = "\n\n".join([
        lead,
        _("Units covered: %(units)s.") % values,
        _("Renew it, review it or record the plan in the JFO Registry before it lapses."),
    ])
    return subject, body
