"""Issue #12, item 3: `as_of=<moment>` answers "what did the registry say at that moment" on every
report and the dashboard, rebuilt from the history of every table the report reads.

Each test captures a report's whole answer, makes the changes the issue names (a unit's region,
an arrangement's covered units, a salary rate...), checks that the answer moved, then asks
`as_of` the moment before the changes and gets the captured answer back exactly (only `as_of`
itself differs: the report says which moment it answers). A bad `as_of` is a 400 on every report
API and a form error on every report page and on the dashboard."""

import datetime
import html
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from agreements import services as agreement_services
from agreements.models import Arrangement, ConditionCoverage, GapAction
from operations import services
from operations.models import JointForceOperation, Participation, Region, SalaryRate
from tests.api import login
from tests.conftest import make_assignment, make_jfo, make_officer

pytestmark = pytest.mark.django_db

REPORTS = ["resources", "tenure", "allocation", "coverage", "conditions", "expiring", "gaps"]


@pytest.fixture
def analyst_api(api, analyst):
    return login(api, analyst)


@pytest.fixture
def analyst_client(client, analyst):
    client.force_login(analyst)
    return client


def answer(analyst_api, report: str, **params) -> dict:
    response = analyst_api.get(f"/api/v1/reports/{report}/", params)
    assert response.status_code == 200, response.content
    return response.json()


def moment_before_changes() -> datetime.datetime:
    """A moment strictly between what is recorded so far and the changes the test makes next."""
    moment = timezone.now()
    while timezone.now() == moment:
        pass
    return moment


def assert_as_of_gives_back(analyst_api, report: str, captured: dict, moment: datetime.datetime, **params):
    """The report `as_of=moment` is `captured` (its answer then, as_of null) exactly, but for
    `as_of`, which names the moment asked."""
    then = answer(analyst_api, report, as_of=moment.isoformat(), **params)
    assert datetime.datetime.fromisoformat(then["as_of"]) == moment
    assert then == {**captured, "as_of": then["as_of"]}
    assert captured["as_of"] is None


def move(acronym: str, region_code: str) -> None:
    unit = JointForceOperation.objects.get(acronym=acronym)
    unit.region = Region.objects.get(code=region_code)
    unit.save()


def arrangement(reference: str) -> Arrangement:
    return Arrangement.objects.get(reference=reference)


def cover(reference: str, *acronyms: str) -> None:
    """The arrangement `reference` covers exactly the units `acronyms` from now on (the service)."""
    record = arrangement(reference)
    agreement_services.arrangement_save(record, jfos=list(JointForceOperation.objects.filter(acronym__in=acronyms)))


# --- Operations reports ------------------------------------------------------------------------

@pytest.mark.parametrize("group_by", ["region", "jfo_type", "lead_agency"])
def test_resources_as_of_the_moment_before_a_unit_moved_a_rate_changed_and_a_lead_changed(analyst_api, group_by):
    params = {"fiscal_year": "2010-2011", "group_by": group_by}
    captured = answer(analyst_api, "resources", **params)
    captured_gta = answer(analyst_api, "resources", region="GTA", **params)
    captured_regional = answer(analyst_api, "resources", jfo_type="regional", **params)
    moment = moment_before_changes()
    move("TADEU", "PAC")
    unit = JointForceOperation.objects.get(acronym="TADEU")
    unit.jfo_type = "national"
    unit.save()
    rate = SalaryRate.objects.get(fiscal_year=2010, classification="FB-04")
    rate.annual_salary += Decimal("1000.00")
    rate.save()
    lead = Participation.objects.filter(jfo=unit, role="lead").first()
    lead.role = "partner"
    lead.save()
    assert answer(analyst_api, "resources", **params) != captured
    assert answer(analyst_api, "resources", region="GTA", **params) != captured_gta
    assert_as_of_gives_back(analyst_api, "resources", captured, moment, **params)
    assert_as_of_gives_back(analyst_api, "resources", captured_gta, moment, region="GTA", **params)
    assert_as_of_gives_back(analyst_api, "resources", captured_regional, moment, jfo_type="regional", **params)


def test_resources_as_of_the_moment_before_the_year_was_reopened_says_when_it_was_closed(analyst_api, administrator):
    params = {"fiscal_year": "2010-2011"}
    captured = answer(analyst_api, "resources", **params)
    assert captured["closed_on"] is not None
    moment = moment_before_changes()
    services.fiscal_year_reopen(fiscal_year=2010, actor=administrator, reason="Late invoices")
    assert "closed_on" not in answer(analyst_api, "resources", **params)
    assert_as_of_gives_back(analyst_api, "resources", captured, moment, **params)


