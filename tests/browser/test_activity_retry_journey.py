"""A save whose answer never arrives (the connection dropped after the server had saved it):
opening the form again offers the browser's copy back, and saving that copy shows the activity
already saved instead of making a second one (the copy keeps the form's creation key)."""
from __future__ import annotations

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


def test_saving_the_restored_copy_of_a_saved_form_makes_no_second_activity(page):
    sign_in(page, STAFF)
    page.goto("/activities/new")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Type of activity").select_option(label="Team debrief")
    page.wait_for_timeout(600)  # the autosave waits for a pause in typing
    _drop_the_answer_to_the_next_save(page)
    page.get_by_role("button", name="Save as draft").click()
    page.wait_for_timeout(300)

    page.goto("/activities/new")
    page.get_by_role("button", name="Restore what I typed").click()
    assert page.get_by_label("Title").input_value() == TITLE
    page.get_by_role("button", name="Save as draft").click()
    page.wait_for_load_state()
    assert f"This activity was already saved: {TITLE}" in page.inner_text("main")

    page.goto("/my-year")
    assert page.locator("table.app-activities").get_by_role("link", name=TITLE).count() == 1
    # Tidy up the demo data.
    page.locator("table.app-activities").get_by_role("link", name=TITLE).click()
    page.get_by_role("button", name="Delete activity").click()
    page.get_by_role("button", name="Yes, delete it").click()
    page.wait_for_load_state()
