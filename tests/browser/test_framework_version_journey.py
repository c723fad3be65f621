"""An education lead imports a new framework version for next year on "Import a framework version":
a bad file is refused with its problems, the preview lists what changes, the import names next
year's framework, and this year's behaviour gaps stay as they were."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.support import PHONE, assert_accessible, screenshot, sign_in
from tests.framework_versions import NEW_VERSION, as_bytes, newer_version


def upload(page, raw: bytes, applies_from: str) -> None:
    page.set_input_files("input[type=file][name=file]", files=[{"name": "framework.json", "mimeType": "application/json", "buffer": raw}])
    page.get_by_label(applies_from).check()
    page.get_by_role("button", name="Preview import").click()
    page.wait_for_load_state()


def this_years_gaps(page) -> str:
    page.goto("/reports/behaviours")
    return page.locator("#gaps-heading + p").inner_text()


def test_lead_imports_a_version_for_next_year_and_this_year_stays_the_same(page):
    sign_in(page, "lead@example.org")
    gaps = this_years_gaps(page)
    page.get_by_role("link", name="Import a framework version").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Import a framework version", level=1)).to_be_visible()
    assert_accessible(page, "framework version")

    bad = newer_version()
    bad["domains"][0]["subjects"][1]["behaviours"][0]["replaces"] = ["9.9"]
    upload(page, as_bytes(bad), "Next appraisal year")
    assert "which is not a behaviour of the previous version" in page.locator(".nhsuk-error-summary").inner_text()
    assert_accessible(page, "framework version errors")

    upload(page, as_bytes(newer_version()), "Next appraisal year")
    preview = page.locator(".app-framework-preview").inner_text()
    assert re.search(r"1 added, 2 changed, 1 removed", preview), preview
    page.set_viewport_size(PHONE)
    assert_accessible(page, "framework version preview phone")
    screenshot(page, "framework-version-preview-phone")
    page.get_by_role("button", name="Import framework").click()
    page.wait_for_load_state()
    assert f"version {NEW_VERSION} imported" in page.locator(".nhsuk-notification-banner").inner_text()
    next_year = page.locator("table.app-framework-years tr").filter(has_text="(next year)").inner_text()
    assert f"version {NEW_VERSION}" in next_year
    assert this_years_gaps(page) == gaps
