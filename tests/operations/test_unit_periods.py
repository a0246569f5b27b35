"""A JFO unit's region, type and program as dated periods (issue #12 item 2): the one rule
"attribute X of record R on day D" for units (Python and SQL forms held against each other, and
the split of a year by the officer's and the unit's periods together), `unit_change` through
every entry point (API, page, admin, import), the closed-year rule, and the reports reading each
unit's values of the day."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agreements.selectors import coverage_report, gaps_report
from jfo_registry.core.fiscal import FiscalYear
from operations import importers, services
from operations.attributes import attribute_on, attribute_on_expression, attribute_spans, split_by_periods
from operations.models import (
    UNIT_PERIOD_ATTRIBUTES, Assignment, ClosedYearCorrection, JointForceOperation, Program, Region, UnitPeriod,
)
from operations.selectors import assignments_in_year, resources_report, tenure_report
from tests.api import login
from tests.conftest import TEST_PASSWORD, make_assignment, make_jfo, make_officer

D = datetime.date
YEAR = FiscalYear(2010)


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def periods_of(unit) -> list[tuple]:
    return list(unit.periods.order_by("start_date").values_list("start_date", "end_date", "region__code", "jfo_type", "program__code"))


@pytest.fixture
def program(db) -> Program:
    return Program.objects.create(code="TSTX", name_en="Test program", name_fr="Programme d'essai", default_jfo_type="regional")


@pytest.fixture
def moved_unit(db, program):
    """A GTA unit of its own program with two officers: A (FB-03, 1.00 FTE, the whole year on)
    and B (FB-04, 0.50 FTE, 2010-06-01 to 2011-01-31, promoted to FB-05 from 2010-12-01)."""
    unit = make_jfo("GTA", program=program)
    a = make_officer(classification="FB-03")
    b = make_officer(classification="FB-04")
    make_assignment(officer=a, jfo=unit, fte="1.00", start=D(2010, 4, 1))
    make_assignment(officer=b, jfo=unit, fte="0.50", start=D(2010, 6, 1), end=D(2011, 1, 31))
    services.officer_change(b, effective_from=D(2010, 12, 1), classification="FB-05")
    return unit


def figures(**filters) -> list[tuple]:
    report = resources_report(YEAR, "region", **filters)
    return [(row.key, row.jfo_count, row.fte_years, row.salaries_cad) for row in report.rows]


# --- the figures: a unit moved from GTA to PAC on 2010-10-01 -----------------------------------


def test_a_unit_moved_mid_year_splits_the_years_fte_and_salaries_by_days(moved_unit):
    assert figures(program="TSTX") == [("GTA", 1, Decimal("1.34"), Decimal("81303.48"))]
    services.unit_change(moved_unit, effective_from=D(2010, 10, 1), region=region("PAC"))  # the system: no rule
    # 183 days in GTA (2010-04-01..09-30), 182 in PAC, of 365. Salaries at FB-03 $57,345, FB-04
    # $69,712, FB-05 $76,329:
    #   GTA: A 1.00 × 183 d at FB-03; B 0.50 × 122 d (06-01..09-30) at FB-04
    #        FTE (183 + 61) / 365 = 0.67; $ (57,345 × 183 + 69,712 × 61) / 365 = 14,746,567 / 365 = 40,401.55
    #   PAC: A 1.00 × 182 d at FB-03; B 0.50 × 61 d (10-01..11-30) at FB-04, 0.50 × 62 d (12-01..01-31) at FB-05
    #        FTE (182 + 30.5 + 31) / 365 = 0.67; $ (10,436,790 + 2,126,216 + 2,366,199) / 365 = 40,901.93
    assert figures(program="TSTX") == [
        ("PAC", 1, Decimal("0.67"), Decimal("40901.93")), ("GTA", 1, Decimal("0.67"), Decimal("40401.55")),
    ]
    assert figures(program="TSTX", region="PAC") == [("PAC", 1, Decimal("0.67"), Decimal("40901.93"))]
    report = resources_report(YEAR, "region", program="TSTX")
    assert report.subtotal.salaries_cad == Decimal("81303.48")  # the same money, split between the two
    assert report.total_cad == Decimal("97564.18")  # benefits 20 %: 16,260.70
    by_class = {row.key: row.fte_years for row in resources_report(YEAR, "classification", program="TSTX").rows}
    assert by_class == {"FB-03": Decimal("1.00"), "FB-04": Decimal("0.25"), "FB-05": Decimal("0.08")}
    moved_unit.refresh_from_db()
    assert moved_unit.region.code == "PAC"
    assert periods_of(moved_unit) == [
        (D(2010, 4, 1), D(2010, 9, 30), "GTA", "regional", "TSTX"), (D(2010, 10, 1), None, "PAC", "regional", "TSTX"),
    ]


def test_a_change_of_type_and_program_mid_year_splits_those_groupings(moved_unit, program):
    services.unit_change(moved_unit, effective_from=D(2010, 10, 1), jfo_type="national", program=None)
    types = {row.key: row.fte_years for row in resources_report(YEAR, "jfo_type", region="GTA").rows if row.key}
    rows = {row.key: row for row in resources_report(YEAR, "jfo_type", program="TSTX").rows}
    assert rows["regional"].fte_years == Decimal("0.67") and rows["regional"].salaries_cad == Decimal("40401.55")
    assert [(c.key, c.fte_years) for c in rows["regional"].children] == [("TSTX", Decimal("0.67"))]
    assert "national" not in rows  # its days are no longer of the program
    assert types["national"] >= Decimal("0.67")
    programs = {row.key: row.fte_years for row in resources_report(YEAR, "program", jfo_type="national").rows}
    assert programs[None] >= Decimal("0.67")


# --- the one rule, in its Python and SQL forms ---------------------------------------------------


@pytest.fixture
def units(db, program):
    """Three units: one without periods; one moved GTA → PAC on 2010-10-01 then made national on
    2011-01-15; one whose last period ended (its own fields hold after it)."""
    plain = make_jfo("GTA")
    moved = make_jfo("PAC", jfo_type="national", program=program)
    UnitPeriod.objects.create(jfo=moved, start_date=D(2010, 6, 1), end_date=D(2010, 9, 30), region=region("GTA"), jfo_type="regional")
    UnitPeriod.objects.create(jfo=moved, start_date=D(2010, 10, 1), end_date=D(2011, 1, 14), region=region("PAC"), jfo_type="regional", program=program)
    UnitPeriod.objects.create(jfo=moved, start_date=D(2011, 1, 15), region=region("PAC"), jfo_type="national", program=program)
    ended = make_jfo("QUE")
    UnitPeriod.objects.create(jfo=ended, start_date=D(2009, 1, 1), end_date=D(2010, 12, 31), region=region("ATL"), jfo_type="binational")
    for unit in (plain, moved, ended):
        make_assignment(jfo=unit, fte="0.60", start=D(2010, 5, 1), end=D(2011, 2, 28))
    return [plain, moved, ended]


DAYS = [D(2010, 4, 30), D(2010, 5, 31), D(2010, 6, 1), D(2010, 9, 30), D(2010, 10, 1), D(2011, 1, 14),
        D(2011, 1, 15), D(2010, 12, 31), D(2011, 1, 1), D(2030, 1, 1)]


@pytest.mark.parametrize("attribute", UNIT_PERIOD_ATTRIBUTES)
def test_the_sql_form_of_a_units_value_on_a_day_agrees_with_the_python_form(units, attribute):
    for day in DAYS:
        on_units = dict(
            JointForceOperation.objects.filter(pk__in=[u.pk for u in units])
            .annotate(value=attribute_on_expression(attribute, day, record="pk")).values_list("pk", "value")
        )
        on_assignments = dict(
            Assignment.objects.filter(jfo__in=units)
            .annotate(value=attribute_on_expression(attribute, day)).values_list("jfo_id", "value")
        )
        expected = {u.pk: attribute_on(u, attribute, day) for u in units}
        assert on_units == on_assignments == expected, (attribute, day)


def test_cases_of_a_units_value_on_a_day(units, program):
    plain, moved, ended = units
    assert attribute_on(plain, "region", D(2010, 7, 1)) == region("GTA").pk
    assert attribute_on(moved, "region", D(2010, 5, 31)) == region("PAC").pk  # before any period: the unit's own
    assert attribute_on(moved, "region", D(2010, 9, 30)) == region("GTA").pk
    assert attribute_on(moved, "program", D(2010, 9, 30)) is None
    assert attribute_on(moved, "program", D(2010, 10, 1)) == program.pk
    assert attribute_on(moved, "jfo_type", D(2011, 1, 15)) == "national"
    assert attribute_on(ended, "jfo_type", D(2010, 12, 31)) == "binational"
    assert attribute_on(ended, "region", D(2011, 1, 1)) == region("QUE").pk


def expected_split(assignment, officer_attribute: str, unit_attribute: str) -> dict:
    """The Python form of the split: the assignment's days in the year, value by value."""
    expected: dict = {}
    start, end = max(assignment.start_date, YEAR.start), min(assignment.end_date or YEAR.end, YEAR.end)
    for first, last, unit_value in attribute_spans(assignment.jfo, unit_attribute, start, end):
        for o_first, o_last, officer_value in attribute_spans(assignment.officer, officer_attribute, first, last):
            key = (assignment.jfo_id, officer_value, unit_value)
            expected[key] = expected.get(key, Decimal(0)) + assignment.fte * ((o_last - o_first).days + 1) / YEAR.days
    return expected


