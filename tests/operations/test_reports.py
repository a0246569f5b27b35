"""The reports through the API: Exhibits 11 and 12 from the registry's data, as JSON and CSV."""

import csv
import datetime
import io
import time
from decimal import Decimal

import pytest
from django.utils import timezone

from operations import selectors, services
from operations.models import CostingPolicy, JointForceOperation, Officer, Region, SalaryRate
from tests.api import login
from tests.conftest import count_queries, make_assignment, make_jfo, make_officer
from tests.formulas import PAYLOADS, assert_neutralised, csv_cells

pytestmark = pytest.mark.django_db
RESOURCES = "/api/v1/reports/resources/"

# Exhibit 11 (JFO count, FTE) and, where DESIGN.md section 8 says they match, salaries.
EXHIBIT_11 = {
    "GTA": (11, 17.5, 1177109.00), "QUE": (8, 8.2, 571638.40), "PAC": (7, 9.8, None), "NOR": (9, 8.8, None),
    "NFE": (5, 6.5, 459745.00), "WSC": (5, 5.4, None), "PRA": (5, 3.8, None), "ATL": (2, 1.5, 104568.00),
}
EXHIBIT_12 = {
    "regional": (24, 26.1, None, {}),
    "binational": (18, 23.5, None, {"IBET": (15, 17.5, None), "BEST": (3, 6.0, 438123.00)}),
    "national": (10, 11.9, None, {"NPET": (3, 4.5, 313704.00), "CFSEU": (3, 4.0, None), "INSET": (4, 3.4, 237020.80)}),
}


@pytest.fixture
def analyst_api(api, analyst):
    return login(api, analyst)


def get_report(api, **params):
    response = api.get(RESOURCES, {"fiscal_year": "2010-2011", **params})
    assert response.status_code == 200, response.content
    return response.json()


def test_exhibit_11_by_region(analyst_api):
    report = get_report(analyst_api, group_by="region")
    assert report["report"] == "resources" and report["fiscal_year"] == "2010-2011"
    assert report["period"] == {"start": "2010-04-01", "end": "2011-03-31"}
    rows = {row["key"]: row for row in report["rows"]}
    assert set(rows) == set(EXHIBIT_11)
    for code, (count, fte, salaries) in EXHIBIT_11.items():
        assert rows[code]["jfo_count"] == count, code
        assert rows[code]["fte"] == fte, code
        if salaries is not None:
            assert rows[code]["salaries"] == salaries, code
    assert rows["GTA"]["label"] == "Greater Toronto Area"
    assert report["subtotal"] == {"jfo_count": 52, "fte": 61.5, "salaries": 4264288.0}
    assert report["employee_benefits"] == {"rate": 0.2, "amount": 852857.6}
    assert report["total"] == 5117145.6
    assert [row["key"] for row in report["rows"]][0] == "GTA"  # largest first, as in Exhibit 11


def test_subtotal_is_the_sum_of_rows_for_every_grouping(analyst_api):
    for group_by, _label in selectors.GROUP_BY_CHOICES:
        report = get_report(analyst_api, group_by=group_by)
        rows = report["rows"]
        assert sum(Decimal(str(r["salaries"])) for r in rows) == Decimal(str(report["subtotal"]["salaries"])), group_by
        assert sum(Decimal(str(r["fte"])) for r in rows) == Decimal(str(report["subtotal"]["fte"])), group_by
        assert report["subtotal"]["fte"] == 61.5, group_by
        benefits = Decimal(str(report["subtotal"]["salaries"])) * Decimal("0.2")
        assert Decimal(str(report["employee_benefits"]["amount"])) == benefits.quantize(Decimal("0.01"))


def test_exhibit_12_by_type_with_program_children(analyst_api):
    report = get_report(analyst_api, group_by="jfo_type")
    rows = {row["key"]: row for row in report["rows"]}
    assert [row["key"] for row in report["rows"]] == ["regional", "binational", "national"]
    for key, (count, fte, _salaries, children) in EXHIBIT_12.items():
        assert (rows[key]["jfo_count"], rows[key]["fte"]) == (count, fte), key
        by_program = {child["key"]: child for child in rows[key]["children"]}
        for program, (c_count, c_fte, c_salaries) in children.items():
            assert (by_program[program]["jfo_count"], by_program[program]["fte"]) == (c_count, c_fte), program
            if c_salaries is not None:
                assert by_program[program]["salaries"] == c_salaries, program
        assert sum(c["fte"] for c in rows[key]["children"]) == pytest.approx(rows[key]["fte"])
    assert set(c["key"] for c in rows["binational"]["children"]) == {"IBET", "BEST"}


