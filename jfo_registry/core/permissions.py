"""Who may see and change what: one place for the API, the pages and the admin.

Everyone signed in with a role reads everything. Administrators change everything.
Regional managers change officers and assignments of the regions they are given (an officer's
region is their home region; an assignment's is its JFO unit's region) and keep current the
arrangements that cover a unit of their regions (conditions, documents, status, gap actions).
HQ analysts change nothing.

Which regions a record lies in is each app's rule: `operations.rules` and `agreements.rules`
register, for each regional model, its object form (the region ids of one record) and beside
it its queryset form (a `Q` of the rows lying in given regions) with `register_region_rule`.
This module imports no app: `can_edit` and the `RegionalQuerySet` methods (`editable_by`,
`visible_to`, `managed_by`, `wholly_managed_by`) dispatch through that registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import rules
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Model, Q
from django.utils.translation import gettext as _

from .roles import REGIONAL_MANAGER_EDITS, Role


@rules.predicate
def is_administrator(user) -> bool:
    """True for an active superuser or member of the administrators' group."""
    return bool(user.is_active and (user.is_superuser or _in_group(user, Role.ADMINISTRATOR)))


@rules.predicate
def is_hq_analyst(user) -> bool:
    """True for an active member of the HQ analysts' group."""
    return bool(user.is_active and _in_group(user, Role.HQ_ANALYST))


@rules.predicate
def is_regional_manager(user) -> bool:
    """True for an active member of the regional managers' group (whatever regions they have)."""
    return bool(user.is_active and _in_group(user, Role.REGIONAL_MANAGER))


has_role = is_administrator | is_hq_analyst | is_regional_manager


def _in_group(user, role: Role) -> bool:
    if not user.is_authenticated:
        return False
    cache = getattr(user, "_role_group_names", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True))
        user._role_group_names = cache
    return role.group_name in cache


def managed_region_ids(user) -> set[int]:
    """The primary keys of the regions `user` is given as a manager (empty for an anonymous
    user), read once per user object."""
    if not user.is_authenticated:
        return set()
    cache = getattr(user, "_managed_region_ids", None)
    if cache is None:
        cache = set(user.managed_regions.values_list("pk", flat=True))
        user._managed_region_ids = cache
    return cache


# -- Region rules, registered by each app's rules.py ---------------------------------------------


@dataclass(frozen=True)
class RegionRule:
    """Which regions a record of one model lies in, in both forms.

    `of_object(obj) -> set[int]`: the region ids of one record (empty when it lies in none yet);
    `of_rows(region_ids) -> Q`: the rows lying in at least one of `region_ids`, the same rule in
    SQL; `spans_many`: the Q goes through a to-many relation (rows would repeat, so querysets
    take them by primary key)."""

    of_object: Callable[[Model], set[int]]
    of_rows: Callable[[Iterable[int]], Q]
    spans_many: bool = False


_REGION_RULES: dict[str, RegionRule] = {}


def register_region_rule(label: str, rule: RegionRule) -> None:
    """Record `rule` for the model `label` ("app_label.modelname"), once per model; a second
    registration of the same label raises ValueError (each rule lives once)."""
    if label in _REGION_RULES and _REGION_RULES[label] != rule:
        raise ValueError(f"A region rule is already registered for {label}.")
    _REGION_RULES[label] = rule


def region_rule(model) -> RegionRule | None:
    """The region rule registered for `model` (a class or an instance), or None."""
    return _REGION_RULES.get(model._meta.label_lower)


def region_ids_of(obj: Model) -> set[int]:
    """The region ids `obj` lies in, by its model's registered rule (empty for a model with
    none: agencies, programs, rates)."""
    rule = region_rule(obj)
    return rule.of_object(obj) if rule else set()


def manager_edits(model) -> bool:
    """Does `roles.REGIONAL_MANAGER_EDITS` give managers any action on `model` (class or instance)?"""
    return bool(REGIONAL_MANAGER_EDITS.get(model._meta.app_label, {}).get(model._meta.model_name))