def split_in_sql(queryset, officer_attribute: str, unit_attribute: str) -> dict:
    found: dict = {}
    for row in split_by_periods(queryset, YEAR, [officer_attribute, unit_attribute]):
        key = (row["jfo_id"], row[officer_attribute], row[unit_attribute])
        found[key] = found.get(key, Decimal(0)) + row["fte_years"]
    return found


def test_the_sql_split_by_officer_and_unit_periods_agrees_with_the_python_spans(units):
    officer = units[1].assignments.get().officer
    services.officer_change(officer, effective_from=D(2010, 8, 15), classification="FB-05")
    expected: dict = {}
    for assignment in Assignment.objects.filter(jfo__in=units):
        for key, value in expected_split(assignment, "classification", "region").items():
            expected[key] = expected.get(key, Decimal(0)) + value
    found = split_in_sql(assignments_in_year(YEAR).filter(jfo__in=units), "classification", "region")
    assert {k: round(v, 12) for k, v in found.items()} == {k: round(v, 12) for k, v in expected.items()}
    assert len(found) == 7


class _Rollback(Exception):
    pass


days = st.integers(min_value=0, max_value=YEAR.days + 60).map(lambda n: YEAR.start - datetime.timedelta(days=30) + datetime.timedelta(days=n))
cuts = st.lists(days, min_size=0, max_size=3, unique=True).map(sorted)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(unit_cuts=cuts, officer_cuts=cuts, first_unit=days, first_officer=days, start=days, length=st.integers(0, 500),
       fte=st.decimals(min_value=Decimal("0.05"), max_value=Decimal("1.00"), places=2))
