import importlib

import pytest
import yaml
from django.core.management import call_command

from jfo_registry import settings as registry_settings
from tests.api import login


def test_openapi_schema_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    paths = schema["paths"]
    for resource in ("regions", "agencies", "threats", "programs", "jfos", "officers", "assignments",
                     "salary-rates", "costing-policies", "arrangements", "information-sharing-conditions"):
        assert f"/api/v1/{resource}/" in paths and f"/api/v1/{resource}/{{id}}/" in paths, resource
    for report in ("resources", "tenure", "allocation"):
        assert f"/api/v1/reports/{report}/" in paths
    jfo_parameters = {p["name"] for p in paths["/api/v1/jfos/"]["get"]["parameters"]}
    assert {"region", "program", "jfo_type", "fiscal_year", "q", "ordering", "page", "page_size"} <= jfo_parameters
    assert {"400", "401", "403"} <= set(paths["/api/v1/assignments/"]["post"]["responses"])
    # the POST operations that write a record's current version take If-Match as PATCH does
    for path in ("/api/v1/officers/{id}/change/", "/api/v1/jfos/{id}/change/", "/api/v1/assignments/{id}/change/",
                 "/api/v1/assignments/{id}/correct/", "/api/v1/officers/{id}/periods/{period_id}/correct/",
                 "/api/v1/jfos/{id}/periods/{period_id}/correct/"):
        post = paths[path]["post"]
        assert "If-Match" in {p["name"] for p in post["parameters"] if p["in"] == "header"}, path
        assert {"412", "428"} <= set(post["responses"]), path
    assert "If-Match" not in {p["name"] for p in paths["/api/v1/assignments/"]["post"].get("parameters", [])}
    for path, operations in paths.items():  # a refused delete is a 409, whatever the reason
        if "delete" in operations:
            assert "409" in operations["delete"]["responses"] and "400" not in operations["delete"]["responses"], path


@pytest.mark.django_db
def test_schema_and_swagger_ui_are_served(api, analyst):
    login(api, analyst)
    assert api.get("/api/v1/schema/").status_code == 200
    assert api.get("/api/v1/docs/").status_code == 200


@pytest.mark.django_db
def test_schema_and_swagger_ui_need_a_sign_in(api):
    assert api.get("/api/v1/schema/").status_code == 401
    response = api.get("/api/v1/docs/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/api/v1/docs/"


@pytest.mark.django_db
def test_a_setting_opens_the_schema_and_swagger_ui_to_everyone(api, settings):
    settings.API_SCHEMA_PUBLIC = True
    assert api.get("/api/v1/schema/").status_code == 200
    assert api.get("/api/v1/docs/").status_code == 200


def test_the_setting_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("API_SCHEMA_PUBLIC", "1")
    assert importlib.reload(registry_settings).API_SCHEMA_PUBLIC is True
    monkeypatch.delenv("API_SCHEMA_PUBLIC")
    assert importlib.reload(registry_settings).API_SCHEMA_PUBLIC is False
