"""The staff journey in Chromium, at desktop and phone widths: sign in as the demo staff member,
log and submit an activity with a Gibbs reflection and an evidence file, and see My year change.
Every page on the way is checked with axe-core (WCAG 2.2 A and AA)."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.support import assert_accessible, screenshot, sign_in

STAFF = "staff@example.org"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
GIBBS = {
    "Description": "A relative asked me on the ward whether her father was dying.",
    "Feelings": "I felt unprepared and wanted to hand it on to a doctor.",
    "Evaluation": "I stayed and listened, but I filled the silences too quickly.",
    "Analysis": "I was anxious about saying the wrong thing.",
    "Conclusion": "Asking what she already knew would have helped us both.",
    "Action plan": "Use the SAGE & THYME steps and leave room for silence.",
}
BEHAVIOURS = ("1.3", "2.5", "3.3", "4.4")


def status_text(page) -> str:
    return page.locator(".app-status-tag").first.inner_text().strip()


def tick_behaviour(page, code: str) -> None:
    box = page.locator(f'input[name="behaviour_ids"][data-code="{code}"]')
    details = page.locator("details.app-behaviour-group", has=box)
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    box.check()


def test_log_and_submit_an_activity_and_see_my_year_change(page, viewport):
    name, size = viewport
    page.set_viewport_size(size)
    sign_in(page, STAFF)

    page.goto("/my-year")
    expect(page.get_by_role("heading", name="My year", level=1)).to_be_visible()
    before = status_text(page)
    assert before in {"not started", "in progress", "awaiting sign-off", "complete", "exempt", "overdue"}
    assert_accessible(page, f"my year {name}")
    screenshot(page, f"portfolio-my-year-{name}")

    page.get_by_role("button", name="Log an activity").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Log an activity", level=1)).to_be_visible()
    assert_accessible(page, f"log an activity {name}")

    # Submitting straight away shows every problem, linked to its field.
    page.get_by_role("button", name="Submit for sign-off").click()
    page.wait_for_load_state()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_visible()
    assert "Enter a title for the activity" in summary.inner_text()
    assert page.title().startswith("Error:")
    assert_accessible(page, f"log an activity errors {name}")
    screenshot(page, f"portfolio-form-errors-{name}")

    title = f"Conversation with a worried relative ({name})"
    page.get_by_label("Title").fill(title)
    page.get_by_label("Type of activity").select_option(label="Reflective case review")
    page.get_by_label("Hours").fill("3")
    page.get_by_label("Minutes").fill("0")
    for code in BEHAVIOURS:
        tick_behaviour(page, code)
    page.get_by_label("Gibbs reflective cycle").check()
    for label, text in GIBBS.items():
        page.get_by_label(label, exact=True).fill(text)
    page.locator('input[type="file"][name="evidence"]').set_input_files(
        files=[{"name": "observer-feedback.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    assert not page.get_by_label("My manager may read my full reflection").is_checked()
    assert_accessible(page, f"log an activity filled {name}")
    screenshot(page, f"portfolio-form-filled-{name}")

    page.get_by_role("button", name="Submit for sign-off").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="My year", level=1)).to_be_visible()
    assert "Submitted for sign-off" in page.locator(".nhsuk-notification-banner").first.inner_text()
    after = status_text(page)
    assert after == "awaiting sign-off", (before, after)
    assert re.search(r"awaiting sign-off of \d+ activit", page.locator(".app-missing").inner_text())
    row = page.locator("table.app-activities tr", has_text=title)
    assert "Submitted" in row.inner_text()
    assert_accessible(page, f"my year after submitting {name}")
    screenshot(page, f"portfolio-my-year-after-{name}")

    row.get_by_role("link", name=title).click()
    page.wait_for_load_state()
    activity_url = page.url
    expect(page.get_by_role("link", name="observer-feedback.pdf")).to_be_visible()
    text = page.inner_text("main")
    assert "Analysis" in text and GIBBS["Analysis"] in text
    assert_accessible(page, f"activity page {name}")
    screenshot(page, f"portfolio-activity-{name}")

    # For appraisal the portfolio lists signed-off activities; the rest is there when asked for.
    page.goto("/portfolio")
    assert title not in page.inner_text("main")
    page.get_by_label("Include activities not yet signed off").check()
    page.get_by_role("button", name="Show activities").click()
    page.wait_for_load_state()
    text = page.inner_text("main")
    assert title in text and GIBBS["Action plan"] in text
    assert_accessible(page, f"my portfolio {name}")
    screenshot(page, f"portfolio-print-view-{name}")

    # Leave the demo data as it was: withdraw, then delete (with its confirmation page).
    page.goto(activity_url)
    page.get_by_role("button", name="Withdraw").click()
    page.wait_for_load_state()
    assert "draft again" in page.content()
    page.get_by_role("button", name="Delete activity").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Are you sure you want to delete this activity?")).to_be_visible()
    assert_accessible(page, f"delete confirmation {name}")
    page.get_by_role("button", name="Yes, delete it").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="My year", level=1)).to_be_visible()
    assert status_text(page) == before
    assert title not in page.locator("table.app-activities").inner_text()


# Everything this site keeps in the browser's storage: nothing, whatever is typed.
STORED = "Object.keys(localStorage)"
COPY = "/activities/new/typed-copy"


def _copy_sent(text: str):
    """The answer to the form's copy holding `text`, as the server keeps it."""
    return lambda response: (response.request.method == "POST" and response.url.endswith(COPY)
                             and text in (response.request.post_data or ""))


