"""Load the 2010-2011 inventory, arrangements included: `operations.inventory`'s loader for
regions, agencies, threats, programs, units, officers, assignments and rates, extended with the
written arrangements (their units, parties and condition coverage).

Like the rest of the load, arrangements are matched on their reference: missing ones are
created, existing ones left as they are unless `update=True`.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from operations.inventory import DEFAULT_INVENTORY, parse_date
from operations.inventory import InventoryLoader as OperationsInventoryLoader
from operations.models import Agency, JointForceOperation

from .choices import CoverageStatus
from .models import Arrangement, ArrangementParty, ConditionCoverage, InformationSharingCondition


class InventoryLoader(OperationsInventoryLoader):
    def load_more(self, data: dict, *, agencies: dict[str, Agency], units: dict[str, JointForceOperation]) -> None:
        """The file's `arrangements`: each with its units, parties and the seven conditions."""
        conditions = list(InformationSharingCondition.objects.all())
        for row in data.get("arrangements", []):
            arrangement, created = self.upsert(
                Arrangement,
                {"reference": row["reference"]},
                {
                    "title": row["title"],
                    "kind": row.get("kind", "wca"),
                    "status": row["status"],
                    "signed_date": parse_date(row.get("signed_date")),
                    "effective_date": parse_date(row.get("effective_date")),
                    "expiry_date": parse_date(row.get("expiry_date")),
                    "review_date": parse_date(row.get("review_date")),
                    "notice_period_days": row.get("notice_period_days"),
                    "joint_management_team": bool(row.get("joint_management_team", False)),
                    "financial_commitments": bool(row.get("financial_commitments", False)),
                    "intelligence_and_investigation_mandates": bool(
                        row.get("intelligence_and_investigation_mandates", False)
                    ),
                    "notes": (row.get("notes") or "").strip(),
                },
            )
            if not (created or self.update):
                continue
            arrangement.jfos.set([units[acronym] for acronym in row.get("jfos", [])])
            for party in row.get("parties", []):
                self.upsert(
                    ArrangementParty,
                    {"arrangement": arrangement, "agency": agencies[party["agency"]]},
                    {"role": party["role"]},
                )
            for condition in conditions:
                # The report publishes no per-WCA marks: "not assessed" until someone assesses it,
                # and an assessment is never reset by a reload.
                _coverage, created = ConditionCoverage.objects.get_or_create(
                    arrangement=arrangement, condition=condition, defaults={"status": CoverageStatus.NOT_ASSESSED}
                )
                if created:
                    self.counts["condition coverage created"] += 1


def load_inventory(path: Path = DEFAULT_INVENTORY, *, update: bool = False) -> Counter[str]:
    """Load the inventory file at `path` in one transaction; returns the counts of rows
    created and updated by kind (e.g. `{"assignments created": 68}`), empty when nothing changed.
    Raises ValidationError (a row breaks a rule), KeyError or ValueError (a malformed file):
    nothing is then changed."""
    return InventoryLoader(update=update).load(path)
