"""Load the 2010-2011 inventory (operations/data/inventory_2010_2011.yaml) into the registry.

The arrangements of the file are loaded by `agreements.inventory`, which extends this loader.
Records are matched on their natural keys (codes, acronyms, employee numbers, references).
Missing records are created; existing ones are left as they are unless `update=True`, so
running it twice changes nothing and never overwrites what users have since edited.
Assignments are written through `services.assignment_save`, like every other entry point.
"""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal
from pathlib import Path

import yaml
from django.db import transaction

from jfo_registry.core.fiscal import FiscalYear

from . import services
from .models import (
    Agency, Assignment, CostingPolicy, FiscalYearClosure, JointForceOperation, Officer, Participation, Program,
    Region, SalaryRate,
    Threat,
)

DEFAULT_INVENTORY = Path(__file__).resolve().parent / "data" / "inventory_2010_2011.yaml"


class InventoryLoader:
    def __init__(self, *, update: bool = False):
        self.update = update
        self.counts: Counter[str] = Counter()

    def upsert(self, model, lookup: dict, values: dict):
        """Create the row if missing; with `update`, bring changed fields to the file's values."""
        instance = model.objects.filter(**lookup).first()
        if instance is None:
            instance = model(**lookup, **values)
            instance.full_clean()
            instance.save()
            self.counts[f"{model._meta.verbose_name_plural} created"] += 1
            return instance, True
        changed = [field for field, value in values.items() if getattr(instance, field) != value]
        if changed and self.update:
            for field in changed:
                setattr(instance, field, values[field])
            instance.full_clean()
            instance.save()
            self.counts[f"{model._meta.verbose_name_plural} updated"] += 1
        return instance, False

    @transaction.atomic
    def load(self, path: Path = DEFAULT_INVENTORY) -> Counter[str]:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        regions = {
            row["code"]: self.upsert(Region, {"code": row["code"]}, {"name_en": row["name_en"], "name_fr": row["name_fr"]})[0]
            for row in data["regions"]
        }
        agencies = self.load_agencies(data["agencies"])
        threats = {
            row["code"]: self.upsert(
                Threat,
                {"code": row["code"]},
                {"name_en": row["name_en"], "name_fr": row["name_fr"], "risk_level": row["risk_level"]},
            )[0]
            for row in data["threats"]
        }
        programs = {
            row["code"]: self.upsert(
                Program,
                {"code": row["code"]},
                {"name_en": row["name_en"], "name_fr": row["name_fr"], "default_jfo_type": row["default_jfo_type"]},
            )[0]
            for row in data["programs"]
        }
        for row in data.get("salary_rates", []):
            self.upsert(
                SalaryRate,
                {"classification": row["classification"], "fiscal_year": FiscalYear.parse(row["fiscal_year"]).start_year},
                {"annual_salary": Decimal(str(row["annual_salary"]))},
            )
        for row in data.get("costing_policies", []):
            self.upsert(
                CostingPolicy,
                {"fiscal_year": FiscalYear.parse(row["fiscal_year"]).start_year},
                {"employee_benefits_rate": Decimal(str(row["employee_benefits_rate"]))},
            )
        units = self.load_units(data["units"], regions, agencies, threats, programs)
        self.load_officers(data["officers"], regions, units)
        self.load_more(data, agencies=agencies, units=units)
        self.close_years(data.get("closed_fiscal_years", []))
        return self.counts

    def close_years(self, rows) -> None:
        """Close each fiscal year of `rows` ({fiscal_year, reason}) not closed or reopened yet:
        a year an administrator reopened stays open on a reload."""
        for row in rows:
            year = FiscalYear.parse(row["fiscal_year"])
            if not FiscalYearClosure.objects.filter(fiscal_year=year.start_year).exists():
                services.fiscal_year_close(fiscal_year=year, reason=row.get("reason", ""))
                self.counts["closed fiscal years"] += 1

    def load_agencies(self, rows) -> dict[str, Agency]:
        agencies = {}
        for row in rows:  # parents first, then children, whatever the file's order
            agencies[row["acronym"]] = self.upsert(
                Agency,
                {"acronym": row["acronym"]},
                {
                    "name_en": row["name"],
                    "name_fr": row.get("name_fr") or row["name"],
                    "jurisdiction": row["jurisdiction"],
                    "country": row.get("country", "CA"),
                },
            )[0]
        for row in rows:
            agency = agencies[row["acronym"]]
            parent = agencies[row["parent"]] if row.get("parent") else None
            if agency.parent_id != (parent.pk if parent else None) and (self.update or agency.parent_id is None):
                agency.parent = parent
                agency.save(update_fields=["parent", "last_updated"])
        return agencies

    def load_units(self, rows, regions, agencies, threats, programs) -> dict[str, JointForceOperation]:
        units = {}
        for row in rows:
            unit, created = self.upsert(
                JointForceOperation,
                {"acronym": row["acronym"]},
                {
                    "name": row["name"],
                    "jfo_type": row["jfo_type"],
                    "program": programs[row["program"]] if row.get("program") else None,
                    "region": regions[row["region"]],
                    "objectives": (row.get("objectives") or "").strip(),
                    "co_located": bool(row.get("co_located", False)),
                    "has_joint_management_team": bool(row.get("has_joint_management_team", False)),
                    "status": row.get("status", "active"),
                    "start_date": parse_date(row.get("start_date")),
                    "end_date": parse_date(row.get("end_date")),
                },
            )
            units[row["acronym"]] = unit
            if created or self.update:
                unit.threats.set([threats[code] for code in row.get("threats", [])])
                wanted = {(agencies[a].pk, "lead") for a in row.get("leads", [])}
                wanted |= {(agencies[a].pk, "partner") for a in row.get("partners", []) if a not in row.get("leads", [])}
                existing = {(p.agency_id, p.role): p for p in unit.participations.all()}
                for key, participation in existing.items():
                    if key not in wanted:
                        participation.delete()
                for agency_id, role in sorted(wanted - set(existing)):
                    participation = Participation(jfo=unit, agency_id=agency_id, role=role)
                    participation.full_clean()
                    participation.save()
                    self.counts["participations created"] += 1
        return units

    def load_officers(self, rows, regions, units) -> None:
        for row in rows:
            officer, _created = self.upsert(
                Officer,
                {"employee_number": row["employee_number"]},
                {
                    "name": row["name"],
                    "position": row["position"],
                    "classification": row["classification"],
                    "home_region": regions[row["home_region"]],
                    "active": bool(row.get("active", True)),
                },
            )
            for item in row.get("assignments", []):
                jfo = units[item["jfo"]]
                start = parse_date(item["start_date"])
                values = {
                    "fte": Decimal(str(item["fte"])),
                    "end_date": parse_date(item.get("end_date")),
                    "role": item.get("role", ""),
                    "notes": item.get("notes", ""),
                }
                assignment = Assignment.objects.filter(officer=officer, jfo=jfo, start_date=start).first()
                if assignment is None:
                    services.assignment_create(officer=officer, jfo=jfo, start_date=start, **values)
                    self.counts["assignments created"] += 1
                elif self.update and any(getattr(assignment, f) != v for f, v in values.items()):
                    services.assignment_update(assignment=assignment, **values)
                    self.counts["assignments updated"] += 1

    def load_more(self, data: dict, *, agencies: dict[str, Agency], units: dict[str, JointForceOperation]) -> None:
        """Hook for the apps above: load their parts of the file `data`, given the agencies by
        acronym and the units by acronym just loaded. Operations has nothing more to load."""


def parse_date(value) -> datetime.date | None:
    """A file's date (a date, or text YYYY-MM-DD) as a date; None when empty. Raises ValueError."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))
