"""Signing in, a refused sign-in and signing out each leave an audit event with the client's
address and user agent; a refused one names the account (as its subject) or keeps the typed address only as a
keyed hash, and never the password."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.factories import PASSWORD, make_person, make_tree
from tests.support import csrf_token_from
from tracker.auth.services import FAILED_SIGN_IN, SIGNED_IN, SIGNED_OUT, email_hash
from tracker.extensions import db
from tracker.models import AuditEvent

ADDRESS = "203.0.113.9"
BROWSER = "Mozilla/5.0 (Windows NT 10.0) Ward PC"


@pytest.fixture
def nurse(db_session):
    person = make_person(make_tree()["ward7"], email="nurse@example.org", name="Nia Nurse")
    db.session.commit()
    return person


def events(action: str) -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


def sign_in_from(client, email: str, password: str):
    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    return client.post("/sign-in", data={"email": email, "password": password, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": ADDRESS}, headers={"User-Agent": BROWSER})


def test_signing_in_is_recorded_with_the_address(client, nurse):
    assert sign_in_from(client, "Nurse@Example.org", PASSWORD).status_code == 302
    [event] = events(SIGNED_IN)
    assert (event.actor_id, event.person_id, event.client_address) == (nurse.id, None, ADDRESS)
    assert event.detail == {"user_agent": BROWSER}


def test_a_wrong_password_is_recorded_about_the_account_without_the_password(client, nurse):
    sign_in_from(client, "nurse@example.org", "not-the-password-at-all")
    [event] = events(FAILED_SIGN_IN)
    assert (event.actor_id, event.person_id, event.client_address) == (None, nurse.id, ADDRESS)
    assert event.detail == {"user_agent": BROWSER}
    assert events(SIGNED_IN) == []


def test_an_unknown_address_is_kept_only_as_a_keyed_hash(client, nurse):
    sign_in_from(client, "Someone.Else@example.org", "hunter2-hunter2")
    [event] = events(FAILED_SIGN_IN)
    assert event.actor_subject_id is None and event.about_subject_id is None
    assert event.detail == {"email_hash": email_hash("someone.else@example.org"), "user_agent": BROWSER}
    stored = str(event.detail)
    assert "someone.else" not in stored.lower() and "hunter2" not in stored
    # The same address typed again hashes the same, so repeated attempts can be counted.
    sign_in_from(client, "someone.else@example.org ", "another-guess-12")
    assert len({e.detail["email_hash"] for e in events(FAILED_SIGN_IN)}) == 1


def test_the_refusal_reads_the_same_for_both(client, nurse):
    wrong = sign_in_from(client, "nurse@example.org", "not-the-password-at-all").get_data(as_text=True)
    unknown = sign_in_from(client, "nobody@example.org", "not-the-password-at-all").get_data(as_text=True)
    assert "Your email address or password is incorrect" in wrong and "Your email address or password is incorrect" in unknown


def test_signing_out_is_recorded_with_the_address(client, nurse):
    sign_in_from(client, "nurse@example.org", PASSWORD)
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    assert client.post("/sign-out", data={"csrf_token": token}, environ_base={"REMOTE_ADDR": ADDRESS},
                       headers={"User-Agent": BROWSER}).status_code == 302
    [event] = events(SIGNED_OUT)
    assert (event.actor_id, event.client_address, event.detail) == (nurse.id, ADDRESS, {"user_agent": BROWSER})


def test_a_sign_in_refused_for_a_missing_token_is_not_an_attempt(client, nurse):
    client.post("/sign-in", data={"email": "nurse@example.org", "password": "x"})
    assert events(FAILED_SIGN_IN) == []
