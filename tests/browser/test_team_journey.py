"""A ward manager's journey through the team pages, in Chromium, axe-clean at desktop and phone widths."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.support import assert_accessible, screenshot, sign_in, submit_for_decision

PROTECTED = "Priya Shah"  # staff@example.org: other journeys rely on her year, so leave it alone


def count_of(page, status: str) -> int:
    row = page.locator("table.app-counts tr").filter(has=page.locator(f"th:has-text('{status}')")).first
    return int(re.sub(r"\D", "", row.locator("td").inner_text()) or 0)


def open_queue_item(page, skip_owner: str):
    items = page.locator(".app-queue__item")
    for i in range(items.count()):
        item = items.nth(i)
        if skip_owner not in item.inner_text():
            item.locator("a").first.click()
            page.wait_for_load_state()
            return
    raise AssertionError("no activity in the queue to act on")


def test_manager_journey(page, viewport, live_app, browser_today):
    name, size = viewport
    # This journey decides on two activities: make them, whatever earlier journeys consumed.
    assert len(submit_for_decision(live_app, "manager@example.org", 2, browser_today)) == 2
    page.set_viewport_size(size)
    sign_in(page, "manager@example.org")

    # The team's RAG status.
    page.goto("/team/")
    expect(page.get_by_role("heading", name="Team dashboard", level=1)).to_be_visible()
    assert page.locator(".app-headline__figure").inner_text().endswith("%")
    expect(page.get_by_text(re.compile(r"^(Green: on target|Amber: below|Red: well below)")).first).to_be_visible()
    exempt_before = count_of(page, "exempt")
    assert_accessible(page, f"team dashboard {name}")
    screenshot(page, f"team-dashboard-{name}")

    # The sign-off queue, with its count in the navigation.
    if name == "desktop":
        page.locator(".nhsuk-header__navigation-list a", has_text="Sign-off queue").click()
    else:
        page.goto("/team/queue")
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Sign-off queue", level=1)).to_be_visible()
    waiting = page.locator(".app-queue__item").count()
    assert waiting >= 2
    assert_accessible(page, f"sign-off queue {name}")
    screenshot(page, f"team-queue-{name}")

    # Return one with feedback: first without any, which the form refuses.
    open_queue_item(page, PROTECTED)
    expect(page.get_by_role("button", name="Sign off")).to_be_visible()
    assert_accessible(page, f"activity {name}")
    screenshot(page, f"team-activity-{name}")
    page.get_by_role("button", name="Return with feedback").click()
    page.wait_for_load_state()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    assert_accessible(page, f"activity error {name}")
    page.get_by_label("Feedback").fill("Please say which behaviours this showed and add a short reflection.")
    page.get_by_role("button", name="Return with feedback").click()
    page.wait_for_load_state()
    assert "with your feedback" in page.locator(".nhsuk-notification-banner").inner_text()
    assert page.locator(".app-queue__item").count() == waiting - 1

    # Sign another off.
    open_queue_item(page, PROTECTED)
    page.get_by_role("button", name="Sign off").click()
    page.wait_for_load_state()
    assert "You signed off" in page.locator(".nhsuk-notification-banner").inner_text()
    assert page.locator(".app-queue__item").count() == waiting - 2

    # Record a leadership action.
    page.goto("/team/")
    page.get_by_role("button", name="Record a leadership action").click()
    page.wait_for_load_state()
    assert_accessible(page, f"leadership action form {name}")
    page.get_by_role("button", name="Record a leadership action").click()  # empty: errors first
    page.wait_for_load_state()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    assert_accessible(page, f"leadership action errors {name}")
    screenshot(page, f"team-leadership-action-errors-{name}")
    page.get_by_label("Protected learning time given").check()
    today = browser_today
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year", exact=True).fill(str(today.year))
    page.get_by_label("Hours (for protected learning time)").fill("4")
    page.get_by_label("Note (optional)").fill(f"Study afternoon ({name})")
    page.get_by_role("button", name="Record a leadership action").click()
    page.wait_for_load_state()
    expect(page.get_by_text(f"Study afternoon ({name})")).to_be_visible()

    # Record an exemption for someone who has not started.
    page.goto("/team/?status=not_started#people")
    people = page.locator("table.app-people tbody th a")
    target = next(people.nth(i) for i in range(people.count()) if people.nth(i).inner_text() != PROTECTED)
    target_name = target.inner_text()
    target.click()
    page.wait_for_load_state()
    assert_accessible(page, f"person view {name}")
    screenshot(page, f"team-person-{name}")
    page.get_by_role("button", name="Record an exemption").click()
    page.wait_for_load_state()
    assert_accessible(page, f"exemption form {name}")
    page.get_by_label("Parental leave").check()
    page.locator("#starts_on").fill(str(today.day))
    page.locator("#starts_on-month").fill(str(today.month))
    page.locator("#starts_on-year").fill(str(today.year))
    page.locator("#ends_on").fill(str(today.day))
    page.locator("#ends_on-month").fill(str(today.month))
    page.locator("#ends_on-year").fill(str(today.year + 1))
    page.get_by_role("button", name="Record an exemption").click()
    page.wait_for_load_state()
    assert f"Exemption recorded for {target_name}" in page.locator(".nhsuk-notification-banner").inner_text()

    # The figures change.
    page.goto("/team/")
    assert count_of(page, "exempt") == exempt_before + 1
    screenshot(page, f"team-dashboard-after-{name}")
