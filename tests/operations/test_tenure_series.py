"""Review of issue #12, findings 2, 3 and 10: an officer's tenure on a unit follows the periods a
change from a date links (`Assignment.series_start`); a start that moves changes tenure on every
later day; no write makes two periods of an officer on a unit overlap where they did not."""

from __future__ import annotations

import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from jfo_registry.core.concurrency import version_of
from jfo_registry.core.fiscal import FiscalYear
from operations import selectors, services
from operations.models import Assignment
from operations.selectors.assignments import years_of
from tests.api import login
from tests.conftest import make_assignment, make_jfo, make_officer

pytestmark = pytest.mark.django_db
D = datetime.date
CLOSED_DAY = D(2011, 3, 31)
TENURE = "/api/v1/reports/tenure/"
series_migration = importlib.import_module("operations.migrations.0016_assignment_series_start")


def seeded(employee_number: str, acronym: str) -> Assignment:
    return Assignment.objects.get(officer__employee_number=employee_number, jfo__acronym=acronym, predecessor=None)


def etag(api, assignment: Assignment) -> str:
    response = api.get(f"/api/v1/assignments/{assignment.pk}/")
    assert response.status_code == 200
    return response["ETag"]


def tenure_row(report, employee_number: str):
    return next(row for row in report.rows if row.employee_number == employee_number)


def years_since(start: datetime.date, day: datetime.date) -> Decimal:
    return years_of((day - start).days)


# --- finding 2: tenure follows the predecessor links -------------------------------------------


def test_ph_0020_lowered_from_today_stays_on_inset_gta_since_2007_and_a_long_assignment(api, gta_manager):
    """POST assignments/25/change/ {"fte": 0.6}: PH-0020 on INSET-GTA since 2007-04-01, not since today."""
    login(api, gta_manager)
    assignment = seeded("PH-0020", "INSET-GTA")
    today = timezone.localdate()
    before_count, _rows = selectors.long_assignments(today)
    response = api.post(
        f"/api/v1/assignments/{assignment.pk}/change/", {"fte": 0.6}, format="json", HTTP_IF_MATCH=etag(api, assignment)
    )
    assert response.status_code == 201
    successor = Assignment.objects.get(predecessor=assignment)
    assert (successor.start_date, successor.series_start) == (today, D(2007, 4, 1))

    answer = api.get(TENURE)
    assert answer.status_code == 200
    row = next(r for r in answer.json()["rows"] if r["employee_number"] == "PH-0020")
    assert row["since"] == "2007-04-01"
    assert Decimal(str(row["years"])) == years_since(D(2007, 4, 1), today)
    count, rows = selectors.long_assignments(today)
    assert count == before_count
    long_row = next(r for r in rows if r.id == successor.pk)
    assert (long_row.start_date, long_row.years) == (D(2007, 4, 1), years_since(D(2007, 4, 1), today))


def test_the_dashboard_still_counts_ph_0020_longer_than_5_years_after_the_change(client, gta_manager):
    assignment = seeded("PH-0020", "INSET-GTA")
    client.force_login(gta_manager)
    before = client.get("/").context["dashboard"]["long_assignments"]["count"]
    services.assignment_change(
        assignment=assignment, effective_from=timezone.localdate(), fte=Decimal("0.60"), actor=gta_manager
    )
    after = client.get("/").context["dashboard"]["long_assignments"]
    assert after["count"] == before
    assert after["count"] > 0