def test_any_periods_split_in_sql_as_in_python(program, unit_cuts, officer_cuts, first_unit, first_officer, start, length, fte):
    try:
        with transaction.atomic():
            unit = make_jfo("GTA")
            officer = make_officer(classification="FB-03")
            assignment = make_assignment(officer=officer, jfo=unit, fte=str(fte), start=start, end=start + datetime.timedelta(days=length))
            regions = ["PAC", "QUE", "ATL", "GTA"]
            for index, (first, last) in enumerate(_runs(first_unit, unit_cuts)):
                UnitPeriod.objects.create(jfo=unit, start_date=first, end_date=last, region=region(regions[index % 4]), jfo_type="regional")
            classes = ["FB-04", "FB-05", "FB-03", "FB-04"]
            for index, (first, last) in enumerate(_runs(first_officer, officer_cuts)):
                officer.periods.create(start_date=first, end_date=last, classification=classes[index], position="IO", home_region=region("GTA"))
            assignment = Assignment.objects.select_related("officer", "jfo").get(pk=assignment.pk)
            expected = expected_split(assignment, "classification", "region") if assignment.start_date <= YEAR.end and (assignment.end_date >= YEAR.start) else {}
            found = split_in_sql(assignments_in_year(YEAR).filter(pk=assignment.pk), "classification", "region")
            assert {k: round(v, 12) for k, v in found.items()} == {k: round(v, 12) for k, v in expected.items() if v}
            raise _Rollback
    except _Rollback:
        pass


