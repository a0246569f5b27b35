"""A manager records the conditions of an arrangement and sees the Exhibit 6 matrix change;
the agreements pages have no axe violation in either language."""

from __future__ import annotations

import pytest

from agreements.models import Arrangement
from tests.browser.test_accessibility import AXE, describe, settle


def test_a_manager_records_conditions_and_sees_the_matrix_change(manager_page, open_page):
    page = manager_page
    arrangement = Arrangement.objects.get(jfos__acronym="TADEU")
    open_page(page, "/reports/conditions/")
    cell = page.locator(f'[data-testid="mark-{arrangement.reference}-b"]')
    assert "Not assessed" in cell.inner_text() or cell.inner_text().strip().startswith("–")
    before = page.locator('[data-testid="addressed-b"]').inner_text()

    open_page(page, f"/arrangements/{arrangement.pk}/")
    page.get_by_role("link", name="Record the conditions").click()
    fieldset = page.locator("fieldset").nth(1)  # condition b)
    fieldset.get_by_label("Status").select_option("addressed")
    fieldset.get_by_label("Clause").fill("Article 2.1")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/arrangements/{arrangement.pk}/")
    assert "The conditions were recorded." in page.content()

    open_page(page, "/reports/conditions/")
    assert page.locator(f'[data-testid="mark-{arrangement.reference}-b"]').inner_text().strip() == "Yes"
    after = page.locator('[data-testid="addressed-b"]').inner_text()
    assert before != after and after.startswith("1 of 1")


def test_the_clause_is_required_when_a_condition_is_addressed(manager_page, open_page):
    page = manager_page
    arrangement = Arrangement.objects.get(jfos__acronym="TADEU")
    open_page(page, f"/arrangements/{arrangement.pk}/conditions/")
    page.locator("fieldset").nth(0).get_by_label("Status").select_option("addressed")
    page.get_by_role("button", name="Save").click()
    assert page.locator("#error-summary").is_visible()
    assert "Name the clause" in page.locator("#error-summary").inner_text()
    assert page.locator("fieldset").nth(0).get_by_label("Status").input_value() == "addressed"


@pytest.mark.parametrize("language", ["en", "fr"])
def test_agreement_pages_have_no_axe_violation(manager_page, open_page, language):
    page = manager_page
    arrangement = Arrangement.objects.get(jfos__acronym="TADEU")
    if language == "fr":
        page.goto("/language/fr/?next=/")
    pages = {
        "arrangements list": "/arrangements/",
        "arrangement detail": f"/arrangements/{arrangement.pk}/",
        "conditions form": f"/arrangements/{arrangement.pk}/conditions/",
        "coverage report": "/reports/coverage/?fiscal_year=2010",
        "conditions report": "/reports/conditions/",
        "expiring report": "/reports/expiring/?days=3650",
        "gaps plan": "/reports/gaps/",
        "officers list": "/officers/",
        "tenure report": "/reports/tenure/?on=2011-03-31",
        "allocation report": "/reports/allocation/?fiscal_year=2010",
    }
    found = []
    for name, path in pages.items():
        open_page(page, path)
        assert page.locator("html").get_attribute("lang") == language
        settle(page)
        violations = AXE.run(page).response["violations"]
        if violations:
            found.append(describe(f"{name} [{language}] {path}", violations))
    assert not found, "\n".join(found)