def test_an_administrators_change_of_ph_0024_from_2011_01_01_keeps_the_4_24_years_on_2011_03_31(administrator):
    """Assignment 29 changed from 2011-01-01 with a reason: PH-0024's tenure on 2011-03-31 stays
    4.24 years (it fell to 0.24); the report's averages and long assignments are unchanged."""
    before = selectors.tenure_report(CLOSED_DAY).as_data()
    assert tenure_row(selectors.tenure_report(CLOSED_DAY), "PH-0024").years == Decimal("4.24")
    assignment = seeded("PH-0024", "YYZ-INTEL")
    successor = services.assignment_change(
        assignment=assignment, effective_from=D(2011, 1, 1), role="Senior analyst", actor=administrator,
        reason="Promoted in January 2011, found late",
    )
    assert successor.series_start == D(2007, 1, 1)
    report = selectors.tenure_report(CLOSED_DAY)
    row = tenure_row(report, "PH-0024")
    assert (row.since, row.years) == (D(2007, 1, 1), Decimal("4.24"))
    after = report.as_data()
    assert after["rows"] == before["rows"]
    assert (after["average"], after["by_position"], after["by_region"]) == (
        before["average"], before["by_position"], before["by_region"]
    )
    assert after["long_assignment_count"] == before["long_assignment_count"]


def test_tenure_as_of_reads_the_series_start_recorded_then(gta_manager):
    assignment = seeded("PH-0020", "INSET-GTA")
    today = timezone.localdate()
    before_change = timezone.now()
    captured = selectors.tenure_report(today).as_data()
    services.assignment_change(assignment=assignment, effective_from=today, fte=Decimal("0.60"), actor=gta_manager)
    after_change = timezone.now()
    replayed = selectors.tenure_report(today, as_of=before_change).as_data()
    assert {k: v for k, v in replayed.items() if k != "as_of"} == {k: v for k, v in captured.items() if k != "as_of"}
    now_then = selectors.tenure_report(today, as_of=after_change)
    assert tenure_row(now_then, "PH-0020").since == D(2007, 4, 1)
    assert any(r.start_date == D(2007, 4, 1) and r.employee_number == "PH-0020" for r in now_then.long_assignments)


def test_a_chain_of_changes_keeps_the_first_start_and_a_corrected_first_start_moves_them_all(gta_manager):
    officer, unit = make_officer("GTA"), make_jfo("GTA")
    first = make_assignment(officer=officer, jfo=unit, fte="1.00", start=D(2019, 4, 1))
    second = services.assignment_change(assignment=first, effective_from=D(2021, 4, 1), fte=Decimal("0.80"), actor=gta_manager)
    third = services.assignment_change(assignment=second, effective_from=D(2023, 4, 1), fte=Decimal("0.60"), actor=gta_manager)
    assert (second.series_start, third.series_start) == (D(2019, 4, 1), D(2019, 4, 1))
    day = D(2024, 4, 1)
    assert tenure_row(selectors.tenure_report(day), officer.employee_number).since == D(2019, 4, 1)

    corrected, years = services.assignment_correct(
        assignment=first, start_date=D(2019, 1, 1), reason="Started in January", actor=gta_manager
    )
    assert corrected.start_date == D(2019, 1, 1)
    second.refresh_from_db()
    third.refresh_from_db()
    assert (second.series_start, third.series_start) == (D(2019, 1, 1), D(2019, 1, 1))
    assert tenure_row(selectors.tenure_report(day), officer.employee_number).since == D(2019, 1, 1)
    # Tenure changes on every later day of the chain: up to the current year.
    assert [y.label for y in years] == [FiscalYear(y).label for y in range(2018, FiscalYear.current().start_year + 1)]
    history = list(third.history.order_by("history_date").values_list("series_start", flat=True))
    assert history[-1] == D(2019, 1, 1)


def test_the_migration_backfills_series_starts_walking_predecessors_and_history(gta_manager):
    officer, unit = make_officer("GTA"), make_jfo("GTA")
    first = make_assignment(officer=officer, jfo=unit, fte="1.00", start=D(2019, 4, 1))
    second = services.assignment_change(assignment=first, effective_from=D(2021, 4, 1), fte=Decimal("0.80"), actor=gta_manager)
    third = services.assignment_change(assignment=second, effective_from=D(2023, 4, 1), fte=Decimal("0.60"), actor=gta_manager)
    Assignment.objects.update(series_start=None)
    Assignment.history.update(series_start=None)

    series_migration.fill_series_starts(apps, None)

    starts = dict(Assignment.objects.filter(officer=officer).values_list("pk", "series_start"))
    assert starts == {first.pk: None, second.pk: D(2019, 4, 1), third.pk: D(2019, 4, 1)}
    assert set(third.history.values_list("series_start", flat=True)) == {D(2019, 4, 1)}
    assert set(first.history.values_list("series_start", flat=True)) == {None}
    assert tenure_row(selectors.tenure_report(D(2024, 4, 1)), officer.employee_number).since == D(2019, 4, 1)


