"""Report parameters are defined once: a report page and its API endpoint accept the same
inputs, refuse the same ones with the same message, and give the same figures."""

import dataclasses
import html
import json
from decimal import Decimal

import pytest
from rest_framework.renderers import JSONRenderer

from agreements import report_shapes
from agreements.api import reports as agreements_reports
from jfo_registry.core.shapes import csv_columns, plain, serializer_for
from operations import selectors
from operations.api import reports as operations_reports
from tests.api import login

pytestmark = pytest.mark.django_db

REPORTS = ["resources", "tenure", "allocation", "coverage", "conditions", "expiring", "gaps"]
FISCAL_YEAR_FORMS = ["2010-2011", "2010", "2010-11"]


@pytest.fixture
def analyst_api(api, analyst):
    return login(api, analyst)


@pytest.fixture
def analyst_client(client, analyst):
    client.force_login(analyst)
    return client


def api_message(analyst_api, report: str, params: dict) -> str:
    response = analyst_api.get(f"/api/v1/reports/{report}/", params)
    assert response.status_code == 400, response.content
    ((parameter, messages),) = response.json().items()
    assert parameter == next(iter(params))
    return messages[0]


BAD = [
    ("resources", {"fiscal_year": "soon"}), ("resources", {"as_of": "garbage"}), ("resources", {"group_by": "color"}),
    ("tenure", {"on": "yesterday"}), ("tenure", {"as_of": "garbage"}), ("tenure", {"threshold_years": "many"}),
    ("allocation", {"fiscal_year": "2010-2012"}), ("allocation", {"as_of": "garbage"}),
    ("coverage", {"fiscal_year": "soon"}), ("coverage", {"as_of": "garbage"}), ("coverage", {"on": "yesterday"}),
    ("conditions", {"as_of": "garbage"}), ("conditions", {"status": "lost"}),
    ("expiring", {"days": "4000"}), ("expiring", {"days": "-1"}), ("expiring", {"as_of": "2011-02-30"}),
    ("gaps", {"on": "yesterday"}), ("gaps", {"as_of": "garbage"}),
]


@pytest.mark.parametrize("report, params", BAD)
def test_a_bad_parameter_gets_the_same_message_from_page_and_api(analyst_api, analyst_client, report, params):
    message = api_message(analyst_api, report, params)
    response = analyst_client.get(f"/reports/{report}/", params)
    assert response.status_code == 200  # the pages' convention: the page, with the form's error
    assert "report" not in response.context
    (parameter,) = params
    form = response.context["form"]
    shown = form.errors.get(parameter) or [e.removeprefix(f"{parameter}: ") for e in form.non_field_errors()]
    assert shown == [message]
    assert html.escape(message) in response.content.decode()


@pytest.mark.parametrize("report", REPORTS)
def test_every_report_takes_as_of_on_the_page_too_and_says_which_moment_it_answers(analyst_api, analyst_client, report):
    params = {"as_of": "2011-03-31", "fiscal_year": "2010", "on": "2011-03-31"}
    params = {k: v for k, v in params.items() if k != ("on" if report in ("resources", "allocation") else "fiscal_year")}
    answer = analyst_api.get(f"/api/v1/reports/{report}/", params)
    assert answer.status_code == 200
    page = analyst_client.get(f"/reports/{report}/", params)
    assert page.status_code == 200
    assert as_json(page.context["report"]) == answer.json()
    assert answer.json()["as_of"].startswith("2011-03-31T23:59:59")
    assert 'data-testid="as-of"' in page.content.decode()
    now = {k: v for k, v in params.items() if k != "as_of"}
    assert analyst_api.get(f"/api/v1/reports/{report}/", now).json()["as_of"] is None


def as_json(report) -> dict:
    return json.loads(JSONRenderer().render(plain(report)))


@pytest.mark.parametrize("report", ["resources", "allocation", "coverage"])
def test_every_fiscal_year_form_gives_the_same_figures_on_page_and_api(analyst_api, analyst_client, report):
    answers = []
    for form in FISCAL_YEAR_FORMS:
        answer = analyst_api.get(f"/api/v1/reports/{report}/", {"fiscal_year": form})
        assert answer.status_code == 200, form
        page = analyst_client.get(f"/reports/{report}/", {"fiscal_year": form})
        assert page.status_code == 200, form
        assert not page.context["form"].errors, form
        assert as_json(page.context["report"]) == answer.json(), form
        assert 'value="2010" selected' in page.content.decode(), form
        answers.append(answer.json())
    assert answers[0]["fiscal_year"] == "2010-2011"
    assert answers[1:] == answers[:1] * (len(answers) - 1)


