"""A real Celery worker (celery.contrib.testing's, two threads) on a real Redis of the test's own,
sending the outbox of an app on its own database to the local SMTP server: two drain tasks run
at once and every message arrives once. Outside CI the test is skipped only when redis-server is
not installed."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

from celery.contrib.testing.worker import start_worker

from tests.factories import make_person, make_tree
from tests.mail_servers import LocalSmtp
from tests.support import app_on_scratch_database
from tracker.extensions import db
from tracker.notifications import messages, outbox, worker

MESSAGES = 30


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
    # The scheduled e-mails and the link check: tests/web/notifications/test_scheduled_jobs.py.
    assert {entry["task"] for entry in schedule.values()} == {
        worker.DRAIN, worker.CLEAR_TOKENS, worker.SUBMISSIONS_DIGESTS, worker.YEAR_END_REMINDERS,
        worker.WEEKLY_DIGESTS, worker.CHECK_HUB_LINKS, worker.EXPIRE_EXPORTS,
        worker.REBUILD_FIGURES}
    assert schedule["remove prepared exports past their time"]["schedule"] == timedelta(hours=1)
    assert schedule["drain the outbox"]["schedule"] == timedelta(seconds=app.config["NOTIFICATIONS_DRAIN_SECONDS"])


def test_with_no_broker_set_a_worker_listens_on_the_local_redis():
    """CELERY_BROKER_URL falls back to REDIS_URL in config (tests/unit/test_config.py); with
    neither, `make worker` still finds a developer's local Redis."""
    import config
    from tracker import create_app

    settings = type("NoBroker", (config.TestingConfig,), {"CELERY_BROKER_URL": ""})
    assert create_app(settings).extensions["celery"].conf.broker_url == "redis://127.0.0.1:6379/0"
