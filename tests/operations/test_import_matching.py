"""Issue #12, item 6: imports that know what they update.

An imported assignment row for the same officer and unit as a stored assignment whose period it
overlaps updates it (unchanged, a change of FTE or role from a date, or a correction naming the
fiscal years it rewrites) or is a conflict named on its row; never a second assignment over the
same days. Rows are numbered from 1, the first row below the header row."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation

from jfo_registry.core.fiscal import FiscalYear
from operations import importers
from operations.models import Assignment, ClosedYearCorrection
from operations.selectors import resources_report
from tests.api import login
from tests.conftest import make_assignment, make_jfo, make_officer

pytestmark = pytest.mark.django_db
D = datetime.date
COLUMNS = ["employee_number", "jfo", "fte", "start_date", "end_date", "role", "notes"]
WITH_EFFECTIVE_FROM = [*COLUMNS, "effective_from"]
REPORT = "/api/v1/reports/resources/"


def csv_bytes(header, *rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def row_of(assignment: Assignment, **changes) -> list[str]:
    """The assignment as its export row, with `changes` (column -> cell)."""
    values = {
        "employee_number": assignment.officer.employee_number, "jfo": assignment.jfo.acronym,
        "fte": f"{assignment.fte:.2f}", "start_date": assignment.start_date.isoformat(),
        "end_date": assignment.end_date.isoformat() if assignment.end_date else "", "role": assignment.role,
        "notes": assignment.notes, "effective_from": "",
    }
    values.update(changes)
    return [values[name] for name in (WITH_EFFECTIVE_FROM if "effective_from" in changes else COLUMNS)]


def import_rows(*rows, header=None, **kwargs):
    header = header or (WITH_EFFECTIVE_FROM if any(len(r) == len(WITH_EFFECTIVE_FROM) for r in rows) else COLUMNS)
    return importers.import_file("assignments", csv_bytes(header, *rows), "csv", **kwargs)


def history_count() -> int:
    return Assignment.history.model.objects.count()


def inset_gta_assignment() -> Assignment:
    """INSET-GTA's 1.00 FTE intelligence officer since 2007 (the issue's example)."""
    return Assignment.objects.get(jfo__acronym="INSET-GTA", start_date=D(2007, 4, 1), fte=Decimal("1.00"))


def region_fte_2010(api, code: str) -> float:
    response = api.get(REPORT, {"fiscal_year": "2010-2011", "group_by": "region"})
    assert response.status_code == 200
    return next(r for r in response.json()["rows"] if r["key"] == code)["fte"]


# --- The case ------------------------------------------------------------------------


def test_an_export_with_a_start_date_moved_by_a_month_corrects_the_assignment_counted_once(api, analyst):
    """Export, move INSET-GTA's 2007 start by a month in the spreadsheet, import again: no second
    assignment; the existing one is corrected, GTA's 2010-2011 FTE still 17.5."""
    login(api, analyst)
    assert region_fte_2010(api, "GTA") == 17.5
    count = Assignment.objects.count()
    assignment = inset_gta_assignment()
    dataset = importers.export_dataset("assignments")
    number = next(
        index for index, values in enumerate(dataset.dict, 1)
        if (values["jfo"], values["start_date"], values["fte"], values["employee_number"])
        == ("INSET-GTA", "2007-04-01", "1.00", assignment.officer.employee_number)
    )
    edited = tablib.Dataset(headers=dataset.headers)
    for index, values in enumerate(dataset, 1):
        values = list(values)
        if index == number:
            values[dataset.headers.index("start_date")] = "2007-05-01"
        edited.append(values)

    summary = importers.import_dataset("assignments", edited)

    assert summary.ok, summary.error_lines()[:5]
    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, count - 1)
    # The officer's tenure on the unit runs from the start: every year from 2007-2008 on is rewritten.
    years = ", ".join(FiscalYear(year).label for year in range(2007, FiscalYear.current().start_year + 1))
    assert [str(o) for o in summary.outcomes if not o.text.startswith("Unchanged")] == [
        f"Row {number}: Correction of assignment #{assignment.pk} ({assignment.officer.employee_number} in "
        f"INSET-GTA, from 2007-04-01 on) (start_date 2007-04-01 → 2007-05-01): rewrites fiscal years {years}"
    ]
    assert Assignment.objects.count() == count
    assignment.refresh_from_db()
    assert (assignment.start_date, assignment.fte) == (D(2007, 5, 1), Decimal("1.00"))
    assert assignment.correction == f"corrected by an import (rewrites {years})"
    assert region_fte_2010(api, "GTA") == 17.5  # counted once


