"""The explicit correction of an officer's or a unit's dated periods (review finding 8): one
service, `services.period_correct`, called by the API (POST officers/{id}/periods/{period_id}/
correct/ and jfos/{id}/periods/{period_id}/correct/) and the period admins. Periods stay back to
back with the latest holding today, the record's own fields follow its latest period, the
closed-year rule holds on the days whose values change, and the years rewritten are named."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from jfo_registry.core.concurrency import etag_of
from jfo_registry.core.fiscal import FiscalYear
from operations import services
from operations.models import ClosedYearCorrection, OfficerPeriod, Program, Region, SalaryRate, UnitPeriod
from operations.selectors import resources_report
from tests.api import login
from tests.conftest import make_assignment, make_jfo, make_officer

D = datetime.date
YEAR = FiscalYear(2010)


def periods_of(record) -> list[tuple]:
    model = record.periods.model
    names = ["start_date", "end_date", *(model._meta.get_field(a).attname for a in model.ATTRIBUTES)]
    return list(record.periods.order_by("start_date").values_list(*names))


def salaries(program: str) -> list[tuple]:
    report = resources_report(YEAR, "region", program=program)
    return [(row.key, row.fte_years, row.salaries_cad) for row in report.rows]


@pytest.fixture
def program(db) -> Program:
    return Program.objects.create(code="TSTC", name_en="Test program", name_fr="Programme d'essai", default_jfo_type="regional")


@pytest.fixture
def promoted(db, program):
    """A GTA officer (FB-03, 1.00 FTE in a unit of the program since 2010-04-01) promoted to
    FB-04 from 2011-06-01 (after the closed year 2010-2011)."""
    officer = make_officer("GTA", classification="FB-03")
    make_assignment(officer=officer, jfo=make_jfo("GTA", program=program), start=D(2010, 4, 1))
    services.officer_change(officer, effective_from=D(2011, 6, 1), classification="FB-04")
    return officer


def url_of(officer, period) -> str:
    return f"/api/v1/officers/{officer.pk}/periods/{period.pk}/correct/"


def latest(record):
    return record.periods.order_by("-start_date").first()


# --- the service ------------------------------------------------------------------------------


def test_moving_a_promotions_start_moves_the_previous_end_and_names_the_years(promoted, gta_manager):
    correction = services.period_correct(latest(promoted), reason="Letter dated 2011-09-01", actor=gta_manager,
                                         start_date=D(2011, 9, 1))
    gta = Region.objects.get(code="GTA").pk
    assert periods_of(promoted) == [(D(2010, 4, 1), D(2011, 8, 31), "FB-03", "IO", gta), (D(2011, 9, 1), None, "FB-04", "IO", gta)]
    assert [year.label for year in correction.fiscal_years] == ["2011-2012"]
    assert set(promoted.periods.values_list("correction", flat=True)) == {"Letter dated 2011-09-01 (rewrites 2011-2012)"}
    history = OfficerPeriod.history.filter(officer_id=promoted.pk, correction__startswith="Letter").count()
    assert history == 2  # both periods written, each in its history
    assert not ClosedYearCorrection.objects.exists()


def test_a_wrong_classification_in_the_past_is_corrected_and_the_latest_keeps_the_officers_fields(promoted, gta_manager):
    first = promoted.periods.order_by("start_date").first()
    services.period_correct(first, reason="Was FB-05", actor=None, classification="FB-05")
    assert [p[2] for p in periods_of(promoted)] == ["FB-05", "FB-04"]
    promoted.refresh_from_db()
    assert promoted.classification == "FB-04"
    services.period_correct(latest(promoted), reason="Promoted to OTHER", actor=gta_manager, classification="OTHER")
    promoted.refresh_from_db()
    assert promoted.classification == "OTHER"


def test_a_managers_correction_inside_the_closed_year_is_refused_naming_it_and_nothing_changes(promoted, gta_manager, program):
    before = salaries(program.code)
    with pytest.raises(ValidationError) as refused:
        services.period_correct(latest(promoted), reason="Promotion was in January", actor=gta_manager, start_date=D(2011, 1, 1))
    assert "2010-2011" in str(refused.value)
    assert [p[:2] for p in periods_of(promoted)] == [(D(2010, 4, 1), D(2011, 5, 31)), (D(2011, 6, 1), None)]
    assert salaries(program.code) == before


def test_an_administrators_correction_of_the_closed_year_is_recorded_and_moves_its_salaries(promoted, administrator, program):
    rate = dict(SalaryRate.objects.filter(fiscal_year=2010).values_list("classification", "annual_salary"))
    assert salaries(program.code) == [("GTA", Decimal("1.00"), rate["FB-03"].quantize(Decimal("0.01")))]
    with pytest.raises(ValidationError):
        services.period_correct(latest(promoted), reason=" ", actor=administrator, start_date=D(2011, 1, 1))
    correction = services.period_correct(latest(promoted), reason="Promotion was in January", actor=administrator,
                                         start_date=D(2011, 1, 1))
    assert [year.label for year in correction.fiscal_years] == ["2010-2011", "2011-2012"]
    assert list(ClosedYearCorrection.objects.values_list("fiscal_year", "reason", "corrected_by")) == [
        (2010, "Promotion was in January", administrator.pk),
    ]
    expected = ((rate["FB-03"] * 275 + rate["FB-04"] * 90) / 365).quantize(Decimal("0.01"))
    assert salaries(program.code) == [("GTA", Decimal("1.00"), expected)]


def test_periods_stay_back_to_back_with_the_latest_holding_today(promoted):
    first, current = promoted.periods.order_by("start_date")
    with pytest.raises(ValidationError) as ended:
        services.period_correct(current, reason="x", end_date=D(2012, 1, 1))
    assert "end_date" in ended.value.message_dict
    with pytest.raises(ValidationError) as swallowed:
        services.period_correct(current, reason="x", start_date=D(2010, 3, 1))
    assert "start_date" in swallowed.value.message_dict
    with pytest.raises(ValidationError) as future:
        services.period_correct(first, reason="x", end_date=D(2999, 1, 1))
    assert "end_date" in future.value.message_dict
    with pytest.raises(ValidationError) as backwards:
        services.period_correct(first, reason="x", end_date=D(2009, 1, 1))
    assert "end_date" in backwards.value.message_dict
    with pytest.raises(ValidationError):
        services.period_correct(first, reason="x", classification="FB-03")  # nothing changes
    with pytest.raises(ValidationError):
        services.period_correct(first, reason="", classification="FB-05")
    assert [p[:2] for p in periods_of(promoted)] == [(D(2010, 4, 1), D(2011, 5, 31)), (D(2011, 6, 1), None)]


def test_a_moved_end_moves_the_next_start(promoted):
    first = promoted.periods.order_by("start_date").first()
    services.period_correct(first, reason="Ended later", end_date=D(2011, 7, 31))
    assert [p[:2] for p in periods_of(promoted)] == [(D(2010, 4, 1), D(2011, 7, 31)), (D(2011, 8, 1), None)]


def test_a_manager_corrects_no_period_of_or_into_another_region(promoted, gta_manager):
    first = promoted.periods.order_by("start_date").first()
    with pytest.raises(PermissionDenied):
        services.period_correct(first, reason="x", actor=gta_manager, home_region=Region.objects.get(code="PAC"))
    pac_officer = make_officer("PAC", classification="FB-03")
    make_assignment(officer=pac_officer, start=D(2012, 4, 1))
    services.officer_change(pac_officer, effective_from=D(2013, 4, 1), classification="FB-04")
    with pytest.raises(PermissionDenied):
        services.period_correct(latest(pac_officer), reason="x", actor=gta_manager, start_date=D(2013, 5, 1))


def test_a_units_period_is_corrected_and_its_region_follows_the_latest(db, administrator, program):
    unit = make_jfo("GTA", program=program, start_date=D(2012, 4, 1))
    make_assignment(jfo=unit, start=D(2012, 4, 1))
    pac = Region.objects.get(code="PAC")
    services.unit_change(unit, effective_from=D(2013, 4, 1), region=pac)
    first = unit.periods.order_by("start_date").first()
    correction = services.period_correct(first, reason="Moved in January", actor=administrator, end_date=D(2012, 12, 31))
    assert [p[:3] for p in periods_of(unit)] == [
        (D(2012, 4, 1), D(2012, 12, 31), Region.objects.get(code="GTA").pk), (D(2013, 1, 1), None, pac.pk),
    ]
    assert [year.label for year in correction.fiscal_years] == ["2012-2013"]
    services.period_correct(latest(unit), reason="It was QUE", actor=administrator, region=Region.objects.get(code="QUE"))
    unit.refresh_from_db()
    assert unit.region.code == "QUE"


# --- the API ----------------------------------------------------------------------------------


def test_the_api_corrects_an_officers_period_with_if_match(api, gta_manager, promoted):
    login(api, gta_manager)
    period = latest(promoted)
    body = {"start_date": "2011-09-01", "reason": "Letter dated 2011-09-01"}
    assert api.post(url_of(promoted, period), body, format="json").status_code == 428
    assert api.post(url_of(promoted, period), body, format="json", HTTP_IF_MATCH='"stale"').status_code == 412
    response = api.post(url_of(promoted, period), body, format="json", HTTP_IF_MATCH=etag_of(promoted))
    assert response.status_code == 200, response.json()
    assert response.json()["fiscal_years"] == ["2011-2012"]
    assert [(p["start_date"], p["end_date"]) for p in response.json()["officer"]["periods"]] == [
        ("2010-04-01", "2011-08-31"), ("2011-09-01", None),
    ]


def test_the_api_refuses_a_managers_closed_year_correction_a_missing_reason_and_another_record(api, gta_manager, analyst, promoted, program):
    login(api, gta_manager)
    period = latest(promoted)
    before = salaries(program.code)
    closed = api.post(url_of(promoted, period), {"start_date": "2011-01-01", "reason": "x"}, format="json", HTTP_IF_MATCH="*")
    assert closed.status_code == 400
    assert "2010-2011" in str(closed.json())
    assert salaries(program.code) == before
    unexplained = api.post(url_of(promoted, period), {"start_date": "2011-09-01"}, format="json", HTTP_IF_MATCH="*")
    assert unexplained.status_code == 400
    assert "reason" in unexplained.json()
    other = make_officer("GTA")
    assert api.post(url_of(other, period), {"start_date": "2011-09-01", "reason": "x"}, format="json", HTTP_IF_MATCH="*").status_code == 404
    pac_officer = make_officer("PAC")
    assert api.post(url_of(pac_officer, period), {"reason": "x"}, format="json", HTTP_IF_MATCH="*").status_code == 403
    login(api, analyst)
    assert api.post(url_of(promoted, period), {"start_date": "2011-09-01", "reason": "x"}, format="json", HTTP_IF_MATCH="*").status_code == 403
    assert [p[:2] for p in periods_of(promoted)] == [(D(2010, 4, 1), D(2011, 5, 31)), (D(2011, 6, 1), None)]


def test_the_api_corrects_a_units_period(api, administrator, program):
    unit = make_jfo("GTA", program=program, start_date=D(2012, 4, 1))
    services.unit_change(unit, effective_from=D(2013, 4, 1), jfo_type="national")
    login(api, administrator)
    period = latest(unit)
    response = api.post(
        f"/api/v1/jfos/{unit.pk}/periods/{period.pk}/correct/", {"start_date": "2013-01-01", "reason": "Type changed in January"},
        format="json", HTTP_IF_MATCH=etag_of(unit),
    )
    assert response.status_code == 200, response.json()
    assert [(p["start_date"], p["jfo_type"]) for p in response.json()["jfo"]["periods"]] == [
        ("2012-04-01", "regional"), ("2013-01-01", "national"),
    ]
    assert response.json()["fiscal_years"] == ["2012-2013"]


# --- the admin --------------------------------------------------------------------------------


def test_the_admin_corrects_an_officers_period_with_a_required_reason(client, administrator, promoted):
    client.force_login(administrator)
    period = latest(promoted)
    url = reverse("admin:operations_officerperiod_change", args=[period.pk])
    assert client.get(url).status_code == 200
    form = {"start_date": "2011-01-01", "classification": "FB-04", "position": "IO", "home_region": period.home_region_id}
    unexplained = client.post(url, form)
    assert unexplained.status_code == 200
    assert "reason" in unexplained.content.decode().lower()
    assert latest(promoted).start_date == D(2011, 6, 1)
    response = client.post(url, {**form, "correction_reason": "Promotion was in January"}, follow=True)
    assert response.status_code == 200
    assert latest(promoted).start_date == D(2011, 1, 1)
    assert "2010-2011, 2011-2012" in response.content.decode()
    assert list(ClosedYearCorrection.objects.values_list("reason", flat=True)) == ["Promotion was in January"]


def test_the_admin_periods_are_editable_by_administrators_only(client, staff_gta_manager, promoted):
    client.force_login(staff_gta_manager)
    period = latest(promoted)
    page = client.get(reverse("admin:operations_officerperiod_change", args=[period.pk]))
    assert page.status_code == 200  # view only
    assert 'name="correction_reason"' not in page.content.decode()
    assert client.post(reverse("admin:operations_officerperiod_change", args=[period.pk]),
                       {"start_date": "2011-09-01", "correction_reason": "x"}).status_code == 403
    assert latest(promoted).start_date == D(2011, 6, 1)


def test_the_admin_corrects_a_units_period(client, administrator, program):
    unit = make_jfo("GTA", program=program, start_date=D(2012, 4, 1))
    services.unit_change(unit, effective_from=D(2013, 4, 1), jfo_type="national")
    client.force_login(administrator)
    period = latest(unit)
    url = reverse("admin:operations_unitperiod_change", args=[period.pk])
    response = client.post(url, {
        "start_date": "2013-01-01", "region": period.region_id, "jfo_type": "national", "program": program.pk,
        "correction_reason": "Type changed in January",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    assert [p[:2] for p in periods_of(unit)] == [(D(2012, 4, 1), D(2012, 12, 31)), (D(2013, 1, 1), None)]
    assert UnitPeriod.objects.filter(jfo=unit, correction__startswith="Type changed").count() == 2