def _runs(first: datetime.date, cut_days: list) -> list[tuple]:
    """Consecutive periods from `first`, each ending the day before the next cut after it; the
    last open."""
    starts = [first] + [day for day in cut_days if day > first]
    return [(s, (starts[i + 1] - datetime.timedelta(days=1)) if i + 1 < len(starts) else None) for i, s in enumerate(starts)]


# --- the service's rules -------------------------------------------------------------------------


def test_a_change_before_the_current_period_the_future_or_of_nothing_is_refused(db):
    unit = make_jfo("GTA")
    make_assignment(jfo=unit, start=D(2012, 4, 1))
    services.unit_change(unit, effective_from=D(2013, 1, 1), jfo_type="national")
    with pytest.raises(ValidationError) as before:
        services.unit_change(unit, effective_from=D(2012, 6, 1), jfo_type="binational")
    assert "2013-01-01" in str(before.value)
    with pytest.raises(ValidationError):
        services.unit_change(unit, effective_from=timezone.localdate() + datetime.timedelta(days=1), jfo_type="regional")
    with pytest.raises(ValidationError) as nothing:
        services.unit_change(unit, effective_from=D(2014, 1, 1), jfo_type="national")
    assert "Nothing changes" in str(nothing.value)
    assert len(periods_of(unit)) == 2


def test_a_manager_moves_no_unit_out_of_or_into_another_region(db, gta_manager):
    gta, pac = make_jfo("GTA"), make_jfo("PAC")
    with pytest.raises(PermissionDenied):
        services.unit_change(gta, effective_from=timezone.localdate(), region=region("PAC"), actor=gta_manager)
    with pytest.raises(PermissionDenied):
        services.unit_change(pac, effective_from=timezone.localdate(), region=region("GTA"), actor=gta_manager)
    assert periods_of(gta) == periods_of(pac) == []
    services.unit_change(gta, effective_from=timezone.localdate(), jfo_type="national", actor=gta_manager)
    gta.refresh_from_db()
    assert gta.jfo_type == "national"


def test_a_managers_change_inside_the_closed_year_is_refused_naming_it(moved_unit, gta_manager):
    before = resources_report(YEAR, "jfo_type").as_data()
    with pytest.raises(ValidationError) as refused:
        services.unit_change(moved_unit, effective_from=D(2011, 1, 1), jfo_type="national", actor=gta_manager)
    assert "2010-2011" in str(refused.value)
    assert periods_of(moved_unit) == []
    assert resources_report(YEAR, "jfo_type").as_data() == before


def test_a_change_from_a_closed_day_of_a_unit_not_yet_started_then_is_allowed(db, gta_manager):
    unit = make_jfo("GTA", start_date=D(2012, 4, 1))
    make_assignment(jfo=unit, start=D(2012, 4, 1))
    services.unit_change(unit, effective_from=D(2011, 1, 1), jfo_type="national", actor=gta_manager)
    assert periods_of(unit) == [(D(2011, 1, 1), None, "GTA", "national", None)]


def test_a_change_from_a_closed_day_of_a_unit_without_assignments_is_refused_it_counts_in_coverage(db, gta_manager):
    unit = make_jfo("GTA")  # no start date: counted by the coverage report since always
    with pytest.raises(ValidationError) as refused:
        services.unit_change(unit, effective_from=D(2011, 1, 1), jfo_type="national", actor=gta_manager)
    assert "2010-2011" in str(refused.value)
    services.unit_change(unit, effective_from=timezone.localdate(), jfo_type="national", actor=gta_manager)
    assert periods_of(unit) == [
        (D(1900, 1, 1), timezone.localdate() - datetime.timedelta(days=1), "GTA", "regional", None),
        (timezone.localdate(), None, "GTA", "national", None),
    ]


