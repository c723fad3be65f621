"""A ward manager corrects what they recorded, in Chromium at desktop and phone widths: an
open-ended exemption reviewed, ended early and deleted; a leadership action changed and deleted.
Every page axe-clean and without sideways scrolling. What it records it deletes again, so the
other journeys find the organisation as the demo made it."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.support import assert_accessible, screenshot, sign_in

PROTECTED = "Priya Shah"  # staff@example.org: other journeys rely on her year


def no_sideways_scroll(page, width: int, name: str) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width, name


def check(page, size, name: str) -> None:
    assert_accessible(page, name)
    no_sideways_scroll(page, size["width"], name)


def fill_date(page, field: str, day) -> None:
    page.locator(f"#{field}").fill(str(day.day))
    page.locator(f"#{field}-month").fill(str(day.month))
    page.locator(f"#{field}-year").fill(str(day.year))


def banner(page) -> str:
    return page.locator(".nhsuk-notification-banner").inner_text()


def test_exemption_changes_journey(page, viewport, live_server, browser_today):
    name, size = viewport
    page.set_viewport_size(size)
    sign_in(page, "manager@example.org")
    page.goto("/team/?status=not_started#people")
    people = page.locator("table.app-people tbody th a")
    target = next(people.nth(i) for i in range(people.count()) if people.nth(i).inner_text() != PROTECTED)
    person = target.inner_text()
    target.click()
    page.wait_for_load_state()

    # Recorded with no end date: open-ended, and listed for review.
    page.get_by_role("button", name="Record an exemption").click()
    page.wait_for_load_state()
    page.get_by_label("Long-term absence").check()
    fill_date(page, "starts_on", browser_today)
    page.get_by_role("button", name="Record an exemption").click()
    page.wait_for_load_state()
    assert f"Exemption recorded for {person}" in banner(page)
    expect(page.get_by_role("cell", name="Open-ended").first).to_be_visible()
    check(page, size, f"person with an open-ended exemption {name}")
    screenshot(page, f"team-person-open-ended-{name}")
    page.goto("/team/")
    page.get_by_role("link", name="open-ended exemption").first.click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Open-ended exemptions to review")).to_be_visible()
    check(page, size, f"open-ended exemptions {name}")

    # Ended early: a return from leave.
    page.get_by_role("link", name=f"End early the exemption of {person}").click()
    page.wait_for_load_state()
    check(page, size, f"end early {name}")
    screenshot(page, f"team-exemption-end-{name}")
    page.get_by_role("button", name="End the exemption").click()
    page.wait_for_load_state()
    assert f"Exemption ended for {person}" in banner(page)

    # Changed: a mistake in the reason, shown by the field.
    page.get_by_role("link", name="Change the exemption from").first.click()
    page.wait_for_load_state()
    page.get_by_label("Other", exact=True).check()
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_load_state()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    check(page, size, f"change exemption errors {name}")
    page.get_by_label("Describe the reason").fill("Jury service")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_load_state()
    assert f"Exemption changed for {person}" in banner(page)

    # Deleted, after a confirmation.
    page.get_by_role("link", name="Delete the exemption from").first.click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Delete this exemption")).to_be_visible()
    check(page, size, f"delete exemption {name}")
    page.get_by_role("button", name="Yes, delete it").click()
    page.wait_for_load_state()
    assert f"Exemption deleted for {person}" in banner(page)


def test_leadership_action_changes_journey(page, viewport, live_server, browser_today):
    name, size = viewport
    page.set_viewport_size(size)
    sign_in(page, "manager@example.org")
    note = f"Handover practice ({name} changes)"
    page.goto("/team/leadership-actions/new?kind=team_session")
    fill_date(page, "occurred_on", browser_today)
    page.get_by_label("Note (optional)").fill(note)
    page.get_by_role("button", name="Record a leadership action").click()
    page.wait_for_load_state()
    item = page.locator("#leadership-actions li").filter(has_text=note)
    # The dashboard's own width at 320 px is the layout work's (its people table); here, its actions are axe-clean.
    assert_accessible(page, f"dashboard with actions {name}")

    item.get_by_role("link", name="Change").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Change a leadership action")).to_be_visible()
    check(page, size, f"change leadership action {name}")
    page.get_by_label("Note (optional)").fill(note + ", with role-play")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_load_state()
    assert "Leadership action changed." in banner(page)

    item = page.locator("#leadership-actions li").filter(has_text=note + ", with role-play")
    item.get_by_role("link", name="Delete").click()
    page.wait_for_load_state()
    check(page, size, f"delete leadership action {name}")
    screenshot(page, f"team-leadership-action-delete-{name}")
    page.get_by_role("button", name="Yes, delete it").click()
    page.wait_for_load_state()
    assert "Leadership action deleted." in banner(page)
    assert page.locator("#leadership-actions li").filter(has_text=note).count() == 0
