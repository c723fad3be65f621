"""Observed practice, end to end in Chromium: staff@ asks an observer from a draft, the observer
opens the link in a browser of their own at 320 px and answers, staff@'s activity shows the
feedback, and their manager signs it off seeing it. axe-clean at every step."""
from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import watched_page
from tests.browser.support import PHONE, assert_accessible, sign_in
from tracker.extensions import db

WENT_WELL = "You sat down, named the news plainly and left a silence."
TRY_NEXT = "Ask what they already know before you start."


def _draft_of_staff(app, day) -> int:
    from tracker.models import Activity, ActivityType, Person

    with app.app_context():
        staff = db.session.scalar(select(Person).where(Person.email == "staff@example.org"))
        kind = db.session.scalar(select(ActivityType).where(ActivityType.code == "observed_practice_feedback"))
        draft = Activity(owner_id=staff.id, occurred_on=day - timedelta(days=1), title="Family meeting on bay 3",
                         type_id=kind.id, duration_minutes=30, reflection={})
        db.session.add(draft)
        db.session.commit()
        return draft.id


def _submit(app, activity_id: int) -> None:
    """Submitting is the activity form's journey (test_portfolio_journey); here it is only the way to sign-off."""
    from datetime import UTC, datetime

    from tracker.models import Activity, ActivityStatus

    with app.app_context():
        activity = db.session.get(Activity, activity_id)
        activity.status, activity.submitted_at = ActivityStatus.SUBMITTED, datetime.now(UTC)
        db.session.commit()


def _sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").first.click()
    page.wait_for_load_state()


def test_a_nurse_is_observed_and_the_feedback_reaches_sign_off(page, browser, live_server, live_app, console,
                                                                 browser_today):
    activity_id = _draft_of_staff(live_app, browser_today)
    sign_in(page, "staff@example.org")
    page.goto(f"/activities/{activity_id}")
    page.get_by_role("link", name="Ask someone to observe you").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Ask someone to observe you", level=1)).to_be_visible()
    page.get_by_label("Observer's name").fill("Dr Ola Observer")
    page.get_by_label("Observer's e-mail address").fill("ola.observer@nhs.net")
    page.locator("details").first.locator("summary").click()
    page.locator("input[name=behaviour_ids]").first.check()
    page.locator("input[name=behaviour_ids]").nth(1).check()
    assert_accessible(page, "ask an observer")
    page.get_by_role("button", name="Ask for feedback").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="The link was e-mailed to Dr Ola Observer", level=1)).to_be_visible()
    link = page.locator(".app-observer-link a").get_attribute("href")
    assert "/observe/" in link
    assert_accessible(page, "the link e-mailed, shown once too")

    # The observer: a browser of their own, on a phone, never signed in.
    phone = browser.new_context(viewport=PHONE, base_url=live_server)
    try:
        observer = watched_page(phone, console)
        observer.goto(link)
        expect(observer.get_by_role("heading", name="Feedback for", level=1)).to_be_visible()
        assert "Patients must not be identifiable" in observer.content()
        assert_accessible(observer, "observer's form at 320 px")
        for fieldset in observer.locator("fieldset").all():
            fieldset.get_by_label("Consistent").check()
        observer.get_by_label("What went well").fill(WENT_WELL)
        observer.get_by_label("What to try next time").fill(TRY_NEXT)
        observer.get_by_label("Your role").fill("Consultant in palliative care")
        observer.get_by_role("button", name="Send feedback").click()
        observer.wait_for_load_state()
        expect(observer.get_by_role("heading", name="Feedback sent")).to_be_visible()
        assert_accessible(observer, "feedback sent at 320 px")
        console["watches"][-1].expect_error_status(404)  # the used link's page answers 404
        observer.goto(link)  # single use
        expect(observer.get_by_role("heading", name="This link cannot be used", level=1)).to_be_visible()
        assert_accessible(observer, "used link at 320 px")
    finally:
        phone.close()

    page.goto(f"/activities/{activity_id}")
    expect(page.get_by_role("heading", name="Observed practice feedback")).to_be_visible()
    assert WENT_WELL in page.content() and "Answered" in page.content()
    assert_accessible(page, "activity with feedback")
    _sign_out(page)

    _submit(live_app, activity_id)
    sign_in(page, "manager@example.org")
    page.goto(f"/team/activities/{activity_id}")
    expect(page.get_by_role("heading", name="Observed practice feedback")).to_be_visible()
    assert TRY_NEXT in page.content()
    assert_accessible(page, "sign-off with feedback")
    page.get_by_role("button", name="Sign off", exact=True).click()
    page.wait_for_load_state()
    assert "You signed off" in page.locator(".nhsuk-notification-banner").inner_text()
