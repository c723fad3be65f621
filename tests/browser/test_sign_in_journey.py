"""A person signs in through the real form as each demo role and sees the right navigation."""
from __future__ import annotations

import pytest

from tests.browser.conftest import assert_accessible, screenshot, sign_in

ROLES = {
    "staff@example.org": {"see": ["Home"], "not": ["People", "Organisation report"]},
    "manager@example.org": {"see": ["Home"], "not": ["People", "Organisation report"]},
    "director@example.org": {"see": ["Home"], "not": ["People"]},
    "lead@example.org": {"see": ["Home"], "not": ["People"]},
    "admin@example.org": {"see": ["Home", "People"], "not": []},
}


def _nav_texts(page) -> list[str]:
    return [t.strip() for t in page.locator(".nhsuk-header__navigation-list a").all_inner_texts()]


def test_sign_in_page_is_accessible(page, viewport):
    name, size = viewport
    page.set_viewport_size(size)
    page.goto("/")
    assert page.get_by_role("heading", name="Sign in").is_visible()
    assert_accessible(page, "sign-in")
    screenshot(page, f"sign-in-{name}")


def test_wrong_password_shows_the_error_summary(page):
    sign_in(page, "staff@example.org", "not-the-password")
    summary = page.locator(".nhsuk-error-summary")
    assert summary.is_visible()
    assert "Your email address or password is incorrect" in summary.inner_text()
    assert_accessible(page, "sign-in error")


@pytest.mark.parametrize("email", sorted(ROLES))
def test_each_demo_role_signs_in_and_sees_its_navigation(page, email, viewport):
    name, size = viewport
    page.set_viewport_size(size)
    sign_in(page, email)
    assert page.get_by_role("heading", level=1).inner_text().startswith("Hello,")
    assert email in page.content()
    if name == "desktop":
        nav = _nav_texts(page)
        for label in ROLES[email]["see"]:
            assert any(text.startswith(label) for text in nav), (email, nav)
        for label in ROLES[email]["not"]:
            assert not any(text.startswith(label) for text in nav), (email, nav)
    assert_accessible(page, f"home {email}")
    screenshot(page, f"home-{email.split('@')[0]}-{name}")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Sign in").is_visible()