def test_filters_narrow_the_report(analyst_api):
    report = get_report(analyst_api, group_by="program", region="GTA")
    assert report["subtotal"]["fte"] == 17.5 and report["filters"] == {"region": "GTA"}
    report = get_report(analyst_api, group_by="region", program="IBET")
    assert report["subtotal"] == {"jfo_count": 15, "fte": 17.5, "salaries": 1219960.0}
    report = get_report(analyst_api, group_by="region", jfo_type="national")
    assert report["subtotal"]["jfo_count"] == 10


def test_lead_agency_shares_a_unit_with_two_leads(analyst_api):
    report = get_report(analyst_api, group_by="lead_agency")
    assert report["subtotal"]["fte"] == 61.5
    rows = {row["key"]: row for row in report["rows"]}
    assert "RCMP" in rows and "OPP" in rows


def test_classification_rows(analyst_api):
    rows = {row["key"]: row for row in get_report(analyst_api, group_by="classification")["rows"]}
    assert rows["FB-03"]["fte"] == 4.0 and rows["FB-03"]["salaries"] == 229380.0
    assert rows["FB-05"]["fte"] == 4.0 and rows["FB-04"]["fte"] == 53.5


def test_proration_of_a_part_year_assignment():
    officer = make_officer("ATL", classification="FB-04")
    unit = make_jfo("ATL")
    make_assignment(officer=officer, jfo=unit, fte="1.00", start=datetime.date(2011, 10, 1))
    SalaryRate.objects.create(classification="FB-04", fiscal_year=2011, annual_salary=Decimal("70000"))
    CostingPolicy.objects.create(fiscal_year=2011, employee_benefits_rate=Decimal("0.2"))
    report = selectors.resources_report("2011-2012", "region", region="ATL")
    row = {r["key"]: r for r in report["rows"]}["ATL"]
    # 1.0 FTE from 1 October 2011: 183 of 366 days = 0.50 FTE-years, on top of ATL's 1.5 ongoing FTE.
    assert row["fte"] == Decimal("2.00")
    assert row["salaries"] == Decimal("140000.00")
    assert report["subtotal"]["jfo_count"] == 3


def test_a_missing_salary_rate_is_an_error_naming_the_classification(analyst_api):
    response = analyst_api.get(RESOURCES, {"fiscal_year": "2012-2013"})
    assert response.status_code == 400
    body = response.json()
    assert "FB-03" in body["detail"] and body["missing_classifications"] == ["FB-03", "FB-04", "FB-05"]


def test_bad_parameters_are_400(analyst_api):
    assert analyst_api.get(RESOURCES, {"fiscal_year": "soon"}).status_code == 400
    assert analyst_api.get(RESOURCES, {"fiscal_year": "2010", "group_by": "color"}).status_code == 400
    assert analyst_api.get(RESOURCES, {"fiscal_year": "2010", "jfo_type": "galactic"}).status_code == 400


def test_reports_need_a_role(api, no_role_user):
    assert api.get(RESOURCES).status_code == 401
    login(api, no_role_user)
    assert api.get(RESOURCES).status_code == 403


