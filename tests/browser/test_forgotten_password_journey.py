"""A person who forgot their password gets back in without an admin: "Forgotten your password?"
on the sign-in page, the e-mail read from a real local SMTP server (the live server sends it
in-process after its commit, as `make run` does), a new password set with the link, and a
sign-in with it; the session they had open elsewhere has ended."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import watched_page
from tests.browser.support import DESKTOP, assert_accessible, sign_in
from tests.mail_servers import LocalSmtp
from tracker.auth.services import hash_password
from tracker.demo import DEMO_ACCOUNTS
from tracker.extensions import db
from tracker.models import Notification, Person, PersonRole

OLD_PASSWORD = "an-old-password-forgotten"
NEW_PASSWORD = "a-new-password-remembered"


@pytest.fixture
def mail_to_local_smtp(live_app):
    with LocalSmtp() as smtp:
        settings = {**smtp.settings(), "NOTIFICATIONS_IN_PROCESS": True}
        saved = {name: live_app.config.get(name) for name in settings}
        live_app.config.update(settings)
        try:
            yield smtp
        finally:
            live_app.config.update(saved)


@pytest.fixture
def forgetful(live_app) -> str:
    """A staff member of the demo who is not one of its named accounts, with a password of their own,
    and no mail queued for them by an earlier browser test (this test turns in-process sending on,
    which would send that mail too)."""
    with live_app.app_context():
        named = {email for email, _ in DEMO_ACCOUNTS}
        person = db.session.scalars(select(Person).where(
            Person.active.is_(True), Person.email.is_not(None), Person.email.not_in(named),
            Person.id.not_in(select(PersonRole.person_id)),
            Person.id.not_in(select(Notification.person_id).where(Notification.person_id.is_not(None))))
            .order_by(Person.id)).first()
        person.password_hash = hash_password(OLD_PASSWORD)
        db.session.commit()
        return person.email


def test_a_forgotten_password_is_reset_from_the_e_mailed_link(browser, live_server, console, mail_to_local_smtp,
                                                              forgetful):
    smtp = mail_to_local_smtp
    elsewhere_context = browser.new_context(viewport=DESKTOP, base_url=live_server)
    here_context = browser.new_context(viewport=DESKTOP, base_url=live_server)
    try:
        elsewhere = watched_page(elsewhere_context, console)
        sign_in(elsewhere, forgetful, OLD_PASSWORD)
        assert elsewhere.get_by_role("heading", level=1).inner_text().startswith("Hello,")

        page = watched_page(here_context, console)
        page.goto("/sign-in")
        page.get_by_role("link", name="Forgotten your password?").click()
        expect(page.get_by_role("heading", name="Forgotten your password?")).to_be_visible()
        assert_accessible(page, "forgotten password")
        page.get_by_label("Email address").fill(forgetful)
        page.get_by_role("button", name="Send me a link").click()
        expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
        assert_accessible(page, "check your email")

        [mail] = [m for m in smtp.messages if m["To"] == forgetful]
        assert mail["Subject"] == "Reset your password"
        link = re.search(r"http://127\.0\.0\.1:\d+/set-password/\S+", mail.get_content()).group(0)
        page.goto(link)
        page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
        page.get_by_label("Confirm the new password").fill(NEW_PASSWORD)
        page.get_by_role("button", name="Set password").click()
        expect(page.get_by_text("Your password is set")).to_be_visible()

        sign_in(page, forgetful, NEW_PASSWORD)
        assert page.get_by_role("heading", level=1).inner_text().startswith("Hello,")

        elsewhere.reload()
        expect(elsewhere.get_by_role("heading", name="Sign in")).to_be_visible()  # the old session ended
        assert [m["Subject"] for m in smtp.messages if m["To"] == forgetful] == \
            ["Reset your password", "Your password was changed"]
    finally:
        elsewhere_context.close()
        here_context.close()