def test_overlapping_unit_periods_are_refused_by_the_service(db):
    unit = make_jfo("GTA")
    UnitPeriod.objects.create(jfo=unit, start_date=D(2010, 1, 1), end_date=D(2010, 12, 31), region=region("GTA"), jfo_type="regional")
    stray = UnitPeriod(jfo=unit, start_date=D(2010, 6, 1), region=region("GTA"), jfo_type="regional")
    change = services.PeriodChange(unit, D(2010, 6, 1), ended=None, started=stray)
    with pytest.raises(ValidationError) as refused:
        services.check_unit_change(change, actor=None)
    assert "cannot overlap" in str(refused.value.error_dict["effective_from"][0])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the exclusion constraint is PostgreSQL's")
def test_postgresql_refuses_overlapping_unit_periods_by_the_named_constraint(db):
    unit = make_jfo("GTA")
    UnitPeriod.objects.create(jfo=unit, start_date=D(2010, 1, 1), region=region("GTA"), jfo_type="regional")
    with pytest.raises(IntegrityError, match="unit_period_no_overlap"), transaction.atomic():
        UnitPeriod.objects.create(jfo=unit, start_date=D(2011, 1, 1), region=region("PAC"), jfo_type="regional")


# --- the closed year stays put ---------------------------------------------------------------------

CURRENT = FiscalYear.current()
unit_changes = st.lists(
    st.tuples(
        st.sampled_from(["administrator", "gta_manager"]),
        st.integers(min_value=0, max_value=200),
        st.integers(min_value=0, max_value=(min(CURRENT.end, timezone.localdate()) - CURRENT.start).days),
        st.sampled_from(["region", "jfo_type", "program"]),
        st.integers(min_value=0, max_value=10),
    ),
    min_size=1, max_size=5,
)


def closed_year_reports() -> list:
    return [
        resources_report(YEAR, "region").as_data(), resources_report(YEAR, "jfo_type").as_data(),
        resources_report(YEAR, "program").as_data(), coverage_report(fiscal_year=YEAR).as_data(),
        tenure_report(YEAR.end, region="GTA").as_data(),
    ]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=unit_changes)
def test_any_unit_change_from_a_day_of_the_current_year_leaves_2010_2011_unchanged(administrator, gta_manager, steps):
    users = {"administrator": administrator, "gta_manager": gta_manager}
    before = closed_year_reports()
    regions, programs = list(Region.objects.order_by("code")), list(Program.objects.order_by("code"))
    types = ["regional", "binational", "national"]
    try:
        with transaction.atomic():
            gta = list(JointForceOperation.objects.filter(region__code="GTA").order_by("pk"))
            for role, which, offset, kind, value in steps:
                unit = JointForceOperation.objects.get(pk=gta[which % len(gta)].pk)
                choice = {"region": regions, "jfo_type": types, "program": programs}[kind]
                try:
                    with transaction.atomic():
                        services.unit_change(
                            unit, effective_from=CURRENT.start + datetime.timedelta(days=offset), actor=users[role],
                            **{kind: choice[value % len(choice)]},
                        )
                except (ValidationError, PermissionDenied):
                    pass  # refused (nothing changes, before the current period, another region): nothing written
            assert closed_year_reports() == before
            raise _Rollback
    except _Rollback:
        pass


def test_the_reports_of_the_day_read_the_units_region_then(moved_unit):
    services.unit_change(moved_unit, effective_from=D(2010, 10, 1), region=region("PAC"))
    acronym = moved_unit.acronym
    early, late = tenure_report(D(2010, 9, 1), region="GTA"), tenure_report(D(2010, 11, 1), region="GTA")
    assert any(acronym in row.jfos for row in early.rows)
    assert not any(acronym in row.jfos for row in late.rows)
    assert any(acronym in row.jfos for row in tenure_report(D(2010, 11, 1), region="PAC").rows)
    on_sept = {u.acronym: u.region for u in coverage_report(on=D(2010, 9, 1)).uncovered_units}
    on_nov = {u.acronym: u.region for u in coverage_report(on=D(2010, 11, 1)).uncovered_units}
    assert (on_sept[acronym], on_nov[acronym]) == ("GTA", "PAC")
    year = coverage_report(fiscal_year=YEAR, region="PAC")  # the year's end: 2011-03-31
    assert acronym in {u.acronym for u in year.uncovered_units}