# --- finding 3: a start that moves changes tenure on every later day ---------------------------


def test_a_managers_earlier_start_of_assignment_30_is_refused_naming_2010_2011_and_tenure_holds(api, gta_manager):
    """PATCH assignments/30/ {"start_date": "1995-01-01"}: 400 naming 2010-2011; on 2011-03-31 the
    IO average stays 4.2 and the long assignments 19."""
    before = selectors.tenure_report(CLOSED_DAY)
    io = next(g for g in before.by_position if g.key == "IO")
    assert (round(io.average_years, 1), before.long_assignment_count) == (Decimal("4.2"), 19)
    login(api, gta_manager)
    assignment = seeded("PH-0025", "YYZ-INTEL")
    for start in ("1995-01-01", "2008-01-01"):  # earlier, or later
        response = api.patch(
            f"/api/v1/assignments/{assignment.pk}/", {"start_date": start}, format="json", HTTP_IF_MATCH="*"
        )
        assert response.status_code == 400
        assert "2010-2011" in str(response.json())
    assignment.refresh_from_db()
    assert assignment.start_date == D(2006, 12, 1)
    after = selectors.tenure_report(CLOSED_DAY)
    assert after.as_data() == before.as_data()


def test_the_same_refusal_for_the_correction_operation(api, gta_manager):
    login(api, gta_manager)
    assignment = seeded("PH-0025", "YYZ-INTEL")
    response = api.post(
        f"/api/v1/assignments/{assignment.pk}/correct/", {"start_date": "1995-01-01", "reason": "Typo"},
        format="json", HTTP_IF_MATCH="*",
    )
    assert response.status_code == 400
    assert "2010-2011" in str(response.json())


def test_moving_the_first_start_of_a_chain_ended_before_2010_is_refused_for_its_successors_tenure(gta_manager):
    """The first period ends in 2009: its own days are all before 2010-2011, but the tenure of the
    period continuing it, on 2011-03-31, runs from its start."""
    officer, unit = make_officer("GTA"), make_jfo("GTA")
    first = make_assignment(officer=officer, jfo=unit, fte="0.50", start=D(2005, 4, 1))
    services.assignment_change(assignment=first, effective_from=D(2009, 4, 1), fte=Decimal("0.40"))
    with pytest.raises(ValidationError) as refused:
        services.assignment_correct(assignment=first, start_date=D(2005, 6, 1), reason="Typo", actor=gta_manager)
    assert "2010-2011" in str(refused.value)
    first.refresh_from_db()
    assert first.start_date == D(2005, 4, 1)


def test_a_start_change_of_a_period_continuing_another_only_touches_the_days_it_moves(gta_manager):
    officer, unit = make_officer("GTA"), make_jfo("GTA")
    first = make_assignment(officer=officer, jfo=unit, fte="0.50", start=D(2005, 4, 1), end=D(2009, 3, 31))
    second = make_assignment(officer=officer, jfo=unit, fte="0.40", start=D(2009, 6, 1), predecessor=first,
                             series_start=D(2005, 4, 1))
    # A gap of two months closed: the tenure runs from 2005 either way; only 2009-2010's days change.
    _corrected, years = services.assignment_correct(
        assignment=second, start_date=D(2009, 4, 1), reason="Started in April", actor=gta_manager
    )
    assert [y.label for y in years] == ["2009-2010"]


# --- finding 10: no write makes linked periods overlap -----------------------------------------


