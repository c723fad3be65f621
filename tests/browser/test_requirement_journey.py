"""An education lead raises tier 2's hours for this year on "Annual requirement": the preview says
what would change, saving does exactly that, and last year's report and export stay as they were."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.support import assert_accessible, screenshot, sign_in


def last_year_figures(page, last_year: int) -> tuple[str, str]:
    """Last year's headline on the organisation report, and its people export, byte for byte."""
    page.goto(f"/reports/?year={last_year}")
    headline = page.locator(".app-headline__figure").first.inner_text()
    export = page.request.get(f"/reports/export/people.csv?year={last_year}").text()
    return headline, re.sub(r"Generated.*\r\n", "", export)  # the description rows carry the time


def this_years_complete(page) -> int:
    page.goto("/reports/")
    row = page.locator("table.app-counts tr").filter(has=page.locator("th:has-text('complete')")).first
    return int(re.sub(r"\D", "", row.locator("td").inner_text()))


def test_lead_changes_this_years_rules_and_last_year_stays_the_same(page, viewport, browser_today):
    name, size = viewport
    page.set_viewport_size(size)
    sign_in(page, "lead@example.org")
    last_year = browser_today.year - 1 if browser_today.month >= 4 else browser_today.year - 2
    before = last_year_figures(page, last_year)

    page.goto("/reports/")
    page.get_by_role("link", name="Annual requirement").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Annual requirement", level=1)).to_be_visible()
    assert_accessible(page, f"annual requirement {name}")
    hours = page.locator("#tier2_hours")
    original = hours.input_value()

    # Bad input first: the field is named and nothing changes.
    hours.fill("lots")
    page.get_by_role("button", name="Save rules").click()
    page.wait_for_load_state()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    assert_accessible(page, f"annual requirement errors {name}")

    page.locator("#tier2_hours").fill(str(int(float(original)) + 2))
    page.get_by_role("button", name="Preview changes").click()
    page.wait_for_load_state()
    preview = page.locator(".app-requirement-preview").inner_text()
    predicted = int(re.search(r"With these rules, (\d+)", preview).group(1))
    assert_accessible(page, f"annual requirement preview {name}")
    screenshot(page, f"requirement-preview-{name}")
    page.get_by_role("button", name="Save rules").click()
    page.wait_for_load_state()
    assert "Rules saved for" in page.locator(".nhsuk-notification-banner").inner_text()

    assert this_years_complete(page) == predicted
    assert last_year_figures(page, last_year) == before

    # Put the rule back, so the other journeys see the demo's year as it was.
    page.goto("/reports/requirement")
    page.locator("#tier2_hours").fill(original)
    page.get_by_role("button", name="Save rules").click()
    page.wait_for_load_state()
    assert "Rules saved for" in page.locator(".nhsuk-notification-banner").inner_text()
