"""A member of staff signs in with their organisation's account: "Sign in with NHSmail" on the
sign-in page, the provider's own page (oidc-provider-mock on 127.0.0.1), and Home. The pages of
single sign-on (the buttons, "not set up", "did not work", the provider's sign-out offered) are
checked with axe like every other page; the walk of every page has no provider (walk_routes.py)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from oidc_provider_mock import User, run_server_in_thread

from tests.browser.support import assert_accessible, screenshot
from tests.sso_support import provider_settings, providers_configured
from tests.support import free_port


@pytest.fixture
def nhsmail(live_app, page):
    # The provider's page asks a stylesheet of a CDN this machine cannot reach: an empty one instead.
    page.route("https://cdn.jsdelivr.net/**", lambda route: route.fulfill(status=200, body="", content_type="text/css"))
    people = [User(sub="staff-at-nhsmail", claims={"email": "staff@example.org", "email_verified": True}),
              User(sub="stranger", claims={"email": "stranger@nhs.net", "email_verified": True})]
    with run_server_in_thread(port=free_port(), require_nonce=True, user_claims=people) as server:
        issuer = f"http://localhost:{server.server_port}"
        with providers_configured(live_app, provider_settings("NHSmail", issuer), PASSWORD_SIGN_IN="on"):
            yield issuer


def _at_the_provider_as(page, sub: str) -> None:
    page.get_by_role("button", name="Sign in with NHSmail").click()
    page.wait_for_load_state()
    page.get_by_role("button", name=sub).click()  # the person authenticates at the provider
    page.wait_for_load_state()


def test_staff_sign_in_with_nhsmail_and_land_on_home(page, nhsmail):
    page.goto("/sign-in")
    button = page.get_by_role("button", name="Sign in with NHSmail")
    expect(button).to_be_visible()
    assert button.bounding_box()["y"] < page.get_by_label("Email address").bounding_box()["y"]
    assert_accessible(page, "sign-in with a provider")
    screenshot(page, "sso-sign-in")
    _at_the_provider_as(page, "staff-at-nhsmail")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Hello,")
    assert "staff@example.org" in page.content()
    assert_accessible(page, "home after single sign-on")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    offer = page.get_by_role("link", name="Sign out of NHSmail too")
    expect(offer).to_be_visible()
    assert offer.get_attribute("href").startswith(f"{nhsmail}/oauth2/end_session?")
    assert_accessible(page, "signed out, the provider's sign-out offered")


def test_someone_the_organisation_did_not_add_is_told_who_to_ask(page, console, nhsmail):
    console["watches"][-1].expect_error_status(403)
    page.goto("/sign-in")
    _at_the_provider_as(page, "stranger")
    expect(page.get_by_role("heading", name="Your organisation account is not set up in this tracker")).to_be_visible()
    assert_accessible(page, "not set up")
    screenshot(page, "sso-not-set-up")


def test_an_answer_this_browser_did_not_ask_for_is_refused(page, console, nhsmail):
    console["watches"][-1].expect_error_status(400)
    page.goto("/sign-in/with/nhsmail/return?code=made-up&state=made-up")
    expect(page.get_by_role("heading", name="Signing in with NHSmail did not work")).to_be_visible()
    assert "You can also sign in with your email address and password." in page.content()
    assert_accessible(page, "single sign-on did not work")
