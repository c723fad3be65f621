"""An education lead filters the organisation report, lists the people behind a count, reads the
gaps and downloads both formats."""
from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.support import assert_accessible, screenshot, sign_in


def test_lead_journey(page, viewport, tmp_path):
    name, size = viewport
    page.set_viewport_size(size)
    sign_in(page, "lead@example.org")

    if name == "desktop":
        page.locator(".nhsuk-header__navigation-list a", has_text="Organisation report").click()
    else:
        page.goto("/reports/")
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Organisation report", level=1)).to_be_visible()
    assert_accessible(page, f"organisation report {name}")
    screenshot(page, f"reports-organisation-{name}")

    # Filter to one directorate and tier 2: the choice lands in the URL.
    page.get_by_label("Organisation unit", exact=True).select_option(label="Cancer Services (directorate)")
    page.get_by_label("Tier", exact=True).select_option(label="Tier 2")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    assert "tier=2" in page.url and "unit=" in page.url
    assert "Cancer Services" in page.locator(".nhsuk-caption-l").inner_text()
    assert "Tier 2" in page.locator(".app-filter-summary").inner_text()
    assert_accessible(page, f"organisation report filtered {name}")
    filtered_url = page.url

    # The people behind a count: as many as the count said, name and status in view on a phone.
    counts = page.locator("table.app-counts")
    link = counts.get_by_role("link").first
    clicked = int(link.inner_text().split()[0])
    link.click()
    page.wait_for_load_state()
    assert "/reports/people" in page.url and "tier=2" in page.url
    heading = page.locator("#people-heading").inner_text()
    assert heading.startswith(f"{clicked} {'person' if clicked == 1 else 'people'}")
    assert page.locator("table.app-people tbody tr").count() == min(clicked, 50)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= size["width"]
    region = page.locator(".app-scroll").first
    region.evaluate("(box) => { box.scrollLeft = box.scrollWidth; }")
    first_row = page.locator("table.app-people tbody tr").first
    box = region.bounding_box()
    for cell in (first_row.locator("th"), first_row.locator("td").first):
        cell_box = cell.bounding_box()
        assert box["x"] - 1 <= cell_box["x"] and cell_box["x"] + cell_box["width"] <= box["x"] + box["width"] + 1
    assert_accessible(page, f"people list {name}")
    screenshot(page, f"reports-people-{name}")
    page.goto(filtered_url)

    # The gaps, with the same filters.
    page.get_by_role("link", name="Behaviour gaps").click()
    page.wait_for_load_state()
    assert "tier=2" in page.url
    expect(page.get_by_role("heading", name="Every behaviour, lowest first")).to_be_visible()
    assert page.locator("table tbody tr").count() > 10
    assert_accessible(page, f"behaviour gaps {name}")
    screenshot(page, f"reports-behaviours-{name}")

    page.get_by_role("link", name="Training uptake").click()
    page.wait_for_load_state()
    assert_accessible(page, f"training uptake {name}")
    screenshot(page, f"reports-training-{name}")

    # Both formats of the by-person export, under the filters on screen.
    page.goto(filtered_url)
    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Download CSV of compliance by person").click()
    csv_path = tmp_path / csv_download.value.suggested_filename
    csv_download.value.save_as(csv_path)
    assert csv_path.name.endswith(".csv") and "cancer-services-people" in csv_path.name
    text = csv_path.read_text(encoding="utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][0] == "Employee number" and len(rows) > 1
    tier, directorate = rows[0].index("Tier"), rows[0].index("Directorate")
    assert {r[tier] for r in rows[1:]} == {"2"} and {r[directorate] for r in rows[1:]} == {"Cancer Services"}
    assert "Line manager" in rows[0]

    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Download Excel of compliance by person").click()
    xlsx_path = tmp_path / xlsx_download.value.suggested_filename
    xlsx_download.value.save_as(xlsx_path)
    book = load_workbook(xlsx_path)
    assert book.sheetnames == ["Compliance by person", "About this export"]
    assert book.worksheets[0].max_row == len(rows)
