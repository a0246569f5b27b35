"""Which regions operations' records lie in: each object rule beside its queryset form.

Loaded by django-rules' autodiscovery (`rules.apps.AutodiscoverRulesConfig`) when the apps are
ready. Each rule is registered with `jfo_registry.core.permissions.register_region_rule`, which
`permissions.can_edit` and the models' `RegionalQuerySet` (`editable_by`, `visible_to`,
`managed_by`, `wholly_managed_by`) dispatch through; then the object permissions of the
actions managers are given (`roles.REGIONAL_MANAGER_EDITS["operations"]`) are added.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from jfo_registry.core.permissions import RegionRule, register_manager_permissions, register_region_rule

from .models import Assignment, JointForceOperation, Officer, Region


def region_regions(region: Region) -> set[int]:
    """A region lies in itself: {its id} (empty while unsaved)."""
    return {region.pk} if region.pk else set()


def regions_in(region_ids: Iterable[int]) -> Q:
    """The queryset form of `region_regions`: the regions among `region_ids`."""
    return Q(pk__in=region_ids)


def unit_regions(unit: JointForceOperation) -> set[int]:
    """A JFO unit lies in its region: {region id} (empty while it has none)."""
    return {unit.region_id} if unit.region_id else set()


def units_in(region_ids: Iterable[int]) -> Q:
    """The queryset form of `unit_regions`: units whose region is among `region_ids`."""
    return Q(region__in=region_ids)


def officer_regions(officer: Officer) -> set[int]:
    """An officer lies in their home region: {home region id} (empty while it has none)."""
    return {officer.home_region_id} if officer.home_region_id else set()


def officers_in(region_ids: Iterable[int]) -> Q:
    """The queryset form of `officer_regions`: officers whose home region is among `region_ids`."""
    return Q(home_region__in=region_ids)


def assignment_regions(assignment: Assignment) -> set[int]:
    """An assignment lies in its JFO unit's region: {that region id} (empty without a unit).
    Reads the unit when it is not loaded (one query)."""
    return {assignment.jfo.region_id} if assignment.jfo_id else set()


def assignments_in(region_ids: Iterable[int]) -> Q:
    """The queryset form of `assignment_regions`: assignments to units of `region_ids`."""
    return Q(jfo__region__in=region_ids)


register_region_rule("operations.region", RegionRule(region_regions, regions_in))
register_region_rule("operations.jointforceoperation", RegionRule(unit_regions, units_in))
register_region_rule("operations.officer", RegionRule(officer_regions, officers_in))
register_region_rule("operations.assignment", RegionRule(assignment_regions, assignments_in))
register_manager_permissions("operations")
