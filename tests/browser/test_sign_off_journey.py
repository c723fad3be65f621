"""A ward manager signs off two activities together after the check, then undoes one: in Chromium,
axe-clean and without sideways scrolling at desktop and phone widths."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.support import assert_accessible, screenshot, sign_in, submit_for_decision


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_sign_off_together_and_undo(page, viewport, live_app, browser_today):
    name, size = viewport
    chosen = submit_for_decision(live_app, "manager@example.org", 2, browser_today)
    assert len(chosen) == 2
    page.set_viewport_size(size)
    sign_in(page, "manager@example.org")

    page.goto("/team/queue")
    for activity_id in chosen:
        page.locator(f"label[for=select-{activity_id}]").click()
    page.get_by_role("button", name="Sign off selected").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Check the activities to sign off", level=1)).to_be_visible()
    assert no_sideways_scroll(page)
    assert_accessible(page, f"sign-off check {name}")
    screenshot(page, f"team-sign-off-check-{name}")

    page.get_by_role("button", name="Sign off these 2 activities").click()
    page.wait_for_load_state()
    assert "You signed off 2 activities." in page.locator(".nhsuk-notification-banner").inner_text()
    recent = page.locator(".app-recent-decisions__item")
    assert recent.count() >= 2
    assert no_sideways_scroll(page)
    assert_accessible(page, f"queue with recent decisions {name}")
    screenshot(page, f"team-queue-recently-decided-{name}")

    recent.first.get_by_role("button", name="Undo").click()
    page.wait_for_load_state()
    assert "Decision undone" in page.locator(".nhsuk-notification-banner").inner_text()
    expect(page.get_by_role("button", name="Sign off")).to_be_visible()  # decide afresh
    assert_accessible(page, f"activity after undo {name}")
