"""Security events beyond signing in: a refused CSRF token and a refused page (403) are each one
audit event with the client's address, the user agent, the method and the path."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.factories import PASSWORD, make_person, make_tree
from tracker.auth import security_events
from tracker.extensions import db
from tracker.models import AuditEvent

ADDRESS = "203.0.113.9"
BROWSER = "Mozilla/5.0 (X11; Linux) Curious"


@pytest.fixture
def nurse(db_session):
    person = make_person(make_tree()["ward7"], email="nurse@example.org", name="Nia Nurse")
    db.session.commit()
    return person


def events(action: str) -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_a_refused_page_is_recorded(client, sign_in, nurse):
    sign_in("nurse@example.org", PASSWORD)
    response = client.get("/team/", environ_base={"REMOTE_ADDR": ADDRESS}, headers={"User-Agent": BROWSER})
    assert response.status_code == 403
    [event] = events(security_events.FORBIDDEN)
    assert (event.actor_id, event.client_address) == (nurse.id, ADDRESS)
    assert event.detail == {"method": "GET", "path": "/team/", "user_agent": BROWSER}


def test_a_form_without_its_token_is_recorded(client, sign_in, nurse):
    sign_in("nurse@example.org", PASSWORD)
    response = client.post("/sign-out", data={}, environ_base={"REMOTE_ADDR": ADDRESS},
                           headers={"User-Agent": BROWSER})
    assert response.status_code == 400
    [event] = events(security_events.CSRF_REFUSED)
    assert (event.actor_id, event.client_address) == (nurse.id, ADDRESS)
    assert (event.detail["method"], event.detail["path"], event.detail["user_agent"]) == ("POST", "/sign-out", BROWSER)
    assert "token" in event.detail["reason"].lower()


def test_an_anonymous_forged_form_is_recorded_without_an_actor(client, nurse):
    assert client.post("/sign-in", data={"email": "nurse@example.org", "password": "x"},
                       environ_base={"REMOTE_ADDR": ADDRESS}).status_code == 400
    [event] = events(security_events.CSRF_REFUSED)
    assert (event.actor_id, event.person_id, event.client_address) == (None, None, ADDRESS)
