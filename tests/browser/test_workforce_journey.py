"""The administration journey of the issue: admin@example.org imports a staff file, reads the
preview, creates the missing team, applies; finds a new person on "People", moves them to another
team, creates their set-password link; the new person sets a password and signs in. axe-core clean
on every page at 1280 and 320 px."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import watched_page
from tests.browser.support import assert_accessible, screenshot, sign_in
from tests.staff_files import as_csv, staff_row

# Employee numbers of their own per viewport, so both runs of the journey import new people.
FIRST = {"desktop": 91000, "phone": 92000}

# A password of their own: the demo password is on the common-passwords list, refused for real accounts.
OWN_PASSWORD = "kettle on the ward at seven"


def test_admin_imports_staff_and_a_new_person_signs_in(page, browser, live_server, viewport, console):
    name, size = viewport
    page.set_viewport_size(size)
    n = FIRST[name]
    new_team = f"Respiratory Ward {n}"
    sign_in(page, "admin@example.org")

    # Import staff: a file naming a team that does not exist yet.
    page.goto("/")
    if page.get_by_role("link", name="Import staff").count() == 0:
        page.get_by_role("button", name="More").click()  # the header folds its menu on a phone
    page.get_by_role("link", name="Import staff").first.click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Import staff", level=1)).to_be_visible()
    assert_accessible(page, f"journey import {name}")
    rows = [staff_row(n, team=new_team, title="Staff Nurse"),
            staff_row(n + 1, team=new_team, manager=f"{10000000 + n}", title="Healthcare Assistant",
                      group="Additional Clinical Services")]
    page.set_input_files("input[type=file][name=file]",
                         files=[{"name": "staff-in-post.csv", "mimeType": "text/csv", "buffer": as_csv(rows)}])
    page.get_by_role("button", name="Preview import").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Preview of the staff import")).to_be_visible()
    expect(page.get_by_role("heading", name="Teams that do not exist yet")).to_be_visible()
    assert new_team in page.content()
    assert_accessible(page, f"journey import preview {name}")
    screenshot(page, f"journey-import-preview-{name}")

    # Create the missing team under a directorate, then apply.
    parent = page.get_by_label("Create the new teams under")
    parent.select_option(label="Medicine")
    page.get_by_role("button", name="Apply import").click()
    page.wait_for_load_state()
    assert re.search(r"Import applied: 2 created, .* 1 new team", page.locator(".nhsuk-notification-banner").inner_text())
    assert_accessible(page, f"journey import applied {name}")

    # Find the new person on People and move them to another team.
    page.goto("/admin/people")
    page.get_by_label("Name, email address or employee number").fill(f"{10000000 + n}")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    person_name = f"Given{n} Family{n}"
    page.get_by_role("link", name=person_name).click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name=person_name, level=1)).to_be_visible()
    assert new_team in page.content()
    person_url = page.url
    page.get_by_role("button", name="Edit details").click()
    page.wait_for_load_state()
    page.get_by_label("Team", exact=True).select_option(label="Ward 7 (Oncology)")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_load_state()
    assert f"{person_name}'s details saved." in page.locator(".nhsuk-notification-banner").inner_text()
    page.goto(person_url)
    assert "Ward 7 (Oncology)" in page.locator("main").inner_text()
    assert_accessible(page, f"journey person moved {name}")
    screenshot(page, f"journey-person-moved-{name}")

    # A set-password link for them, and they use it in their own browser.
    page.get_by_role("button", name="Create a set-password link").click()
    page.wait_for_load_state()
    link = re.search(r"http://[^<\s]+/set-password/[A-Za-z0-9_-]+", page.locator("code").inner_text()).group(0)
    assert_accessible(page, f"journey set-password link {name}")
    context = browser.new_context(viewport=size, base_url=live_server)
    theirs = watched_page(context, console)
    try:
        theirs.goto(link)
        expect(theirs.get_by_role("heading", name="Set your password")).to_be_visible()
        theirs.get_by_label("New password", exact=True).fill(OWN_PASSWORD)
        theirs.get_by_label("Confirm the new password").fill(OWN_PASSWORD)
        theirs.get_by_role("button", name="Set password").click()
        theirs.wait_for_load_state()
        assert "Your password is set." in theirs.content()
        sign_in(theirs, f"given{n}.family{n}@example.nhs.uk", OWN_PASSWORD)
        assert theirs.get_by_role("heading", level=1).inner_text() == f"Hello, {person_name}"
        assert_accessible(theirs, f"journey new person home {name}")
        screenshot(theirs, f"journey-new-person-home-{name}")
    finally:
        context.close()