def test_before_the_matching_rule_the_moved_row_would_have_been_a_second_assignment(analyst):
    """The row of the issue's case has another key (start date): it is matched by its overlap."""
    assignment = inset_gta_assignment()
    summary = import_rows(row_of(assignment, start_date="2007-05-01"), dry_run=True)
    assert summary.ok and (summary.created, summary.updated) == (0, 1)
    assert summary.outcomes[0].text.startswith(f"Correction of assignment #{assignment.pk} ")
    assert inset_gta_assignment().start_date == D(2007, 4, 1)  # a dry run writes nothing


# --- Changes from a date ---------------------------------------------------------------------


def test_a_changed_fte_takes_effect_from_the_effective_from_column():
    stored = make_assignment(fte="1.00", start=D(2020, 4, 1), role="Analyst")
    history = history_count()

    summary = import_rows(row_of(stored, fte="0.60", effective_from="2024-09-01"))

    assert summary.ok, summary.error_lines()
    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 0)
    assert summary.outcomes[0].text.startswith(
        f"Update: change from 2024-09-01 of assignment #{stored.pk} ({stored.officer.employee_number} in "
        f"{stored.jfo.acronym}, from 2020-04-01 on) (fte 1.00 → 0.60; touches 2024-2025, "
    )
    stored.refresh_from_db()
    assert (stored.start_date, stored.end_date, stored.fte) == (D(2020, 4, 1), D(2024, 8, 31), Decimal("1.00"))
    successor = stored.successor
    assert (successor.start_date, successor.end_date, successor.fte, successor.role) == (
        D(2024, 9, 1), None, Decimal("0.60"), "Analyst",
    )
    assert successor.predecessor_id == stored.pk
    assert Assignment.objects.filter(officer=stored.officer).count() == 2
    assert history_count() == history + 2
    assert stored.history.first().history_change_reason == successor.history.get().history_change_reason == "import"


def test_a_row_starting_later_with_another_fte_changes_from_its_start_date():
    stored = make_assignment(fte="1.00", start=D(2020, 4, 1), end=D(2026, 3, 31))

    summary = import_rows(row_of(stored, fte="0.50", role="Lead", start_date="2023-01-01"))

    assert summary.ok, summary.error_lines()
    assert summary.outcomes[0].text.startswith("Update: change from 2023-01-01 of assignment ")
    assert "fte 1.00 → 0.50, role — → Lead; touches 2022-2023, 2023-2024, 2024-2025, 2025-2026)" in (
        summary.outcomes[0].text
    )
    stored.refresh_from_db()
    assert stored.end_date == D(2022, 12, 31)
    assert (stored.successor.start_date, stored.successor.end_date, stored.successor.fte, stored.successor.role) == (
        D(2023, 1, 1), D(2026, 3, 31), Decimal("0.50"), "Lead",
    )


def test_a_changed_fte_without_a_date_takes_effect_from_today():
    stored = make_assignment(fte="0.80", start=D(2020, 4, 1))
    today = timezone.localdate()

    summary = import_rows(row_of(stored, fte="0.40"))

    assert summary.ok and summary.outcomes[0].text.startswith(f"Update: change from {today.isoformat()} ")
    stored.refresh_from_db()
    assert (stored.fte, stored.end_date) == (Decimal("0.80"), today - datetime.timedelta(days=1))
    assert (stored.successor.fte, stored.successor.start_date) == (Decimal("0.40"), today)


def test_a_changed_fte_of_a_period_that_ended_is_a_correction_naming_its_years():
    stored = make_assignment(fte="0.80", start=D(2012, 4, 1), end=D(2014, 3, 31))

    summary = import_rows(row_of(stored, fte="0.40"))

    assert summary.ok, summary.error_lines()
    assert summary.outcomes[0].text.endswith("(fte 0.80 → 0.40): rewrites fiscal years 2012-2013, 2013-2014")
    stored.refresh_from_db()
    assert stored.fte == Decimal("0.40") and not Assignment.objects.filter(predecessor=stored).exists()