def test_resources_csv(analyst_api):
    response = analyst_api.get(RESOURCES, {"fiscal_year": "2010-2011", "group_by": "region", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="resources-2010-2011-by-region.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["group", "key", "label", "jfo_count", "fte", "salaries"]
    assert rows[1] == ["region", "GTA", "Greater Toronto Area", "11", "17.50", "1177109.00"]
    assert rows[-3][0] == "subtotal" and rows[-3][3:] == ["52", "61.50", "4264288.00"]
    assert rows[-2] == ["employee_benefits", "", "rate 0.2", "", "", "852857.60"]
    assert rows[-1] == ["total", "", "", "", "", "5117145.60"]


def test_resources_csv_by_type_lists_programs_under_types(analyst_api):
    response = analyst_api.get(RESOURCES, {"fiscal_year": "2010", "group_by": "jfo_type", "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    groups = [(r[0], r[1]) for r in rows[1:-3]]
    assert groups.index(("jfo_type", "binational")) < groups.index(("program", "IBET"))
    assert groups.index(("program", "BEST")) < groups.index(("jfo_type", "national"))


def test_csv_of_an_error_is_an_error(analyst_api):
    response = analyst_api.get(RESOURCES, {"fiscal_year": "2012", "format": "csv"})
    assert response.status_code == 400
    assert "FB-03" in response.content.decode()


def test_report_query_count_does_not_grow_with_assignments(analyst_api):
    params = {"fiscal_year": "2010-2011", "group_by": "jfo_type"}
    analyst_api.get(RESOURCES, params)  # the first request also caches the user's role
    first = count_queries(lambda: analyst_api.get(RESOURCES, params))
    for _ in range(10):
        make_assignment(start=datetime.date(2010, 6, 1))
    assert count_queries(lambda: analyst_api.get(RESOURCES, params)) == first
    first = count_queries(lambda: analyst_api.get("/api/v1/reports/tenure/", {"on": "2011-03-31"}))
    for _ in range(5):
        make_assignment(start=datetime.date(2009, 6, 1))
    assert count_queries(lambda: analyst_api.get("/api/v1/reports/tenure/", {"on": "2011-03-31"})) == first
    first = count_queries(lambda: analyst_api.get("/api/v1/reports/allocation/", {"fiscal_year": "2010"}))
    for _ in range(5):
        make_assignment(start=datetime.date(2010, 6, 1), fte="0.5")
    assert count_queries(lambda: analyst_api.get("/api/v1/reports/allocation/", {"fiscal_year": "2010"})) == first


# --- Tenure and allocation ------------------------------------------------------------------

def test_tenure_report_reproduces_the_4_2_year_average_of_intelligence_officers(analyst_api):
    response = analyst_api.get("/api/v1/reports/tenure/", {"on": "2011-03-31"})
    assert response.status_code == 200
    report = response.json()
    by_position = {row["key"]: row for row in report["by_position"]}
    assert round(by_position["IO"]["average_years"], 1) == 4.2
    assert by_position["IO"]["officers"] == 45
    assert report["average"]["officers"] == len(report["rows"]) == 63
    assert report["threshold_years"] == 5.0
    assert all(row["years"] > 5 for row in report["long_assignments"])
    assert report["long_assignments"], "the seed has officers on a JFO for up to 10 years"
    longest = report["rows"][0]
    assert longest["years"] >= report["rows"][-1]["years"]


def test_tenure_threshold_and_csv(analyst_api):
    report = analyst_api.get("/api/v1/reports/tenure/", {"on": "2011-03-31", "threshold_years": 9}).json()
    assert all(a["years"] > 9 for a in report["long_assignments"])
    response = analyst_api.get("/api/v1/reports/tenure/", {"on": "2011-03-31", "format": "csv"})
    assert 'filename="tenure-2011-03-31.csv"' in response["Content-Disposition"]
    assert response.content.decode().splitlines()[0].startswith("employee_number,name,position")
    assert analyst_api.get("/api/v1/reports/tenure/", {"on": "yesterday"}).status_code == 400


def test_allocation_report_on_the_seed_and_with_an_excess(analyst_api):
    report = analyst_api.get("/api/v1/reports/allocation/", {"fiscal_year": "2010-2011"}).json()
    assert report["over_allocated"] == []
    under = {row["employee_number"]: row["fte_years"] for row in report["under_allocated"]}
    assert under == {"PH-0002": 0.5, "PH-0048": 0.4, "PH-0053": 0.8, "PH-0062": 0.8}
    # An excess written around the service (e.g. by an old import) is reported, not hidden.
    officer = make_officer()
    make_assignment(officer=officer, fte="0.70", start=datetime.date(2010, 4, 1))
    make_assignment(officer=officer, fte="0.70", start=datetime.date(2010, 9, 1), end=datetime.date(2010, 9, 30))
    report = analyst_api.get("/api/v1/reports/allocation/", {"fiscal_year": "2010", "under_threshold": 0.5}).json()
    over = {row["employee_number"]: row for row in report["over_allocated"]}
    assert over[officer.employee_number]["peak_fte"] == 1.4
    assert "PH-0048" in {row["employee_number"] for row in report["under_allocated"]}
    assert "PH-0002" not in {row["employee_number"] for row in report["under_allocated"]}
    response = analyst_api.get("/api/v1/reports/allocation/", {"fiscal_year": "2010", "format": "csv"})
    assert 'filename="allocation-2010-2011.csv"' in response["Content-Disposition"]


def test_reports_as_of_a_past_moment_show_the_registry_as_it_stood(analyst_api):
    officer = make_officer("ATL")
    assignment = services.assignment_create(
        officer=officer, jfo=make_jfo("ATL"), fte=Decimal("0.50"), start_date=datetime.date(2010, 4, 1)
    )
    time.sleep(0.01)
    between = timezone.now()
    time.sleep(0.01)
    services.assignment_update(assignment=assignment, fte=Decimal("1.00"))

    def atl(**params):
        report = get_report(analyst_api, group_by="region", region="ATL", **params)
        return report["rows"][0]["fte"]

    assert atl() == 2.5  # 1.5 in the seed + 1.00 now
    assert atl(as_of=between.isoformat()) == 2.0  # + 0.50 as it stood then
    assert get_report(analyst_api, group_by="region", as_of="2000-01-01")["rows"] == []  # before anything was recorded
    assert analyst_api.get(RESOURCES, {"fiscal_year": "2010", "as_of": "last week"}).status_code == 400
    allocation = analyst_api.get("/api/v1/reports/allocation/", {"fiscal_year": "2010", "as_of": between.isoformat()}).json()
    assert officer.employee_number in {row["employee_number"] for row in allocation["under_allocated"]}
    allocation = analyst_api.get("/api/v1/reports/allocation/", {"fiscal_year": "2010"}).json()
    assert officer.employee_number not in {row["employee_number"] for row in allocation["under_allocated"]}
    tenure = analyst_api.get("/api/v1/reports/tenure/", {"on": "2011-03-31", "as_of": between.isoformat()})
    assert tenure.status_code == 200


def test_a_year_with_nothing_to_cost_answers_zeros_not_nulls(analyst_api):
    assert not CostingPolicy.objects.filter(fiscal_year=1995).exists()
    report = get_report(analyst_api, fiscal_year="1995-1996")
    assert report["rows"] == []
    assert report["subtotal"] == {"jfo_count": 0, "fte": 0, "salaries": 0}
    assert report["employee_benefits"] == {"rate": 0, "amount": 0}
    assert report["total"] == 0


def test_the_schema_says_benefits_and_totals_are_numbers_never_null(analyst_api):
    schema = analyst_api.get("/api/v1/schema/", {"format": "json"}).json()["components"]["schemas"]
    for component, fields in (("Benefits", ("rate", "amount")), ("ResourcesSubtotal", ("salaries",)),
                              ("ResourcesReport", ("total",))):
        for field in fields:
            assert schema[component]["properties"][field] == {"type": "number", "format": "double"}, (component, field)
            assert field in schema[component]["required"]


# --- CSV cells are never formulas ---------------------------------------------------------------

@pytest.fixture
def formula_names():
    """Six officers half-allocated since 2010-04-01 and six regions, named like formulas (as an
    old import might have stored them)."""
    unit = JointForceOperation.objects.get(acronym="IBET-ATL")
    for number, (payload, region) in enumerate(zip(PAYLOADS, Region.objects.order_by("code"))):
        officer = make_officer(employee_number=f"FX-{number}")
        make_assignment(officer=officer, jfo=unit, fte="0.50", start=datetime.date(2010, 4, 1))
        Officer.objects.filter(pk=officer.pk).update(name=payload)
        Region.objects.filter(pk=region.pk).update(name_en=payload)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        (RESOURCES, {"fiscal_year": "2010", "group_by": "region"}),
        ("/api/v1/reports/tenure/", {"on": "2011-03-31"}),
        ("/api/v1/reports/allocation/", {"fiscal_year": "2010"}),
    ],
)
def test_report_csvs_neutralise_text_that_would_start_a_formula(analyst_api, formula_names, path, params):
    response = analyst_api.get(path, {**params, "format": "csv"})
    assert response.status_code == 200
    assert_neutralised(csv_cells(response.content))
    assert '"=HYPERLINK(\\"http://x\\",\\"y\\")"' in analyst_api.get(path, params).content.decode()  # JSON as stored
