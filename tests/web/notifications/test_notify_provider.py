"""GOV.UK Notify through its official client, against a local stand-in of its API that checks the
JWT the client signs: the template of the kind, the fields as personalisation, the reference
derived from the idempotency key; Notify's id kept; a 400 fails for good, a 500 is retried."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.factories import make_person, make_tree
from tracker.extensions import db
from tracker.models import Notification
from tracker.notifications import messages, outbox, sender

FIELDS = {"name": "Nia Nurse", "changed_at": "30 November 2026 at 12:00"}


@pytest.fixture
def nurse(db_session, clock):
    person = make_person(make_tree()["ward7"], email="nurse@example.org", name="Nia Nurse")
    db.session.commit()
    return person


def the_row() -> Notification:
    db.session.expire_all()
    return db.session.scalars(select(Notification)).one()


def test_a_message_goes_to_notify_with_its_template_personalisation_and_reference(nurse, notify, app):
    outbox.queue(messages.PASSWORD_CHANGED, nurse, key="password_changed:7", **FIELDS)
    db.session.commit()
    assert sender.drain() == {"sent": 1}
    [request] = notify.received
    assert request.claims["iss"] == notify.service_id and notify.refused == []
    assert request.body == {"email_address": "nurse@example.org",
                            "template_id": app.config["NOTIFY_TEMPLATES"]["password_changed"],
                            "personalisation": FIELDS, "reference": outbox.reference("password_changed:7")}
    row = the_row()
    assert row.status == "sent" and row.provider == "notify" and len(row.provider_reference) == 36


def test_a_wrong_api_key_is_refused_by_the_stand_in_and_fails_for_good(nurse, notify, app, monkeypatch):
    monkeypatch.setitem(app.config, "NOTIFY_API_KEY", f"tracker_test-{notify.service_id}-{'0' * 36}")
    outbox.queue(messages.PASSWORD_CHANGED, nurse, key="k", **FIELDS)
    db.session.commit()
    assert sender.drain() == {"failed": 1}
    assert notify.received == [] and len(notify.refused) == 1 and "403" in the_row().last_error


def test_notify_refusing_the_request_fails_it_for_good(nurse, notify):
    notify.statuses.append(400)
    outbox.queue(messages.PASSWORD_CHANGED, nurse, key="k", **FIELDS)
    db.session.commit()
    assert sender.drain() == {"failed": 1}
    assert the_row().status == "failed"


def test_a_notify_server_error_is_retried_with_the_same_reference(nurse, notify, clock, app, monkeypatch):
    monkeypatch.setitem(app.config, "NOTIFICATIONS_RETRY_SECONDS", 60)
    notify.statuses.append(500)
    outbox.queue(messages.PASSWORD_CHANGED, nurse, key="k", **FIELDS)
    db.session.commit()
    assert sender.drain() == {"queued": 1}
    clock.advance(timedelta(minutes=1))
    assert sender.drain() == {"sent": 1}
    [request] = notify.received
    assert request.body["reference"] == outbox.reference("k") and the_row().attempts == 2


def test_a_kind_without_a_template_id_fails_for_good(nurse, notify, app, monkeypatch):
    monkeypatch.setitem(app.config, "NOTIFY_TEMPLATES", {})
    outbox.queue(messages.PASSWORD_CHANGED, nurse, key="k", **FIELDS)
    db.session.commit()
    assert sender.drain() == {"failed": 1}
    assert "NOTIFY_TEMPLATE_PASSWORD_CHANGED" in the_row().last_error and notify.received == []