@rules.predicate
def manages_region_of(user, obj) -> bool:
    """True when `obj` lies in one of the user's regions (or when no object is in question)."""
    if obj is None:
        return True
    return bool(region_ids_of(obj) & managed_region_ids(user))


def manages_wholly(user, obj: Model) -> bool:
    """True when `obj` lies in at least one region and only in regions `user` manages
    (any record for an administrator): the object form of `wholly_managed_by`."""
    if is_administrator(user):
        return True
    regions = region_ids_of(obj)
    return bool(is_regional_manager(user) and regions and regions <= managed_region_ids(user))


can_edit_regional_record = is_administrator | (is_regional_manager & manages_region_of)


class RegionalQuerySet(models.QuerySet):
    """The queryset forms of the region rules, for a model with a registered `RegionRule`.

    Each method takes the user asking (anonymous, inactive or without a role included) and
    returns a queryset of the same model, unevaluated (only the user's groups and regions are
    read, once per user object). Each is held against its object form by
    tests/operations/test_rules.py and tests/agreements/test_rules.py."""

    def _in_regions(self, region_ids) -> models.QuerySet:
        rule = region_rule(self.model)
        if rule is None:
            raise LookupError(f"No region rule is registered for {self.model._meta.label_lower}.")
        if rule.spans_many:
            return self.filter(pk__in=self.model._default_manager.filter(rule.of_rows(region_ids)).values("pk"))
        return self.filter(rule.of_rows(region_ids))

    def managed_by(self, user) -> models.QuerySet:
        """Rows lying in a region `user` manages: all for an administrator, their regions' rows
        for a regional manager, none for anyone else. The queryset form of
        `can_edit_regional_record` (and of `units_outside_regions` for units)."""
        if is_administrator(user):
            return self.all()
        if not is_regional_manager(user):
            return self.none()
        return self._in_regions(managed_region_ids(user))

    def wholly_managed_by(self, user) -> models.QuerySet:
        """Rows lying in at least one region and only in regions `user` manages (all for an
        administrator, none for anyone but a manager): the queryset form of `manages_wholly`,
        for choices whose effect reaches every region of the record (what a new arrangement
        supersedes)."""
        if is_administrator(user):
            return self.all()
        if not is_regional_manager(user):
            return self.none()
        # The regions' model, reached through the users' relation to it (this module imports no app).
        regions = get_user_model()._meta.get_field("managed_regions").related_model
        others = regions._default_manager.exclude(pk__in=managed_region_ids(user)).values("pk")
        return self.managed_by(user).exclude(pk__in=self._in_regions(others).values("pk"))

    def editable_by(self, user) -> models.QuerySet:
        """Rows `user` may change: all for an administrator, their regions' rows for a regional
        manager when managers edit this model (`roles.REGIONAL_MANAGER_EDITS`), none otherwise
        (HQ analysts, users without a role, anonymous). The queryset form of `can_edit`."""
        if is_administrator(user):
            return self.all()
        if not manager_edits(self.model):
            return self.none()
        return self.managed_by(user)

    def visible_to(self, user) -> models.QuerySet:
        """Rows `user` may read: every row for anyone with a role, none otherwise (anonymous,
        inactive, no role). The queryset form of `can_view`."""
        return self.all() if can_view(user) else self.none()


def role_of(user) -> Role | None:
    """The user's role (administrator first, then HQ analyst, then regional manager), or None."""
    for role, predicate in (
        (Role.ADMINISTRATOR, is_administrator),
        (Role.HQ_ANALYST, is_hq_analyst),
        (Role.REGIONAL_MANAGER, is_regional_manager),
    ):
        if predicate(user):
            return role
    return None


def can_view(user) -> bool:
    """May `user` read the registry? Anyone active with a role reads everything."""
    return has_role(user)


def can_edit(user, obj: Model) -> bool:
    """May `user` change (or create) `obj`? A model managers edit (`roles.REGIONAL_MANAGER_EDITS`)
    follows its region rule: administrators, or managers of a region `obj` lies in. Any other
    model: administrators only. The object form of `RegionalQuerySet.editable_by`."""
    if manager_edits(obj):
        return can_edit_regional_record(user, obj)
    return is_administrator(user)


