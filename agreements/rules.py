"""Which regions agreements' records lie in: each object rule beside its queryset form.

An arrangement lies in the regions of the JFO units it covers (a shared arrangement in
several); its condition coverage and documents in the arrangement's; a gap action in its unit's
region, else in its arrangement's. Loaded by django-rules' autodiscovery; registered with
`jfo_registry.core.permissions.register_region_rule` (see `operations.rules`), then the object
permissions of the actions managers are given (`roles.REGIONAL_MANAGER_EDITS["agreements"]`).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from jfo_registry.core.permissions import RegionRule, register_manager_permissions, register_region_rule

from .models import Arrangement, ArrangementDocument, ConditionCoverage, GapAction


def arrangement_regions(arrangement: Arrangement) -> set[int]:
    """The region ids of the units `arrangement` covers, as stored (empty while unsaved or
    covering none). One query."""
    if arrangement.pk is None:
        return set()
    return set(arrangement.jfos.values_list("region_id", flat=True))


def arrangements_in(region_ids: Iterable[int]) -> Q:
    """The queryset form of `arrangement_regions`: arrangements covering a unit of `region_ids`
    (through a many-to-many: `RegionRule.spans_many`)."""
    return Q(jfos__region__in=region_ids)


def arrangement_part_regions(part: ConditionCoverage | ArrangementDocument) -> set[int]:
    """A condition coverage or document lies in its arrangement's regions (empty without one)."""
    return arrangement_regions(part.arrangement) if part.arrangement_id else set()


def arrangement_parts_in(region_ids: Iterable[int]) -> Q:
    """The queryset form of `arrangement_part_regions`."""
    return Q(arrangement__jfos__region__in=region_ids)


def gap_action_regions(action: GapAction) -> set[int]:
    """A gap action lies in its unit's region, else in its arrangement's regions (empty with neither)."""
    if action.jfo_id:
        return {action.jfo.region_id}
    return arrangement_regions(action.arrangement) if action.arrangement_id else set()


def gap_actions_in(region_ids: Iterable[int]) -> Q:
    """The queryset form of `gap_action_regions`."""
    return Q(jfo__region__in=region_ids) | Q(jfo__isnull=True, arrangement__jfos__region__in=region_ids)


register_region_rule("agreements.arrangement", RegionRule(arrangement_regions, arrangements_in, spans_many=True))
register_region_rule(
    "agreements.conditioncoverage", RegionRule(arrangement_part_regions, arrangement_parts_in, spans_many=True)
)
register_region_rule(
    "agreements.arrangementdocument", RegionRule(arrangement_part_regions, arrangement_parts_in, spans_many=True)
)
register_region_rule("agreements.gapaction", RegionRule(gap_action_regions, gap_actions_in, spans_many=True))
register_manager_permissions("agreements")
