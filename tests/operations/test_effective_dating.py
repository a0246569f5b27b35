"""Issue #12, items 1 and 4: changes take effect from a date; closed fiscal years hold still."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jfo_registry.core.concurrency import version_of
from jfo_registry.core.fiscal import FiscalYear
from operations import selectors, services
from operations.models import (
    Assignment,
    ClosedYearCorrection,
    CostingPolicy,
    FiscalYearClosure,
    JointForceOperation,
    SalaryRate,
)
from tests.api import login
from tests.conftest import TEST_PASSWORD, make_assignment, make_jfo, make_officer

pytestmark = pytest.mark.django_db
D = datetime.date
REPORT = "/api/v1/reports/resources/"


def inset_gta_assignment() -> Assignment:
    """INSET-GTA's 1.00 FTE intelligence officer since 2007 (the issue's example)."""
    return Assignment.objects.get(jfo__acronym="INSET-GTA", start_date=D(2007, 4, 1), fte=Decimal("1.00"))


def report_2010(api, group_by="region") -> dict:
    response = api.get(REPORT, {"fiscal_year": "2010-2011", "group_by": group_by})
    assert response.status_code == 200
    return response.json()


def row(report: dict, key: str) -> dict:
    return next(r for r in report["rows"] if r["key"] == key)


def child(report: dict, key: str) -> dict:
    return next(c for r in report["rows"] for c in r.get("children", []) if c["key"] == key)


def etag(api, assignment) -> str:
    response = api.get(f"/api/v1/assignments/{assignment.pk}/")
    assert response.status_code == 200
    return response["ETag"]


# --- item 1: changes from a date -----------------------------------------------------------


def test_lowering_inset_gta_from_today_leaves_2010_2011_at_gta_17_5_and_inset_3_4(api, gta_manager):
    login(api, gta_manager)
    before = report_2010(api)
    assert row(before, "GTA")["fte"] == 17.5
    assignment = inset_gta_assignment()
    today = timezone.localdate()
    response = api.post(
        f"/api/v1/assignments/{assignment.pk}/change/", {"fte": 0.6}, format="json", HTTP_IF_MATCH=etag(api, assignment)
    )
    assert response.status_code == 201
    body = response.json()
    assert body["assignment"]["fte"] == 0.6
    assert body["assignment"]["start_date"] == today.isoformat()
    assert body["assignment"]["predecessor"] == assignment.pk
    assert body["fiscal_years"][0] == FiscalYear.current().label
    assignment.refresh_from_db()
    assert assignment.end_date == today - datetime.timedelta(days=1)
    assert assignment.fte == Decimal("1.00")
    after = report_2010(api)
    assert row(after, "GTA")["fte"] == 17.5
    assert child(report_2010(api, "jfo_type"), "INSET")["fte"] == 3.4
    assert after == before


def test_the_current_year_sees_the_change_from_its_day(gta_manager):
    assignment = inset_gta_assignment()
    year = FiscalYear.current()
    successor = services.assignment_change(
        assignment=assignment, effective_from=year.start, fte=Decimal("0.60"), actor=gta_manager
    )
    assert successor.predecessor_id == assignment.pk
    assert successor.start_date == year.start
    assignment.refresh_from_db()
    assert assignment.end_date == year.start - datetime.timedelta(days=1)
    # The year is costed at 0.60 for the officer: 0.40 FTE-years fewer than before.
    assert Assignment.objects.filter(officer=assignment.officer, jfo=assignment.jfo).count() == 2


def test_a_put_or_patch_of_fte_or_role_is_refused_naming_the_two_operations(api, gta_manager):
    login(api, gta_manager)
    assignment = inset_gta_assignment()
    for payload in ({"fte": 0.6}, {"role": "Analyst"}):
        response = api.patch(f"/api/v1/assignments/{assignment.pk}/", payload, format="json", HTTP_IF_MATCH="*")
        assert response.status_code == 400
        message = response.json()[next(iter(payload))][0]
        assert "/change/" in message and "/correct/" in message
    assignment.refresh_from_db()
    assert assignment.fte == Decimal("1.00")
    # The same values are not a change: notes still change by PATCH.
    response = api.patch(
        f"/api/v1/assignments/{assignment.pk}/", {"fte": 1.0, "notes": "seen"}, format="json", HTTP_IF_MATCH="*"
    )
    assert response.status_code == 200


def test_the_change_operation_keeps_the_region_rule_the_fte_rule_and_the_stale_refusal(api, gta_manager):
    login(api, gta_manager)
    pac = make_assignment(jfo=make_jfo("PAC"), start=D(2020, 4, 1))
    response = api.post(f"/api/v1/assignments/{pac.pk}/change/", {"fte": 0.5}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 403
    officer = make_officer()
    first = make_assignment(officer=officer, fte="0.50", start=D(2020, 4, 1))
    make_assignment(officer=officer, fte="0.50", start=D(2020, 4, 1))
    response = api.post(f"/api/v1/assignments/{first.pk}/change/", {"fte": 0.8}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 400
    assert "more than 1.00 FTE" in response.json()["fte"][0]
    response = api.post(f"/api/v1/assignments/{first.pk}/change/", {"fte": 0.4}, format="json")
    assert response.status_code == 428
    response = api.post(
        f"/api/v1/assignments/{first.pk}/change/", {"fte": 0.4}, format="json", HTTP_IF_MATCH='"stale"'
    )
    assert response.status_code == 412
    response = api.post(
        f"/api/v1/assignments/{first.pk}/change/", {"fte": 0.4, "effective_from": "2019-01-01"},
        format="json", HTTP_IF_MATCH="*",
    )
    assert response.status_code == 400
    assert "correct" in response.json()["effective_from"][0]
    assert Assignment.objects.filter(officer=officer).count() == 2


def test_a_change_from_the_first_day_changes_the_assignment_itself(gta_manager):
    assignment = make_assignment(fte="1.00", start=D(2020, 4, 1))
    result = services.assignment_change(
        assignment=assignment, effective_from=D(2020, 4, 1), fte=Decimal("0.50"), actor=gta_manager
    )
    assert result.pk == assignment.pk
    assert result.fte == Decimal("0.50")
    assert result.predecessor_id is None


def test_a_correction_names_the_years_it_rewrites_in_its_answer_and_history(api, gta_manager):
    login(api, gta_manager)
    assignment = make_assignment(fte="1.00", start=D(2018, 4, 1), end=D(2020, 3, 31))
    response = api.post(
        f"/api/v1/assignments/{assignment.pk}/correct/", {"fte": 0.5, "reason": "Typed 1.00 for 0.50"},
        format="json", HTTP_IF_MATCH=etag(api, assignment),
    )
    assert response.status_code == 200
    assert response.json()["fiscal_years"] == ["2018-2019", "2019-2020"]
    assert response.json()["assignment"]["fte"] == 0.5
    history = api.get(f"/api/v1/assignments/{assignment.pk}/history/").json()["results"]
    corrections = [c for c in history[0]["changes"] if c["field"] == "correction"]
    assert corrections[0]["new"] == "Typed 1.00 for 0.50 (rewrites 2018-2019, 2019-2020)"
    response = api.post(
        f"/api/v1/assignments/{assignment.pk}/correct/", {"fte": 0.4}, format="json", HTTP_IF_MATCH="*"
    )
    assert response.status_code == 400
    assert "reason" in response.json()


def test_the_change_page_previews_the_years_and_saves_from_the_date(client, gta_manager):
    client.login(username=gta_manager.username, password=TEST_PASSWORD)
    assignment = inset_gta_assignment()
    url = reverse("operations:assignment-edit", args=[assignment.pk])
    page = client.get(url)
    assert page.status_code == 200
    current = FiscalYear.current().label
    assert f"{current} and the years after change" in page.content.decode()
    form = page.context["form"]
    data = {"fte": "0.60", "role": assignment.role, "effective_from": "", "version": form["version"].value()}
    data["effective_from"] = FiscalYear.current().next().start.isoformat()
    preview = client.post(url, {**data, "preview": "1"})
    assert preview.status_code == 200
    assert f"{FiscalYear.current().next().label} and the years after change" in preview.content.decode()
    assert Assignment.objects.filter(jfo=assignment.jfo, officer=assignment.officer).count() == 1
    saved = client.post(url, data)
    assert saved.status_code == 302
    assert Assignment.objects.filter(jfo=assignment.jfo, officer=assignment.officer).count() == 2


def test_the_change_page_preview_says_a_closed_year_will_refuse_a_managers_change(client, gta_manager, administrator):
    assignment = inset_gta_assignment()
    url = reverse("operations:assignment-edit", args=[assignment.pk])
    client.login(username=gta_manager.username, password=TEST_PASSWORD)
    form = client.get(url).context["form"]
    data = {"fte": "0.60", "role": assignment.role, "effective_from": "2010-06-01", "version": form["version"].value(),
            "preview": "1"}
    preview = client.post(url, data)
    assert preview.status_code == 200
    assert "Fiscal year 2010-2011 is closed: its figures can no longer be changed." in preview.content.decode()
    client.force_login(administrator)
    preview = client.post(url, data)
    assert "Closed: 2010-2011. Saving needs your reason" in preview.content.decode()
    assert not Assignment.objects.filter(predecessor=assignment).exists()


def test_the_change_page_in_french_says_the_years(client, gta_manager):
    client.login(username=gta_manager.username, password=TEST_PASSWORD)
    assignment = inset_gta_assignment()
    page = client.get(reverse("operations:assignment-edit", args=[assignment.pk]), HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 200
    assert "et les exercices suivants" in page.content.decode()


# --- item 4: closed fiscal years ------------------------------------------------------------


def test_the_seeded_2010_2011_is_closed_and_its_report_says_when(api, analyst):
    closure = FiscalYearClosure.objects.get(fiscal_year=2010)
    assert closure.closed
    body = report_2010(login(api, analyst))
    assert body["closed_on"] == closure.closed_at.isoformat().replace("+00:00", "Z")
    assert body["corrections"] == []
    assert body["subtotal"]["fte"] == 61.5
    open_year = api.get(REPORT, {"fiscal_year": "2011-2012"}).json()
    assert "closed_on" not in open_year and "corrections" not in open_year


@pytest.mark.parametrize(
    "write",
    [
        "create", "correct", "end", "change_inside",
    ],
)
def test_a_manager_write_that_would_alter_2010_2011_is_refused_naming_the_year(api, gta_manager, write):
    login(api, gta_manager)
    assignment = inset_gta_assignment()
    if write == "create":
        officer = make_officer()
        response = api.post("/api/v1/assignments/", {
            "officer": officer.pk, "jfo": assignment.jfo_id, "fte": 0.5, "start_date": "2010-06-01",
        }, format="json")
    elif write == "correct":
        response = api.post(
            f"/api/v1/assignments/{assignment.pk}/correct/", {"fte": 0.6, "reason": "mistake"},
            format="json", HTTP_IF_MATCH="*",
        )
    elif write == "end":
        response = api.patch(
            f"/api/v1/assignments/{assignment.pk}/", {"end_date": "2010-12-31"}, format="json", HTTP_IF_MATCH="*"
        )
    else:
        response = api.post(
            f"/api/v1/assignments/{assignment.pk}/change/", {"fte": 0.6, "effective_from": "2010-10-01"},
            format="json", HTTP_IF_MATCH="*",
        )
    assert response.status_code == 400
    assert "Fiscal year 2010-2011 is closed" in str(response.json())
    assert row(report_2010(api), "GTA")["fte"] == 17.5


def test_the_same_refusal_on_the_page_and_in_the_service(client, gta_manager):
    assignment = inset_gta_assignment()
    with pytest.raises(ValidationError) as refused:
        services.assignment_end(assignment=assignment, end_date=D(2011, 1, 31), actor=gta_manager)
    assert refused.value.messages == [services.closed_year_message([FiscalYear(2010)])]
    client.login(username=gta_manager.username, password=TEST_PASSWORD)
    url = reverse("operations:assignment-end", args=[assignment.pk])
    form = client.get(url).context["form"]
    response = client.post(url, {"end_date": "2011-01-31", "version": form["version"].value()})
    assert response.status_code == 400
    assert services.closed_year_message([FiscalYear(2010)]) in response.content.decode()


def test_an_administrator_corrects_a_closed_year_with_a_reason_listed_on_its_report(api, administrator):
    login(api, administrator)
    assignment = inset_gta_assignment()
    response = api.post(
        f"/api/v1/assignments/{assignment.pk}/change/", {"fte": 0.6, "effective_from": "2010-04-01"},
        format="json", HTTP_IF_MATCH="*",
    )
    assert response.status_code == 400
    assert "give the reason" in str(response.json())
    response = api.post(
        f"/api/v1/assignments/{assignment.pk}/change/",
        {"fte": 0.6, "effective_from": "2010-04-01", "reason": "Part-time since 2010, per HR file"},
        format="json", HTTP_IF_MATCH="*",
    )
    assert response.status_code == 201
    assert response.json()["fiscal_years"][0] == "2010-2011"
    body = report_2010(api)
    assert row(body, "GTA")["fte"] == 17.1  # the figure, now an explicit correction
    assert child(report_2010(api, "jfo_type"), "INSET")["fte"] == 3.0
    assert [(c["by"], c["reason"]) for c in body["corrections"]] == [
        ("test-admin", "Part-time since 2010, per HR file")
    ]
    assert ClosedYearCorrection.objects.filter(fiscal_year=2010).count() == 1


def test_the_resources_page_says_closed_on_and_lists_corrections(client, administrator):
    services.assignment_correct(
        assignment=inset_gta_assignment(), actor=administrator, reason="Wrong FTE", fte=Decimal("0.90")
    )
    client.login(username=administrator.username, password=TEST_PASSWORD)
    page = client.get(reverse("operations:report-resources"), {"fiscal_year": "2010", "group_by": "region"})
    assert page.status_code == 200
    text = page.content.decode()
    closed = timezone.localtime(FiscalYearClosure.objects.get(fiscal_year=2010).closed_at).date().isoformat()
    assert f"Fiscal year 2010-2011 was closed on {closed}" in text
    assert f"Corrected on {timezone.localdate().isoformat()} by test-admin: Wrong FTE" in text


def test_a_change_in_the_current_year_of_an_assignment_begun_in_a_closed_year_is_allowed(gta_manager):
    assignment = inset_gta_assignment()
    services.assignment_end(assignment=assignment, end_date=FiscalYear.current().start, actor=gta_manager)
    assignment.refresh_from_db()
    assert assignment.end_date == FiscalYear.current().start


def test_only_administrators_close_and_reopen_and_a_reopened_year_takes_manager_writes(administrator, gta_manager):
    with pytest.raises(Exception) as refused:
        services.fiscal_year_reopen(fiscal_year="2010-2011", actor=gta_manager, reason="no")
    assert refused.type.__name__ == "PermissionDenied"
    with pytest.raises(ValidationError):
        services.fiscal_year_reopen(fiscal_year="2010-2011", actor=administrator, reason="")
    closure = services.fiscal_year_reopen(fiscal_year="2010-2011", actor=administrator, reason="Late HR data")
    assert not closure.closed and closure.reopen_reason == "Late HR data"
    services.assignment_end(assignment=inset_gta_assignment(), end_date=D(2011, 1, 31), actor=gta_manager)
    closure = services.fiscal_year_close(fiscal_year=2010, actor=administrator, reason="Final again")
    assert [h.closed for h in closure.history.order_by("history_id")] == [True, False, True]
    with pytest.raises(ValidationError):
        services.fiscal_year_close(fiscal_year=2010, actor=administrator)


def test_the_admin_closes_a_year_and_refuses_a_manager(client, administrator, staff_gta_manager):
    client.login(username=administrator.username, password=TEST_PASSWORD)
    response = client.post(reverse("admin:operations_fiscalyearclosure_add"), {"fiscal_year": "2011", "reason": "Final"})
    assert response.status_code == 302
    assert FiscalYearClosure.objects.get(fiscal_year=2011).closed_by == administrator
    closure = FiscalYearClosure.objects.get(fiscal_year=2011)
    change = reverse("admin:operations_fiscalyearclosure_change", args=[closure.pk])
    response = client.post(change, {"reopen_reason": "Reopened for a late entry"})
    assert response.status_code == 302
    assert not FiscalYearClosure.objects.get(fiscal_year=2011).closed
    client.logout()
    client.login(username=staff_gta_manager.username, password=TEST_PASSWORD)
    response = client.post(reverse("admin:operations_fiscalyearclosure_add"), {"fiscal_year": "2012", "reason": "x"})
    assert response.status_code == 403


# --- the property: effective-dated changes in the current year never move a closed year ---

CURRENT = FiscalYear.current()
changes = st.lists(
    st.tuples(
        st.sampled_from(["administrator", "gta_manager"]),
        st.integers(min_value=0, max_value=200),  # which GTA assignment (modulo their number)
        # the day: of the current year mostly, or any day since the closed year began (refused
        # inside it, as no reason is given)
        st.one_of(
            st.integers(min_value=0, max_value=CURRENT.days - 1),
            st.integers(min_value=(FiscalYear(2010).start - CURRENT.start).days, max_value=0),
        ),
        st.sampled_from(["fte", "role", "end", "classification", "position"]),
        st.decimals(min_value=Decimal("0.05"), max_value=Decimal("1.00"), places=2),
    ),
    min_size=1,
    max_size=6,
)


class _Rollback(Exception):
    pass


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=changes)
def test_effective_dated_changes_without_a_correction_leave_2010_2011_unchanged(api, administrator, gta_manager, steps):
    users = {"administrator": administrator, "gta_manager": gta_manager}
    before = selectors.resources_report("2010-2011", "region").as_data()
    before_types = selectors.resources_report("2010-2011", "jfo_type").as_data()
    before_tenure = selectors.tenure_report(D(2011, 3, 31)).as_data()
    try:
        with transaction.atomic():
            gta = list(
                Assignment.objects.filter(jfo__region__code="GTA").select_related("officer", "jfo").order_by("pk")
            )
            for role, which, offset, kind, fte in steps:
                assignment = Assignment.objects.get(pk=gta[which % len(gta)].pk)
                day = min(CURRENT.start + datetime.timedelta(days=offset), timezone.localdate())
                try:
                    with transaction.atomic():
                        if kind in ("classification", "position"):
                            officer = assignment.officer
                            held = getattr(officer, kind)
                            value = {"classification": ["FB-03", "FB-04", "FB-05"], "position": ["IO", "CI", "IA"]}[kind]
                            services.officer_change(
                                officer, effective_from=day, actor=users[role],
                                **{kind: value[(value.index(held) + 1) % 3] if held in value else value[0]},
                            )
                        elif kind == "end":
                            services.assignment_end(assignment=assignment, end_date=day, actor=users[role])
                        else:
                            value = fte if kind == "fte" else f"Role {offset}"
                            services.assignment_change(
                                assignment=assignment, effective_from=day, actor=users[role], **{kind: value}
                            )
                except ValidationError:
                    pass  # refused (ended before that day, over 1.00 FTE, nothing to change): nothing written
            assert selectors.resources_report("2010-2011", "region").as_data() == before
            assert selectors.resources_report("2010-2011", "jfo_type").as_data() == before_types
            assert selectors.tenure_report(D(2011, 3, 31)).as_data() == before_tenure
            raise _Rollback
    except _Rollback:
        pass


def test_units_of_the_property_exist():
    assert JointForceOperation.objects.filter(region__code="GTA").count() == 11


def test_salary_rates_and_the_costing_policy_of_a_closed_year_are_refused_naming_it(api, client, administrator):
    login(api, administrator)
    rate = SalaryRate.objects.get(fiscal_year=2010, classification="FB-04")
    response = api.patch(f"/api/v1/salary-rates/{rate.pk}/", {"annual_salary": 70000}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 400
    assert "2010-2011 is closed" in str(response.json())
    policy = CostingPolicy.objects.get(fiscal_year=2010)
    response = api.patch(
        f"/api/v1/costing-policies/{policy.pk}/", {"employee_benefits_rate": 0.25}, format="json", HTTP_IF_MATCH="*"
    )
    assert response.status_code == 400
    client.login(username=administrator.username, password=TEST_PASSWORD)
    data = {"classification": "FB-04", "fiscal_year": "2010", "annual_salary": "70000.00"}
    response = client.post(reverse("admin:operations_salaryrate_change", args=[rate.pk]), data)
    assert response.status_code == 200
    assert "2010-2011 is closed" in response.content.decode()
    assert SalaryRate.objects.get(pk=rate.pk).annual_salary == Decimal("69712.00")
    assert body_fte(api) == 61.5


def body_fte(api) -> float:
    return report_2010(api)["subtotal"]["fte"]


def test_a_correction_to_a_date_out_of_bounds_is_a_400_on_the_date_not_a_500(api, gta_manager):
    """Found by schemathesis: the years a correction rewrites were named before its dates were
    validated (FiscalYear(446) raised, a 500)."""
    login(api, gta_manager)
    assignment = make_assignment(officer=make_officer("GTA"), jfo=make_jfo("GTA"), start=D(2020, 4, 1))
    response = api.post(f"/api/v1/assignments/{assignment.pk}/correct/", {"start_date": "0446-11-25", "reason": "x"},
                        format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 400
    assert "start_date" in response.json()
    assert Assignment.objects.get(pk=assignment.pk).start_date == D(2020, 4, 1)


def test_admin_inline_assignments_touching_a_closed_year_are_a_form_error_then_need_a_reason(
    client, administrator, staff_gta_manager
):
    officer = make_officer("GTA")
    unit = make_jfo("GTA")
    url = reverse("admin:operations_officer_change", args=[officer.pk])
    data = {
        "employee_number": officer.employee_number, "name": officer.name, "position": officer.position,
        "classification": officer.classification, "home_region": officer.home_region.pk, "active": "on",
        "assignments-TOTAL_FORMS": "1", "assignments-INITIAL_FORMS": "0",
        "assignments-MIN_NUM_FORMS": "0", "assignments-MAX_NUM_FORMS": "1000",
        "assignments-0-jfo": unit.pk, "assignments-0-fte": "0.50", "assignments-0-start_date": "2010-06-01",
    }
    client.force_login(staff_gta_manager)
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Fiscal year 2010-2011 is closed" in response.content.decode()
    client.force_login(administrator)
    response = client.post(url, data)
    assert response.status_code == 200
    assert "give the reason for correcting it" in response.content.decode()
    assert not officer.assignments.exists()
    response = client.post(url, {**data, "assignments-0-correction_reason": "Missed in the 2010 count"})
    assert response.status_code == 302
    assert officer.assignments.get().fte == Decimal("0.50")
    assert ClosedYearCorrection.objects.filter(fiscal_year=2010, reason="Missed in the 2010 count").count() == 1


def test_deleting_a_salary_rate_or_the_costing_policy_of_a_closed_year_is_refused_naming_it(api, administrator):
    login(api, administrator)
    rate = SalaryRate.objects.get(fiscal_year=2010, classification="FB-04")
    response = api.delete(f"/api/v1/salary-rates/{rate.pk}/", HTTP_IF_MATCH="*")
    assert response.status_code == 409
    assert "Fiscal year 2010-2011 is closed" in response.json()["detail"]
    policy = CostingPolicy.objects.get(fiscal_year=2010)
    response = api.delete(f"/api/v1/costing-policies/{policy.pk}/", HTTP_IF_MATCH="*")
    assert response.status_code == 409
    assert SalaryRate.objects.filter(pk=rate.pk).exists() and CostingPolicy.objects.filter(pk=policy.pk).exists()
    assert body_fte(api) == 61.5


def test_the_add_page_gives_administrators_a_reason_for_a_closed_year(client, administrator, gta_manager):
    unit = make_jfo("GTA")
    url = f"/jfos/{unit.pk}/assignments/new/"
    data = {"officer": make_officer("GTA").employee_number, "fte": "0.50", "start_date": "2010-06-01"}
    client.force_login(gta_manager)
    assert "correction_reason" not in client.get(url).context["form"].fields
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Fiscal year 2010-2011 is closed" in response.content.decode()
    client.force_login(administrator)
    assert "correction_reason" in client.get(url).context["form"].fields
    response = client.post(url, data)
    assert response.status_code == 400
    assert "give the reason for correcting it" in response.content.decode()
    response = client.post(url, {**data, "correction_reason": "Missed in the 2010 count"})
    assert response.status_code == 302
    assert unit.assignments.get().fte == Decimal("0.50")
    assert ClosedYearCorrection.objects.filter(fiscal_year=2010, reason="Missed in the 2010 count").count() == 1


def admin_assignment_form(assignment: Assignment, **values) -> dict:
    return {
        "officer": assignment.officer.pk, "jfo": assignment.jfo.pk, "fte": str(assignment.fte),
        "start_date": assignment.start_date.isoformat(),
        "end_date": assignment.end_date.isoformat() if assignment.end_date else "",
        "role": assignment.role, "notes": assignment.notes, "version": version_of(assignment), **values,
    }


def test_the_admins_fte_change_takes_effect_from_today_and_leaves_2010_2011_alone(client, administrator):
    """The issue's first case through the admin: INSET-GTA lowered to 0.60 "from today"."""
    before = selectors.resources_report(FiscalYear(2010), group_by="region")
    assignment = inset_gta_assignment()
    client.force_login(administrator)
    url = reverse("admin:operations_assignment_change", args=[assignment.pk])
    response = client.post(url, admin_assignment_form(assignment, fte="0.60"), follow=True)
    assert response.status_code == 200
    today = timezone.localdate()
    assert f"From {today.isoformat()}" in response.content.decode()  # the years it touches, named
    assignment.refresh_from_db()
    assert (assignment.fte, assignment.end_date) == (Decimal("1.00"), today - datetime.timedelta(days=1))
    successor = Assignment.objects.get(predecessor=assignment)
    assert (successor.fte, successor.start_date, successor.end_date) == (Decimal("0.60"), today, None)
    after = selectors.resources_report(FiscalYear(2010), group_by="region")
    assert [(r.key, r.fte_years, r.salaries_cad) for r in after.rows] == [(r.key, r.fte_years, r.salaries_cad) for r in before.rows]
    assert not ClosedYearCorrection.objects.exists()


