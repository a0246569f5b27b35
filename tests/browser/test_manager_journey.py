"""A GTA regional manager at work: sign in, read the dashboard, add an assignment (with the
mouse and with the keyboard only), be refused an over-allocation and another region's unit."""

from __future__ import annotations

import re
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from jfo_registry.core.fiscal import FiscalYear
from operations.models import Assignment, JointForceOperation
from tests.conftest import TEST_PASSWORD, make_assignment, make_officer

SAVED = "The assignment was saved."


def figure(page, testid: str) -> Decimal:
    return Decimal(page.get_by_test_id(testid).inner_text().replace(",", ""))


def test_manager_signs_in_adds_half_an_fte_and_sees_it_on_the_dashboard(page, manager_user, components_ready):
    officer = make_officer("GTA")
    start = FiscalYear.current().start

    page.goto("/accounts/login/")
    page.locator("#id_username").fill(manager_user.username)
    page.locator("#id_password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    fte_before = figure(page, "fte-total")

    page.goto("/jfos/")
    page.get_by_role("link", name="TADEU", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("(TADEU)")
    page.get_by_role("link", name="Add an assignment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an assignment")
    page.locator("#id_officer").fill(officer.employee_number)
    page.locator("#id_fte").fill("0.5")
    page.locator("#id_start_date").fill(start.isoformat())
    page.get_by_role("button", name="Save").click()

    expect(page.locator(".notices")).to_contain_text(SAVED)
    expect(page.get_by_role("heading", level=1)).to_contain_text("(TADEU)")
    assignment = Assignment.objects.get(officer=officer)
    assert (assignment.jfo.acronym, assignment.fte, assignment.start_date, assignment.end_date) == (
        "TADEU",
        Decimal("0.50"),
        start,
        None,
    )

    page.goto("/")
    components_ready(page)
    assert figure(page, "fte-total") == fte_before + Decimal("0.5")


def test_over_allocation_is_refused_with_the_error_next_to_fte_and_the_input_kept(manager_page, open_page):
    page = manager_page
    start = FiscalYear.current().start
    officer = make_officer("GTA")
    make_assignment(officer=officer, jfo=JointForceOperation.objects.get(acronym="TADEU"), fte="0.50", start=start)
    unit = JointForceOperation.objects.get(acronym="ITF")

    open_page(page, f"/jfos/{unit.pk}/assignments/new/")
    page.locator("#id_officer").fill(officer.employee_number)
    page.locator("#id_fte").fill("0.6")
    page.locator("#id_start_date").fill(start.isoformat())
    page.locator("#id_role").fill("Analyst")
    page.locator("#id_notes").fill("Second half of the week")
    page.get_by_role("button", name="Save").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_contain_text("more than 1.00 FTE")
    expect(summary.get_by_role("link")).to_have_attribute("href", "#id_fte")
    expect(page.locator("#id_fte-error")).to_contain_text("more than 1.00 FTE")
    expect(page.locator("#id_fte")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_fte")).to_have_attribute("aria-describedby", re.compile(r"\bid_fte-error\b"))

    expect(page.locator("#id_officer")).to_have_value(officer.employee_number)
    expect(page.locator("#id_fte")).to_have_value("0.6")
    expect(page.locator("#id_start_date")).to_have_value(start.isoformat())
    expect(page.locator("#id_role")).to_have_value("Analyst")
    expect(page.locator("#id_notes")).to_have_value("Second half of the week")

    assert list(Assignment.objects.filter(officer=officer).values_list("jfo__acronym", "fte")) == [("TADEU", Decimal("0.50"))]


def test_manager_cannot_edit_a_pacific_assignment_from_the_page_or_by_a_crafted_post(manager_page, open_page):
    page = manager_page
    unit = JointForceOperation.objects.get(acronym="BEST-PAC")
    assignment = unit.assignments.order_by("pk").first()
    assert assignment is not None, "the seed has an assignment on BEST-PAC"
    before = Assignment.objects.filter(pk=assignment.pk).values().get()

    open_page(page, f"/jfos/{unit.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("(BEST-PAC)")
    current = page.get_by_role("table").filter(has=page.get_by_text("Current", exact=True)).first
    expect(current.get_by_role("cell", name=re.compile(assignment.officer.employee_number)).first).to_be_visible()
    expect(page.get_by_role("link", name="Add an assignment")).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile(r"^(Change|End)\b"))).to_have_count(0)
    expect(page.get_by_role("columnheader", name="Actions")).to_have_count(0)

    csrf_token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    data = {
        "csrfmiddlewaretoken": csrf_token,
        "fte": "0.10",
        "start_date": assignment.start_date.isoformat(),
        "end_date": "",
        "role": "Crafted",
        "notes": "Changed by a crafted request",
    }
    headers = {"X-CSRFToken": csrf_token, "Referer": page.url}
    response = page.request.post(f"/assignments/{assignment.pk}/change/", form=data, headers=headers, max_redirects=0)
    assert response.status == 403, response.text()[:500]
    assert "You may only edit assignments of your own regions." in response.text()
    assert Assignment.objects.filter(pk=assignment.pk).values().get() == before

    # The same request on a GTA assignment goes through: the 403 above is the region rule. (A change
    # takes effect from a date: today's starts a successor period, the closed 2010-2011 untouched.)
    own = JointForceOperation.objects.get(acronym="TADEU").assignments.filter(end_date__isnull=True).order_by("pk").first()
    data.update(
        fte=f"{own.fte}", effective_from=timezone.localdate().isoformat(),
        version=own.last_updated.isoformat(),  # the version the page would carry
    )
    response = page.request.post(f"/assignments/{own.pk}/change/", form=data, headers=headers, max_redirects=0)
    assert response.status == 302, response.text()[:500]
    assert Assignment.objects.get(predecessor=own).role == "Crafted"


def test_manager_adds_an_assignment_with_the_keyboard_only(manager_page, open_page, components_ready):
    page = manager_page
    officer = make_officer("GTA")
    start = FiscalYear.current().start
    unit = JointForceOperation.objects.get(acronym="YYZ-INTEL")
    open_page(page, f"/jfos/{unit.pk}/")

    def focused() -> dict:
        return page.evaluate(
            "() => { const e = document.activeElement;"
            " return {id: e.id, tag: e.localName, type: e.type || '', text: (e.textContent || '').trim()}; }"
        )

    def tab_until(matches, limit=40) -> dict:
        for _ in range(limit):
            page.keyboard.press("Tab")
            current = focused()
            if matches(current):
                return current
        raise AssertionError(f"not reached with {limit} presses of Tab; last focused: {current}")

    tab_until(lambda e: e["tag"] == "a" and e["text"] == "Add an assignment")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/jfos/{unit.pk}/assignments/new/$"))
    components_ready(page)

    # The officer is the first field of the form; the others follow in the order shown.
    tab_until(lambda e: e["tag"] in ("input", "select", "textarea"))
    assert focused()["id"] == "id_officer"
    page.keyboard.type(officer.employee_number)
    page.keyboard.press("Tab")
    assert focused()["id"] == "id_fte"
    page.keyboard.type("0.5")
    page.keyboard.press("Tab")
    assert focused()["id"] == "id_start_date"
    type_date(page, start)
    expect(page.locator("#id_start_date")).to_have_value(start.isoformat())
    tab_until(lambda e: e["id"] == "id_end_date", limit=4)  # Tab may first visit the date's parts
    tab_until(lambda e: e["id"] == "id_role", limit=5)  # the end date stays empty: ongoing
    page.keyboard.type("Targeting")
    tab_until(lambda e: e["tag"] == "button" and e["text"] == "Save", limit=5)
    page.keyboard.press("Enter")

    expect(page.locator(".notices")).to_contain_text(SAVED)
    assignment = Assignment.objects.get(officer=officer)
    assert (assignment.jfo_id, assignment.fte, assignment.start_date, assignment.role) == (
        unit.pk,
        Decimal("0.50"),
        start,
        "Targeting",
    )


def type_date(page, day) -> None:
    """Type `day` into the focused date input, part by part in the order the input shows them.

    Chromium lays the parts out by its own UI language (mm/dd/yyyy when headless, whatever the
    page's locale), so the order is read from its accessibility tree: the parts are spin buttons
    whose maximum tells them apart (12 months, 31 days, the year). Month and day move on to the
    next part after two digits; the year takes up to six, so the right arrow moves on after it.
    """
    cdp = page.context.new_cdp_session(page)
    try:
        nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        cdp.detach()
    order = ""
    for node in nodes:
        if node.get("role", {}).get("value") != "spinbutton":
            continue
        maximum = next((p["value"].get("value") for p in node.get("properties", []) if p["name"] == "valuemax"), None)
        if maximum in (12, 31) or (maximum or 0) > 9999:
            order += {12: "m", 31: "d"}.get(maximum, "y")
        if len(order) == 3:  # the first date input of the page
            break
    assert sorted(order) == ["d", "m", "y"], f"date input parts not found: {order!r}"
    for letter in order:
        if letter == "y":
            page.keyboard.type(f"{day.year:04d}")
            page.keyboard.press("ArrowRight")
        else:
            page.keyboard.type(f"{day.month if letter == 'm' else day.day:02d}")
