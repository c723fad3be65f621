"""Notification settings at 320 px: a manager opens the page, chooses the daily digest and turns
the weekly summary off, sees the success banner, then puts both back (the demo is shared by the
package's tests). axe-clean, no sideways scroll, no console errors."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import watched_page
from tests.browser.support import PHONE, assert_accessible, sign_in

SAVED = "Your notification settings have been saved."


def _save(page) -> None:
    page.get_by_role("button", name="Save notification settings").click()
    expect(page.get_by_text(SAVED)).to_be_visible()


def test_a_manager_chooses_the_daily_digest_on_a_phone(browser, live_server, console):
    phone = browser.new_context(viewport=PHONE, base_url=live_server)
    try:
        page = watched_page(phone, console)
        sign_in(page, "manager@example.org")
        page.goto("/account/notifications")
        expect(page.get_by_role("heading", name="Notification settings", level=1)).to_be_visible()
        assert_accessible(page, "notification settings")
        page.get_by_label("In a daily digest").check()
        page.get_by_label("A weekly summary on Monday").uncheck()
        _save(page)
        expect(page.get_by_label("In a daily digest")).to_be_checked()
        expect(page.get_by_label("A weekly summary on Monday")).not_to_be_checked()
        assert_accessible(page, "notification settings saved")
        page.get_by_label("Immediately").check()
        page.get_by_label("A weekly summary on Monday").check()
        _save(page)
    finally:
        phone.close()
