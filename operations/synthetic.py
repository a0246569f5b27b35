"""A realistic, reproducible registry at national scale for benchmarks and load tests.

Every rule holds by construction: an officer's timeline is cut into consecutive, non-overlapping
segments, and the assignments of one segment add up to at most 1.00 FTE. Rows are written with
bulk inserts (and their history rows, so reports `as_of` work), in batches.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from jfo_registry.core.fiscal import FiscalYear
from jfo_registry.core.history import record_current_links

from .choices import Classification, JfoStatus, JfoType, Jurisdiction, Position
from .inventory import InventoryLoader
from .models import (
    Agency, Assignment, CostingPolicy, JointForceOperation, Officer, Participation, Program, Region, SalaryRate,
    Threat,
)

BATCH = 5000
PART_TIME_SPLITS = [(Decimal("0.50"), Decimal("0.50")), (Decimal("0.60"), Decimal("0.40")),
                    (Decimal("0.80"), Decimal("0.20")), (Decimal("0.50"),), (Decimal("0.75"), Decimal("0.25"))]
BASE_SALARY = {Classification.FB_03: 57345, Classification.FB_04: 69712, Classification.FB_05: 76329,
               Classification.OTHER: 65000}


@dataclass
class Counts:
    agencies: int = 0
    units: int = 0
    officers: int = 0
    assignments: int = 0
    extra: dict = field(default_factory=dict)


class SyntheticRegistry:
    counts_class = Counts
    inventory_loader_class = InventoryLoader  # loads the reference data (regions, programs...) when missing

    def __init__(self, *, units: int, officers: int, years: int, seed: int, prefix: str = "SYN", progress=None):
        self.units, self.officers, self.years = units, officers, years
        self.rng = random.Random(seed)
        self.prefix = prefix
        self.progress = progress or (lambda iterable, **kwargs: iterable)
        current = FiscalYear.current()
        self.first_year = FiscalYear(current.start_year - years + 1)
        self.horizon = current.end

    def _date_between(self, start: datetime.date, end: datetime.date) -> datetime.date:
        return start + datetime.timedelta(days=self.rng.randint(0, max((end - start).days, 0)))

    @transaction.atomic
    def build(self) -> Counts:
        if not Region.objects.exists() or not Program.objects.exists():
            self.inventory_loader_class().load()
        counts = self.counts_class()
        regions = list(Region.objects.order_by("code"))
        programs = {p.code: p for p in Program.objects.all()}
        threats = list(Threat.objects.order_by("code"))
        self._rates()
        agencies = self._agencies(max(40, self.units // 12))
        counts.agencies = len(agencies)
        units_by_region = self._units(regions, programs, threats, agencies)
        counts.units = sum(len(u) for u in units_by_region.values())
        officers = self._officers(regions)
        counts.officers = len(officers)
        counts.assignments = self._assignments(officers, units_by_region)
        self.extend(counts, units_by_region=units_by_region, agencies=agencies)
        return counts

    def _rates(self) -> None:
        for index in range(self.years + 1):
            year = self.first_year.start_year + index
            for classification, base in BASE_SALARY.items():
                SalaryRate.objects.get_or_create(
                    classification=classification, fiscal_year=year,
                    defaults={"annual_salary": Decimal(round(base * (1.02 ** (year - 2010))))},
                )
            CostingPolicy.objects.get_or_create(fiscal_year=year, defaults={"employee_benefits_rate": Decimal("0.2")})

    def _agencies(self, count: int) -> list[Agency]:
        kinds = [Jurisdiction.MUNICIPAL] * 6 + [Jurisdiction.PROVINCIAL] * 3 + [Jurisdiction.FEDERAL, Jurisdiction.US_STATE_LOCAL]
        rows = [
            Agency(
                acronym=f"{self.prefix}-A{index:05d}", name_en=f"Synthetic Police Service {index}",
                name_fr=f"Service de police synthétique {index}", jurisdiction=(kind := self.rng.choice(kinds)),
                country="US" if kind == Jurisdiction.US_STATE_LOCAL else "CA",
            )
            for index in range(1, count + 1)
        ]
        created = bulk_create_with_history(rows, Agency, batch_size=BATCH, default_change_reason="command")
        return created + list(Agency.objects.filter(acronym__in=["RCMP", "OPP", "CBSA", "US-ICE"]))

    def _units(self, regions, programs, threats, agencies) -> dict[int, list[JointForceOperation]]:
        by_type = {
            JfoType.BINATIONAL: [programs.get("IBET"), programs.get("BEST")],
            JfoType.NATIONAL: [programs.get("INSET"), programs.get("NPET"), programs.get("CFSEU")],
            JfoType.REGIONAL: [None, None, None, programs.get("NPET"), programs.get("CFSEU")],
        }
        types = [JfoType.REGIONAL] * 5 + [JfoType.BINATIONAL] * 3 + [JfoType.NATIONAL] * 2
        rows = []
        for index in self.progress(range(1, self.units + 1), desc="JFO units", unit="unit"):
            jfo_type = self.rng.choice(types)
            start = self._date_between(self.first_year.start - datetime.timedelta(days=3650), self.horizon)
            closed = self.rng.random() < 0.08 and start < self.horizon - datetime.timedelta(days=400)
            rows.append(JointForceOperation(
                acronym=f"{self.prefix}-U{index:05d}", name=f"Synthetic joint force operation {index}",
                jfo_type=jfo_type, program=self.rng.choice(by_type[jfo_type]), region=self.rng.choice(regions),
                objectives="Disrupt organized crime across the border (synthetic).",
                co_located=self.rng.random() < 0.6, has_joint_management_team=self.rng.random() < 0.4,
                status=JfoStatus.CLOSED if closed else JfoStatus.ACTIVE, start_date=start,
                end_date=self._date_between(start + datetime.timedelta(days=365), self.horizon) if closed else None,
            ))
        units = bulk_create_with_history(rows, JointForceOperation, batch_size=BATCH, default_change_reason="command")
        participations, unit_threats = [], []
        Through = JointForceOperation.threats.through
        for unit in units:
            chosen = self.rng.sample(agencies, k=min(len(agencies), self.rng.randint(2, 5)))
            participations.append(Participation(jfo=unit, agency=chosen[0], role="lead"))
            participations += [Participation(jfo=unit, agency=a, role="partner") for a in chosen[1:]]
            unit_threats += [Through(jointforceoperation_id=unit.pk, threat_id=t.pk) for t in self.rng.sample(threats, k=3)]
        bulk_create_with_history(participations, Participation, batch_size=BATCH, default_change_reason="command")
        Through.objects.bulk_create(unit_threats, batch_size=BATCH)
        record_current_links(apps, None, app_label="operations", model_name="JointForceOperation", link="threats",
                             ids=[unit.pk for unit in units])
        by_region: dict[int, list[JointForceOperation]] = {}
        for unit in units:
            by_region.setdefault(unit.region_id, []).append(unit)
        return by_region

    def _officers(self, regions) -> list[Officer]:
        classes = [Classification.FB_04] * 8 + [Classification.FB_03, Classification.FB_05]
        positions = [Position.INTELLIGENCE_OFFICER] * 7 + [Position.INTELLIGENCE_ANALYST] * 2 + [
            Position.CRIMINAL_INVESTIGATOR, Position.INLAND_ENFORCEMENT_OFFICER]
        rows = [
            Officer(
                employee_number=f"{self.prefix}-O{index:06d}", name=f"Synthetic Officer {index}",
                position=self.rng.choice(positions), classification=self.rng.choice(classes),
                home_region=self.rng.choice(regions),
            )
            for index in self.progress(range(1, self.officers + 1), desc="officers", unit="officer")
        ]
        return bulk_create_with_history(rows, Officer, batch_size=BATCH, default_change_reason="command")

    def _assignments(self, officers, units_by_region) -> int:
        total, batch = 0, []
        day = datetime.timedelta(days=1)
        for officer in self.progress(officers, desc="assignments", unit="officer"):
            units = units_by_region.get(officer.home_region_id) or [u for us in units_by_region.values() for u in us]
            cursor = self.first_year.start + datetime.timedelta(days=self.rng.randint(0, 400))
            while cursor < self.horizon:
                length = datetime.timedelta(days=self.rng.randint(120, 640))
                end = cursor + length - day
                ongoing = end >= self.horizon
                roll = self.rng.random()
                if roll < 0.1:  # a gap: back at headquarters, on leave...
                    cursor = end + day
                    continue
                shares = (Decimal("1.00"),) if roll < 0.75 else self.rng.choice(PART_TIME_SPLITS)
                for share, unit in zip(shares, self.rng.sample(units, k=min(len(shares), len(units)))):
                    batch.append(Assignment(
                        officer=officer, jfo=unit, fte=share, start_date=cursor,
                        end_date=None if ongoing and self.rng.random() < 0.8 else min(end, self.horizon),
                        role="Intelligence officer",
                    ))
                cursor = end + day
            if len(batch) >= BATCH:
                bulk_create_with_history(batch, Assignment, batch_size=BATCH, default_change_reason="command")
                total += len(batch)
                batch = []
        if batch:
            bulk_create_with_history(batch, Assignment, batch_size=BATCH, default_change_reason="command")
            total += len(batch)
        return total

    def extend(self, counts: Counts, *, units_by_region: dict[int, list[JointForceOperation]], agencies: list[Agency]) -> None:
        """Hook for the apps above: add their records over the units (by region id) and agencies
        just built, and their numbers to `counts`. Operations has nothing more to add."""
