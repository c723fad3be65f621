"""The outbox: written in the transaction of the change (rolled back, nothing is sent), once per
idempotency key, sent to a real local SMTP server with a Message-ID derived from the key,
retried with back-off after a temporary failure (time moved through the clock seam), failed for
good after a permanent one, and a row a dead worker left `sending` resent with the same id."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.factories import make_person, make_tree
from tests.mail_servers import free_port
from tracker.extensions import db
from tracker.models import Notification
from tracker.notifications import messages, outbox, sender
from tracker.refusal import Refused

FIELDS = {"name": "Nia Nurse", "changed_at": "30 November 2026 at 12:00"}


@pytest.fixture
def nurse(db_session, clock):
    person = make_person(make_tree()["ward7"], email="nurse@example.org", name="Nia Nurse")
    db.session.commit()
    return person


def queue_one(nurse, key="password_changed:1") -> Notification:
    return outbox.queue(messages.PASSWORD_CHANGED, nurse, key=key, **FIELDS)


def rows() -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(select(Notification).order_by(Notification.id)))


def test_a_rolled_back_change_sends_nothing(nurse, smtp):
    queue_one(nurse)
    db.session.rollback()
    assert sender.drain() == {}
    assert rows() == [] and smtp.messages == []


def test_a_committed_row_is_sent_once_with_a_message_id_from_its_key(nurse, smtp, app):
    queue_one(nurse)
    db.session.commit()
    assert sender.drain() == {"sent": 1}
    assert sender.drain() == {}  # nothing due: sent once
    [mail] = smtp.messages
    assert mail["To"] == "nurse@example.org" and mail["From"] == "tracker@tracker.test"
    assert mail["Subject"] == "Your password was changed"
    assert mail["Message-ID"] == outbox.message_id("password_changed:1", "tracker.test")
    assert "Dear Nia Nurse" in mail.get_content() and "30 November 2026 at 12:00" in mail.get_content()
    [row] = rows()
    assert (row.status, row.attempts, row.provider, row.provider_reference) == ("sent", 1, "smtp", mail["Message-ID"])
    assert row.fields == {}  # a token link would not outlive its sending


def test_the_same_key_queues_one_row(nurse, smtp):
    first = queue_one(nurse)
    again = queue_one(nurse)
    db.session.commit()
    assert again.id == first.id and len(rows()) == 1


def test_a_message_takes_only_its_kinds_fields(nurse):
    with pytest.raises(Refused):
        outbox.queue(messages.PASSWORD_CHANGED, nurse, key="k", reflection="what the patient said", **FIELDS)
    with pytest.raises(Refused):
        outbox.queue(messages.PASSWORD_CHANGED, nurse, key="k", name="Nia Nurse")
    assert rows() == []


def test_a_temporary_failure_is_retried_after_a_growing_wait(nurse, smtp, app, clock, monkeypatch):
    monkeypatch.setitem(app.config, "NOTIFICATIONS_RETRY_SECONDS", 60)
    smtp.answer_next("451 4.3.0 Try again later", "451 4.3.0 Try again later")
    queue_one(nurse)
    db.session.commit()
    assert sender.drain() == {"queued": 1}
    [row] = rows()
    assert row.status == "queued" and row.next_attempt_at.replace(tzinfo=None) == \
        (clock.now() + timedelta(seconds=60)).replace(tzinfo=None)
    assert "451" in row.last_error
    clock.advance(timedelta(seconds=59))
    assert sender.drain() == {}  # not yet due
    clock.advance(timedelta(seconds=1))
    assert sender.drain() == {"queued": 1}  # the second failure: the wait doubles
    clock.advance(timedelta(seconds=119))
    assert sender.drain() == {}
    clock.advance(timedelta(seconds=1))
    assert sender.drain() == {"sent": 1}
    [mail] = smtp.messages
    assert rows()[0].attempts == 3 and mail["Message-ID"] == outbox.message_id("password_changed:1", "tracker.test")


def test_an_unreachable_server_is_a_temporary_failure_until_the_tries_run_out(nurse, smtp, app, clock, monkeypatch):
    monkeypatch.setitem(app.config, "NOTIFICATIONS_MAX_ATTEMPTS", 2)
    monkeypatch.setitem(app.config, "SMTP_PORT", free_port())  # nobody listens there
    queue_one(nurse)
    db.session.commit()
    assert sender.drain() == {"queued": 1}
    clock.advance(timedelta(days=1))
    assert sender.drain() == {"failed": 1}
    [row] = rows()
    assert row.status == "failed" and "gave up after 2 tries" in row.last_error and row.fields == {}


def test_a_refused_recipient_fails_for_good(nurse, smtp):
    smtp.refuse("nurse@example.org")
    queue_one(nurse)
    db.session.commit()
    assert sender.drain() == {"failed": 1}
    [row] = rows()
    assert row.status == "failed" and "550" in row.last_error and smtp.messages == []


def test_a_row_a_dead_worker_left_sending_is_resent_with_the_same_message_id(nurse, smtp, app, clock, monkeypatch):
    monkeypatch.setitem(app.config, "NOTIFICATIONS_SENDING_TIMEOUT_SECONDS", 600)
    queue_one(nurse)
    db.session.commit()
    # A worker claims the row and dies before it records anything (mid-call to the server, say).
    assert len(sender.claim(clock.now())) == 1
    assert rows()[0].status == "sending"
    clock.advance(timedelta(seconds=599))
    assert sender.drain() == {} and rows()[0].status == "sending"  # it may still be sending
    clock.advance(timedelta(seconds=1))
    assert sender.mark_abandoned(clock.now()) == 1
    assert rows()[0].status == "unknown"
    assert sender.drain() == {"sent": 1}
    [mail] = smtp.messages
    assert mail["Message-ID"] == outbox.message_id("password_changed:1", "tracker.test")
    [row] = rows()
    assert row.status == "sent" and row.attempts == 2


def test_the_log_provider_writes_the_message_to_the_log(nurse, app, caplog, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_PROVIDER", "log")
    queue_one(nurse)
    db.session.commit()
    with caplog.at_level("INFO", logger="tracker.notifications"):
        assert sender.drain() == {"sent": 1}
    assert "nurse@example.org" in caplog.text and "Your password was changed" in caplog.text


def test_erasing_a_person_removes_their_messages_and_address_from_the_outbox(nurse, app, today, monkeypatch, tmp_path):
    from tracker import erasure

    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path))
    queue_one(nurse)
    db.session.commit()
    erasure.erase(None, nurse, today)
    db.session.commit()
    assert rows() == []


def test_a_name_with_a_line_break_is_sent_with_the_subject_on_one_line(nurse, smtp):
    """A requester's name imported with a line break goes into an observer's subject: it is read on
    one line there (a line break in a header would be refused, and the message never sent)."""
    outbox.queue(messages.OBSERVATION_REQUEST, "obi@nhs.net", key="observation_request:1",
                 name="Obi", requester="Nia\r\nBcc: someone@example.org", link="https://t.test/o/x",
                 valid_until="14 December 2026")
    db.session.commit()
    assert sender.drain() == {"sent": 1}
    [mail] = smtp.messages
    assert mail["Subject"] == "Nia Bcc: someone@example.org has asked you to observe them"
    assert mail["Bcc"] is None and mail["To"] == "obi@nhs.net"