# --- every entry point ------------------------------------------------------------------------------


def test_the_api_change_operation_moves_a_unit_from_a_date(api, administrator, moved_unit):
    login(api, administrator)
    url = f"/api/v1/jfos/{moved_unit.pk}/change/"
    silent = api.post(url, {"effective_from": "2010-10-01", "region": region("PAC").pk}, format="json", HTTP_IF_MATCH="*")
    assert silent.status_code == 400
    assert "2010-2011" in str(silent.json()) and "reason" in str(silent.json())
    assert periods_of(moved_unit) == []
    response = api.post(url, {"effective_from": "2010-10-01", "region": region("PAC").pk, "reason": "Moved by HQ decision 2010-09"}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 200
    body = response.json()
    assert body["region_code"] == "PAC"
    assert [(p["start_date"], p["end_date"], p["region_code"]) for p in body["periods"]] == [
        ("2010-04-01", "2010-09-30", "GTA"), ("2010-10-01", None, "PAC"),
    ]
    assert list(ClosedYearCorrection.objects.values_list("reason", "corrected_by")) == [("Moved by HQ decision 2010-09", administrator.pk)]
    report = resources_report(YEAR, "region", program="TSTX")
    assert [c.reason for c in report.corrections] == ["Moved by HQ decision 2010-09"]
    assert [(r.key, r.salaries_cad) for r in report.rows] == [("PAC", Decimal("40901.93")), ("GTA", Decimal("40401.55"))]
    listed = api.get("/api/v1/reports/resources/", {"fiscal_year": "2010-2011", "program": "TSTX"})
    assert listed.status_code == 200
    assert [c["reason"] for c in listed.json()["corrections"]] == ["Moved by HQ decision 2010-09"]


def test_the_api_refuses_a_managers_change_inside_the_closed_year_and_a_move_out(api, gta_manager, moved_unit):
    login(api, gta_manager)
    url = f"/api/v1/jfos/{moved_unit.pk}/change/"
    closed = api.post(url, {"effective_from": "2010-10-01", "jfo_type": "national"}, format="json", HTTP_IF_MATCH="*")
    assert closed.status_code == 400
    assert "2010-2011" in str(closed.json())
    out = api.post(url, {"region": region("PAC").pk}, format="json", HTTP_IF_MATCH="*")
    assert out.status_code == 403
    bad = api.post(url, {"jfo_type": "galactic"}, format="json", HTTP_IF_MATCH="*")
    assert bad.status_code == 400
    assert periods_of(moved_unit) == []
    today = api.post(url, {"jfo_type": "national", "program": None}, format="json", HTTP_IF_MATCH="*")
    assert today.status_code == 200
    assert [(p["end_date"], p["jfo_type"], p["program_code"]) for p in today.json()["periods"]] == [
        ((timezone.localdate() - datetime.timedelta(days=1)).isoformat(), "regional", "TSTX"),
        (None, "national", None),
    ]


def test_the_api_change_operation_needs_the_units_current_version(api, administrator, moved_unit):
    login(api, administrator)
    url = f"/api/v1/jfos/{moved_unit.pk}/change/"
    body = {"jfo_type": "national"}
    assert api.post(url, body, format="json").status_code == 428
    seen = api.get(f"/api/v1/jfos/{moved_unit.pk}/")["ETag"]
    moved_unit.name = "Renamed meanwhile"
    moved_unit.save()
    assert api.post(url, body, format="json", HTTP_IF_MATCH=seen).status_code == 412
    assert periods_of(moved_unit) == []
    current = api.get(f"/api/v1/jfos/{moved_unit.pk}/")["ETag"]
    assert api.post(url, body, format="json", HTTP_IF_MATCH=current).status_code == 200


def test_a_patch_of_the_region_takes_effect_from_today(api, administrator, gta_manager, moved_unit):
    login(api, gta_manager)
    refused = api.patch(f"/api/v1/jfos/{moved_unit.pk}/", {"region": region("PAC").pk}, format="json", HTTP_IF_MATCH="*")
    assert refused.status_code == 403
    login(api, administrator)
    response = api.patch(
        f"/api/v1/jfos/{moved_unit.pk}/", {"region": region("PAC").pk, "name": "Renamed"}, format="json", HTTP_IF_MATCH="*"
    )
    assert response.status_code == 200
    today = timezone.localdate()
    assert periods_of(moved_unit) == [
        (D(2010, 4, 1), today - datetime.timedelta(days=1), "GTA", "regional", "TSTX"), (today, None, "PAC", "regional", "TSTX"),
    ]
    moved_unit.refresh_from_db()
    assert (moved_unit.name, moved_unit.region.code) == ("Renamed", "PAC")
    assert figures(program="TSTX") == [("GTA", 1, Decimal("1.34"), Decimal("81303.48"))]  # 2010-2011 unchanged


def test_the_unit_page_records_a_change_from_a_date(client, gta_manager, program):
    unit = make_jfo("GTA", program=program)
    make_assignment(jfo=unit, start=D(2012, 4, 1))
    client.login(username=gta_manager.username, password=TEST_PASSWORD)
    page = client.get(unit.get_absolute_url()).content.decode()
    assert reverse("operations:jfo-change", args=[unit.pk]) in page
    url = reverse("operations:jfo-change", args=[unit.pk])
    form = client.get(url)
    assert form.status_code == 200
    assert 'name="reason"' not in form.content.decode()
    assert list(form.context["form"].fields["region"].queryset.values_list("code", flat=True)) == ["GTA"]
    gta = region("GTA").pk
    response = client.post(url, {"effective_from": "2013-01-15", "region": gta, "jfo_type": "national", "program": ""})
    assert response.status_code == 302
    assert periods_of(unit) == [(D(2012, 4, 1), D(2013, 1, 14), "GTA", "regional", "TSTX"), (D(2013, 1, 15), None, "GTA", "national", None)]
    assert "2013-01-14" in client.get(unit.get_absolute_url()).content.decode()
    again = client.post(url, {"effective_from": "2012-06-01", "region": gta, "jfo_type": "binational", "program": ""})
    assert again.status_code == 400
    assert "2013-01-15" in again.content.decode()


def test_the_unit_page_refuses_a_managers_change_inside_the_closed_year(client, gta_manager, moved_unit, program):
    client.login(username=gta_manager.username, password=TEST_PASSWORD)
    url = reverse("operations:jfo-change", args=[moved_unit.pk])
    response = client.post(url, {"effective_from": "2011-01-15", "region": region("GTA").pk, "jfo_type": "national", "program": program.pk})
    assert response.status_code == 400
    assert "2010-2011" in response.content.decode()
    assert periods_of(moved_unit) == []


def test_the_unit_page_is_refused_to_analysts_and_other_regions(client, analyst, gta_manager):
    pac = make_jfo("PAC")
    client.login(username=gta_manager.username, password=TEST_PASSWORD)
    assert client.get(reverse("operations:jfo-change", args=[pac.pk])).status_code == 403
    client.login(username=analyst.username, password=TEST_PASSWORD)
    assert client.get(reverse("operations:jfo-change", args=[pac.pk])).status_code == 403


def test_the_admin_records_a_change_from_the_date_given(client, administrator, moved_unit, program):
    client.force_login(administrator)
    url = reverse("admin:operations_jointforceoperation_change", args=[moved_unit.pk])
    page = client.get(url)
    assert page.status_code == 200
    management = {
        key: value for key, value in page.context["adminform"].form.initial.items() if False
    }
    for formset in page.context["inline_admin_formsets"]:
        prefix = formset.formset.prefix
        management.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    form = {
        "name": moved_unit.name, "acronym": moved_unit.acronym, "jfo_type": "regional", "program": program.pk,
        "region": region("PAC").pk, "status": "active", "effective_from": "2010-10-01", **management,
    }
    unexplained = client.post(url, form)
    assert unexplained.status_code == 200  # the form again: 2010-2011 is closed, give a reason
    assert "2010-2011" in unexplained.content.decode()
    assert periods_of(moved_unit) == []
    response = client.post(url, {**form, "correction_reason": "Region boundary moved"})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert periods_of(moved_unit) == [
        (D(2010, 4, 1), D(2010, 9, 30), "GTA", "regional", "TSTX"), (D(2010, 10, 1), None, "PAC", "regional", "TSTX"),
    ]
    assert list(ClosedYearCorrection.objects.values_list("reason", flat=True)) == ["Region boundary moved"]
    assert figures(program="TSTX") == [("PAC", 1, Decimal("0.67"), Decimal("40901.93")), ("GTA", 1, Decimal("0.67"), Decimal("40401.55"))]


def test_an_imported_region_takes_effect_from_today(moved_unit, program):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["acronym", "name", "jfo_type", "program", "region", "status"])
    writer.writerow([moved_unit.acronym, moved_unit.name, "regional", "TSTX", "PAC", "active"])
    summary = importers.import_file("jfos", out.getvalue().encode(), "csv")
    assert summary.ok
    today = timezone.localdate()
    assert periods_of(moved_unit) == [
        (D(2010, 4, 1), today - datetime.timedelta(days=1), "GTA", "regional", "TSTX"), (today, None, "PAC", "regional", "TSTX"),
    ]
    assert figures(program="TSTX") == [("GTA", 1, Decimal("1.34"), Decimal("81303.48"))]