def test_a_change_keeps_the_fte_rule_with_the_files_other_rows():
    """The change's new period and a new row of the file together over 1.00 FTE: refused."""
    stored = make_assignment(fte="0.50", start=D(2020, 4, 1))
    other_unit = make_jfo()
    rows = [
        row_of(stored, fte="0.80", effective_from="2024-04-01"),
        [stored.officer.employee_number, other_unit.acronym, "0.50", "2024-06-01", "", "", "", ""],
    ]
    summary = import_rows(*rows)
    assert not summary.ok
    assert any("would be assigned more than 1.00 FTE" in e.message for e in summary.errors)
    assert Assignment.objects.filter(officer=stored.officer).count() == 1
    # Lowering instead: both fit, in any row order.
    rows[0] = row_of(stored, fte="0.50", role="Lead", effective_from="2024-04-01")
    for ordered in (rows, rows[::-1]):
        assert import_rows(*ordered, dry_run=True).ok


# --- Conflicts -------------------------------------------------------------------------------


def test_a_row_overlapping_several_assignments_is_a_conflict_naming_them_and_nothing_is_written():
    officer = make_officer()
    unit = make_jfo()
    first = make_assignment(officer=officer, jfo=unit, fte="0.50", start=D(2015, 4, 1), end=D(2016, 3, 31))
    second = make_assignment(officer=officer, jfo=unit, fte="0.50", start=D(2016, 4, 1), end=D(2017, 3, 31))
    newcomer = make_officer()
    count, history = Assignment.objects.count(), history_count()
    rows = [
        [newcomer.employee_number, unit.acronym, "0.50", "2020-04-01", "", "", ""],
        [officer.employee_number, unit.acronym, "0.50", "2015-06-01", "2017-01-31", "", ""],
    ]

    summary = import_rows(*rows)

    assert not summary.ok
    assert [str(e) for e in summary.errors] == [
        f"Row 2: Conflict: this row overlaps 2 assignments of the same officer to the same unit and cannot tell "
        f"which one it updates: #{first.pk} ({officer.employee_number} in {unit.acronym}, 2015-04-01 to 2016-03-31); "
        f"#{second.pk} ({officer.employee_number} in {unit.acronym}, 2016-04-01 to 2017-03-31). Give the start date "
        f"of the one it updates, or correct them in the admin first."
    ]
    assert "Nothing was imported." in str(summary)
    assert Assignment.objects.count() == count and history_count() == history
    # The row keyed by one of their start dates updates that one (a correction of its end).
    keyed = import_rows([officer.employee_number, unit.acronym, "0.50", "2016-04-01", "2017-06-30", "", ""])
    assert keyed.ok and keyed.outcomes[0].text.startswith(f"Correction of assignment #{second.pk} ")


@pytest.mark.parametrize(
    "rows, message",
    [
        (lambda a: [row_of(a, end_date="2021-03-31"), row_of(a, start_date="2020-05-01")],
         "Conflict: row 1 already updates assignment #{pk} "),
        (lambda a: [row_of(a, fte="0.30", notes="lowered", effective_from="2021-01-01")],
         "This row changes the fte of assignment #{pk} "),
        (lambda a: [row_of(a, notes="seen", effective_from="2021-01-01")],
         "Conflict: effective_from is for a change of FTE or role"),
        (lambda a: [row_of(a, start_date="2030-04-01", end_date="", effective_from="2030-06-01")],
         "Conflict: effective_from is given, but no assignment of this officer to this unit overlaps the row"),
        (lambda a: [row_of(a, start_date="2030-04-01", end_date=""), row_of(a, start_date="2030-06-01", end_date="", fte="0.10")],
         "Conflict: this row and row 1 put the same officer in the same unit over the same days"),
    ],
    ids=["two-rows-one-assignment", "change-and-correction", "effective-from-on-a-correction",
         "effective-from-on-a-new-row", "file-rows-overlapping"],
)
def test_conflicts_refuse_the_file_naming_the_row(rows, message):
    stored = make_assignment(fte="0.50", start=D(2020, 4, 1), end=D(2022, 3, 31))
    count, history = Assignment.objects.count(), history_count()
    summary = import_rows(*rows(stored))
    assert not summary.ok
    assert any(message.format(pk=stored.pk) in e.message for e in summary.errors), summary.error_lines()
    assert Assignment.objects.count() == count and history_count() == history


