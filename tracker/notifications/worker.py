"""Celery: the broker (CELERY_BROKER_URL, else REDIS_URL, else a local Redis), the tasks, and
beat's schedule. Each task runs inside the Flask application, so it sees the same settings and
database as the web process. `make worker` runs a worker with beat (celery_entry.py)."""
from __future__ import annotations

from datetime import timedelta

from celery import Celery, Task, shared_task
from sqlalchemy import delete

from tracker import appraisal_year
from tracker.extensions import db
from tracker.models import SetPasswordLink
from tracker.notifications import sender

DRAIN = "tracker.notifications.drain_outbox"
CLEAR_TOKENS = "tracker.notifications.clear_expired_links"
BUILD_EXPORT = "tracker.reports.build_export"
EXPIRE_EXPORTS = "tracker.reports.expire_exports"


def init_app(app) -> Celery:
    class InApp(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    celery = Celery(app.name, task_cls=InApp)
    config = app.config
    celery.conf.update(
        # `make worker` on a developer's machine finds the local Redis without settings.
        broker_url=config["CELERY_BROKER_URL"] or "redis://127.0.0.1:6379/0",
        result_backend=config.get("CELERY_RESULT_BACKEND"),
        task_ignore_result=not config.get("CELERY_RESULT_BACKEND"),
        broker_connection_retry_on_startup=True,
        # A request that asks for a drain must not hang on a broker that is down (dispatch.py).
        broker_transport_options={"socket_connect_timeout": 2, "max_retries": 0},
        timezone="UTC",
        beat_schedule={
            "drain the outbox": {"task": DRAIN, "schedule": timedelta(seconds=config["NOTIFICATIONS_DRAIN_SECONDS"])},
            "clear expired set-password links": {"task": CLEAR_TOKENS, "schedule": timedelta(hours=1)},
            "remove prepared exports past their time": {"task": EXPIRE_EXPORTS, "schedule": timedelta(hours=1)},
        },
    )
    celery.set_default()
    app.extensions["celery"] = celery
    return celery


@shared_task(name=DRAIN)
def drain_outbox() -> dict[str, int]:
    return sender.drain()


@shared_task(name=CLEAR_TOKENS)
def clear_expired_links() -> int:
    """Set-password and reset links past their time open nothing: their rows go (the audit trail
    keeps that they were made and used)."""
    result = db.session.execute(delete(SetPasswordLink).where(SetPasswordLink.expires_at < appraisal_year.now()))
    db.session.commit()
    return result.rowcount or 0


@shared_task(name=BUILD_EXPORT)
def build_export(export_id: int) -> str:
    """Write a prepared export and queue its e-mail (tracker/reports/prepared.py)."""
    from tracker.reports import prepared

    return prepared.build(export_id)


@shared_task(name=EXPIRE_EXPORTS)
def expire_exports() -> int:
    from tracker.reports import prepared

    return prepared.expire()
