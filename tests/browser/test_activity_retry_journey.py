"""A save whose answer never arrives (the connection dropped after the server had saved it):
opening the form again offers no copy of it (the server, which keeps the copy, knows that form was
saved), and My year shows the activity once. Sending the same form again shows the activity
already saved (its creation key): tests/web/portfolio/test_activity_retry.py."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.support import sign_in

STAFF = "staff@example.org"
TITLE = "Saved while the connection dropped"


def _drop_the_answer_to_the_next_save(page) -> None:
    """The server gets the save and answers; the browser never sees the answer."""

    def handle(route):
        if route.request.method != "POST":
            route.continue_()
            return
        route.fetch()  # the request reaches the server and is saved
        # "aborted": the page's watch takes it for a navigation cut short, not a failure of the app.
        route.abort("aborted")
        page.unroute("**/activities/new", handle)

    page.route("**/activities/new", handle)


def test_a_saved_form_whose_answer_was_lost_is_not_offered_again(page):
    sign_in(page, STAFF)
    page.goto("/activities/new")
    page.get_by_label("Title").fill(TITLE)
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/typed-copy")):
        page.get_by_label("Type of activity").select_option(label="Team debrief")
    _drop_the_answer_to_the_next_save(page)
    with page.expect_event("requestfailed", lambda r: r.method == "POST" and r.url.endswith("/activities/new")):
        page.get_by_role("button", name="Save as draft").click()

    page.goto("/activities/new")
    page.get_by_label("Title").wait_for()
    assert page.request.get("/activities/new/typed-copy").json()["fields"] is None
    expect(page.locator("[data-autosave-offer]")).not_to_be_visible()

    page.goto("/my-year")
    assert page.locator("table.app-activities").get_by_role("link", name=TITLE).count() == 1
    # Tidy up the demo data.
    page.locator("table.app-activities").get_by_role("link", name=TITLE).click()
    page.get_by_role("button", name="Delete activity").click()
    page.get_by_role("button", name="Yes, delete it").click()
    page.wait_for_load_state()
