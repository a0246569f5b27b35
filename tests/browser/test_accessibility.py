"""axe-core finds no violation on the main pages, in English and in French.

The pages are checked as they are first shown: nothing focused or hovered, the GC Design
System components rendered. Violations are listed with their rule, impact and elements.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from operations.models import JointForceOperation

AXE = Axe()


def describe(page_name: str, violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{page_name}: {violation['id']} ({violation['impact']}) – {violation['help']} [{violation['helpUrl']}]")
        for node in violation["nodes"]:
            target = " ".join(" >>> ".join(part) if isinstance(part, list) else part for part in node["target"])
            summary = " / ".join(line.strip() for line in node.get("failureSummary", "").splitlines() if line.strip())
            lines.append(f"    {target}: {node['html'][:200]}\n        {summary}")
    return "\n".join(lines)


def settle(page) -> None:
    """Nothing focused or hovered, no transition running: axe sees the page at rest."""
    page.mouse.move(0, 0)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.evaluate("Promise.all(document.getAnimations({subtree: true}).map(a => a.finished.catch(() => null)))")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_main_pages_have_no_axe_violation(manager_page, open_page, components_ready, language):
    page = manager_page
    unit = JointForceOperation.objects.get(acronym="TADEU")
    if language == "fr":
        page.goto("/language/fr/?next=/")
    pages = {
        "dashboard": "/",
        "JFO units list": "/jfos/",
        "unit detail (TADEU)": f"/jfos/{unit.pk}/",
        "resources report (2010, by region)": "/reports/resources/?fiscal_year=2010&group_by=region",
    }
    found = []
    for name, path in pages.items():
        open_page(page, path)
        assert page.locator("html").get_attribute("lang") == language, f"{name} is not in {language}"
        settle(page)
        violations = AXE.run(page).response["violations"]
        if violations:
            found.append(describe(f"{name} [{language}] {path}", violations))

    # The add-assignment form, sent empty: the error summary and the field errors are shown.
    open_page(page, f"/jfos/{unit.pk}/assignments/new/")
    page.locator("form[novalidate] button[type=submit]").click()
    components_ready(page)
    assert page.locator("#error-summary").is_visible()
    settle(page)
    violations = AXE.run(page).response["violations"]
    if violations:
        found.append(describe(f"add-assignment form with errors [{language}] {page.url}", violations))

    assert not found, "axe-core violations:\n" + "\n".join(found)
