"""An admin finds a staff member on "People", reads their page, tries an edit with a mistake (named
by its field, nothing saved), looks at the deactivation page and keeps them, then creates their
set-password link; the staff member sets their password with it and signs in. axe-core on every page."""
from __future__ import annotations

import re

from sqlalchemy import select
from playwright.sync_api import expect

from tests.browser.conftest import watched_page
from tests.browser.support import assert_accessible, screenshot, sign_in
from tracker.extensions import db
from tracker.models import Person, PersonRole

DEMO_ACCOUNTS = {"staff@example.org", "manager@example.org", "director@example.org", "lead@example.org",
                 "admin@example.org"}

# A password of their own: the demo password is on the common-passwords list, refused for real accounts.
OWN_PASSWORD = "kettle on the ward at seven"


def a_staff_member(app) -> tuple[str, str]:
    """(name, email) of someone in post with no role, not one of the demo accounts."""
    with app.app_context():
        person = db.session.scalar(
            select(Person).where(Person.active.is_(True), Person.email.not_in(DEMO_ACCOUNTS),
                                 Person.id.not_in(select(PersonRole.person_id))).order_by(Person.id).limit(1))
        return person.name, person.email


def test_admin_finds_a_person_and_gives_them_a_set_password_link(page, browser, live_server, live_app, viewport, console):
    name, size = viewport
    page.set_viewport_size(size)
    person_name, email = a_staff_member(live_app)
    sign_in(page, "admin@example.org")

    page.goto("/admin/people")
    expect(page.get_by_role("heading", name="People", level=1)).to_be_visible()
    assert_accessible(page, f"people {name}")
    page.get_by_label("Name, email address or employee number").fill(email)
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    assert "1 person matches the search." in page.content()
    assert_accessible(page, f"people search {name}")
    screenshot(page, f"admin-people-search-{name}")

    page.get_by_role("link", name=person_name).click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name=person_name, level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Time in post")).to_be_visible()
    assert_accessible(page, f"person {name}")
    screenshot(page, f"admin-person-{name}")
    person_url = page.url

    page.get_by_role("button", name="Edit details").click()
    page.wait_for_load_state()
    assert_accessible(page, f"edit person {name}")
    page.get_by_label("Email address").fill("not an email")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_load_state()
    summary = page.locator(".nhsuk-error-summary")
    assert "Enter an email address in the correct format" in summary.inner_text()
    assert_accessible(page, f"edit person error {name}")

    page.goto(person_url)
    page.get_by_role("button", name="Deactivate").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name=f"Deactivate {person_name}")).to_be_visible()
    expect(page.get_by_role("button", name="Yes, deactivate")).to_be_visible()
    assert_accessible(page, f"deactivate {name}")
    page.get_by_role("link", name="No, keep them active").click()
    page.wait_for_load_state()

    page.get_by_role("button", name="Create a set-password link").click()
    page.wait_for_load_state()
    assert_accessible(page, f"set-password link {name}")
    screenshot(page, f"admin-set-password-link-{name}")
    link = re.search(r"http://[^<\s]+/set-password/[A-Za-z0-9_-]+", page.locator("code").inner_text()).group(0)

    # The staff member, in their own browser.
    context = browser.new_context(viewport=size, base_url=live_server)
    theirs = watched_page(context, console)
    try:
        theirs.goto(link)
        expect(theirs.get_by_role("heading", name="Set your password")).to_be_visible()
        assert_accessible(theirs, f"set your password {name}")
        theirs.get_by_label("New password", exact=True).fill(OWN_PASSWORD)
        theirs.get_by_label("Confirm the new password").fill(OWN_PASSWORD + "?")
        theirs.get_by_role("button", name="Set password").click()
        theirs.wait_for_load_state()
        assert "The passwords do not match" in theirs.locator(".nhsuk-error-summary").inner_text()
        assert_accessible(theirs, f"set your password error {name}")
        theirs.get_by_label("New password", exact=True).fill(OWN_PASSWORD)
        theirs.get_by_label("Confirm the new password").fill(OWN_PASSWORD)
        theirs.get_by_role("button", name="Set password").click()
        theirs.wait_for_load_state()
        assert "Your password is set." in theirs.content()
        sign_in(theirs, email, OWN_PASSWORD)
        assert theirs.get_by_role("heading", level=1).inner_text().startswith("Hello,")
        console["watches"][-1].expect_error_status(404)  # a used link is answered "not found"
        theirs.goto(link)
        expect(theirs.get_by_role("heading", name="This link cannot be used")).to_be_visible()
        assert_accessible(theirs, f"link cannot be used {name}")
    finally:
        context.close()
