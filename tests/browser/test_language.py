"""Switching to French: the pages, their numbers, and the choice kept from page to page."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def test_switch_to_french_translates_the_pages_formats_numbers_and_is_remembered(manager_page, components_ready):
    page = manager_page
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    fte_en = page.get_by_test_id("fte-total").inner_text()

    page.goto("/language/fr/?next=/")
    components_ready(page)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord")
    # The same figure, written the French way: a decimal comma (17.5 -> 17,5).
    fte_fr = page.get_by_test_id("fte-total").inner_text()
    assert re.fullmatch(r"\d[\d\u00a0\u202f ]*,\d{1,2}", fte_fr), fte_fr
    assert fte_fr == fte_en.replace(",", "").replace(".", ","), (fte_en, fte_fr)
    assert {c["name"]: c["value"] for c in page.context.cookies()}.get("django_language") == "fr"

    # The choice is kept on the next page, reached through the menu.
    page.locator("gcds-top-nav").get_by_role("link", name=re.compile(r"^unités", re.I)).click()
    expect(page).to_have_url(re.compile(r"/jfos/$"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Unités", re.I))

    # And money is written the French way too: 1 177 109 $ (fiscal year 2010-2011).
    page.goto("/?fiscal_year=2010")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_test_id("cost-total")).to_have_text(re.compile(r"^\d{1,3}([\u00a0\u202f ]\d{3})+\u00a0\$$"))

    # The header's language toggle (inside the GC Design System component) leads back to English.
    components_ready(page)
    page.locator("gcds-header").get_by_role("link", name=re.compile("English")).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    expect(page).to_have_url(re.compile(r"/\?fiscal_year=2010$"))
