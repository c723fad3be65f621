"""A real Celery worker (celery.contrib.testing's, two threads) on a real Redis of the test's own,
sending the outbox of an app on its own database to the local SMTP server: two drain tasks run
at once and every message arrives once. Outside CI the test is skipped only when redis-server is
not installed."""
from __future__ import annotations

import os
import shutil
import subprocess
from collections import Counter

import pytest
import redis
from celery.contrib.testing.worker import start_worker

from tests.factories import make_person, make_tree
from tests.mail_servers import LocalSmtp, free_port
from tests.support import app_on_scratch_database, csrf_token_from
from tracker.extensions import db
from tracker.notifications import messages, outbox, worker

MESSAGES = 30


@pytest.fixture(scope="module")
def redis_url():
    if shutil.which("redis-server") is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is needed in CI")
        pytest.skip("redis-server is not installed")
    port = free_port()
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no"], stdout=subprocess.PIPE, text=True)
    for line in server.stdout:  # blocks until the server says it is ready (or exits)
        if "Ready to accept connections" in line:
            break
    else:
        pytest.fail("redis-server did not start")
    assert redis.Redis(port=port).ping()
    yield f"redis://127.0.0.1:{port}/0"
    server.terminate()
    server.communicate(timeout=10)


def test_celery_workers_drain_the_outbox_to_the_smtp_server_once(redis_url, tmp_path, clock):
    with LocalSmtp() as smtp, app_on_scratch_database(
            "celery", tmp_path / "celery.db", CELERY_BROKER_URL=redis_url, CELERY_RESULT_BACKEND=redis_url,
            **smtp.settings()) as app:
        with app.app_context():
            people = [make_person(make_tree()["ward7"], email=f"person{n}@example.org") for n in range(3)]
            for n in range(MESSAGES):
                outbox.queue(messages.PASSWORD_CHANGED, people[n % 3], key=f"password_changed:{n}",
                             name=f"Person {n}", changed_at="30 November 2026 at 12:00")
            db.session.commit()
        celery = app.extensions["celery"]
        with start_worker(celery, pool="threads", concurrency=2, perform_ping_check=False, shutdown_timeout=30):
            tasks = [celery.send_task(worker.DRAIN) for _ in range(2)]
            results = [task.get(timeout=60) for task in tasks]
        assert sum(result.get("sent", 0) for result in results) == MESSAGES
        ids = Counter(mail["Message-ID"] for mail in smtp.messages)
        assert len(ids) == MESSAGES and set(ids.values()) == {1}


def test_beat_drains_the_outbox_and_clears_expired_links_on_a_schedule(app):
    schedule = app.extensions["celery"].conf.beat_schedule
    assert {entry["task"] for entry in schedule.values()} == {worker.DRAIN, worker.CLEAR_TOKENS}
    assert schedule["drain the outbox"]["schedule"].total_seconds() == app.config["NOTIFICATIONS_DRAIN_SECONDS"]


def test_the_broker_falls_back_to_redis_url(monkeypatch):
    import config

    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.setenv("REDIS_URL", "redis://redis.internal:6379/2")
    assert config._broker_url() == "redis://redis.internal:6379/2"
    monkeypatch.delenv("REDIS_URL")
    assert config._broker_url() == "redis://127.0.0.1:6379/0"
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://broker:6379/1")
    assert config._broker_url() == "redis://broker:6379/1"


def test_with_no_broker_answering_the_request_sends_in_process(tmp_path, clock):
    with LocalSmtp() as smtp, app_on_scratch_database(
            "nobroker", tmp_path / "nobroker.db", CELERY_BROKER_URL=f"redis://127.0.0.1:{free_port()}/0",
            NOTIFICATIONS_IN_PROCESS=False, **smtp.settings()) as app:
        with app.app_context():
            make_person(make_tree()["ward7"], email="nurse@example.org", name="Nia Nurse")
            db.session.commit()
        client = app.test_client()
        page = client.get("/forgotten-password").get_data(as_text=True)
        answer = client.post("/forgotten-password", data={"email": "nurse@example.org",
                                                          "csrf_token": csrf_token_from(page)})
        assert answer.status_code == 200
        [mail] = smtp.messages
        assert mail["Subject"] == "Reset your password"


def test_expired_links_are_cleared(app, db_session, clock):
    from datetime import timedelta

    from sqlalchemy import select

    from tracker.auth import links
    from tracker.models import SetPasswordLink
    from tracker.models._types import utcnow

    nurse = make_person(make_tree()["ward7"])
    links.create_link(None, nurse, utcnow() - timedelta(days=2), valid_for=links.RESET_VALID_FOR)
    _token, kept = links.create_link(None, nurse, clock.now() + timedelta(days=1))
    db.session.commit()
    assert app.extensions["celery"].tasks[worker.CLEAR_TOKENS].run() == 1
    assert db.session.scalars(select(SetPasswordLink.id)).all() == [kept.id]
