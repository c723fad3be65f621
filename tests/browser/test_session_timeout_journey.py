"""The time-out warning in a real browser: it opens before the idle time-out with focus inside,
passes axe at 1280 and 320 px, "Stay signed in" closes it, and a countdown reaching nought on the
activity form saves what was typed as a draft before signing out. The idle time is shortened to
seconds (the testing-only SESSION_IDLE_SECONDS) so the warning comes at once."""
from __future__ import annotations

from sqlalchemy import select
from playwright.sync_api import expect

from tests.browser.support import assert_accessible, screenshot, sign_in
from tracker.extensions import db
from tracker.models import Activity, ActivityStatus, Person

# The script acts 5 seconds before the server would: the warning opens 8 seconds after a page
# loads (time to type), and its countdown reaches nought 12 seconds after that.
IDLE_SECONDS = 25
WARNING_SECONDS = 12


def _short_sessions(live_app, monkeypatch) -> None:
    monkeypatch.setitem(live_app.config, "SESSION_IDLE_SECONDS", IDLE_SECONDS)
    monkeypatch.setitem(live_app.config, "SESSION_WARNING_SECONDS", WARNING_SECONDS)


def test_the_warning_opens_with_focus_and_stay_signed_in_closes_it(page, live_app, monkeypatch, viewport):
    name, size = viewport
    page.set_viewport_size(size)
    sign_in(page, "staff@example.org")
    _short_sessions(live_app, monkeypatch)
    page.goto("/my-year")
    dialog = page.get_by_role("dialog", name="You’re about to be signed out")
    dialog.wait_for(state="visible", timeout=15000)
    assert dialog.get_attribute("aria-modal") == "true"
    assert "we will sign you out in" in dialog.inner_text()
    assert page.evaluate("() => !!document.activeElement.closest('dialog')")  # focus moved into it
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Stay signed in"
    assert_accessible(page, f"time-out warning {name}")
    screenshot(page, f"time-out-warning-{name}")
    page.keyboard.press("Enter")  # "Stay signed in", from the keyboard
    dialog.wait_for(state="hidden")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert "/sign-in" not in page.url


def test_typed_text_is_saved_as_a_draft_when_the_countdown_ends(page, live_app, monkeypatch):
    sign_in(page, "staff@example.org")
    _short_sessions(live_app, monkeypatch)
    page.goto("/activities/new")
    title = "Typed when the warning came"
    page.get_by_label("Title").fill(title)
    page.get_by_label("Type of activity").select_option(index=1)
    assert page.get_by_label("Title").input_value() == title  # typed before the warning came
    dialog = page.get_by_role("dialog", name="You’re about to be signed out")
    dialog.wait_for(state="visible", timeout=15000)
    expect(dialog.get_by_text("What you have typed will be saved as a draft first.")).to_be_visible()
    page.wait_for_url("**/sign-in", timeout=30000)
    assert "You were signed out because you had not done anything" in page.content()
    assert page.evaluate("Object.keys(localStorage)") == []  # the typed text never went to the browser's storage
    with live_app.app_context():
        staff = db.session.scalar(select(Person).where(Person.email == "staff@example.org"))
        draft = db.session.scalar(select(Activity).where(Activity.owner_id == staff.id, Activity.title == title))
        assert draft is not None and draft.status == ActivityStatus.DRAFT
