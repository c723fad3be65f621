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
REBUILD_FIGURES = "tracker.figures.rebuild_marked"


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
            # A rule or framework change marks years; pages read them from the activities until then.
            "rebuild marked figures": {"task": REBUILD_FIGURES, "schedule": timedelta(minutes=1)},
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


@shared_task(name=REBUILD_FIGURES)
def rebuild_marked_figures() -> list[int]:
    """Recompute the kept figures of the years a rule or framework change marked, one year per
    transaction, so that each year's pages switch back to the kept figures as soon as it is done."""
    from tracker.figures import upkeep

    done = []
    for start_year in upkeep.marked_years():
        upkeep.rebuild_year(upkeep.AppraisalYear(start_year, appraisal_year.start_month()))
        db.session.commit()
        done.append(start_year)
    return done
