"""Who may see and change what: one place for the API, the pages and the admin.

Everyone signed in with a role reads everything. Administrators change everything.
Regional managers change officers and assignments of the regions they are given (an officer's
region is their home region; an assignment's is its JFO unit's region) and keep current the
arrangements that cover a unit of their regions (conditions, documents, status, gap actions).
HQ analysts change nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

import rules
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.utils.translation import gettext as _

from .roles import REGIONAL_MANAGER_EDITS, Role


@rules.predicate
def is_administrator(user) -> bool:
    return bool(user.is_active and (user.is_superuser or _in_group(user, Role.ADMINISTRATOR)))


@rules.predicate
def is_hq_analyst(user) -> bool:
    return bool(user.is_active and _in_group(user, Role.HQ_ANALYST))


@rules.predicate
def is_regional_manager(user) -> bool:
    return bool(user.is_active and _in_group(user, Role.REGIONAL_MANAGER))


has_role = is_administrator | is_hq_analyst | is_regional_manager


@rules.predicate
def manages_region_of(user, obj) -> bool:
    """True when `obj` lies in one of the user's regions (or when no object is in question)."""
    if obj is None:
        return True
    return bool(region_ids_of(obj) & managed_region_ids(user))


can_edit_regional_record = is_administrator | (is_regional_manager & manages_region_of)


def _in_group(user, role: Role) -> bool:
    if not user.is_authenticated:
        return False
    cache = getattr(user, "_role_group_names", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True))
        user._role_group_names = cache
    return role.group_name in cache


def managed_region_ids(user) -> set[int]:
    if not user.is_authenticated:
        return set()
    cache = getattr(user, "_managed_region_ids", None)
    if cache is None:
        cache = set(user.managed_regions.values_list("pk", flat=True))
        user._managed_region_ids = cache
    return cache


def region_ids_of(obj: Model) -> set[int]:
    """The regions whose managers may edit `obj` (an arrangement: those of the units it covers)."""
    from agreements.models import Arrangement, ArrangementDocument, ConditionCoverage, GapAction
    from operations.models import Assignment, JointForceOperation, Officer

    if isinstance(obj, Officer):
        return {obj.home_region_id} if obj.home_region_id else set()
    if isinstance(obj, Assignment):
        return {obj.jfo.region_id} if obj.jfo_id else set()
    if isinstance(obj, JointForceOperation):
        return {obj.region_id} if obj.region_id else set()
    if isinstance(obj, Arrangement):
        if obj.pk is None:
            return set()
        return set(obj.jfos.values_list("region_id", flat=True))
    if isinstance(obj, (ConditionCoverage, ArrangementDocument)):
        return region_ids_of(obj.arrangement) if obj.arrangement_id else set()
    if isinstance(obj, GapAction):
        if obj.jfo_id:
            return {obj.jfo.region_id}
        return region_ids_of(obj.arrangement) if obj.arrangement_id else set()
    return set()


def role_of(user) -> Role | None:
    for role, predicate in (
        (Role.ADMINISTRATOR, is_administrator),
        (Role.HQ_ANALYST, is_hq_analyst),
        (Role.REGIONAL_MANAGER, is_regional_manager),
    ):
        if predicate(user):
            return role
    return None


def can_view(user) -> bool:
    return has_role(user)


REGIONAL_MODELS = {
    "operations.officer", "operations.assignment", "agreements.arrangement", "agreements.conditioncoverage",
    "agreements.arrangementdocument", "agreements.gapaction",
}


def can_edit(user, obj: Model) -> bool:
    """May `user` change (or create) `obj`? Regional records follow region rules."""
    if obj._meta.label_lower in REGIONAL_MODELS:
        return can_edit_regional_record(user, obj)
    return is_administrator(user)


def require_edit(user, *objs: Model | None, message: str | None = None) -> None:
    """Raise PermissionDenied (with `message`) unless `user` may change every one of `objs`.

    A write passes each state it touches: the record as stored and as it would be (None
    entries, e.g. no stored state for a new record, are skipped)."""
    for obj in objs:
        if obj is not None and not can_edit(user, obj):
            raise PermissionDenied(message or _("You may only edit records of your own regions."))


def units_outside_regions(user, units: Iterable) -> list:
    """The JFO units among `units` (anything with `region_id`) that `user` does not manage:
    none for an administrator, every one for a user who manages no region."""
    if is_administrator(user):
        return []
    managed = managed_region_ids(user)
    return [unit for unit in units if unit.region_id not in managed]


def within_regions(user, queryset, region_path: str = "region"):
    """The queryset form of `units_outside_regions`: the rows of `queryset` whose
    `region_path` is one of the user's regions (every row for an administrator); for the
    choices a form offers."""
    if is_administrator(user):
        return queryset
    rows = queryset.filter(**{f"{region_path}__in": managed_region_ids(user)})
    return rows.distinct() if "__" in region_path else rows  # through a many-to-many: once each


def wholly_within_regions(user, queryset, region_path: str = "region"):
    """The rows of `queryset` lying only in the user's regions: some `region_path` (a path
    through a many-to-many, e.g. an arrangement's "jfos__region") is one of them and none is
    another (every row for an administrator); for choices whose effect reaches every region of
    the record, such as the arrangement a new one supersedes."""
    if is_administrator(user):
        return queryset
    regions = user.managed_regions.model._default_manager.exclude(pk__in=managed_region_ids(user))
    elsewhere = queryset.filter(**{f"{region_path}__in": regions}).values("pk")
    return within_regions(user, queryset, region_path).exclude(pk__in=elsewhere)


def check_coverage_change(user, *, before: Iterable, after: Iterable) -> None:
    """Refuse (PermissionDenied) a change of the JFO units a record covers, from `before` to
    `after`, that `user` may not make.

    Administrators make any change. A regional manager adds or removes only units of their
    regions, and leaves the record covering at least one of them: otherwise it would pass to
    regions they do not manage or, with no unit left, to no manager at all. Both are refusals
    of the manager's right (403), not bad data: an administrator may make the same change."""
    if is_administrator(user):
        return
    before = {unit.pk: unit for unit in before}
    after = {unit.pk: unit for unit in after}
    changed = [unit for pk, unit in (before | after).items() if (pk in before) != (pk in after)]
    outside = units_outside_regions(user, changed)
    if outside:
        raise PermissionDenied(
            _("You may only add or remove units of your own regions, not: %(units)s.")
            % {"units": ", ".join(sorted(str(unit) for unit in outside))}
        )
    if not after:
        raise PermissionDenied(
            _("An arrangement must keep at least one covered unit: with none, no regional manager could keep it "
              "current. Ask an administrator to change it.")
        )
    if len(units_outside_regions(user, after.values())) == len(after):
        raise PermissionDenied(
            _("An arrangement you change must still cover a unit of your regions: otherwise it would pass to "
              "regions you do not manage. Ask an administrator to change it.")
        )


def can_delete(user, obj: Model) -> bool:
    """Only administrators delete; assignments are ended, never deleted, by managers."""
    return is_administrator(user)


# Object-level permissions for `user.has_perm(perm, obj)` (rules' ObjectPermissionBackend):
# exactly the actions regional managers are given, limited to their regions.
for _app, _models in REGIONAL_MANAGER_EDITS.items():
    for _model, _actions in _models.items():
        for _action in _actions:
            rules.add_perm(f"{_app}.{_action}_{_model}", can_edit_regional_record)
