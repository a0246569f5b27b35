"""Synthetic data: every rule holds, and the same seed gives the same registry."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from agreements.models import Arrangement
from jfo_registry.core.fiscal import FiscalYear
from jfo_registry.core.history import record_history
from operations import selectors, services
from operations.models import Assignment, JointForceOperation, Officer
from agreements.synthetic import generate

pytestmark = pytest.mark.django_db


def fingerprint(prefix: str) -> list[tuple]:
    rows = Assignment.objects.filter(officer__employee_number__startswith=f"{prefix}-").values_list(
        "officer__employee_number", "officer__classification", "jfo__acronym", "jfo__region__code", "fte",
        "start_date", "end_date",
    )
    return sorted((o.removeprefix(prefix), c, u.removeprefix(prefix), r, f, s, e) for o, c, u, r, f, s, e in rows)


def test_small_scale_obeys_every_rule():
    counts = generate(units=40, officers=150, years=4, seed=11, prefix="T1")
    assert (counts.units, counts.officers) == (40, 150)
    assert counts.assignments > 150 * 2 and counts.arrangements > 0
    officers = Officer.objects.filter(employee_number__startswith="T1-").prefetch_related("assignments__jfo")
    for officer in officers:
        assert services.over_allocations(officer.assignments.all()) == [], officer
    for assignment in Assignment.objects.filter(officer__employee_number__startswith="T1-")[:300]:
        assignment.full_clean()
    for unit in JointForceOperation.objects.filter(acronym__startswith="T1-"):
        unit.full_clean()
    for arrangement in Arrangement.objects.filter(reference__startswith="T1-"):
        arrangement.full_clean()
    assert {u.jfo_type for u in JointForceOperation.objects.filter(acronym__startswith="T1-")} == {
        "binational", "national", "regional"
    }
    assert Assignment.objects.filter(officer__employee_number__startswith="T1-", fte__lt=1).exists()  # part-time
    assert Assignment.objects.filter(officer__employee_number__startswith="T1-", end_date__isnull=False).exists()
    allocation = selectors.allocation_report(FiscalYear.current().previous())
    assert allocation["over_allocated"] == []
    assert Assignment.history.filter(officer__employee_number__startswith="T1-").count() == counts.assignments


def test_the_same_seed_gives_the_same_registry_and_another_seed_does_not():
    generate(units=20, officers=60, years=3, seed=5, prefix="SA")
    generate(units=20, officers=60, years=3, seed=5, prefix="SB")
    generate(units=20, officers=60, years=3, seed=6, prefix="SC")
    assert fingerprint("SA") == fingerprint("SB")
    assert fingerprint("SA") != fingerprint("SC")


def test_the_command_refuses_bad_input_and_reuse_of_a_prefix(capsys):
    with pytest.raises(CommandError):
        call_command("generate_synthetic", "--units", "0", "--officers", "1", "--years", "1")
    call_command("generate_synthetic", "--units", "5", "--officers", "10", "--years", "2", "--prefix", "CMD")
    assert "5 units, 10 officers" in capsys.readouterr().out
    with pytest.raises(CommandError, match="exist already"):
        call_command("generate_synthetic", "--units", "5", "--officers", "10", "--years", "2", "--prefix", "CMD")


def test_services_still_guard_synthetic_officers():
    generate(units=10, officers=40, years=2, seed=1, prefix="G")
    busy = Assignment.objects.filter(officer__employee_number__startswith="G-", end_date__isnull=True, fte=1).first()
    assert busy is not None  # 40 officers always include some on an ongoing full-time assignment
    with pytest.raises(ValidationError):
        services.assignment_create(officer=busy.officer, jfo=busy.jfo, fte=busy.fte, start_date=busy.start_date)


def test_synthetic_links_are_recorded_so_a_later_change_shows_only_what_changed():
    generate(units=6, officers=10, years=1, seed=5, prefix="T4")
    unit = JointForceOperation.objects.filter(acronym__startswith="T4-").first()
    dropped = unit.threats.order_by("pk").first()
    unit.threats.remove(dropped)
    change = next(c for c in record_history(unit)[0]["changes"] if c["field"] == "threats")
    assert (change["added"], change["removed"]) == ([], [str(dropped)])