@pytest.fixture
def changed_period(gta_manager):
    """An assignment from 2018-04-01 changed to 0.40 FTE from 2020-01-01 (84 and 88 in the review)."""
    officer, unit = make_officer("GTA"), make_jfo("GTA")
    first = make_assignment(officer=officer, jfo=unit, fte="1.00", start=D(2018, 4, 1))
    second = services.assignment_change(assignment=first, effective_from=D(2020, 1, 1), fte=Decimal("0.40"), actor=gta_manager)
    first.refresh_from_db()
    return first, second


def test_correcting_the_successors_start_into_its_predecessor_is_a_400_naming_it(api, gta_manager, changed_period):
    first, second = changed_period
    login(api, gta_manager)
    response = api.post(
        f"/api/v1/assignments/{second.pk}/correct/", {"start_date": "2019-01-01", "reason": "Changed earlier"},
        format="json", HTTP_IF_MATCH="*",
    )
    assert response.status_code == 400
    message = response.json()["start_date"][0]
    assert f"#{first.pk} " in message and "2018-04-01 to 2019-12-31" in message and "counted twice" in message
    second.refresh_from_db()
    assert second.start_date == D(2020, 1, 1)


def test_correcting_the_predecessors_end_over_its_successor_is_a_400_naming_it(api, gta_manager, changed_period):
    first, second = changed_period
    login(api, gta_manager)
    response = api.post(
        f"/api/v1/assignments/{first.pk}/correct/", {"end_date": "2022-12-31", "reason": "Ended later"},
        format="json", HTTP_IF_MATCH="*",
    )
    assert response.status_code == 400
    assert f"#{second.pk} " in response.json()["end_date"][0]
    response = api.patch(
        f"/api/v1/assignments/{first.pk}/", {"end_date": "2022-12-31"}, format="json", HTTP_IF_MATCH="*"
    )
    assert response.status_code == 400
    assert f"#{second.pk} " in response.json()["end_date"][0]
    first.refresh_from_db()
    assert first.end_date == D(2019, 12, 31)


def test_the_change_date_moves_by_correcting_the_earlier_end_first(api, gta_manager, changed_period):
    first, second = changed_period
    login(api, gta_manager)
    response = api.post(
        f"/api/v1/assignments/{first.pk}/correct/", {"end_date": "2018-12-31", "reason": "Changed earlier"},
        format="json", HTTP_IF_MATCH="*",
    )
    assert response.status_code == 200
    response = api.post(
        f"/api/v1/assignments/{second.pk}/correct/", {"start_date": "2019-01-01", "reason": "Changed earlier"},
        format="json", HTTP_IF_MATCH="*",
    )
    assert response.status_code == 200


def test_the_admin_refuses_the_overlap_as_a_form_error(client, administrator, changed_period):
    first, second = changed_period
    client.force_login(administrator)
    url = reverse("admin:operations_assignment_change", args=[second.pk])
    data = {
        "officer": second.officer.pk, "jfo": second.jfo.pk, "fte": str(second.fte), "start_date": "2019-01-01",
        "end_date": "", "role": second.role, "notes": second.notes, "version": version_of(second),
        "correction_reason": "Changed earlier",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "counted twice" in response.content.decode()
    second.refresh_from_db()
    assert second.start_date == D(2020, 1, 1)


def test_a_period_already_overlapping_another_may_still_be_corrected(gta_manager):
    officer, unit = make_officer("GTA"), make_jfo("GTA")
    make_assignment(officer=officer, jfo=unit, fte="0.50", start=D(2018, 4, 1))
    other = make_assignment(officer=officer, jfo=unit, fte="0.50", start=D(2019, 4, 1))
    corrected, _years = services.assignment_correct(
        assignment=other, start_date=D(2019, 1, 1), reason="Started in January", actor=gta_manager
    )
    assert corrected.start_date == D(2019, 1, 1)


def test_the_overlap_refusal_in_french(gta_manager, changed_period):
    first, second = changed_period
    with translation.override("fr"), pytest.raises(ValidationError) as refused:
        services.assignment_correct(assignment=second, start_date=D(2019, 1, 1), reason="Plus tôt", actor=gta_manager)
    assert "comptés deux fois" in refused.value.message_dict["start_date"][0]
