"""Bulk import and export (operations.importers, import_records, export_records).

Rows are numbered from 1, the first row below the header row."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
import tablib
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models
from django.utils import timezone, translation

from jfo_registry.core import audit
from operations import importers
from operations.models import Agency, Assignment, JointForceOperation, Officer, Participation
from tests.conftest import make_assignment, make_jfo, make_officer
from tests.formulas import PAYLOADS, XLSX_PAYLOADS, assert_neutralised, csv_cells, xlsx_cells

pytestmark = pytest.mark.django_db

KINDS = list(importers.KINDS)
ASSIGNMENT_COLUMNS = ["employee_number", "jfo", "fte", "start_date", "end_date", "role", "notes"]
OFFICER_COLUMNS = ["employee_number", "name", "position", "classification", "home_region", "active"]
HISTORIES = [Agency, JointForceOperation, Participation, Officer, Assignment]


def csv_bytes(header, *rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def history_counts() -> dict[str, int]:
    return {model.__name__: model.history.model.objects.count() for model in HISTORIES}


def record_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in HISTORIES}


def error_rows(summary) -> set:
    return {error.row for error in summary.errors}


def run(*args, **kwargs):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err, **kwargs)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def officer():
    return make_officer()


@pytest.fixture
def units():
    return make_jfo(), make_jfo(), make_jfo()


# --- All or nothing, with the row's number --------------------------------------------------------


@pytest.mark.parametrize(
    "bad_row, column, message",
    [
        (["{emp}", "{jfo}", "1.5", "2010-04-01", "", "", ""], "fte", "FTE must be more than 0 and at most 1.00."),
        (["NO-SUCH-OFFICER", "{jfo}", "0.5", "2010-04-01", "", "", ""], "employee_number",
         "No officer has the employee number 'NO-SUCH-OFFICER'."),
        (["{emp}", "NO-SUCH-UNIT", "0.5", "2010-04-01", "", "", ""], "jfo", "No JFO unit has the acronym 'NO-SUCH-UNIT'."),
        (["{emp}", "{jfo}", "0.5", "01/04/2010", "", "", ""], "start_date", "is not a date"),
        (["{emp}", "{jfo}", "lots", "2010-04-01", "", "", ""], "fte", "'lots' is not a number."),
        (["{emp}", "{jfo}", "0.5", "2010-04-01", "2010-01-01", "", ""], "end_date", "cannot be before its start date"),
        (["{emp}", "{jfo}", "0.5", "2010-04-01", "", "", "x" * 4001], "notes", "at most 4000 characters (it has 4001)"),
    ],
    ids=["fte-1.5", "unknown-officer", "unknown-unit", "bad-date", "not-a-number", "end-before-start", "notes-too-long"],
)
def test_one_bad_row_imports_nothing_and_reports_its_row(bad_row, column, message, units):
    officers = [make_officer() for _ in range(4)]
    jfo = units[0].acronym
    rows = [
        [officers[0].employee_number, jfo, "0.50", "2010-04-01", "", "Analyst", ""],
        [officers[1].employee_number, jfo, "1.00", "2010-04-01", "2011-03-31", "", "full year"],
        [value.format(emp=officers[2].employee_number, jfo=jfo) for value in bad_row],
        [officers[3].employee_number, jfo, "0.25", "2010-06-01", "", "", ""],
    ]
    before, history = record_counts(), history_counts()

    summary = importers.import_file("assignments", csv_bytes(ASSIGNMENT_COLUMNS, *rows), "csv")

    assert not summary.ok and error_rows(summary) == {3}
    assert summary.errors[0].message.startswith(f"{column}: ") and message in summary.errors[0].message
    assert str(summary.errors[0]).startswith(f"Row 3: {column}: ")
    assert "Nothing was imported." in str(summary)
    assert record_counts() == before and history_counts() == history


def test_rows_that_together_over_allocate_an_officer_import_nothing(officer, units):
    header = ["employee_number", "jfo", "fte", "start_date", "end_date"]
    first = [officer.employee_number, units[0].acronym, "0.60", "2010-04-01", ""]
    second = [officer.employee_number, units[1].acronym, "0.60", "2010-06-01", "2010-12-31"]
    for row in (first, second):  # each row alone fits
        assert importers.import_file("assignments", csv_bytes(header, row), "csv", dry_run=True).ok

    summary = importers.import_file("assignments", csv_bytes(header, first, second), "csv")

    assert error_rows(summary) == {1, 2}
    assert all("would be assigned more than 1.00 FTE" in error.message for error in summary.errors)
    assert "1.20 FTE from 2010-06-01 to 2010-12-31" in summary.errors[0].message
    assert not officer.assignments.exists()


def test_the_file_is_checked_with_the_officers_saved_assignments(units):
    existing = make_assignment(jfo=units[0], fte="0.70")
    row = [existing.officer.employee_number, units[1].acronym, "0.40", "2010-09-01", ""]
    summary = importers.import_file("assignments", csv_bytes(ASSIGNMENT_COLUMNS[:5], row), "csv")
    assert error_rows(summary) == {1} and "1.10 FTE from 2010-09-01 on" in summary.errors[0].message
    assert existing.officer.assignments.count() == 1


@pytest.mark.parametrize("order", ["new-first", "ending-first"])
def test_ending_one_assignment_and_starting_the_next_imports_in_any_row_order(order, units):
    current = make_assignment(jfo=units[0], fte="1.00", start=datetime.date(2010, 4, 1))
    number = current.officer.employee_number
    ending = [number, units[0].acronym, "1.00", "2010-04-01", "2010-12-31"]
    starting = [number, units[1].acronym, "1.00", "2011-01-01", ""]
    rows = [starting, ending] if order == "new-first" else [ending, starting]

    summary = importers.import_file("assignments", csv_bytes(ASSIGNMENT_COLUMNS[:5], *rows), "csv")

    assert summary.ok, summary.error_lines()
    assert (summary.created, summary.updated, summary.unchanged) == (1, 1, 0)
    current.refresh_from_db()
    assert current.end_date == datetime.date(2010, 12, 31)
    assert current.officer.assignments.get(jfo=units[1]).fte == Decimal("1.00")


def test_a_valid_file_creates_the_rows_with_history_recorded_as_import(units):
    officers = [make_officer(), make_officer()]
    rows = [
        [officers[0].employee_number, units[0].acronym, "0.5", "2010-04-01", "", "Analyst", "Line 1\nLine 2"],
        [officers[0].employee_number, units[1].acronym, "0,5", "2010-04-01", "2011-03-31", "", ""],
        [officers[1].employee_number, units[2].acronym, "1", "2010-07-01", "", "", ""],
    ]
    with audit.entry_point(audit.ADMIN):  # even inside another entry point, an import is an import
        summary = importers.import_file("assignments", csv_bytes(ASSIGNMENT_COLUMNS, *rows), "csv")

    assert summary.ok and (summary.created, summary.updated, summary.unchanged) == (3, 0, 0)
    assert str(summary) == "3 created, 0 updated, 0 unchanged."
    created = Assignment.objects.filter(officer__in=officers).order_by("jfo__acronym")
    assert [(a.jfo, a.fte, a.role, a.notes) for a in created] == [
        (units[0], Decimal("0.50"), "Analyst", "Line 1\nLine 2"),
        (units[1], Decimal("0.50"), "", ""),
        (units[2], Decimal("1.00"), "", ""),
    ]
    history = Assignment.history.filter(id__in=[a.pk for a in created])
    assert history.count() == 3
    assert {(h.history_type, h.history_change_reason) for h in history} == {("+", "import")}


def test_changed_rows_are_updated_and_unchanged_rows_leave_no_history(units):
    first = make_assignment(jfo=units[0], fte="0.50")
    second = make_assignment(jfo=units[1], fte="0.50")
    rows = [
        [first.officer.employee_number, units[0].acronym, "0.50", "2010-04-01", "", "", ""],
        [second.officer.employee_number, units[1].acronym, "0.75", "2010-04-01", "", "Lead analyst", ""],
    ]
    history = history_counts()

    summary = importers.import_file("assignments", csv_bytes(ASSIGNMENT_COLUMNS, *rows), "csv")

    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 1)
    # A changed FTE or role of an ongoing assignment takes effect from today (issue #12): the
    # period ends yesterday and its successor holds the change.
    today = timezone.localdate()
    second.refresh_from_db()
    assert (second.fte, second.role, second.end_date) == (Decimal("0.50"), "", today - datetime.timedelta(days=1))
    successor = second.successor
    assert (successor.fte, successor.role, successor.start_date, successor.end_date) == (
        Decimal("0.75"), "Lead analyst", today, None,
    )
    assert history_counts()["Assignment"] == history["Assignment"] + 2
    change = second.history.first()
    assert (change.history_type, change.history_change_reason) == ("~", "import")
    assert successor.history.get().history_change_reason == "import"


def test_a_dry_run_checks_everything_and_writes_nothing(officer, units):
    row = [officer.employee_number, units[0].acronym, "0.5", "2010-04-01", "", "", ""]
    history = history_counts()
    summary = importers.import_file("assignments", csv_bytes(ASSIGNMENT_COLUMNS, row), "csv", dry_run=True)
    assert summary.ok and summary.dry_run and summary.created == 1
    assert str(summary) == "Dry run, nothing was written: 1 created, 0 updated, 0 unchanged."
    assert not officer.assignments.exists() and history_counts() == history


def test_a_row_repeating_another_is_refused(officer, units):
    row = [officer.employee_number, units[0].acronym, "0.5", "2010-04-01"]
    summary = importers.import_file("assignments", csv_bytes(ASSIGNMENT_COLUMNS[:4], row, row), "csv")
    assert [str(e) for e in summary.errors] == [
        "Row 2: This row repeats row 1 (same employee_number, jfo, start_date)."
    ]
    assert not officer.assignments.exists()


def test_unknown_and_missing_columns_refuse_the_whole_file(officer, units):
    row = [officer.employee_number, units[0].acronym, "0.5", "2010-04-01"]
    summary = importers.import_file(
        "assignments", csv_bytes(["employee_number", "jfo", "ftee", "start_date"], row), "csv"
    )
    assert len(summary.errors) == 1 and summary.errors[0].row is None
    assert summary.errors[0].message.startswith("Unknown column(s): ftee.")
    summary = importers.import_file("assignments", csv_bytes(["employee_number", "fte", "start_date"], row[:3]), "csv")
    assert summary.errors[0].message.startswith("Missing column(s): jfo")
    assert not officer.assignments.exists()


def test_blank_rows_are_ignored_and_rows_keep_the_files_numbering(units):
    officers = [make_officer(), make_officer()]
    content = (
        "\ufeffemployee_number;jfo;fte;start_date\r\n"  # Excel's "CSV UTF-8" in French: BOM and ';'
        f"{officers[0].employee_number};{units[0].acronym};0,5;2010-04-01\r\n"
        ";;;\r\n"
        f"{officers[1].employee_number};{units[0].acronym};2;2010-04-01\r\n"
        "\r\n"
    ).encode("utf-8")
    summary = importers.import_file("assignments", content, "csv")
    assert [str(e) for e in summary.errors] == ["Row 3: fte: FTE must be more than 0 and at most 1.00."]


# --- Round trips ------------------------------------------------------------------------------


@pytest.mark.parametrize("format", importers.FORMATS)
@pytest.mark.parametrize("kind", KINDS)
def test_the_seed_exported_and_imported_again_changes_nothing(kind, format):
    before = {k: importers.export(k, "csv") for k in KINDS}
    counts, history = record_counts(), history_counts()
    records = len(importers.export_dataset(kind))
    assert records > 0

    summary = importers.import_file(kind, importers.export(kind, format), format)

    assert summary.ok, summary.error_lines()[:5]
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, records)
    assert record_counts() == counts
    assert history_counts() == history
    assert {k: importers.export(k, "csv") for k in KINDS} == before


def test_the_seed_exports_every_record_with_natural_keys():
    jfos = importers.export_dataset("jfos")
    assert jfos.headers == [
        "acronym", "name", "jfo_type", "program", "region", "objectives", "threats", "leads", "partners",
        "co_located", "has_joint_management_team", "status", "start_date", "end_date",
    ]
    assert len(jfos) == JointForceOperation.objects.count() == 52
    assert len(importers.export_dataset("officers")) == 63
    assert len(importers.export_dataset("assignments")) == Assignment.objects.count()
    ibet = dict(zip(jfos.headers, next(row for row in jfos if row[0] == "IBET-ATL")))
    assert (ibet["region"], ibet["program"], ibet["leads"]) == ("ATL", "IBET", "RCMP")
    assert ibet["partners"] == "CBSA, US-CBP, US-ICE, US-USCG"
    assert "terrorism" in ibet["threats"].split(", ")
    assignments = importers.export_dataset("assignments")
    assert assignments.headers == ASSIGNMENT_COLUMNS
    assert assignments[0][:4] == ("PH-0001", "IBET-ATL", "1.00", "2006-01-01")


def test_an_xlsx_edited_in_a_spreadsheet_imports_its_changes():
    workbook = openpyxl.load_workbook(io.BytesIO(importers.export("officers", "xlsx")))
    sheet = workbook.active
    assert [c.value for c in sheet[1]] == ["employee_number", "name", "position", "classification", "home_region", "active"]
    assert sheet["A2"].value == "PH-0001"
    sheet["B2"] = "Renamed Officer"
    sheet["F3"] = False  # a spreadsheet boolean
    sheet.append(["PH-9999", "New Officer", "IA", "FB-03", "gta", 1])  # region in another case, 1 for true
    sheet.append([None] * 6)  # trailing empty rows of a spreadsheet
    out = io.BytesIO()
    workbook.save(out)

    summary = importers.import_file("officers", out.getvalue(), "xlsx")

    assert summary.ok, summary.error_lines()
    assert (summary.created, summary.updated, summary.unchanged) == (1, 2, 61)
    assert Officer.objects.get(employee_number="PH-0001").name == "Renamed Officer"
    assert Officer.objects.get(employee_number="PH-0002").active is False
    new = Officer.objects.get(employee_number="PH-9999")
    assert (new.home_region.code, new.position, new.active) == ("GTA", "IA", True)
    assert new.history.get().history_change_reason == "import"


def test_xlsx_cells_stay_text_even_when_they_look_like_formulas(units):
    jfo = units[0]
    jfo.objectives = "=HYPERLINK(\"http://example.invalid\")\r\nsecond line"
    jfo.save()
    workbook = openpyxl.load_workbook(io.BytesIO(importers.export("jfos", "xlsx")))
    cell = next(row[5] for row in workbook.active.iter_rows(min_row=2) if row[0].value == jfo.acronym)
    assert cell.data_type == "s" and cell.value.startswith("'=HYPERLINK")
    history = history_counts()
    summary = importers.import_file("jfos", importers.export("jfos", "xlsx"), "xlsx")
    assert summary.ok and summary.updated == 0 and history_counts() == history


@pytest.fixture
def formula_records():
    """Per payload: an agency, a unit (name and objectives), an officer, an assignment (role and
    notes), stored as an old import might have left them."""
    for number, payload in enumerate(PAYLOADS):
        agency = Agency.objects.create(name_en=f"Agency {number}", acronym=f"FX-{number}", jurisdiction="federal")
        jfo = make_jfo(acronym=f"FX-{number}", objectives=payload)
        officer = make_officer(employee_number=f"FX-{number}")
        make_assignment(officer=officer, jfo=jfo, fte="0.10", start=datetime.date(2020, 4, 1), notes=payload)
        Agency.objects.filter(pk=agency.pk).update(name_fr=payload)
        JointForceOperation.objects.filter(pk=jfo.pk).update(name=payload)
        Officer.objects.filter(pk=officer.pk).update(name=payload)
        Assignment.objects.filter(officer=officer).update(role=payload)


@pytest.mark.parametrize("kind", KINDS)
def test_every_export_neutralises_text_that_would_start_a_formula(formula_records, kind):
    assert_neutralised(csv_cells(importers.export(kind, "csv")))
    assert_neutralised(xlsx_cells(importers.export(kind, "xlsx")), XLSX_PAYLOADS)


@pytest.mark.parametrize("format", importers.FORMATS)
@pytest.mark.parametrize("kind", KINDS)
def test_exported_formulas_import_back_as_the_same_text(formula_records, kind, format):
    # A one-line field's leading tab or CR is trimmed by the import: only multi-line text keeps them.
    Agency.objects.filter(name_fr__in=["\tx", "\rx"]).update(name_fr="plain")
    JointForceOperation.objects.filter(name__in=["\tx", "\rx"]).update(name="plain")
    Officer.objects.filter(name__in=["\tx", "\rx"]).update(name="plain")
    Assignment.objects.filter(role__in=["\tx", "\rx"]).update(role="plain")
    before = importers.export(kind, "csv")
    history = history_counts()

    summary = importers.import_file(kind, importers.export(kind, format), format)

    assert summary.ok, summary.error_lines()[:5]
    assert (summary.created, summary.updated) == (0, 0)
    assert history_counts() == history
    assert importers.export(kind, "csv") == before
    assert set(Officer.objects.filter(employee_number__startswith="FX-").values_list("name", flat=True)) == {
        '=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)", "plain"
    }


def test_export_records_neutralises_formulas_in_csv_and_xlsx(tmp_path, formula_records):
    out, _err = run("export_records", "officers")
    assert_neutralised(csv_cells(out.encode("utf-8")))
    path = tmp_path / "officers.xlsx"
    run("export_records", "officers", "--output", str(path))
    assert_neutralised(xlsx_cells(path.read_bytes()), XLSX_PAYLOADS)


# --- JFO units: threats, leads and partners ----------------------------------------------------


JFO_HEADER = ["acronym", "name", "jfo_type", "program", "region", "threats", "leads", "partners", "co_located",
              "has_joint_management_team", "status", "start_date", "end_date"]


def test_a_new_unit_with_threats_leads_and_partners():
    row = ["NEW-UNIT", "New unit", "Regional", "", "GTA", "cocaine, terrorism", "RCMP", "CBSA,OPP", "true", "no",
           "active", "2010-04-01", ""]
    summary = importers.import_file("jfos", csv_bytes(JFO_HEADER, row), "csv")
    assert summary.ok, summary.error_lines()
    unit = JointForceOperation.objects.get(acronym="NEW-UNIT")
    assert (unit.jfo_type, unit.program, unit.region.code, unit.co_located) == ("regional", None, "GTA", True)
    assert sorted(unit.threats.values_list("code", flat=True)) == ["cocaine", "terrorism"]
    assert sorted(unit.participations.values_list("agency__acronym", "role")) == [
        ("CBSA", "partner"), ("OPP", "partner"), ("RCMP", "lead")
    ]
    assert {h.history_change_reason for h in Participation.history.filter(jfo_id=unit.pk)} == {"import"}


def test_leads_and_partners_columns_set_the_participations():
    unit = JointForceOperation.objects.get(acronym="AOCTF")  # lead TPS; partners CBSA, DRPS, OPP, PPS, YRP
    summary = importers.import_file(
        "jfos", csv_bytes(["acronym", "leads", "partners"], ["AOCTF", "TPS, OPP", "CBSA, PPS"]), "csv"
    )
    assert summary.ok and summary.updated == 1
    assert sorted(unit.participations.values_list("agency__acronym", "role")) == [
        ("CBSA", "partner"), ("OPP", "lead"), ("PPS", "partner"), ("TPS", "lead")
    ]
    # Only the leads column: the partners stay.
    summary = importers.import_file("jfos", csv_bytes(["acronym", "leads"], ["AOCTF", "TPS"]), "csv")
    assert summary.ok and summary.updated == 1
    assert sorted(unit.participations.values_list("agency__acronym", "role")) == [
        ("CBSA", "partner"), ("PPS", "partner"), ("TPS", "lead")
    ]
    # The same lists in another order: unchanged.
    summary = importers.import_file("jfos", csv_bytes(["acronym", "leads", "partners"], ["AOCTF", "TPS", "PPS,CBSA"]), "csv")
    assert summary.ok and (summary.updated, summary.unchanged) == (0, 1)


def test_unknown_codes_and_an_agency_both_lead_and_partner_are_refused():
    rows = [
        ["AOCTF", "cocaine, no-such-threat", "TPS", "CBSA"],
        ["TADEU", "cocaine", "TPS, NOPE", "CBSA"],
        ["ITF", "cocaine", "RCMP", "CBSA, RCMP"],
    ]
    history = history_counts()
    summary = importers.import_file("jfos", csv_bytes(["acronym", "threats", "leads", "partners"], *rows), "csv")
    assert [str(e) for e in summary.errors] == [
        "Row 1: threats: Unknown threat codes: no-such-threat.",
        "Row 2: leads: Unknown agency acronyms: NOPE.",
        "Row 3: partners: RCMP: an agency is either a lead or a partner of a unit, not both.",
    ]
    assert history_counts() == history


def test_a_closed_unit_needs_an_end_date_and_booleans_must_be_booleans():
    summary = importers.import_file(
        "jfos", csv_bytes(["acronym", "status", "co_located"], ["AOCTF", "closed", "maybe"]), "csv"
    )
    assert sorted(str(e) for e in summary.errors) == [
        "Row 1: co_located: 'maybe' is not true or false.",
        "Row 1: end_date: A closed JFO unit needs an end date.",
    ]


# --- Agencies: parents by acronym --------------------------------------------------------------


AGENCY_HEADER = ["acronym", "name_en", "name_fr", "jurisdiction", "country", "parent", "active"]


def test_a_parent_defined_further_down_the_file_is_linked():
    rows = [
        ["CHILD-B", "Child B", "", "municipal", "CA", "CHILD-A", "true"],
        ["CHILD-A", "Child A", "", "provincial", "CA", "TOP", "true"],
        ["TOP", "Top", "Haut", "federal", "CA", "", "true"],
        ["SIDE", "Side", "", "federal", "CA", "RCMP", "false"],
    ]
    summary = importers.import_file("agencies", csv_bytes(AGENCY_HEADER, *rows), "csv")
    assert summary.ok, summary.error_lines()
    assert summary.created == 4
    parents = dict(Agency.objects.filter(acronym__in=["CHILD-B", "CHILD-A", "TOP", "SIDE"])
                   .values_list("acronym", "parent__acronym"))
    assert parents == {"CHILD-B": "CHILD-A", "CHILD-A": "TOP", "TOP": None, "SIDE": "RCMP"}
    assert Agency.history.filter(acronym="CHILD-B").count() == 1  # saved once, with its parent
    # Exported parents first: the file imports unchanged.
    exported = importers.export_dataset("agencies")
    order = [row[0] for row in exported]
    assert order.index("TOP") < order.index("CHILD-A") < order.index("CHILD-B")
    summary = importers.import_file("agencies", importers.export("agencies", "csv"), "csv")
    assert summary.ok and summary.created == summary.updated == 0


def test_parents_in_a_loop_and_unknown_parents_are_refused():
    rows = [
        ["LOOP-A", "A", "", "federal", "CA", "LOOP-B", "true"],
        ["LOOP-B", "B", "", "federal", "CA", "LOOP-A", "true"],
        ["SELF", "Self", "", "federal", "CA", "SELF", "true"],
        ["ORPHAN", "Orphan", "", "federal", "CA", "NOBODY", "true"],
    ]
    summary = importers.import_file("agencies", csv_bytes(AGENCY_HEADER, *rows), "csv")
    assert [str(e) for e in summary.errors] == ["Row 4: parent: No agency has the acronym 'NOBODY'."]
    summary = importers.import_file("agencies", csv_bytes(AGENCY_HEADER, *rows[:3]), "csv")
    assert error_rows(summary) == {1, 2, 3}
    assert "Row 3: parent: An agency cannot be its own parent." in summary.error_lines()
    assert not Agency.objects.filter(acronym__in=["LOOP-A", "LOOP-B", "SELF", "ORPHAN"]).exists()


def test_an_invalid_choice_is_reported_with_the_models_message():
    summary = importers.import_file(
        "agencies", csv_bytes(AGENCY_HEADER, ["NEWCO", "New", "", "galactic", "CA", "", "true"]), "csv"
    )
    assert [str(e) for e in summary.errors] == ["Row 1: jurisdiction: Value 'galactic' is not a valid choice."]


# --- The resources as django-import-export resources (the admin's use) --------------------------


def test_the_resource_alone_is_all_or_nothing_and_recorded_as_import(units):
    officers = [make_officer(), make_officer()]
    dataset = tablib.Dataset(headers=ASSIGNMENT_COLUMNS[:4])
    dataset.append([officers[0].employee_number, units[0].acronym, "0.5", "2010-04-01"])
    dataset.append([officers[1].employee_number, units[0].acronym, "9", "2010-04-01"])
    with audit.entry_point(audit.ADMIN):
        result = importers.AssignmentResource().import_data(dataset, dry_run=False)
    assert result.has_validation_errors() and result.invalid_rows[0].number == 2
    assert not Assignment.objects.filter(officer__in=officers).exists()

    dataset.pop()
    with audit.entry_point(audit.ADMIN):
        result = importers.AssignmentResource().import_data(dataset, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    created = Assignment.objects.get(officer=officers[0])
    assert created.history.get().history_change_reason == "import"


def test_resources_by_model_for_the_admin():
    assert importers.RESOURCES[Assignment] is importers.AssignmentResource
    assert importers.RESOURCES[JointForceOperation] is importers.JointForceOperationResource
    assert importers.AgencyResource.columns() == AGENCY_HEADER
    fields = [f.column_name for f in importers.OfficerResource().get_user_visible_fields()]
    assert fields == ["employee_number", "name", "position", "classification", "home_region", "active"]


# --- Files ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content, format, message",
    [
        (b"", "csv", "The file is empty."),
        (b"not a workbook", "xlsx", "not a readable XLSX workbook"),
        (b"a,b\n1,2,3\n", "csv", "Row 1 has more values than the header row has columns."),
    ],
)
def test_unreadable_files_raise_a_clear_error(content, format, message):
    with pytest.raises(importers.UnreadableFile, match=message):
        importers.import_file("officers", content, format)


def test_unknown_kind_and_format():
    with pytest.raises(importers.UnknownKind, match="Unknown kind 'units': use one of agencies, jfos, officers, assignments."):
        importers.import_file("units", b"a\n1\n", "csv")
    with pytest.raises(importers.UnknownKind):
        importers.export("units")
    with pytest.raises(importers.UnreadableFile, match="Cannot tell the format"):
        importers.guess_format("records.ods")


# --- import_records ----------------------------------------------------------------------------


def test_import_records_prints_the_summary(tmp_path, units):
    officers = [make_officer(), make_officer()]
    path = tmp_path / "assignments.csv"
    path.write_bytes(csv_bytes(
        ASSIGNMENT_COLUMNS[:4],
        [officers[0].employee_number, units[0].acronym, "0.5", "2012-04-01"],
        [officers[1].employee_number, units[1].acronym, "0.5", "2012-04-01"],
    ))
    out, err = run("import_records", "assignments", str(path))
    assert out.strip() == "2 created, 0 updated, 0 unchanged."
    assert "Checking" in err and "Importing" in err and "2/2" in err  # the progress bars
    assert Assignment.history.filter(officer_id__in=[o.pk for o in officers], history_change_reason="import").count() == 2

    out, _err = run("import_records", "assignments", str(path))
    assert out.strip() == "0 created, 0 updated, 2 unchanged."


def test_import_records_dry_run_writes_nothing(tmp_path, officer, units):
    path = tmp_path / "assignments.csv"
    path.write_bytes(csv_bytes(ASSIGNMENT_COLUMNS[:4], [officer.employee_number, units[0].acronym, "0.5", "2012-04-01"]))
    history = history_counts()
    out, _err = run("import_records", "assignments", str(path), "--dry-run")
    assert out.strip() == "Dry run (nothing was written): 1 created, 0 updated, 0 unchanged."
    assert not officer.assignments.exists() and history_counts() == history


def test_import_records_refuses_a_file_with_an_invalid_row(tmp_path, units):
    officers = [make_officer(), make_officer()]
    path = tmp_path / "assignments.csv"
    path.write_bytes(csv_bytes(
        ASSIGNMENT_COLUMNS[:4],
        [officers[0].employee_number, units[0].acronym, "0.5", "2012-04-01"],
        [officers[1].employee_number, units[0].acronym, "1.5", "2012-04-01"],
    ))
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"1 row is invalid \(1 error\)\. Nothing was imported\."):
        call_command("import_records", "assignments", str(path), stdout=io.StringIO(), stderr=err)
    assert "Row 2: fte: FTE must be more than 0 and at most 1.00." in err.getvalue()
    assert not Assignment.objects.filter(officer__in=officers).exists()


def test_import_records_reads_xlsx_and_takes_the_format_option(tmp_path):
    path = tmp_path / "officers.xlsx"
    path.write_bytes(importers.export("officers", "xlsx"))
    out, _err = run("import_records", "officers", str(path))
    assert out.strip() == "0 created, 0 updated, 63 unchanged."
    other = tmp_path / "officers.data"
    other.write_bytes(importers.export("officers", "csv"))
    out, _err = run("import_records", "officers", str(other), "--format", "csv")
    assert out.strip() == "0 created, 0 updated, 63 unchanged."


@pytest.mark.parametrize(
    "kind, name, content, message",
    [
        ("units", "x.csv", b"acronym\nA\n", "Unknown kind 'units'"),
        ("officers", "missing.csv", None, "no such file"),
        ("officers", "broken.xlsx", b"PK\x03\x04 not really a zip", "not a readable XLSX workbook"),
        ("officers", "officers.ods", b"x", "Cannot tell the format"),
        ("officers", "empty.csv", b"", "The file is empty."),
    ],
)
def test_import_records_unknown_kind_or_unreadable_file(tmp_path, kind, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    counts, history = record_counts(), history_counts()
    with pytest.raises(CommandError, match=message) as raised:
        call_command("import_records", kind, str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert "Nothing was imported." in str(raised.value)
    assert record_counts() == counts and history_counts() == history


# --- export_records ----------------------------------------------------------------------------


def test_export_records_writes_csv_to_stdout_and_xlsx_to_a_file(tmp_path):
    out, _err = run("export_records", "assignments")
    assert out.encode("utf-8") == importers.export("assignments", "csv")
    assert out.splitlines()[0] == ",".join(ASSIGNMENT_COLUMNS)

    path = tmp_path / "units.xlsx"
    out, _err = run("export_records", "jfos", "--output", str(path))
    assert out.strip() == f"52 jfos exported to {path}."
    assert importers.read_dataset(path).dict == importers.export_dataset("jfos").dict

    path = tmp_path / "agencies.txt"
    run("export_records", "agencies", "--format", "csv", "-o", str(path))
    assert path.read_bytes() == importers.export("agencies", "csv")


def test_export_records_errors():
    with pytest.raises(CommandError, match="Unknown kind"):
        run("export_records", "units")
    with pytest.raises(CommandError, match="give a file with --output"):
        run("export_records", "officers", "--format", "xlsx")


def test_row_errors_come_out_in_french(officer, units):
    rows = [
        [officer.employee_number, units[0].acronym, "lots", "2012-04-01"],
        ["NO-SUCH-OFFICER", units[0].acronym, "0.5", "2012-04-01"],
    ]
    with translation.override("fr"):
        summary = importers.import_file("assignments", csv_bytes(ASSIGNMENT_COLUMNS[:4], *rows), "csv")
        assert summary.error_lines() == [
            "Ligne 1 : fte : « lots » n'est pas un nombre.",
            "Ligne 2 : employee_number : Aucun agent n'a le numéro d'employé « NO-SUCH-OFFICER ».",
        ]
        assert str(summary).endswith("\nRien n'a été importé.")
    assert not officer.assignments.exists()


def test_a_row_that_loses_a_race_for_a_unique_value_is_refused_with_the_models_message(monkeypatch):
    existing = make_officer()
    row = [existing.employee_number, "Someone else", "IO", "FB-04", "GTA", "true"]
    # As if the officer did not exist yet when the row was read (another import was saving it).
    monkeypatch.setattr(importers.OfficerResource, "get_instance", lambda self, loader, row: None)
    validated = importers.import_file("officers", csv_bytes(OFFICER_COLUMNS, row), "csv")
    monkeypatch.setattr(models.Model, "validate_unique", lambda self, exclude=None: None)
    raced = importers.import_file("officers", csv_bytes(OFFICER_COLUMNS, row), "csv")
    for summary in (validated, raced):
        assert not summary.ok and error_rows(summary) == {1}
        assert [e.message for e in summary.errors] == ["employee_number: Officer with this Employee number already exists."]
    assert Officer.objects.filter(employee_number=existing.employee_number).count() == 1