def test_a_unit_created_or_dated_into_a_closed_year_needs_an_administrators_reason(api, administrator):
    """A new unit without a start date counts since always in the coverage report (Exhibit 5):
    creating it, or moving a unit's dates or status across days of 2010-2011, would change the
    closed year's coverage."""
    before = coverage_report(fiscal_year="2010-2011").as_data()
    login(api, administrator)
    payload = {"acronym": "NEW-UNIT", "name": "New unit", "jfo_type": "regional", "region": region("GTA").pk}
    refused = api.post("/api/v1/jfos/", payload, format="json")
    assert refused.status_code == 400
    assert "2010-2011" in str(refused.json())
    later = api.post("/api/v1/jfos/", {**payload, "start_date": "2012-04-01"}, format="json")
    assert later.status_code == 201
    assert {k: v for k, v in coverage_report(fiscal_year="2010-2011").as_data().items() if k != "as_of"} == {
        k: v for k, v in before.items() if k != "as_of"
    }
    ended = api.patch(f"/api/v1/jfos/{later.json()['id']}/", {"end_date": "2013-03-31"}, format="json", HTTP_IF_MATCH="*")
    assert ended.status_code == 200  # days of open years only
    seeded = JointForceOperation.objects.get(acronym="TADEU")
    closed = api.patch(
        f"/api/v1/jfos/{seeded.pk}/", {"status": "closed", "end_date": "2010-12-31"}, format="json", HTTP_IF_MATCH="*"
    )
    assert closed.status_code == 400
    assert "2010-2011" in str(closed.json())
    assert JointForceOperation.objects.get(pk=seeded.pk).end_date is None
    assert not ClosedYearCorrection.objects.exists()


def test_the_gaps_report_labels_each_uncovered_unit_with_its_region_of_the_day(db):
    """A unit without an arrangement, moved from GTA to PAC in 2012: on 2011-03-31 it is a GTA gap."""
    unit = make_jfo("GTA")
    services.unit_change(unit, effective_from=D(2012, 4, 1), region=region("PAC"))
    then = {gap.acronym: gap.region for gap in gaps_report(on=D(2011, 3, 31), region="GTA").units}
    assert then[unit.acronym] == "GTA"
    now = {gap.acronym: gap.region for gap in gaps_report(region="PAC").units}
    assert now[unit.acronym] == "PAC"