def _kept_on_the_server(page) -> dict | None:
    return page.request.get(COPY).json()["fields"]


def _type_a_reflection(page) -> None:
    page.goto("/activities/new")
    page.get_by_label("Title").fill("Half-written after a long shift")
    page.get_by_label("What? So what? Now what?").check()
    with page.expect_response(_copy_sent("Twenty minutes of careful reflection")) as sent:
        page.get_by_label("What?", exact=True).fill("Twenty minutes of careful reflection")
        page.get_by_label("What?", exact=True).blur()  # leaving a field sends the copy
    assert sent.value.ok


def test_typed_text_survives_a_reload_then_is_forgotten_on_request_and_on_signing_out(page):
    sign_in(page, STAFF)
    _type_a_reflection(page)
    assert page.get_by_text("A copy of what you type is kept for you alone until you save or sign out").is_visible()
    assert page.evaluate(STORED) == []
    assert _kept_on_the_server(page)["title"] == "Half-written after a long shift"

    # The page is closed by mistake and opened again: what was typed is offered back.
    page.reload()
    offer = page.locator("[data-autosave-offer]")
    offer.wait_for(state="visible")
    assert_accessible(page, "autosave offer")
    page.get_by_role("button", name="Restore what I typed").click()
    assert page.get_by_label("Title").input_value() == "Half-written after a long shift"
    assert page.get_by_label("What?", exact=True).input_value() == "Twenty minutes of careful reflection"
    expect(page.get_by_label("What?", exact=True)).to_be_visible()  # its model was chosen again too
    assert page.evaluate(STORED) == []

    # "Forget what I typed": no copy is kept, even as typing goes on.
    with page.expect_response(lambda r: r.url.endswith(COPY + "/forget")):
        page.get_by_role("button", name="Forget what I typed").click()
    expect(page.get_by_text("We no longer keep a copy of what you typed on this form.")).to_be_visible()
    page.get_by_label("Title").fill("Still typing")
    page.get_by_label("Title").blur()
    assert _kept_on_the_server(page) is None
    assert page.evaluate(STORED) == []
    assert_accessible(page, "autosave forgotten")
    page.reload()
    page.get_by_label("Title").wait_for()
    assert _kept_on_the_server(page) is None and not page.locator("[data-autosave-offer]").is_visible()

    # Signing out on a shared computer leaves nothing behind, in the browser or on the server.
    _type_a_reflection(page)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    assert page.evaluate(STORED) == []
    sign_in(page, STAFF)
    assert _kept_on_the_server(page) is None


