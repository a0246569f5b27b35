"""The synthetic registry of `operations.synthetic`, with written arrangements over its units
(for benchmarks and load tests; every rule holds by construction)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.apps import apps
from simple_history.utils import bulk_create_with_history

from jfo_registry.core.history import record_current_links
from operations.models import Agency, JointForceOperation
from operations.synthetic import BATCH
from operations.synthetic import Counts as OperationsCounts
from operations.synthetic import SyntheticRegistry as OperationsSyntheticRegistry

from .choices import ArrangementStatus, CoverageStatus
from .inventory import InventoryLoader
from .models import Arrangement, ArrangementParty, ConditionCoverage, InformationSharingCondition


@dataclass
class Counts(OperationsCounts):
    arrangements: int = 0


class SyntheticRegistry(OperationsSyntheticRegistry):
    counts_class = Counts
    inventory_loader_class = InventoryLoader

    def extend(self, counts: Counts, *, units_by_region: dict[int, list[JointForceOperation]], agencies: list[Agency]) -> None:
        """Arrangements over about 63% of the units (one to three units each), in force, with
        CBSA and one partner as signatories and a random assessment of the seven conditions."""
        conditions = list(InformationSharingCondition.objects.order_by("letter"))
        cbsa = Agency.objects.filter(acronym="CBSA").first()
        units = [u for us in units_by_region.values() for u in us]
        self.rng.shuffle(units)
        covered = units[: int(len(units) * 0.63)]
        groups, index = [], 0
        while index < len(covered):
            size = self.rng.choice([1, 1, 1, 2, 3])
            groups.append(covered[index:index + size])
            index += size
        rows = []
        for number, group in enumerate(groups, start=1):
            effective = self._date_between(self.first_year.start - datetime.timedelta(days=1500), self.horizon)
            expiry = effective + datetime.timedelta(days=self.rng.choice([1095, 1825, 3650])) if self.rng.random() < 0.8 else None
            rows.append(Arrangement(
                reference=f"{self.prefix}-WCA-{number:05d}", title=f"Synthetic arrangement {number}",
                status=ArrangementStatus.IN_FORCE, signed_date=effective - datetime.timedelta(days=30),
                effective_date=effective, expiry_date=expiry,
                review_date=effective + datetime.timedelta(days=730), notice_period_days=90,
                joint_management_team=self.rng.random() < 0.3, financial_commitments=self.rng.random() < 0.7,
            ))
        arrangements = bulk_create_with_history(rows, Arrangement, batch_size=BATCH, default_change_reason="command")
        Through = Arrangement.jfos.through
        links, parties, coverages = [], [], []
        statuses = [CoverageStatus.ADDRESSED, CoverageStatus.PARTLY_ADDRESSED, CoverageStatus.NOT_ADDRESSED,
                    CoverageStatus.NOT_ASSESSED]
        for arrangement, group in zip(arrangements, groups):
            links += [Through(arrangement_id=arrangement.pk, jointforceoperation_id=u.pk) for u in group]
            signatories = {cbsa.pk} if cbsa else set()
            signatories.add(self.rng.choice(agencies).pk)
            parties += [ArrangementParty(arrangement=arrangement, agency_id=pk, role="signatory") for pk in signatories]
            for condition in conditions:
                status = self.rng.choice(statuses)
                coverages.append(ConditionCoverage(
                    arrangement=arrangement, condition=condition, status=status,
                    clause_reference=f"s. {condition.letter}" if status in statuses[:2] else "",
                ))
        Through.objects.bulk_create(links, batch_size=BATCH)
        record_current_links(apps, None, app_label="agreements", model_name="Arrangement", link="jfos",
                             ids=[arrangement.pk for arrangement in arrangements])
        bulk_create_with_history(parties, ArrangementParty, batch_size=BATCH, default_change_reason="command")
        bulk_create_with_history(coverages, ConditionCoverage, batch_size=BATCH, default_change_reason="command")
        counts.arrangements = len(arrangements)


def generate(*, units: int, officers: int, years: int, seed: int, prefix: str = "SYN", progress=None) -> Counts:
    """Build the synthetic registry in one transaction: `units` JFO units, `officers` officers
    and their assignments over the last `years` fiscal years, arrangements over most units, all
    reproducible from `seed`, codes starting with `prefix`. `progress` wraps iterables (e.g. tqdm).
    Returns the counts of records created by kind."""
    return SyntheticRegistry(units=units, officers=officers, years=years, seed=seed, prefix=prefix, progress=progress).build()
