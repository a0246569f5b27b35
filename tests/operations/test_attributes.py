"""Officers' dated attributes: the one rule "attribute X of officer R on day D" (Python and SQL
forms held against each other), `officer_change`, and the resources report reading each
assignment's days at the classification of the day (the promotion case of issue #12)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from jfo_registry.core.fiscal import FiscalYear
from operations.attributes import attribute_on, attribute_on_expression, attribute_spans, split_by_periods
from operations.models import OFFICER_PERIOD_ATTRIBUTES, Assignment, Officer, OfficerPeriod, Region
from operations.selectors import assignments_in_year, resources_report, tenure_report
from operations.services import OfficerChange, check_officer_change, officer_change
from tests.conftest import make_assignment, make_jfo, make_officer

D = datetime.date
YEAR = FiscalYear(2010)
FB03, FB04 = Decimal("57345"), Decimal("69712")


def period(officer, start, end=None, classification="FB-04", position="IO", region="GTA") -> OfficerPeriod:
    return OfficerPeriod.objects.create(
        officer=officer, start_date=start, end_date=end, classification=classification, position=position,
        home_region=Region.objects.get(code=region),
    )


@pytest.fixture
def officers(db):
    """Three officers: one without periods; one promoted on 2010-10-01 and moved to PAC on
    2011-01-15 (their first period starts after their assignment); one whose last period ended."""
    plain = make_officer(classification="FB-03")
    promoted = make_officer(classification="FB-04", position="CI", home_region=Region.objects.get(code="PAC"))
    period(promoted, D(2010, 6, 1), D(2010, 9, 30), classification="FB-03")
    period(promoted, D(2010, 10, 1), D(2011, 1, 14), classification="FB-04")
    period(promoted, D(2011, 1, 15), None, classification="FB-04", position="CI", region="PAC")
    ended = make_officer(classification="FB-05")
    period(ended, D(2009, 1, 1), D(2010, 12, 31), classification="FB-04", position="IA")
    for officer in (plain, promoted, ended):
        make_assignment(officer=officer, fte="0.60", start=D(2010, 5, 1), end=D(2011, 2, 28))
    return [plain, promoted, ended]


DAYS = [D(2010, 4, 30), D(2010, 5, 31), D(2010, 6, 1), D(2010, 9, 30), D(2010, 10, 1), D(2011, 1, 14),
        D(2011, 1, 15), D(2010, 12, 31), D(2011, 1, 1), D(2030, 1, 1)]


@pytest.mark.parametrize("attribute", OFFICER_PERIOD_ATTRIBUTES)
def test_the_sql_form_of_the_value_on_a_day_agrees_with_the_python_form(officers, attribute):
    for day in DAYS:
        in_sql = dict(
            Officer.objects.filter(pk__in=[o.pk for o in officers])
            .annotate(value=attribute_on_expression(attribute, day, officer="pk"))
            .values_list("pk", "value")
        )
        assert in_sql == {o.pk: attribute_on(o, attribute, day) for o in officers}, (attribute, day)


def test_cases_of_the_value_on_a_day(officers):
    plain, promoted, ended = officers
    assert attribute_on(plain, "classification", D(2010, 7, 1)) == "FB-03"
    assert attribute_on(promoted, "classification", D(2010, 5, 31)) == "FB-04"  # before any period: the officer's
    assert attribute_on(promoted, "classification", D(2010, 9, 30)) == "FB-03"
    assert attribute_on(promoted, "classification", D(2010, 10, 1)) == "FB-04"
    assert attribute_on(promoted, "home_region", D(2011, 1, 14)) == Region.objects.get(code="GTA").pk
    assert attribute_on(promoted, "home_region", D(2011, 1, 15)) == Region.objects.get(code="PAC").pk
    assert attribute_on(ended, "position", D(2010, 12, 31)) == "IA"
    assert attribute_on(ended, "position", D(2011, 1, 1)) == "IO"


def test_the_sql_split_of_a_year_agrees_with_the_python_spans(officers):
    rows = split_by_periods(
        assignments_in_year(YEAR).filter(officer__in=officers), YEAR, ["classification", "position"],
        group=("officer_id",),
    )
    in_sql: dict = {}
    for row in rows:
        key = (row["officer_id"], row["classification"], row["position"])
        in_sql[key] = in_sql.get(key, Decimal(0)) + Decimal(str(row["fte_years"]))
    expected: dict = {}
    for officer in officers:
        assignment = Assignment.objects.get(officer=officer)
        for first, last, classification in attribute_spans(officer, "classification", assignment.start_date, assignment.end_date):
            for p_first, p_last, position in attribute_spans(officer, "position", first, last):
                key = (officer.pk, classification, position)
                days = (p_last - p_first).days + 1
                expected[key] = expected.get(key, Decimal(0)) + assignment.fte * days / YEAR.days
    assert {k: round(v, 6) for k, v in in_sql.items()} == {k: round(v, 6) for k, v in expected.items()}
    assert len(rows) >= 6


def full_year_fb03_officer() -> Officer:
    """A seed officer at FB-03 on one unit at 1.00 FTE for all of 2010-2011."""
    return (
        Officer.objects.filter(
            classification="FB-03", assignments__fte=Decimal("1.00"), assignments__start_date__lte=YEAR.start,
            assignments__end_date__isnull=True,
        )
        .exclude(assignments__end_date__isnull=False)
        .order_by("employee_number")
        .first()
    )


def salaries(group_by="classification") -> dict:
    return {row.key: row.salaries_cad for row in resources_report(YEAR, group_by).rows}


def test_a_promotion_recorded_today_leaves_2010_2011_salaries_unchanged(db):
    officer = full_year_fb03_officer()
    before = resources_report(YEAR, "region")
    change = officer_change(officer, effective_from=timezone.localdate(), classification="FB-04")
    after = resources_report(YEAR, "region")
    assert after.subtotal.salaries_cad == before.subtotal.salaries_cad == Decimal("4264288.00")
    assert after.total_cad == before.total_cad
    assert [(r.key, r.fte_years, r.salaries_cad) for r in after.rows] == [(r.key, r.fte_years, r.salaries_cad) for r in before.rows]
    officer.refresh_from_db()
    assert officer.classification == "FB-04"
    assert change.ended.end_date == timezone.localdate() - datetime.timedelta(days=1)
    assert change.ended.classification == "FB-03" and change.started.classification == "FB-04"


def test_a_promotion_on_2010_10_01_prorates_the_salary_by_the_days_in_each_classification(db):
    officer = full_year_fb03_officer()
    before = salaries()
    officer_change(officer, effective_from=D(2010, 10, 1), classification="FB-04")
    after = salaries()
    # 183 days (2010-04-01 to 2010-09-30) at FB-03, 182 days at FB-04, of 365.
    assert before["FB-03"] == Decimal("229380.00")  # 4.0 FTE-years at FB-03
    assert after["FB-03"] == Decimal("200786.05")  # less 57,345 × 182/365 = 28,593.95
    assert after["FB-04"] == before["FB-04"] + Decimal("34760.50")  # 69,712 × 182/365
    report = resources_report(YEAR, "region")
    # (69,712 − 57,345) × 182/365 = 6,166.56 more in all, benefits 20 % on top.
    assert report.subtotal.salaries_cad == Decimal("4270454.56")
    assert report.total_cad == Decimal("5124545.47")
    fte = {row.key: row.fte_years for row in resources_report(YEAR, "classification").rows}
    assert fte["FB-03"] == Decimal("3.50")  # 1.00 × 183/365 = 0.50 of the officer's year stays at FB-03


def test_a_change_before_the_current_period_is_refused_as_a_correction(db):
    officer = make_officer()
    make_assignment(officer=officer, start=D(2010, 4, 1))
    officer_change(officer, effective_from=D(2012, 1, 1), classification="FB-05")
    with pytest.raises(ValidationError) as refused:
        officer_change(officer, effective_from=D(2011, 6, 1), classification="FB-03")
    assert "2012-01-01" in str(refused.value.message_dict["effective_from"])
    assert list(officer.periods.order_by("start_date").values_list("start_date", "end_date", "classification")) == [
        (D(2010, 4, 1), D(2011, 12, 31), "FB-04"), (D(2012, 1, 1), None, "FB-05"),
    ]


def test_a_change_from_the_day_the_current_period_starts_replaces_its_values(db):
    officer = make_officer()
    officer_change(officer, effective_from=D(2012, 1, 1), classification="FB-05")
    officer_change(officer, effective_from=D(2012, 1, 1), position="CI")
    assert list(officer.periods.values_list("start_date", "end_date", "classification", "position")) == [
        (D(2012, 1, 1), None, "FB-05", "CI"),
    ]
    officer.refresh_from_db()
    assert (officer.classification, officer.position) == ("FB-05", "CI")


def test_a_change_in_the_future_or_of_nothing_is_refused(db):
    officer = make_officer()
    with pytest.raises(ValidationError) as future:
        officer_change(officer, effective_from=timezone.localdate() + datetime.timedelta(days=1), classification="FB-05")
    assert "effective_from" in future.value.message_dict
    officer_change(officer, effective_from=D(2012, 1, 1), classification="FB-05")
    with pytest.raises(ValidationError):
        officer_change(officer, effective_from=D(2013, 1, 1), classification="FB-05")
    assert officer.periods.count() == 1


def test_a_manager_transfers_nobody_out_of_their_regions(db, gta_manager):
    officer = make_officer("GTA")
    with pytest.raises(PermissionDenied):
        officer_change(officer, effective_from=D(2012, 1, 1), home_region=Region.objects.get(code="PAC"), actor=gta_manager)
    assert officer.periods.count() == 0
    officer_change(officer, effective_from=D(2012, 1, 1), classification="FB-05", actor=gta_manager)
    pac = make_officer("PAC")
    with pytest.raises(PermissionDenied):
        officer_change(pac, effective_from=D(2012, 1, 1), classification="FB-05", actor=gta_manager)


def test_overlapping_periods_are_refused_by_the_service_on_every_database(db):
    officer = make_officer()
    period(officer, D(2010, 1, 1), D(2010, 12, 31))
    period(officer, D(2011, 1, 1), None)
    overlapping = OfficerPeriod(
        officer=officer, start_date=D(2010, 6, 1), end_date=None, classification="FB-05", position="IO",
        home_region=officer.home_region,
    )
    change = OfficerChange(officer, D(2010, 6, 1), ended=None, started=overlapping)
    with pytest.raises(ValidationError) as refused:
        check_officer_change(change, actor=None)
    assert refused.value.message_dict["effective_from"] == [
        "An officer's periods cannot overlap: end the current period before the next one starts."
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the exclusion constraint is PostgreSQL's")
def test_postgresql_refuses_overlapping_periods_by_the_named_constraint(db):
    officer = make_officer()
    period(officer, D(2010, 1, 1), None)
    with pytest.raises(IntegrityError, match="officer_period_no_overlap"), transaction.atomic():
        period(officer, D(2011, 1, 1), None)


def test_a_new_unit_officer_without_periods_costs_as_before(db):
    officer = make_officer(classification="FB-05")
    make_assignment(officer=officer, jfo=make_jfo(), fte="0.50", start=D(2010, 4, 1))
    assert salaries()["FB-05"] == Decimal("76329") * 4 + Decimal("38164.50")  # the seed: 4.0 FTE at FB-05


def test_the_tenure_report_reads_position_and_home_region_as_they_were_on_its_day(db):
    officer = make_officer("GTA", position="IO")
    make_assignment(officer=officer, jfo=make_jfo("GTA"), start=D(2009, 4, 1))
    officer_change(officer, effective_from=D(2011, 6, 1), position="CI", home_region=Region.objects.get(code="PAC"))
    before = {row["employee_number"]: row for row in tenure_report(D(2011, 3, 31))["rows"]}
    after = {row["employee_number"]: row for row in tenure_report(D(2011, 6, 1))["rows"]}
    assert (before[officer.employee_number]["position"], before[officer.employee_number]["region"]) == ("IO", "GTA")
    assert (after[officer.employee_number]["position"], after[officer.employee_number]["region"]) == ("CI", "PAC")
    by_position = {row["key"]: row["officers"] for row in tenure_report(D(2011, 6, 1))["by_position"]}
    assert by_position["CI"] == {row["key"]: row["officers"] for row in tenure_report(D(2011, 3, 31))["by_position"]}.get("CI", 0) + 1


def test_a_change_names_the_days_and_fiscal_years_it_alters(db):
    """The days whose figures move: the officer's assigned days from the change on (an
    assignment ended before it is untouched)."""
    officer = make_officer()
    make_assignment(officer=officer, jfo=make_jfo(), fte="0.50", start=D(2009, 4, 1), end=D(2010, 6, 30))
    make_assignment(officer=officer, jfo=make_jfo(), fte="0.50", start=D(2010, 9, 1), end=D(2011, 8, 31))
    make_assignment(officer=officer, jfo=make_jfo(), fte="0.50", start=D(2009, 4, 1))
    change = officer_change(officer, effective_from=D(2010, 10, 1), classification="FB-05")
    assert sorted(change.spans, key=lambda span: (span[0], span[1] or D(9999, 1, 1))) == [
        (D(2010, 10, 1), D(2011, 8, 31)), (D(2010, 10, 1), None),
    ]
    assert change.fiscal_years[0] == YEAR and change.fiscal_years[-1] == FiscalYear.current()


def test_a_change_of_an_officer_with_no_assignments_alters_no_figures(db):
    change = officer_change(make_officer(), effective_from=D(2010, 10, 1), classification="FB-05")
    assert change.spans == []


def test_a_change_to_the_values_held_is_refused_even_before_any_period(db):
    officer = make_officer(classification="FB-04")
    with pytest.raises(ValidationError, match="Nothing changes"):
        officer_change(officer, effective_from=D(2012, 1, 1), classification="FB-04")
    assert officer.periods.count() == 0


# --- as_of: the officers' periods as the registry held them -----------------------------------

def test_as_of_a_moment_before_a_backdated_promotion_costs_the_officer_at_the_old_classification(db):
    """The issue's second case: a promotion recorded (as an administrator's correction) from
    2010-10-01; `as_of` the moment before answers exactly what the report said then."""
    officer = full_year_fb03_officer()
    said_then = resources_report(YEAR, "classification").as_data()
    tenure_then = tenure_report(D(2011, 3, 31)).as_data()
    moment = timezone.now()
    officer_change(officer, effective_from=D(2010, 10, 1), classification="FB-04", position="CI")
    assert resources_report(YEAR, "region").subtotal.salaries_cad == Decimal("4270454.56")
    replayed = resources_report(YEAR, "classification", as_of=moment).as_data()
    assert {k: v for k, v in replayed.items() if k != "as_of"} == {k: v for k, v in said_then.items() if k != "as_of"}
    assert resources_report(YEAR, "region", as_of=moment).subtotal.salaries_cad == Decimal("4264288.00")
    tenure_replayed = tenure_report(D(2011, 3, 31), as_of=moment).as_data()
    assert {k: v for k, v in tenure_replayed.items() if k != "as_of"} == {k: v for k, v in tenure_then.items() if k != "as_of"}
    assert tenure_report(D(2011, 3, 31)).as_data()["by_position"] != tenure_then["by_position"]


def test_as_of_now_agrees_with_the_live_report(officers):
    """The replay of the current moment is the report itself: the history and the tables agree."""
    for group_by in ("classification", "position", "region"):
        live = resources_report(YEAR, group_by).as_data()
        replayed = resources_report(YEAR, group_by, as_of=timezone.now()).as_data()
        assert {k: v for k, v in replayed.items() if k != "as_of"} == {k: v for k, v in live.items() if k != "as_of"}


@pytest.mark.parametrize("attribute", OFFICER_PERIOD_ATTRIBUTES)
def test_the_value_on_a_day_as_of_a_moment_is_the_value_then(officers, attribute):
    plain, promoted, ended = officers
    day = D(2011, 2, 1)
    moment = timezone.now()
    held = {o.pk: attribute_on(o, attribute, day) for o in officers}
    pac = Region.objects.get(code="PAC")
    officer_change(promoted, effective_from=D(2011, 1, 15), classification="FB-05", position="IA", home_region=pac)
    officer_change(plain, effective_from=D(2010, 7, 1), classification="FB-05", position="IA", home_region=pac)
    officer_change(ended, effective_from=D(2011, 1, 1), classification="FB-03", position="CI", home_region=pac)

    def values(**as_of):
        return dict(
            Officer.objects.filter(pk__in=[o.pk for o in officers])
            .annotate(value=attribute_on_expression(attribute, day, officer="pk", **as_of))
            .values_list("pk", "value")
        )

    assert values(as_of=moment) == held
    assert values() != held
    assert values(as_of=timezone.now()) == values()
