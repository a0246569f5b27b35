"""The report endpoints are read-only: every other method answers 405, in JSON and in CSV."""

import pytest

from tests.api import login

pytestmark = pytest.mark.django_db

REPORTS = ("resources", "tenure", "allocation", "coverage", "conditions", "expiring", "gaps")


@pytest.mark.parametrize("report", REPORTS)
@pytest.mark.parametrize("method", ["TRACE", "POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("answer_format", ["csv", "json"])
def test_methods_other_than_reading_answer_405(api, administrator, report, method, answer_format):
    login(api, administrator)
    response = api.generic(method, f"/api/v1/reports/{report}/?format={answer_format}")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response["Content-Type"].startswith("text/csv" if answer_format == "csv" else "application/json")


def test_an_unsupported_method_still_needs_a_sign_in_and_a_role(api, no_role_user):
    assert api.generic("TRACE", "/api/v1/reports/resources/?format=csv").status_code == 401
    login(api, no_role_user)
    assert api.generic("TRACE", "/api/v1/reports/resources/?format=csv").status_code == 403


def test_a_method_a_resource_does_not_serve_is_405_not_403(api, administrator):
    login(api, administrator)
    assert api.generic("TRACE", "/api/v1/officers/").status_code == 405
    assert api.post("/api/v1/officers/1/", {}, format="json").status_code == 405


@pytest.mark.parametrize("report", REPORTS)
@pytest.mark.parametrize(("query", "accept"), [("?format=csv", None), ("", "text/csv"), ("?format=json", None)])
def test_options_describes_the_report_in_json_whatever_format_is_asked(api, analyst, report, query, accept):
    """The description has no CSV form: `format=csv` (or Accept: text/csv) on OPTIONS is not a 500."""
    login(api, analyst)
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    response = api.options(f"/api/v1/reports/{report}/{query}", **headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "Content-Disposition" not in response
    assert response.json()["renders"] == ["application/json", "text/html", "text/csv"]


def test_options_still_needs_a_sign_in_and_a_role(api, no_role_user):
    assert api.options("/api/v1/reports/tenure/?format=csv").status_code == 401
    login(api, no_role_user)
    assert api.options("/api/v1/reports/tenure/?format=csv").status_code == 403


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_reading_a_report_as_csv_still_downloads_it(api, analyst, method):
    login(api, analyst)
    response = api.generic(method, "/api/v1/reports/tenure/?format=csv&on=2011-03-31")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="tenure-2011-03-31.csv"'
