"""Reports in the browser: the resources CSV download, and screenshots of the main pages."""

from __future__ import annotations

import csv
import io
import re

from playwright.sync_api import expect

RESOURCES_2010_BY_REGION = "/reports/resources/?fiscal_year=2010&group_by=region"


def test_hq_analyst_downloads_the_resources_report_as_csv(analyst_page, open_page):
    page = analyst_page
    open_page(page, RESOURCES_2010_BY_REGION)
    expect(page.get_by_role("heading", level=1)).to_have_text("Resources report")
    link = page.get_by_role("link", name=re.compile(r"^Download as CSV"))
    expect(link).to_have_attribute("href", re.compile(r"^/api/v1/reports/resources/\?.*\bformat=csv\b"))

    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.failure() is None
    assert download.suggested_filename.endswith(".csv"), download.suggested_filename
    with open(download.path(), encoding="utf-8-sig", newline="") as file:
        text = file.read()

    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["group", "key", "label", "jfo_count", "fte", "salaries"]
    gta = next((row for row in rows[1:] if row[:2] == ["region", "GTA"]), None)
    assert gta is not None, text
    assert gta[2] == "Greater Toronto Area"
    assert int(gta[3]) == 11
    assert float(gta[4]) == 17.5
    assert float(gta[5]) > 0


def test_screenshots_of_the_dashboard_and_the_resources_report(manager_page, open_page, screenshot_dir):
    page = manager_page
    shots = {
        "dashboard.png": "/",
        "resources-2010-2011-by-region.png": RESOURCES_2010_BY_REGION,
    }
    for name, path in shots.items():
        target = screenshot_dir / name
        target.unlink(missing_ok=True)
        open_page(page, path)
        page.evaluate("document.fonts.ready.then(() => true)")
        page.screenshot(path=target, full_page=True)
        assert target.stat().st_size > 10_000, f"{target} looks empty"