def test_a_correction_overlapping_another_period_of_the_unit_is_a_conflict():
    officer, unit = make_officer(), make_jfo()
    first = make_assignment(officer=officer, jfo=unit, fte="0.50", start=D(2015, 4, 1), end=D(2016, 3, 31))
    second = make_assignment(officer=officer, jfo=unit, fte="0.50", start=D(2016, 4, 1), end=D(2017, 3, 31))
    summary = import_rows(row_of(first, end_date="2016-09-30"))
    assert [e.message for e in summary.errors] == [
        f"Conflict: Correcting assignment #{first.pk} ({officer.employee_number} in {unit.acronym}, 2015-04-01 to "
        f"2016-03-31) as this row says would make it overlap #{second.pk} ({officer.employee_number} in "
        f"{unit.acronym}, 2016-04-01 to 2017-03-31), of the same officer in the same unit: correct both in the "
        f"same way, or in the admin."
    ]
    first.refresh_from_db()
    assert first.end_date == D(2016, 3, 31)


def test_a_bad_effective_from_is_the_rows_error_on_that_column():
    stored = make_assignment(fte="0.50", start=D(2020, 4, 1))
    summary = import_rows(row_of(stored, fte="0.40", effective_from="next week"))
    assert [str(e) for e in summary.errors] == ["Row 1: effective_from: 'next week' is not a date: write it as YYYY-MM-DD."]
    assert not Assignment.objects.filter(predecessor=stored).exists()


def test_an_effective_from_outside_the_period_is_refused_with_the_changes_message():
    stored = make_assignment(fte="0.50", start=D(2020, 4, 1), end=D(2021, 3, 31))
    summary = import_rows(row_of(stored, fte="0.40", effective_from="2022-01-01"))
    assert [str(e) for e in summary.errors] == [
        "Row 1: effective_from: A change cannot take effect after the assignment ends (2021-03-31)."
    ]


# --- Closed fiscal years ---------------------------------------------------------------------


def closed_year_assignment() -> Assignment:
    return make_assignment(fte="0.50", start=D(2010, 4, 1), end=D(2011, 3, 31))


def test_a_managers_import_that_would_rewrite_2010_2011_is_refused_naming_the_year(gta_manager):
    stored = closed_year_assignment()
    history = history_count()
    summary = importers.import_dataset(
        "assignments", tablib.Dataset(row_of(stored, start_date="2010-05-01"), headers=COLUMNS), actor=gta_manager,
    )
    assert [str(e) for e in summary.errors] == [
        "Row 1: Fiscal year 2010-2011 is closed: its figures can no longer be changed. Make the change take effect "
        "after it, or ask an administrator to correct the year, giving a reason."
    ]
    stored.refresh_from_db()
    assert stored.start_date == D(2010, 4, 1) and history_count() == history
    # Notes are no figure of the year: corrected by the manager, the years named.
    summary = importers.import_dataset(
        "assignments", tablib.Dataset(row_of(stored, notes="seen"), headers=COLUMNS), actor=gta_manager,
    )
    assert summary.ok and summary.outcomes[0].text.endswith("(notes — → seen): rewrites fiscal years 2010-2011")


def test_an_administrators_import_correcting_2010_2011_needs_a_reason_and_is_recorded(administrator):
    stored = closed_year_assignment()
    dataset = tablib.Dataset(row_of(stored, end_date="2010-12-31"), headers=COLUMNS)
    summary = importers.import_dataset("assignments", dataset, actor=administrator)
    assert [str(e) for e in summary.errors] == ["Row 1: Fiscal year 2010-2011 is closed: give the reason for correcting it."]
    assert not ClosedYearCorrection.objects.exists()

    summary = importers.import_dataset("assignments", dataset, actor=administrator, reason="Left in December")

    assert summary.ok, summary.error_lines()
    stored.refresh_from_db()
    assert stored.end_date == D(2010, 12, 31)
    assert stored.correction == "Left in December (rewrites 2010-2011)"
    correction = ClosedYearCorrection.objects.get()
    assert (correction.fiscal_year, correction.corrected_by, correction.reason) == (2010, administrator, "Left in December")


def test_import_records_takes_the_reason(tmp_path):
    stored = make_assignment(fte="0.50", start=D(2019, 4, 1), end=D(2020, 3, 31))
    path = tmp_path / "assignments.csv"
    path.write_bytes(csv_bytes(COLUMNS, row_of(stored, end_date="2019-12-31")))
    out = io.StringIO()
    call_command("import_records", "assignments", str(path), "--reason", "HR record", "-v", "2", stdout=out, stderr=io.StringIO())
    assert f"Row 1: Correction of assignment #{stored.pk} " in out.getvalue()
    assert out.getvalue().strip().endswith("0 created, 1 updated, 0 unchanged.")
    stored.refresh_from_db()
    assert stored.correction == "HR record (rewrites 2019-2020)"


