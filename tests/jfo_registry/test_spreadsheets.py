"""jfo_registry.core.spreadsheets: the one CSV and XLSX writer, and the admin's exports through it."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from import_export.results import RowResult

from jfo_registry.core import spreadsheets
from operations.models import Agency, Assignment, JointForceOperation, Officer
from tests.conftest import make_assignment, make_jfo, make_officer
from tests.formulas import PAYLOADS, XLSX_PAYLOADS, assert_neutralised, csv_cells, xlsx_cells


@pytest.mark.parametrize("payload", PAYLOADS)
def test_text_that_starts_a_formula_gets_an_apostrophe_and_comes_back(payload):
    assert spreadsheets.neutralise(payload) == "'" + payload
    assert spreadsheets.restore(spreadsheets.neutralise(payload)) == payload


@pytest.mark.parametrize(
    "text", ["'=1", "''-2", "'plain", "'", "", "plain", "a=b", "x-1", "'@", "1-2", "=", " =1"]
)
def test_restore_gives_back_exactly_what_was_written(text):
    assert spreadsheets.restore(spreadsheets.neutralise(text)) == text


def test_apostrophes_are_added_only_before_a_formula_start():
    assert spreadsheets.neutralise("'=1") == "''=1"  # else the import would read it back as "=1"
    assert spreadsheets.neutralise("'plain") == "'plain"
    assert spreadsheets.restore("'plain") == "'plain"
    assert spreadsheets.neutralise(" =1") == " =1"  # a leading space is not a formula


@pytest.mark.parametrize("value", [-2, -2.5, Decimal("-0.50"), 0, None, True, datetime.date(2011, 3, 31)])
def test_numbers_and_other_values_are_not_text(value):
    assert spreadsheets.neutralise(value) is value
    assert spreadsheets.restore(value) is value


def test_csv_neutralises_text_and_leaves_numbers():
    text = spreadsheets.csv_text([["name", "fte"], ["=1+1", Decimal("-0.50")], ["-2", -2], [None, 1.5]])
    assert text == "name,fte\r\n'=1+1,-0.50\r\n'-2,-2\r\n,1.5\r\n"


def test_xlsx_cells_are_values_never_formulas():
    content = spreadsheets.xlsx_bytes(["name", "fte"], [[p, -1.5] for p in PAYLOADS], title="x" * 40)
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook.active
    assert sheet.title == "x" * 31
    assert [c.value for c in sheet[1]] == ["name", "fte"] and sheet[1][0].font.b
    assert [c.value for c in sheet["B"][1:]] == [-1.5] * len(PAYLOADS)  # numbers stay numbers
    assert_neutralised(xlsx_cells(content), XLSX_PAYLOADS)


def test_a_dataset_is_restored_cell_by_cell():
    dataset = tablib.Dataset(["'=1", "'x", 3], headers=["'@h", "b", "c"])
    restored = spreadsheets.restore_dataset(dataset)
    assert restored.headers == ["@h", "b", "c"]
    assert restored[0] == ("=1", "'x", 3)


# --- The admin's exports (django-import-export) -------------------------------------------------


@pytest.fixture
def formula_records(db):
    """One agency, unit, officer and assignment per payload, stored as an old import might have."""
    for number, payload in enumerate(PAYLOADS):
        agency = Agency.objects.create(name_en=f"Agency {number}", acronym=f"FX-{number}", jurisdiction="federal")
        jfo = make_jfo(acronym=f"FX-{number}")
        officer = make_officer(employee_number=f"FX-{number}")
        make_assignment(officer=officer, jfo=jfo, fte="0.10", start=datetime.date(2020, 4, 1), role=f"role {number}")
        Agency.objects.filter(pk=agency.pk).update(name_en=payload)
        JointForceOperation.objects.filter(pk=jfo.pk).update(name=payload)
        Officer.objects.filter(pk=officer.pk).update(name=payload)
        Assignment.objects.filter(officer=officer).update(role=payload)


ADMIN_EXPORTS = ["agency", "jointforceoperation", "officer", "assignment"]


def admin_export(admin_client, app, model, format_name) -> bytes:
    """The admin's export of every record, every column, in `format_name` (csv or xlsx)."""
    url = reverse(f"admin:{app}_{model}_export")
    form = admin_client.get(url).context["form"]
    formats = {str(label).lower(): value for value, label in form.fields["format"].choices if value != ""}
    assert set(formats) == {"csv", "xlsx"}  # formats that could carry formulas (ods, tsv, xls…) are not offered
    columns = {name: "on" for name in form.fields if name not in ("format", "resource", "export_items")}
    response = admin_client.post(url, {"format": formats[format_name], "resource": 0, **columns})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    return response.content


@pytest.mark.parametrize("model", ADMIN_EXPORTS)
def test_the_admins_csv_export_neutralises_formulas(admin_client, formula_records, model):
    assert_neutralised(csv_cells(admin_export(admin_client, "operations", model, "csv")))


@pytest.mark.parametrize("model", ADMIN_EXPORTS)
def test_the_admins_xlsx_export_has_no_formula(admin_client, formula_records, model):
    assert_neutralised(xlsx_cells(admin_export(admin_client, "operations", model, "xlsx")), XLSX_PAYLOADS)


@pytest.mark.parametrize("format_name", ["csv", "xlsx"])
def test_a_file_the_admin_exported_imports_back_unchanged(admin_client, formula_records, format_name):
    printable = [p for p in PAYLOADS if p.isprintable()]  # the import trims a name's leading tab or CR
    Officer.objects.filter(name__in=set(PAYLOADS) - set(printable)).update(name="plain")
    content = admin_export(admin_client, "operations", "officer", format_name)
    url = reverse("admin:operations_officer_import")
    form = admin_client.get(url).context["form"]
    formats = {str(label).lower(): value for value, label in form.fields["format"].choices if value != ""}
    upload = SimpleUploadedFile(f"officers.{format_name}", content)
    preview = admin_client.post(url, {"format": formats[format_name], "import_file": upload, "resource": 0})
    result = preview.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals[RowResult.IMPORT_TYPE_UPDATE] == result.totals[RowResult.IMPORT_TYPE_NEW] == 0
    names = set(Officer.objects.filter(employee_number__startswith="FX-").values_list("name", flat=True))
    assert names == {*printable, "plain"}
