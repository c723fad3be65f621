"""Signing in and out."""
from __future__ import annotations

import re

import pytest

from tests.factories import PASSWORD, make_person, make_tree
from tracker.auth.routes import SIGN_IN_FAILED, safe_next
from tracker.auth.services import deactivate
from tracker.extensions import db
from tracker.models import Role


@pytest.fixture
def tree(db_session):
    return make_tree()


@pytest.fixture
def nurse(tree):
    return make_person(tree["ward7"], email="nurse@example.org", name="Nia Nurse")


def test_sign_in_page_has_the_labelled_fields(client):
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'<label[^>]*for="email"[^>]*>\s*Email address\s*</label>', html)
    assert re.search(r'<label[^>]*for="password"[^>]*>\s*Password\s*</label>', html)
    assert re.search(r"<button[^>]*>\s*Sign in\s*</button>", html)


def test_sign_in_success_lands_on_home_with_who_you_are(client, sign_in, nurse, tree):
    response = sign_in("NURSE@example.org ", PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    html = client.get("/").get_data(as_text=True)
    assert "Nia Nurse" in html and "Ward 7 (Oncology)" in html and "Staff" in html
    assert "Sign out" in html
    # The year at a glance, from the same rule as My year: nothing logged yet.
    assert "Your appraisal year" in html and "<strong>not started</strong>" in html
    assert 'href="/my-year"' in html


@pytest.mark.parametrize("email,password", [("nurse@example.org", "wrong-password"), ("nobody@example.org", PASSWORD)])
def test_wrong_password_and_unknown_email_get_the_same_message(client, sign_in, nurse, email, password):
    response = sign_in(email, password)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert SIGN_IN_FAILED in html and "nhsuk-error-summary" in html
    assert html.count(SIGN_IN_FAILED) == 1
    assert "Error: Sign in" in html  # the page title says there is an error


def test_empty_fields_are_named_in_the_error_summary(client, sign_in):
    html = sign_in("", "").get_data(as_text=True)
    assert "Enter your email address" in html and "Enter your password" in html
    assert 'href="#email"' in html


def test_inactive_person_cannot_sign_in(client, sign_in, tree):
    make_person(tree["ward7"], email="gone@example.org", active=False)
    html = sign_in("gone@example.org", PASSWORD).get_data(as_text=True)
    assert SIGN_IN_FAILED in html


def test_deactivating_a_person_ends_their_sessions(client, sign_in, nurse):
    sign_in("nurse@example.org", PASSWORD)
    assert "Nia Nurse" in client.get("/").get_data(as_text=True)
    deactivate(nurse)
    db.session.commit()
    response = client.get("/")
    assert "Nia Nurse" not in response.get_data(as_text=True)


def test_sign_out_ends_the_session_on_the_server(app, client, sign_in, nurse, post_form):
    sign_in("nurse@example.org", PASSWORD)
    stolen = client.get_cookie("session").value
    response = post_form("/sign-out", token_from="/")
    assert response.status_code == 302
    assert "Nia Nurse" not in client.get("/").get_data(as_text=True)
    # A copy of the cookie taken before signing out no longer works.
    other = app.test_client()
    other.set_cookie("session", stolen)
    assert other.get("/").get_data(as_text=True).count("Nia Nurse") == 0


def test_sign_out_needs_post_with_csrf(client, sign_in, nurse):
    sign_in("nurse@example.org", PASSWORD)
    assert client.get("/sign-out").status_code == 405
    assert client.post("/sign-out").status_code == 400
    assert "Nia Nurse" in client.get("/").get_data(as_text=True)


def test_sign_in_without_csrf_token_is_refused(client, nurse):
    response = client.post("/sign-in", data={"email": "nurse@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert "Nia Nurse" not in client.get("/").get_data(as_text=True)


def test_next_url_is_followed_on_this_site(client, nurse):
    from tests.support import csrf_token_from

    token = csrf_token_from(client.get("/sign-in?next=/healthz").get_data(as_text=True))
    response = client.post("/sign-in", data={"email": "nurse@example.org", "password": PASSWORD,
                                             "next": "/healthz", "csrf_token": token})
    assert response.headers["Location"] == "/healthz"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", ""])
def test_next_url_off_site_is_ignored(target):
    assert safe_next(target) is None


def test_session_cookie_flags(client, sign_in, nurse):
    response = sign_in("nurse@example.org", PASSWORD)
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_cookies_are_secure():
    import config

    assert config.Config.SESSION_COOKIE_SECURE is True
    assert config.Config.REMEMBER_COOKIE_SECURE is True


def test_home_navigation_follows_roles(client, sign_in, tree):
    make_person(tree["ward7"], email="boss@example.org", roles=[Role.MANAGER], scope=[tree["ward7"]])
    sign_in("boss@example.org", PASSWORD)
    html = client.get("/").get_data(as_text=True)
    assert "Manager" in html and "Ward 7 (Oncology)" in html


def test_signed_out_navigation_offers_only_the_hub(client):
    html = client.get("/").get_data(as_text=True)
    nav = re.findall(r'class="nhsuk-header__navigation-link"[^>]*>\s*([^<]+?)\s*<', html)
    assert nav == ["Hub"]