def test_tenure_as_of_the_moment_before_a_unit_moved_and_was_renamed(analyst_api):
    params = {"on": "2011-03-31", "threshold_years": "1"}
    captured = answer(analyst_api, "tenure", **params)
    captured_gta = answer(analyst_api, "tenure", region="GTA", **params)
    assert any(row["region"] == "GTA" and row["jfo"] == "TADEU" for row in captured["long_assignments"])
    moment = moment_before_changes()
    move("TADEU", "PAC")
    unit = JointForceOperation.objects.get(acronym="TADEU")
    unit.acronym = "TADEU-PAC"
    unit.save()
    assert answer(analyst_api, "tenure", **params) != captured
    assert answer(analyst_api, "tenure", region="GTA", **params) != captured_gta
    assert_as_of_gives_back(analyst_api, "tenure", captured, moment, **params)
    assert_as_of_gives_back(analyst_api, "tenure", captured_gta, moment, region="GTA", **params)


def test_allocation_as_of_the_moment_before_a_unit_moved_and_an_officer_was_assigned(analyst_api):
    params = {"fiscal_year": "2010-2011"}
    officer = make_officer("ATL")
    make_assignment(officer, make_jfo("ATL"), fte="0.50")
    captured = answer(analyst_api, "allocation", **params)
    captured_atl = answer(analyst_api, "allocation", region="ATL", **params)
    moment = moment_before_changes()
    move("TADEU", "PAC")
    services.assignment_create(officer=officer, jfo=make_jfo("ATL"), fte=Decimal("0.50"), start_date=datetime.date(2010, 4, 1))
    assert answer(analyst_api, "allocation", **params) != captured
    assert_as_of_gives_back(analyst_api, "allocation", captured, moment, **params)
    assert_as_of_gives_back(analyst_api, "allocation", captured_atl, moment, region="ATL", **params)


# --- Agreements reports ------------------------------------------------------------------------

def test_coverage_as_of_the_moment_before_covered_units_changed_and_a_unit_moved(analyst_api):
    params = {"fiscal_year": "2010-2011"}
    captured = answer(analyst_api, "coverage", **params)
    captured_gta = answer(analyst_api, "coverage", region="GTA", **params)
    captured_day = answer(analyst_api, "coverage", on="2011-03-31")
    moment = moment_before_changes()
    cover("WCA-2006-TADEU")  # TADEU no longer covered
    move("ITF", "PAC")
    assert answer(analyst_api, "coverage", **params) != captured
    assert answer(analyst_api, "coverage", region="GTA", **params) != captured_gta
    assert_as_of_gives_back(analyst_api, "coverage", captured, moment, **params)
    assert_as_of_gives_back(analyst_api, "coverage", captured_gta, moment, region="GTA", **params)
    assert_as_of_gives_back(analyst_api, "coverage", captured_day, moment, on="2011-03-31")


def test_conditions_as_of_the_moment_before_a_mark_a_status_and_a_title_changed(analyst_api):
    captured = answer(analyst_api, "conditions")
    moment = moment_before_changes()
    mark = ConditionCoverage.objects.filter(arrangement=arrangement("WCA-2006-TADEU")).order_by("condition__letter").first()
    mark.status = "not_addressed" if mark.status == "addressed" else "addressed"
    mark.save()
    record = arrangement("WCA-2007-GTADS")
    record.title = "Renamed since"
    record.save()
    record = arrangement("WCA-DRAFT-PWEU")
    record.status = "terminated"
    record.save()
    assert answer(analyst_api, "conditions") != captured
    assert_as_of_gives_back(analyst_api, "conditions", captured, moment)


def test_expiring_as_of_the_moment_before_covered_units_and_a_review_date_changed(analyst_api):
    params = {"on": "2011-03-31", "days": "120"}
    captured = answer(analyst_api, "expiring", **params)
    captured_pac = answer(analyst_api, "expiring", region="PAC", **params)
    assert "MOU-2006-ITF" in {row["reference"] for row in captured["arrangements"]}
    moment = moment_before_changes()
    cover("MOU-2006-ITF", "ITF", "IBET-PAC-1")  # now also covers a Pacific unit
    record = arrangement("WCA-2006-TADEU")
    record.review_date = datetime.date(2012, 6, 30)
    record.save()
    assert answer(analyst_api, "expiring", **params) != captured
    assert answer(analyst_api, "expiring", region="PAC", **params) != captured_pac
    assert_as_of_gives_back(analyst_api, "expiring", captured, moment, **params)
    assert_as_of_gives_back(analyst_api, "expiring", captured_pac, moment, region="PAC", **params)


