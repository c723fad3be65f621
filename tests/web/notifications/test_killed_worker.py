"""A worker killed mid-send: a sender in a process of its own hands a message to the local SMTP
server, which takes it in but has not answered when the process is killed (SIGKILL). The row is
left `sending`; after the time-out it becomes unknown and is sent again, with the same Message-ID,
so the mail client can drop the copy."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from tests.factories import make_person, make_tree
from tests.mail_servers import LocalSmtp
from tests.support import app_on_scratch_database
from tracker.extensions import db
from tracker.models import Notification
from tracker.notifications import messages, outbox, sender

ROOT = Path(__file__).resolve().parents[3]
# The worker: the app on the same database and SMTP server, draining the outbox once.
WORKER = """
import json, sys
import config
from tracker import create_app
from tracker.notifications import sender
settings = json.loads(sys.argv[1])
app = create_app(type("Worker", (config.TestingConfig,), settings))
with app.app_context():
    sender.drain()
"""


def test_a_killed_workers_message_is_resent_with_the_same_message_id(tmp_path, clock):
    # The worker's process reads the real clock, so the seam starts from it: a message queued at
    # the seam's noon would not yet be due for a worker running in the morning.
    clock.advance(datetime.now(UTC) - clock.now())
    with LocalSmtp() as smtp, app_on_scratch_database("killed", tmp_path / "killed.db", **smtp.settings()) as app:
        with app.app_context():
            nurse = make_person(make_tree()["ward7"], email="nurse@example.org", name="Nia Nurse")
            outbox.queue(messages.PASSWORD_CHANGED, nurse, key="password_changed:killed",
                         name="Nia Nurse", changed_at="30 November 2026 at 12:00")
            db.session.commit()
        smtp.hold_next()
        settings = {**smtp.settings(), "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]}
        worker = subprocess.Popen([sys.executable, "-c", WORKER, json.dumps(settings)], cwd=ROOT,
                                  env={**os.environ, "FLASK_ENV": "testing"})
        try:
            assert smtp.mailbox.held.wait(timeout=60), "the worker never handed the message over"
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=30)
        assert worker.returncode == -signal.SIGKILL
        with app.app_context():
            row = db.session.scalars(select(Notification)).one()
            assert row.status == "sending" and row.attempts == 1
            claimed_at = row.claimed_at
            db.session.remove()
        # The time-out passes on the clock seam, from when the dead worker claimed the row.
        clock.advance(claimed_at.replace(tzinfo=clock.now().tzinfo) - clock.now()
                      + timedelta(seconds=app.config["NOTIFICATIONS_SENDING_TIMEOUT_SECONDS"]))
        with app.app_context():
            assert sender.drain() == {"sent": 1}
            row = db.session.scalars(select(Notification)).one()
            assert (row.status, row.attempts) == ("sent", 2)
        first, again = smtp.messages
        assert first["Message-ID"] == again["Message-ID"] == \
            outbox.message_id("password_changed:killed", "tracker.test")
