"""An admin opens "Audit trail", finds their own sign-in with its address, names a bad date and
is told which field, narrows the trail to sign-ins, and downloads it as CSV; axe-core is clean."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.support import assert_accessible, screenshot, sign_in


def test_admin_reads_filters_and_downloads_the_trail(page, viewport):
    name, size = viewport
    page.set_viewport_size(size)
    sign_in(page, "admin@example.org")
    page.goto("/admin/audit")
    expect(page.get_by_role("heading", name="Audit trail", level=1)).to_be_visible()
    first = page.locator("tbody tr").first.inner_text()
    assert "Signed in" in first and "127.0.0.1" in first
    assert_accessible(page, f"audit trail {name}")
    screenshot(page, f"audit-trail-{name}")

    page.locator("#from_day").fill("31")
    page.locator("#from_day-month").fill("2")
    page.locator("#from_day-year").fill("2026")
    page.get_by_role("button", name="Show events").click()
    page.wait_for_load_state()
    assert "From must be a real date" in page.locator(".nhsuk-error-summary").inner_text()
    assert_accessible(page, f"audit trail errors {name}")

    page.locator("#from_day").fill("")
    page.locator("#from_day-month").fill("")
    page.locator("#from_day-year").fill("")
    page.locator("#action").select_option("auth.signed_in")
    page.get_by_role("button", name="Show events").click()
    page.wait_for_load_state()
    rows = page.locator("tbody tr")
    assert rows.count() >= 1 and all("Signed in" in rows.nth(i).inner_text() for i in range(rows.count()))
    assert_accessible(page, f"audit trail filtered {name}")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename.startswith("audit-trail-")
