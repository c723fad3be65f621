"""The second step of signing in, in a real browser: the code page, the recovery code page, an
admin's reset and setting an authenticator app up again, each accessible at 1280 and 320 px."""
from __future__ import annotations

import pyotp
from sqlalchemy import delete, select
from playwright.sync_api import expect

from tests.browser.support import (DEMO_PASSWORD, DESKTOP, PHONE, ConsoleWatch, assert_accessible, give_demo_code,
                                   screenshot, sign_in)
from tests.support import SECOND_FACTOR_CLOCK
from tracker.auth import mfa
from tracker.extensions import db
from tracker.models import Person, RecoveryCode, SecondFactor

CODE_HEADING = "Enter the code from your authenticator app"


def _accessible_at_both_sizes(page, name: str) -> None:
    for size_name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        assert_accessible(page, f"{name} {size_name}")
        screenshot(page, f"{name}-{size_name}")
    page.set_viewport_size(DESKTOP)


def _type_password(page, email: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_the_lead_gives_a_code_after_their_password(page):
    _type_password(page, "lead@example.org")
    expect(page.get_by_role("heading", level=1, name=CODE_HEADING)).to_be_visible()
    _accessible_at_both_sizes(page, "second-factor-code")
    page.get_by_role("link", name="Use a recovery code instead").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1, name="Enter a recovery code")).to_be_visible()
    _accessible_at_both_sizes(page, "second-factor-recovery-code")
    page.get_by_role("link", name="Use the code from your authenticator app instead").click()
    page.wait_for_load_state()
    give_demo_code(page)
    assert page.get_by_role("heading", level=1).inner_text().startswith("Hello,")


def test_an_admin_resets_the_leads_second_factor_and_the_lead_sets_up_an_app_again(
        page, browser, live_server, live_app, console):
    with live_app.app_context():
        lead_id = db.session.scalar(select(Person.id).where(Person.email == "lead@example.org"))
    try:
        sign_in(page, "admin@example.org")
        page.goto(f"/admin/people/{lead_id}")
        page.get_by_role("button", name="Reset second factor").click()  # a link drawn as a button
        page.wait_for_load_state()
        _accessible_at_both_sizes(page, "reset-second-factor")
        page.get_by_role("button", name="Reset second factor").click()
        page.wait_for_load_state()
        assert "second factor is reset" in page.locator(".nhsuk-main-wrapper").inner_text()

        context = browser.new_context(viewport=DESKTOP, base_url=live_server)
        try:
            lead = context.new_page()
            lead.set_default_timeout(15000)
            console.setdefault("watches", []).append(ConsoleWatch(lead))
            _type_password(lead, "lead@example.org")
            expect(lead.get_by_role("heading", level=1, name="Set up your authenticator app")).to_be_visible()
            expect(lead.locator("svg.app-qr-code")).to_be_visible()
            _accessible_at_both_sizes(lead, "set-up-authenticator-app")
            key = lead.locator(".app-secret-key").inner_text().replace(" ", "")
            lead.get_by_label(CODE_HEADING).fill(pyotp.TOTP(key).at(SECOND_FACTOR_CLOCK.next_step()))
            lead.get_by_role("button", name="Continue").click()
            lead.wait_for_load_state()
            expect(lead.get_by_role("heading", level=1, name="Save your recovery codes")).to_be_visible()
            assert lead.locator(".app-recovery-codes li").count() == 10
            _accessible_at_both_sizes(lead, "recovery-codes")
            lead.get_by_role("button", name="Continue").click()
            lead.wait_for_load_state()
            assert lead.get_by_role("heading", level=1).inner_text().startswith("Hello,")
        finally:
            context.close()
    finally:
        # The other journeys sign the lead in with the demo secret.
        with live_app.app_context():
            db.session.execute(delete(RecoveryCode).where(RecoveryCode.person_id == lead_id))
            db.session.execute(delete(SecondFactor).where(SecondFactor.person_id == lead_id))
            mfa.enrol_with_demo_secret([lead_id])
            db.session.commit()
