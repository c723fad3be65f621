"""An admin finds a team in the unit tree: opens a directorate from the keyboard, searches, opens
the team's page and its rename form, where a date in a closed year is named by the field. Nothing
is saved, so the other journeys see the demo organisation as it was."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.support import assert_accessible, screenshot, sign_in


def test_admin_finds_a_team_in_the_tree(page, viewport):
    name, size = viewport
    page.set_viewport_size(size)
    sign_in(page, "admin@example.org")
    page.goto("/admin/teams")
    expect(page.get_by_role("heading", name="Teams", level=1)).to_be_visible()
    assert_accessible(page, f"teams {name}")

    # The organisation starts open; a directorate starts folded and opens from the keyboard.
    directorate = page.locator(".app-unit-tree > li > details > ul > li > details").first
    assert directorate.get_attribute("open") is None
    directorate.locator("summary").focus()
    page.keyboard.press("Enter")
    assert directorate.get_attribute("open") is not None
    team = directorate.locator("ul a.app-unit-tree__name").first
    team_name = team.inner_text()
    expect(team).to_be_visible()
    assert_accessible(page, f"teams opened {name}")
    screenshot(page, f"teams-tree-{name}")

    page.get_by_label("Search for a unit").fill(team_name)
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name=f"Units matching “{team_name}”")).to_be_visible()
    assert_accessible(page, f"teams search {name}")
    page.get_by_role("link", name=team_name, exact=True).first.click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name=team_name, level=1)).to_be_visible()
    assert_accessible(page, f"unit page {name}")

    page.get_by_role("link", name=f"Rename {team_name}").click()
    page.wait_for_load_state()
    page.get_by_label("New name").fill(f"{team_name} (renamed)")
    page.locator("#on").fill("1")
    page.locator("#on-month").fill("4")
    page.locator("#on-year").fill("2025")
    page.get_by_role("button", name="Rename").click()
    page.wait_for_load_state()
    assert "appraisal year closed" in page.locator(".nhsuk-error-summary").inner_text()
    assert_accessible(page, f"rename errors {name}")