def test_the_admins_fte_change_from_a_closed_day_needs_a_reason_and_a_correction_in_place_names_it(
    client, administrator
):
    assignment = inset_gta_assignment()
    client.force_login(administrator)
    url = reverse("admin:operations_assignment_change", args=[assignment.pk])
    refused = client.post(url, admin_assignment_form(assignment, fte="0.60", effective_from="2010-10-01"))
    assert refused.status_code == 200
    assert "give the reason for correcting it" in refused.content.decode()
    assert not Assignment.objects.filter(predecessor=assignment).exists()
    mixed = client.post(url, admin_assignment_form(assignment, fte="0.60", notes="and a note"))
    assert mixed.status_code == 200
    assert "saved on its own" in mixed.content.decode()
    # A reason and no date: the recorded past is corrected in place, from 2007 on.
    corrected = client.post(
        url, admin_assignment_form(assignment, fte="0.90", correction_reason="Entered as 1.00 by mistake"), follow=True
    )
    assert corrected.status_code == 200
    assert "Corrected in place: the figures of 2007-2008, 2008-2009" in corrected.content.decode()
    assignment.refresh_from_db()
    assert (assignment.fte, assignment.end_date) == (Decimal("0.90"), None)
    assert not Assignment.objects.filter(predecessor=assignment).exists()
    assert ClosedYearCorrection.objects.filter(fiscal_year=2010, reason="Entered as 1.00 by mistake").count() == 1


