"""Two sender runs racing over the same due rows, each in its own thread with its own database
connection (a SQLite file, or PostgreSQL when TEST_DATABASE_URL is set, where the claim takes
`FOR UPDATE SKIP LOCKED`): every message reaches the local SMTP server exactly once."""
from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from tests.factories import make_person, make_tree
from tests.mail_servers import LocalSmtp
from tests.support import app_on_scratch_database
from tracker.extensions import db
from tracker.models import Notification
from tracker.notifications import messages, outbox, sender

MESSAGES = 60


@pytest.fixture
def racing_app(tmp_path, monkeypatch, clock):
    with LocalSmtp() as smtp, app_on_scratch_database("outbox", tmp_path / "outbox.db", **smtp.settings()) as app:
        with app.app_context():
            ward = make_tree()["ward7"]
            people = [make_person(ward, email=f"person{n}@example.org") for n in range(6)]
            for n in range(MESSAGES):
                outbox.queue(messages.PASSWORD_CHANGED, people[n % 6], key=f"password_changed:{n}",
                             name=f"Person {n}", changed_at="30 November 2026 at 12:00")
            db.session.commit()
        yield app, smtp


def test_two_sender_runs_send_each_message_exactly_once(racing_app, monkeypatch):
    app, smtp = racing_app
    monkeypatch.setattr(sender, "BATCH", 4)  # small claims, so the two runs interleave
    start = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            with app.app_context():
                start.wait()
                results.append(sender.drain())
                db.session.remove()
        except Exception as error:  # pragma: no cover - shown by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    ids = Counter(mail["Message-ID"] for mail in smtp.messages)
    assert len(ids) == MESSAGES and set(ids.values()) == {1}
    assert ids.keys() == {outbox.message_id(f"password_changed:{n}", "tracker.test") for n in range(MESSAGES)}
    assert sum(result.get("sent", 0) for result in results) == MESSAGES
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Notification.status != "sent")) == 0