def require_edit(user, *objs: Model | None, message: str | None = None) -> None:
    """Raise PermissionDenied (with `message`, else a generic one) unless `user` may change
    every one of `objs` (`can_edit`); returns None.

    A write passes each state it touches: the record as stored and as it would be (None
    entries, e.g. no stored state for a new record, are skipped)."""
    for obj in objs:
        if obj is not None and not can_edit(user, obj):
            raise PermissionDenied(message or _("You may only edit records of your own regions."))


def units_outside_regions(user, units: Iterable) -> list:
    """The JFO units among `units` that `user` does not manage, in their given order: none for an
    administrator, every one for a user who manages no region. The object form of
    `JointForceOperation.objects.managed_by(user)` over a list: a unit's regions come from the
    rule its app registered (`region_ids_of`), not from here."""
    if is_administrator(user):
        return []
    managed = managed_region_ids(user) if is_regional_manager(user) else set()
    return [unit for unit in units if not region_ids_of(unit) & managed]


def check_coverage_change(user, *, before: Iterable, after: Iterable) -> None:
    """Refuse (PermissionDenied) a change of the JFO units a record covers, from `before` to
    `after` (iterables of units), that `user` may not make; returns None otherwise.

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


def _row_key(values, key: tuple[str, ...]) -> tuple:
    """The values of the fields `key` of a row (a model instance or a dict of field values, with
    model instances for foreign keys), as primary keys."""
    if isinstance(values, Model):
        return tuple(getattr(values, values._meta.get_field(name).attname) for name in key)
    return tuple(getattr(values[name], "pk", values[name]) for name in key)


def _row_differs(row: Model, values: dict) -> bool:
    """Would setting `values` (field name: value, model instances for foreign keys) change `row`?"""
    for name, value in values.items():
        stored = getattr(row, row._meta.get_field(name).attname)
        if stored != getattr(value, "pk", value):
            return True
    return False


def check_rows_replacement(user, model, *, stored: Iterable[Model], wanted: Iterable[dict], key: tuple[str, ...]) -> None:
    """Refuse (PermissionDenied, changing nothing) the replacement of the rows `stored` (instances
    of `model`) by `wanted` (dicts of field values, model instances for foreign keys, as a
    serializer validates them), matched on the fields `key`, unless `user` holds the model
    permission for each kind of change it makes: `add` for a row only in `wanted`, `delete` for
    one only in `stored`, `change` for a matched row whose given values differ. An unchanged list
    sent back needs no permission. The same rule the admin's inlines apply (read-only without
    the permission). `user` None is the system: no rule applies. Returns None."""
    if user is None:
        return
    stored = {_row_key(row, key): row for row in stored}
    wanted = {_row_key(values, key): values for values in wanted}
    needed = (
        ("add", bool(wanted.keys() - stored.keys()), _("You may not add %(rows)s: ask an administrator.")),
        ("change", any(_row_differs(stored[k], wanted[k]) for k in wanted.keys() & stored.keys()),
         _("You may not change %(rows)s: ask an administrator.")),
        ("delete", bool(stored.keys() - wanted.keys()), _("You may not remove %(rows)s: ask an administrator.")),
    )
    opts = model._meta
    for action, made, message in needed:
        if made and not user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}"):
            raise PermissionDenied(message % {"rows": opts.verbose_name_plural})


def can_delete(user, obj: Model) -> bool:
    """May `user` delete `obj`? Only administrators delete; assignments are ended, never
    deleted, by anyone (see the model's `never_deleted`)."""
    return is_administrator(user)


def register_manager_permissions(app_label: str) -> None:
    """Give `user.has_perm(perm, obj)` (rules' ObjectPermissionBackend) the object rule for
    exactly the actions `roles.REGIONAL_MANAGER_EDITS` gives managers on `app_label`'s models:
    `can_edit_regional_record`. Called by each app's rules.py; re-registering is a no-op."""
    for model, actions in REGIONAL_MANAGER_EDITS.get(app_label, {}).items():
        for action in actions:
            name = f"{app_label}.{action}_{model}"
            if not rules.perm_exists(name):
                rules.add_perm(name, can_edit_regional_record)
