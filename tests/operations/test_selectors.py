"""`operations.selectors`: the report shapes are the one statement of a report's output; the
API schema and the CSV header are derived from them, and the 2010-2011 figures hold."""

import csv
import dataclasses
import io
from decimal import Decimal

import pytest

from operations import selectors
from tests.api import login

pytestmark = pytest.mark.django_db


def public_keys(shape) -> list[str]:
    return [field.metadata.get("key") or field.name for field in dataclasses.fields(shape)]


def scalar_keys(shape) -> list[str]:
    nested = {"children"}  # the only non-scalar field of a row
    return [key for key in public_keys(shape) if key not in nested]


def test_the_report_is_its_shape_read_under_its_public_keys():
    report = selectors.resources_report("2010-2011", "jfo_type")
    assert isinstance(report, selectors.ResourcesReport)
    costed = [key for key in public_keys(selectors.ResourcesReport) if not key.startswith("missing_")]
    assert list(report) == costed  # costed: no missing_* keys
    row = report["rows"][0]
    assert row["fte"] == row.fte_years and row["salaries"] == row.salaries_cad  # units on the names
    assert set(row) == set(public_keys(selectors.ResourcesRowWithChildren))


def test_the_published_figures_for_2010_2011_are_unchanged():
    report = selectors.resources_report("2010-2011", "region")
    assert (report["subtotal"]["jfo_count"], report["subtotal"]["fte"]) == (52, Decimal("61.50"))
    assert report["employee_benefits"]["rate"] == Decimal("0.2")
    assert report["total"] == report["subtotal"]["salaries"] + report["employee_benefits"]["amount"]


def test_the_schema_components_come_from_the_shapes(api, analyst):
    schema = login(api, analyst).get("/api/v1/schema/", {"format": "json"}).json()["components"]["schemas"]
    for shape in (selectors.ResourcesReport, selectors.ResourcesRow, selectors.ResourcesRowWithChildren,
                  selectors.ResourcesSubtotal, selectors.Benefits):
        assert list(schema[shape.__name__]["properties"]) == public_keys(shape), shape.__name__


def test_the_csv_header_comes_from_the_row_shape(api, analyst):
    response = login(api, analyst).get("/api/v1/reports/resources/", {"fiscal_year": "2010-2011", "format": "csv"})
    assert response.status_code == 200
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header == ["group", *scalar_keys(selectors.ResourcesRow)]