def test_gaps_as_of_the_moment_before_covered_units_changed_and_actions_were_planned(analyst_api):
    params = {"on": "2011-03-31"}
    captured = answer(analyst_api, "gaps", **params)
    captured_gta = answer(analyst_api, "gaps", region="GTA", **params)
    moment = moment_before_changes()
    cover("WCA-2006-TADEU")  # TADEU now a gap
    tadeu = JointForceOperation.objects.get(acronym="TADEU")
    GapAction.objects.create(jfo=tadeu, action="Sign a new WCA", owner="GTA", due_date=datetime.date(2011, 6, 1))
    GapAction.objects.create(arrangement=arrangement("WCA-2007-GTADS"), action="Add condition c", owner="HQ",
                             due_date=datetime.date(2011, 1, 1))
    move("ITF", "PAC")
    now = answer(analyst_api, "gaps", **params)
    assert "TADEU" in {unit["acronym"] for unit in now["units"]}
    assert now != captured
    assert answer(analyst_api, "gaps", region="GTA", **params) != captured_gta
    assert_as_of_gives_back(analyst_api, "gaps", captured, moment, **params)
    assert_as_of_gives_back(analyst_api, "gaps", captured_gta, moment, region="GTA", **params)


@pytest.mark.parametrize("report", REPORTS)
def test_the_csv_download_answers_as_of_too(analyst_api, report):
    params = {"fiscal_year": "2010"} if report in ("resources", "allocation", "coverage") else {"on": "2011-03-31"}
    captured = analyst_api.get(f"/api/v1/reports/{report}/", {**params, "format": "csv"}).content
    moment = moment_before_changes()
    move("TADEU", "PAC")
    cover("WCA-2006-TADEU")
    then = analyst_api.get(f"/api/v1/reports/{report}/", {**params, "format": "csv", "as_of": moment.isoformat()})
    assert then.status_code == 200
    assert then.content == captured


# --- The dashboard ------------------------------------------------------------------------------

def dashboard(client, **params) -> dict:
    response = client.get("/", params)
    assert response.status_code == 200
    return response.context["dashboard"]


def test_the_dashboard_as_of_the_moment_before_a_unit_moved_its_cover_and_a_rate_changed(client, gta_manager):
    client.force_login(gta_manager)  # a manager's dashboard: their region's figures
    captured = dashboard(client, fiscal_year="2010")
    moment = moment_before_changes()
    move("TADEU", "PAC")
    cover("WCA-2007-GTADS")  # GTADS no longer covered
    rate = SalaryRate.objects.get(fiscal_year=2010, classification="FB-04")
    rate.annual_salary += Decimal("1000.00")
    rate.save()
    make_jfo("GTA")  # a new unit, without assignment
    now = dashboard(client, fiscal_year="2010")
    assert now["resources"] != captured["resources"]
    assert now["unit_count"] == captured["unit_count"]  # one unit gone to PAC, one new
    assert now["uncovered_units"] != captured["uncovered_units"]
    then = dashboard(client, fiscal_year="2010", as_of=moment.isoformat())
    assert then["as_of"] == moment
    assert then == {**captured, "as_of": moment, "resources": {**captured["resources"], "as_of": moment}}


def test_the_dashboard_as_of_shows_the_moment_and_caches_per_moment(analyst_client):
    first = analyst_client.get("/", {"fiscal_year": "2010", "as_of": "2000-01-01"})
    assert first.status_code == 200
    assert first.context["dashboard"]["unit_count"] == 0  # nothing was recorded yet
    assert first.context["dashboard"]["day"] == datetime.date(2000, 1, 1)
    assert 'data-testid="as-of"' in first.content.decode()
    assert analyst_client.get("/", {"fiscal_year": "2010"}).context["dashboard"]["unit_count"] > 0


# --- A bad as_of: 400 on every report API, a form error on every page and on the dashboard ------