def test_an_admin_inline_fte_change_takes_effect_from_the_date_given(client, administrator):
    officer = make_officer("GTA")
    assignment = make_assignment(officer=officer, jfo=make_jfo("GTA"), fte="0.50", start=D(2012, 4, 1))
    url = reverse("admin:operations_officer_change", args=[officer.pk])
    data = {
        "employee_number": officer.employee_number, "name": officer.name, "position": officer.position,
        "classification": officer.classification, "home_region": officer.home_region.pk, "active": "on",
        "assignments-TOTAL_FORMS": "1", "assignments-INITIAL_FORMS": "1",
        "assignments-MIN_NUM_FORMS": "0", "assignments-MAX_NUM_FORMS": "1000",
        "assignments-0-id": assignment.pk, "assignments-0-officer": officer.pk, "assignments-0-jfo": assignment.jfo.pk,
        "assignments-0-fte": "0.80", "assignments-0-start_date": "2012-04-01", "assignments-0-role": "",
        "assignments-0-effective_from": "2013-04-01", "assignments-0-version": version_of(assignment),
    }
    client.force_login(administrator)
    response = client.post(url, data)
    assert response.status_code == 302, re.findall(r'errorlist[^>]*>(.*?)</ul>', response.content.decode(), re.S)
    periods = list(officer.assignments.order_by("start_date").values_list("start_date", "end_date", "fte"))
    assert periods == [(D(2012, 4, 1), D(2013, 3, 31), Decimal("0.50")), (D(2013, 4, 1), None, Decimal("0.80"))]
