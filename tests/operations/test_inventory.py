"""The 2010-2011 inventory reproduces the evaluation's exhibits (DESIGN.md section 8)."""

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from agreements.inventory import load_inventory
from agreements.models import Arrangement
from jfo_registry.core.fiscal import FiscalYear
from jfo_registry.core.periods import fte_years
from operations import services
from operations.models import (
    Agency, Assignment, CostingPolicy, JointForceOperation, Officer, Participation, Program, Region, SalaryRate,
    Threat,
)

pytestmark = pytest.mark.django_db
YEAR = FiscalYear(2010)

EXHIBIT_11 = {  # region: (JFO count, FTE)
    "GTA": (11, "17.5"), "QUE": (8, "8.2"), "PAC": (7, "9.8"), "NOR": (9, "8.8"),
    "NFE": (5, "6.5"), "WSC": (5, "5.4"), "PRA": (5, "3.8"), "ATL": (2, "1.5"),
}
EXHIBIT_12_TYPES = {"regional": (24, "26.1"), "binational": (18, "23.5"), "national": (10, "11.9")}
EXHIBIT_12_PROGRAMS = {  # (type, program): (JFO count, FTE)
    ("binational", "IBET"): (15, "17.5"), ("binational", "BEST"): (3, "6.0"),
    ("national", "NPET"): (3, "4.5"), ("national", "CFSEU"): (3, "4.0"), ("national", "INSET"): (4, "3.4"),
}


def rollup(key):
    """JFO count and FTE-years per group, computed naively in Python as an independent check."""
    fte = defaultdict(Decimal)
    units = defaultdict(set)
    for assignment in Assignment.objects.select_related("jfo__region", "jfo__program"):
        share = fte_years(assignment.fte, assignment.start_date, assignment.end_date, YEAR)
        if share:
            group = key(assignment.jfo)
            fte[group] += share
            units[group].add(assignment.jfo_id)
    return {group: (len(units[group]), fte[group].quantize(Decimal("0.01"))) for group in fte}


def as_expected(table):
    return {key: (count, Decimal(value).quantize(Decimal("0.01"))) for key, (count, value) in table.items()}


def test_reference_data():
    assert Region.objects.count() == 8
    assert Program.objects.count() == 5
    assert Threat.objects.filter(risk_level="high").count() == 4
    assert JointForceOperation.objects.count() == 52
    assert 60 <= Officer.objects.count() <= 64
    assert Officer.objects.exclude(name__icontains="placeholder").count() == 0
    assert Agency.objects.get(acronym="US-ICE").parent.acronym == "US-DHS"
    assert set(Participation.objects.filter(jfo__acronym="CRTF", role="lead").values_list("agency__acronym", flat=True)) == {
        "RCMP", "OPP"
    }


def test_exhibit_11_count_and_fte_per_region():
    assert rollup(lambda jfo: jfo.region.code) == as_expected(EXHIBIT_11)


def test_exhibit_12_count_and_fte_per_type_and_program():
    assert rollup(lambda jfo: jfo.jfo_type) == as_expected(EXHIBIT_12_TYPES)
    programs = rollup(lambda jfo: (jfo.jfo_type, jfo.program.code if jfo.program else None))
    for key, expected in as_expected(EXHIBIT_12_PROGRAMS).items():
        assert programs[key] == expected, key


def test_total_52_units_and_61_5_fte():
    total = rollup(lambda jfo: "all")["all"]
    assert total == (52, Decimal("61.50"))


def test_salary_rates_and_benefits():
    rates = dict(SalaryRate.objects.filter(fiscal_year=2010).values_list("classification", "annual_salary"))
    assert rates == {"FB-03": Decimal("57345.00"), "FB-04": Decimal("69712.00"), "FB-05": Decimal("76329.00")}
    assert CostingPolicy.objects.get(fiscal_year=2010).employee_benefits_rate == Decimal("0.2000")


def test_wca_coverage_33_covered_19_not():
    in_force = Arrangement.objects.filter(status="in_force", effective_date__lte=YEAR.end)
    covered = JointForceOperation.objects.filter(arrangements__in=in_force).distinct()
    assert covered.count() == 33
    assert JointForceOperation.objects.exclude(pk__in=covered).count() == 19
    assert set(Arrangement.objects.get(jfos__acronym="IBET-ATL").jfos.values_list("program__code", flat=True)) == {"IBET"}


def test_average_io_tenure_is_4_2_years_at_31_march_2011():
    day = datetime.date(2011, 3, 31)
    starts = defaultdict(list)
    for assignment in Assignment.objects.filter(officer__position="IO", start_date__lte=day).exclude(end_date__lt=day):
        starts[assignment.officer_id].append(assignment.start_date)
    years = [(day - min(dates)).days / 365.25 for dates in starts.values()]
    assert round(sum(years) / len(years), 1) == 4.2
    assert max(years) <= 10.5


def test_no_officer_is_over_allocated():
    for officer in Officer.objects.prefetch_related("assignments__jfo"):
        assert services.over_allocations(officer.assignments.all()) == [], officer


def test_loading_again_changes_nothing():
    def snapshot():
        return {
            model.__name__: sorted(
                tuple(str(v) for k, v in row.items() if k not in {"last_updated", "created"})
                for row in model.objects.values()
            )
            for model in (Region, Agency, Threat, Program, JointForceOperation, Participation, Officer,
                          Assignment, SalaryRate, CostingPolicy, Arrangement)
        }

    before = snapshot()
    assert load_inventory() == {}
    assert load_inventory(update=True) == {}
    assert snapshot() == before


def test_command_reports_nothing_to_do(capsys):
    call_command("load_inventory")
    assert "nothing to change" in capsys.readouterr().out


def test_existing_edits_survive_a_reload_unless_update_is_asked():
    unit = JointForceOperation.objects.get(acronym="CRTF")
    unit.name = "Renamed by a user"
    unit.save()
    load_inventory()
    unit.refresh_from_db()
    assert unit.name == "Renamed by a user"
    load_inventory(update=True)
    unit.refresh_from_db()
    assert unit.name != "Renamed by a user"


def test_a_malformed_file_changes_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("regions:\n  - {code: ZZZ, name_en: Nowhere, name_fr: Nulle part}\nagencies: []\n")
    with pytest.raises(CommandError):
        call_command("load_inventory", file=bad)
    assert not Region.objects.filter(code="ZZZ").exists()