BAD_AS_OF = {
    "garbage": "Use a date (2011-03-31) or a date and time (2011-03-31T17:00).",
    "2011-02-30": "Use a date (2011-03-31) or a date and time (2011-03-31T17:00).",
    "2011-03-31T25:00": "Use a date (2011-03-31) or a date and time (2011-03-31T17:00).",
    "9999-12-31": "This moment is out of range: use a date between the years 1 and 9999.",
    "0001-01-01T00:00:00+14:00": "This moment is out of range: use a date between the years 1 and 9999.",
}


@pytest.mark.parametrize("report", REPORTS)
@pytest.mark.parametrize("value", list(BAD_AS_OF))
def test_a_bad_as_of_is_a_400_from_every_report_api(analyst_api, report, value):
    response = analyst_api.get(f"/api/v1/reports/{report}/", {"as_of": value})
    assert response.status_code == 400
    assert response.json() == {"as_of": [BAD_AS_OF[value]]}


@pytest.mark.parametrize("report", REPORTS)
@pytest.mark.parametrize("value", ["garbage", "9999-12-31"])
def test_a_bad_as_of_is_a_form_error_on_every_report_page(analyst_client, report, value):
    response = analyst_client.get(f"/reports/{report}/", {"as_of": value})
    assert response.status_code == 200  # the pages' convention: the page, with the form's error
    assert "report" not in response.context
    assert response.context["form"].errors["as_of"] == [BAD_AS_OF[value]]
    assert html.escape(BAD_AS_OF[value]) in response.content.decode()


@pytest.mark.parametrize("value", ["garbage", "2011-02-30", "9999-12-31"])
def test_a_bad_as_of_is_a_form_error_on_the_dashboard(analyst_client, value):
    response = analyst_client.get("/", {"as_of": value})
    assert response.status_code == 200
    assert response.context["form"].errors["as_of"] == [BAD_AS_OF[value]]
    assert html.escape(BAD_AS_OF[value]) in response.content.decode()
    assert response.context["dashboard"]["as_of"] is None  # the dashboard of now, the error shown


@pytest.mark.parametrize("value", ["2011-03-31T12:00+23:00", "2011-03-31T12:00-15:30"])
def test_an_as_of_with_an_offset_the_database_would_refuse_is_read_as_that_moment(analyst_api, value):
    then = answer(analyst_api, "resources", fiscal_year="2010", as_of=value)
    assert datetime.datetime.fromisoformat(then["as_of"]) == datetime.datetime.fromisoformat(value)


def test_the_as_of_field_and_its_errors_in_french(analyst_client):
    with translation.override("fr"):  # the request activates French: restore the language after
        refused = analyst_client.get("/reports/coverage/", {"as_of": "9999-12-31"}, HTTP_ACCEPT_LANGUAGE="fr")
        answered = analyst_client.get("/reports/coverage/", {"as_of": "2011-03-31"}, HTTP_ACCEPT_LANGUAGE="fr")
    content = refused.content.decode()
    assert "En date du" in content
    assert html.escape("Ce moment est hors limites : utilisez une date entre les années 1 et 9999.") in content
    assert "Tel que le registre était le 2011-03-31 23:59:59" in answered.content.decode()


AS_OF_QUERIES = {  # a few queries whatever the number of records (the API's own included; resources: 9 for the split
    # by periods; coverage and gaps, which reads coverage: 2 for the closure and corrections of the year)
    "resources": 18, "tenure": 12, "allocation": 10, "coverage": 12, "conditions": 8, "expiring": 10, "gaps": 22,
}


@pytest.mark.parametrize("report", REPORTS)
def test_a_report_as_of_takes_a_bounded_number_of_queries(analyst_api, django_assert_max_num_queries, report):
    params = {"fiscal_year": "2010"} if report in ("resources", "allocation", "coverage") else {"on": "2011-03-31"}
    for _ in range(5):  # more units and covered units do not mean more queries
        cover("WCA-2006-TADEU", "TADEU", make_jfo("GTA").acronym, make_jfo("PAC").acronym)
    with django_assert_max_num_queries(AS_OF_QUERIES[report]):
        answer(analyst_api, report, region="GTA,PAC", as_of=timezone.now().isoformat(), **params)


@pytest.mark.parametrize("moment", ["1899-12-31", "1900-03-31", "0001-04-01"])
def test_the_dashboard_as_of_a_moment_before_the_first_fiscal_year_is_no_error(client, analyst, moment):
    client.force_login(analyst)
    assert client.get("/", {"as_of": moment}).status_code == 200