def test_import_records_holds_the_system_to_the_closed_years_and_applies_a_users_role(tmp_path, gta_manager):
    """The command imports as the system, which may alter a closed year only with --reason
    (recorded, by "system"), or as --user, whose role applies (a manager: never)."""
    stored = closed_year_assignment()
    path = tmp_path / "assignments.csv"
    path.write_bytes(csv_bytes(COLUMNS, row_of(stored, end_date="2010-12-31")))
    before = resources_report(FiscalYear(2010), group_by="region").as_data()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_records", "assignments", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command(
            "import_records", "assignments", str(path), "--reason", "HR record", "--user", gta_manager.username,
            stdout=io.StringIO(), stderr=io.StringIO(),
        )
    stored.refresh_from_db()
    assert stored.end_date == D(2011, 3, 31) and not ClosedYearCorrection.objects.exists()
    assert resources_report(FiscalYear(2010), group_by="region").as_data() == before
    with pytest.raises(CommandError, match="No active user"):
        call_command("import_records", "assignments", str(path), "--user", "nobody", stdout=io.StringIO(), stderr=io.StringIO())
    call_command(
        "import_records", "assignments", str(path), "--reason", "HR record", stdout=io.StringIO(), stderr=io.StringIO()
    )
    stored.refresh_from_db()
    assert stored.end_date == D(2010, 12, 31)
    correction = ClosedYearCorrection.objects.get()
    assert (correction.fiscal_year, correction.corrected_by, correction.reason) == (2010, None, "HR record")


# --- Unchanged and new rows ------------------------------------------------------------------


def test_unchanged_rows_write_nothing_and_say_so():
    stored = make_assignment(fte="0.50", start=D(2020, 4, 1), notes="Line 1\nLine 2")
    history = history_count()
    summary = import_rows(row_of(stored, notes="Line 1\r\nLine 2  "))
    assert summary.ok and (summary.created, summary.updated, summary.unchanged) == (0, 0, 1)
    assert [str(o) for o in summary.outcomes] == [
        f"Row 1: Unchanged: assignment #{stored.pk} ({stored.officer.employee_number} in {stored.jfo.acronym}, "
        f"from 2020-04-01 on)"
    ]
    assert history_count() == history


def test_rows_that_overlap_nothing_are_new_assignments_as_before():
    stored = make_assignment(fte="0.50", start=D(2015, 4, 1), end=D(2016, 3, 31))
    rows = [
        row_of(stored, start_date="2018-04-01", end_date=""),  # the same officer and unit, later
        [make_officer().employee_number, stored.jfo.acronym, "1.00", "2018-04-01", "", "", ""],
    ]
    summary = import_rows(*rows)
    assert summary.ok and (summary.created, summary.updated, summary.unchanged) == (2, 0, 0)
    assert [o.text for o in summary.outcomes] == ["New assignment", "New assignment"]
    assert Assignment.objects.filter(officer=stored.officer, jfo=stored.jfo).count() == 2


def test_outcomes_come_out_in_french():
    stored = make_assignment(fte="0.80", start=D(2012, 4, 1), end=D(2014, 3, 31))
    with translation.override("fr"):
        summary = import_rows(row_of(stored, fte="0.40"), [make_officer().employee_number, stored.jfo.acronym, "1", "2018-04-01", "", "", ""], dry_run=True)
        assert [o.text for o in summary.outcomes] == [
            f"Correction de l’affectation n° {stored.pk} ({stored.officer.employee_number} à {stored.jfo.acronym}, "
            f"du 2012-04-01 au 2014-03-31) (fte 0.80 → 0.40) : réécrit les exercices 2012-2013, 2013-2014",
            "Nouvelle affectation",
        ]


# --- The admin's import ----------------------------------------------------------------------


def admin_import(client, content: bytes, reason: str = ""):
    url = reverse("admin:operations_assignment_import")
    formats = client.get(url).context["form"].fields["format"].choices
    csv_index = next(value for value, label in formats if str(label).lower() == "csv")
    upload = SimpleUploadedFile("assignments.csv", content, content_type="text/csv")
    return client.post(url, {"format": csv_index, "import_file": upload, "resource": 0, "reason": reason})


