"""A signed-in person changes their own password: the current one first, the same rules as every
other place a password is set, other sessions end, and the change is audited."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.factories import PASSWORD, make_person, make_tree
from tests.support import csrf_token_from
from tracker.auth import passwords
from tracker.auth.services import PASSWORD_CHANGED, WRONG_CURRENT_PASSWORD
from tracker.extensions import db
from tracker.models import AuditEvent

NEW = "plum orchard lantern"
# 100 characters (108 bytes), with spaces and letters beyond ASCII: long passwords are welcome (ASVS 6.2.9).
LONG = "Siân’s ward round at seven, handover at half past, then tea with José in the café 🙂 plum orchard day"
BROWSER = "Mozilla/5.0 Ward PC"


@pytest.fixture
def nurse(db_session):
    person = make_person(make_tree()["ward7"], email="nurse@example.org", name="Nia Nurse")
    db.session.commit()
    return person


def change(post_form, current=PASSWORD, new=NEW, confirmation=None):
    return post_form("/change-password", {"current_password": current, "new_password": new,
                                          "confirmation": new if confirmation is None else confirmation},
                     headers={"User-Agent": BROWSER})


def test_the_page_is_linked_from_the_header_and_needs_signing_in(client, sign_in, nurse):
    assert client.get("/change-password").status_code == 302
    sign_in("nurse@example.org", PASSWORD)
    home = client.get("/").get_data(as_text=True)
    assert 'href="/change-password"' in home and "Change your password" in home
    page = client.get("/change-password")
    assert page.status_code == 200 and "<h1>Change your password</h1>" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"


def test_changing_ends_other_sessions_keeps_this_one_and_is_audited(app, client, sign_in, post_form, nurse):
    other = app.test_client()
    token = csrf_token_from(other.get("/sign-in").get_data(as_text=True))
    other.post("/sign-in", data={"email": "nurse@example.org", "password": PASSWORD, "csrf_token": token})
    assert other.get("/portfolio").status_code == 200
    sign_in("nurse@example.org", PASSWORD)
    response = change(post_form)
    assert response.status_code == 302
    assert "Your password has been changed." in client.get("/").get_data(as_text=True)
    assert client.get("/portfolio").status_code == 200
    assert other.get("/portfolio").status_code == 302  # sent to sign in
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == PASSWORD_CHANGED))
    assert (event.actor_id, event.person_id, event.detail) == (nurse.id, nurse.id, {})
    assert NEW not in str(event.detail) and PASSWORD not in str(event.detail)
    client.post("/sign-out", data={"csrf_token": csrf_token_from(client.get("/").get_data(as_text=True))})
    assert sign_in("nurse@example.org", NEW).status_code == 302


@pytest.mark.parametrize("current, new, confirmation, message", [
    ("wrong-current-password", NEW, None, WRONG_CURRENT_PASSWORD),
    (PASSWORD, "demo-pass-2026", None, passwords.TOO_COMMON),
    (PASSWORD, "too-short", None, passwords.TOO_SHORT),
    (PASSWORD, NEW, "plum orchard lanterns", "The passwords do not match"),
])
def test_refused_changes_leave_the_password_as_it_was(client, sign_in, post_form, nurse, current, new,
                                                      confirmation, message):
    sign_in("nurse@example.org", PASSWORD)
    response = change(post_form, current, new, confirmation)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == PASSWORD_CHANGED)).all() == []
    client.post("/sign-out", data={"csrf_token": csrf_token_from(client.get("/").get_data(as_text=True))})
    assert sign_in("nurse@example.org", PASSWORD).status_code == 302


def sign_out(client):
    client.post("/sign-out", data={"csrf_token": csrf_token_from(client.get("/").get_data(as_text=True))})


def test_a_password_of_100_characters_can_be_set_and_signs_in(client, sign_in, post_form, nurse):
    assert len(LONG) == 100
    sign_in("nurse@example.org", PASSWORD)
    assert change(post_form, new=LONG).status_code == 302
    sign_out(client)
    assert sign_in("nurse@example.org", LONG[:72]).status_code == 200  # all of it counts, not a prefix
    assert sign_in("nurse@example.org", LONG).status_code == 302
    assert client.get("/portfolio").status_code == 200


@pytest.mark.parametrize("common", ["qwertyqwerty", "passwordpassword", "Supernatural", "zaq12wsxcde3"])
def test_long_but_common_passwords_are_refused(client, sign_in, post_form, nurse, common):
    sign_in("nurse@example.org", PASSWORD)
    response = change(post_form, new=common)
    assert response.status_code == 200 and passwords.TOO_COMMON in response.get_data(as_text=True)
    sign_out(client)
    assert sign_in("nurse@example.org", common).status_code == 200
    assert sign_in("nurse@example.org", PASSWORD).status_code == 302


def test_guessing_the_current_password_here_meets_the_sign_in_limits(client, sign_in, post_form, nurse):
    sign_in("nurse@example.org", PASSWORD)
    for _ in range(5):
        assert WRONG_CURRENT_PASSWORD in change(post_form, "a-wrong-guess-here").get_data(as_text=True)
    response = change(post_form)  # even the right one now waits
    assert response.status_code == 429 and "Wait 1 minute" in response.get_data(as_text=True)
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == PASSWORD_CHANGED)).all() == []