def test_the_2010_2011_resources_figures_on_the_page(analyst_client):
    report = analyst_client.get("/reports/resources/", {"fiscal_year": "2010-2011"}).context["report"]
    assert plain(report["subtotal"]) == {"jfo_count": 52, "fte": 61.5, "salaries": 4264288}
    assert report["total"] == Decimal("5117145.60")


@pytest.mark.parametrize("report", ["tenure", "allocation", "coverage", "conditions", "expiring", "gaps"])
def test_every_page_without_parameters_matches_the_api(analyst_api, analyst_client, report):
    answer = analyst_api.get(f"/api/v1/reports/{report}/")
    page = analyst_client.get(f"/reports/{report}/")
    assert (answer.status_code, page.status_code) == (200, 200)
    assert as_json(page.context["report"]) == answer.json()


def test_the_dashboard_takes_every_fiscal_year_form_and_refuses_the_same_inputs(analyst_api, analyst_client):
    for form in FISCAL_YEAR_FORMS:
        response = analyst_client.get("/", {"fiscal_year": form})
        assert response.status_code == 200
        assert response.context["dashboard"]["fiscal_year"].label == "2010-2011", form
    message = api_message(analyst_api, "resources", {"fiscal_year": "soon"})
    response = analyst_client.get("/", {"fiscal_year": "soon"})
    assert response.status_code == 200
    assert response.context["form"].errors["fiscal_year"] == [message]


# --- Typed shapes: each report's schema and CSV header come from its shape ----------------------

SHAPES = {  # report: (its shape, the row shape of its CSV, today's CSV header, query)
    "resources": (selectors.ResourcesReport, selectors.ResourcesRow,
                  "group,key,label,jfo_count,fte,salaries", {"fiscal_year": "2010"}),
    "tenure": (selectors.TenureReport, selectors.TenureRow,
               "employee_number,name,position,region,jfos,since,years,over_5_years", {"on": "2011-03-31"}),
    "allocation": (selectors.AllocationReport, selectors.AllocationRow,
                   "state,employee_number,name,position,region,peak_fte,fte_years", {"fiscal_year": "2010"}),
    "coverage": (report_shapes.CoverageReport, report_shapes.CoverageGroup,
                 "group,key,label,units,covered,not_covered", {"fiscal_year": "2010"}),
    "conditions": (report_shapes.ConditionsReport, report_shapes.ConditionRow,
                   "reference,title,status,a,b,c,d,e,f,g,addressed", {}),
    "expiring": (report_shapes.ExpiringReport, report_shapes.ExpiringRow,
                 "reference,title,expiry_date,review_date,days_to_expiry,review_overdue,regions", {}),
    "gaps": (report_shapes.GapsReport, report_shapes.GapActionRow,
             "gap,subject,region,action,owner,due_date,status,overdue", {}),
}
SCHEMAS = {
    "resources": operations_reports.ResourcesReport, "tenure": operations_reports.TenureReport,
    "allocation": operations_reports.AllocationReport, "coverage": agreements_reports.CoverageReport,
    "conditions": agreements_reports.ConditionsReport, "expiring": agreements_reports.ExpiringReport,
    "gaps": agreements_reports.GapsReport,
}


@pytest.mark.parametrize("report", list(SHAPES))
def test_the_schema_and_the_csv_header_come_from_the_shape(analyst_api, report):
    shape, row_shape, header, query = SHAPES[report]
    schema = SCHEMAS[report]
    assert schema is serializer_for(shape)
    published = [f.metadata.get("key") or f.name for f in dataclasses.fields(shape)]
    assert list(schema().fields) == published
    response = analyst_api.get(f"/api/v1/reports/{report}/", {**query, "format": "csv"})
    assert response.status_code == 200
    first_line = response.content.decode().splitlines()[0]
    assert first_line == header
    columns = csv_columns(row_shape)
    cells = first_line.split(",")
    assert [c for c in cells if c in columns] == [c for c in columns if c != "conditions"]


@pytest.mark.parametrize("report", list(SHAPES))
def test_the_json_keys_are_the_shapes_public_keys(analyst_api, report):
    shape, _row, _header, query = SHAPES[report]
    answer = analyst_api.get(f"/api/v1/reports/{report}/", query)
    assert answer.status_code == 200
    published = [f.metadata.get("key") or f.name for f in dataclasses.fields(shape)]
    assert list(answer.json()) == [key for key in published if key in answer.json()]
    assert set(published) - set(answer.json()) <= {"missing_salary_rates", "missing_costing_policy"}