def test_a_long_activity_is_asked_about_before_it_is_saved(page, viewport):
    name, size = viewport
    page.set_viewport_size(size)
    sign_in(page, STAFF)
    title = f"All-day communication course ({name})"
    page.goto("/activities/new")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Type of activity").select_option(label="Team debrief")
    page.get_by_label("Hours").fill("14")
    page.get_by_role("button", name="Save as draft").click()
    page.wait_for_load_state()
    assert "You entered 14 hours for one activity. Is that right?" in page.locator(".nhsuk-error-summary").inner_text()
    assert page.get_by_label("Title").input_value() == title  # nothing lost, nothing saved
    assert_accessible(page, f"long activity question {name}")
    screenshot(page, f"portfolio-form-is-that-right-{name}")
    page.get_by_label("Yes, it is right").check()
    page.get_by_role("button", name="Save as draft").click()
    page.wait_for_load_state()
    assert "Saved as a draft" in page.content() and "14 hours" in page.inner_text("main")
    # Tidy up the demo data.
    page.get_by_role("button", name="Delete activity").click()
    page.get_by_role("button", name="Yes, delete it").click()
    page.wait_for_load_state()


def test_the_kept_copy_is_removed_once_the_form_is_saved(page):
    sign_in(page, STAFF)
    _type_a_reflection(page)
    page.get_by_label("Type of activity").select_option(label="Team debrief")
    page.get_by_role("button", name="Save as draft").click()
    page.wait_for_load_state()
    assert "Saved as a draft" in page.content()
    assert _kept_on_the_server(page) is None and page.evaluate(STORED) == []
    page.goto("/activities/new")
    page.get_by_label("Title").wait_for()
    expect(page.locator("[data-autosave-offer]")).not_to_be_visible()
    # Tidy up the demo data.
    page.goto("/my-year")
    page.locator("table.app-activities").get_by_role("link", name="Half-written after a long shift").click()
    page.get_by_role("button", name="Delete activity").click()
    page.get_by_role("button", name="Yes, delete it").click()
    page.wait_for_load_state()


def test_typed_text_survives_the_session_ending_and_the_browser_keeps_none(page):
    sign_in(page, STAFF)
    _type_a_reflection(page)
    page.context.clear_cookies()  # the session ends; the next person sees the sign-in page
    page.goto("/activities/new")
    page.wait_for_load_state()
    assert "/sign-in" in page.url and page.evaluate(STORED) == []
    sign_in(page, STAFF)
    page.goto("/activities/new")
    page.locator("[data-autosave-offer]").wait_for(state="visible")
    page.get_by_role("button", name="Restore what I typed").click()
    assert page.get_by_label("What?", exact=True).input_value() == "Twenty minutes of careful reflection"
    # Tidy up: the copy from the other visit goes.
    page.reload()
    with page.expect_response(lambda r: r.url.endswith(COPY + "/forget")):
        page.get_by_role("button", name="Discard it").click()
    assert _kept_on_the_server(page) is None


def test_behaviours_can_be_searched_and_a_course_ticks_its_behaviours(page):
    sign_in(page, STAFF)
    page.goto("/activities/new")
    search = page.get_by_label("Search behaviours")
    search.fill("silence")
    page.wait_for_timeout(100)
    visible = page.locator('input[name="behaviour_ids"]:visible')
    codes = [visible.nth(i).get_attribute("data-code") for i in range(visible.count())]
    assert codes == ["2.4"]
    assert "1 behaviour matches" in page.locator("#behaviour-search-status").inner_text()
    search.fill("")
    page.get_by_label("Course from the catalogue (optional)").select_option(label="SAGE & THYME Foundation Level workshop")
    for code in ("2.2", "2.4", "3.1", "3.2", "3.4"):
        assert page.locator(f'input[name="behaviour_ids"][data-code="{code}"]').is_checked(), code
    assert_accessible(page, "behaviour search")
