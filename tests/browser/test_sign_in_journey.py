"""A person signs in through the real form as each demo role and sees the right navigation."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.support import assert_accessible, screenshot, sign_in

# What each demo account's menu shows, and what it must not (tracker/demo.py DEMO_ACCOUNTS).
ROLES = {
    "staff@example.org": {"see": ["Home", "My year"],
                          "not": ["Team dashboard", "Sign-off queue", "Organisation report", "People"]},
    "manager@example.org": {"see": ["Home", "Team dashboard", "Sign-off queue"], "not": ["Organisation report", "People"]},
    "director@example.org": {"see": ["Home", "Team dashboard", "Sign-off queue"], "not": ["People"]},
    "lead@example.org": {"see": ["Home", "Organisation report"], "not": ["People"]},
    "admin@example.org": {"see": ["Home", "People"], "not": []},
}


def _nav_texts(page) -> list[str]:
    # Text content, not inner text: on a phone the menu's items are in the page but folded away.
    return [t.strip() for t in page.locator(".nhsuk-header__navigation-list a").all_text_contents()]


def test_sign_in_page_is_accessible(page, viewport):
    name, size = viewport
    page.set_viewport_size(size)
    page.goto("/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert_accessible(page, "sign-in")
    screenshot(page, f"sign-in-{name}")


def test_wrong_password_shows_the_error_summary(page):
    sign_in(page, "staff@example.org", "not-the-password")
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_visible()
    assert "Your email address or password is incorrect" in summary.inner_text()
    assert_accessible(page, "sign-in error")


@pytest.mark.parametrize("email", sorted(ROLES))
def test_each_demo_role_signs_in_and_sees_its_navigation(page, email, viewport):
    name, size = viewport
    page.set_viewport_size(size)
    sign_in(page, email)
    assert page.get_by_role("heading", level=1).inner_text().startswith("Hello,")
    assert email in page.content()
    nav = _nav_texts(page)
    for label in ROLES[email]["see"]:
        assert any(text == label or text.startswith(f"{label} (") for text in nav), (email, label, nav)
    for label in ROLES[email]["not"]:
        assert not any(text.startswith(label) for text in nav), (email, label, nav)
    if name == "desktop":  # on a wide screen the menu is shown, not folded away
        for label in ROLES[email]["see"]:
            assert page.locator(".nhsuk-header__navigation-list a", has_text=label).first.is_visible(), (email, label)
    assert_accessible(page, f"home {email}")
    screenshot(page, f"home-{email.split('@')[0]}-{name}")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