def test_the_admin_import_page_states_the_matching_rule(admin_client):
    response = admin_client.get(reverse("admin:operations_assignment_import"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "How each row finds its assignment" in page
    assert "the optional effective_from column" in page
    assert "It never adds a second assignment over the same days." in page


def test_the_admin_preview_says_what_each_row_does_and_the_confirmation_keeps_the_reason(admin_client, administrator):
    ongoing = make_assignment(fte="1.00", start=D(2020, 4, 1))
    closed = closed_year_assignment()
    same = make_assignment(fte="0.50", start=D(2019, 4, 1), end=D(2020, 3, 31))
    content = csv_bytes(
        WITH_EFFECTIVE_FROM,
        row_of(ongoing, fte="0.60", effective_from="2024-09-01"),
        row_of(closed, end_date="2010-12-31", effective_from=""),
        row_of(same, effective_from=""),
        [make_officer().employee_number, ongoing.jfo.acronym, "0.50", "2021-04-01", "", "", "", ""],
    )
    preview = admin_import(admin_client, content, reason="Left in December")
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "What the row does" in page
    assert f"Update: change from 2024-09-01 of assignment #{ongoing.pk} " in page
    assert f"Correction of assignment #{closed.pk} " in page and "rewrites fiscal years 2010-2011" in page
    assert f"Unchanged: assignment #{same.pk} " in page
    assert "New assignment" in page
    confirm = preview.context["confirm_form"]
    assert confirm is not None and confirm["reason"].value() == "Left in December"
    assert not Assignment.objects.filter(predecessor=ongoing).exists()  # a preview writes nothing

    response = admin_client.post(
        reverse("admin:operations_assignment_process_import"), {name: confirm[name].value() for name in confirm.fields},
    )

    assert response.status_code == 302
    assert Assignment.objects.get(predecessor=ongoing).fte == Decimal("0.60")
    closed.refresh_from_db()
    assert closed.end_date == D(2010, 12, 31)
    assert ClosedYearCorrection.objects.get().reason == "Left in December"


def test_the_admin_preview_names_a_conflict_and_offers_no_confirmation(admin_client):
    officer, unit = make_officer(), make_jfo()
    first = make_assignment(officer=officer, jfo=unit, fte="0.50", start=D(2015, 4, 1), end=D(2016, 3, 31))
    second = make_assignment(officer=officer, jfo=unit, fte="0.50", start=D(2016, 4, 1), end=D(2017, 3, 31))
    count = Assignment.objects.count()
    content = csv_bytes(COLUMNS, [officer.employee_number, unit.acronym, "0.50", "2015-06-01", "2017-01-31", "", ""])
    preview = admin_import(admin_client, content)
    assert preview.status_code == 200
    assert preview.context.get("confirm_form") is None
    page = preview.content.decode()
    assert "Conflict: this row overlaps 2 assignments" in page
    assert f"#{first.pk} ({officer.employee_number} in {unit.acronym}, 2015-04-01 to 2016-03-31)" in page
    assert f"#{second.pk} ({officer.employee_number} in {unit.acronym}, 2016-04-01 to 2017-03-31)" in page
    assert Assignment.objects.count() == count


def test_the_admin_preview_refuses_a_closed_year_correction_without_a_reason(admin_client):
    closed = closed_year_assignment()
    preview = admin_import(admin_client, csv_bytes(COLUMNS, row_of(closed, end_date="2010-12-31")))
    assert preview.status_code == 200 and preview.context.get("confirm_form") is None
    assert "Fiscal year 2010-2011 is closed: give the reason for correcting it." in preview.content.decode()


def test_overlapping_assignments_stored_before_the_rule_import_back_unchanged():
    """Two stored periods of one officer in one unit over the same days (made before the rule):
    their rows, keyed by their start dates, are unchanged, and one's notes can be corrected."""
    officer, unit = make_officer(), make_jfo()
    first = make_assignment(officer=officer, jfo=unit, fte="0.50", start=D(2015, 4, 1), end=D(2016, 3, 31))
    second = make_assignment(officer=officer, jfo=unit, fte="0.50", start=D(2015, 10, 1), end=D(2016, 9, 30))
    summary = import_rows(row_of(first), row_of(second))
    assert summary.ok and summary.unchanged == 2, summary.error_lines()
    summary = import_rows(row_of(first, notes="duplicate of the other"), row_of(second))
    assert summary.ok and summary.updated == 1, summary.error_lines()
    first.refresh_from_db()
    assert first.notes == "duplicate of the other"


def test_an_effective_from_on_a_row_that_changes_nothing_is_a_conflict():
    stored = make_assignment(fte="0.50", start=D(2012, 4, 1))
    summary = import_rows([*row_of(stored), "2024-05-01"], header=[*COLUMNS, "effective_from"], dry_run=True)
    assert not summary.ok
    assert "changes nothing" in " ".join(summary.error_lines())
