"""Celery: the broker (CELERY_BROKER_URL, else REDIS_URL, else a local Redis), the tasks, and
beat's schedule. Each task runs inside the Flask application, so it sees the same settings and
database as the web process. `make worker` runs a worker with beat (celery_entry.py)."""
from __future__ import annotations

from datetime import timedelta

from celery import Celery, Task, shared_task
from celery.schedules import crontab
from sqlalchemy import delete

from tracker import appraisal_year
from tracker.extensions import db
from tracker.models import SetPasswordLink
from tracker.notifications import jobs, sender

DRAIN = "tracker.notifications.drain_outbox"
CLEAR_TOKENS = "tracker.notifications.clear_expired_links"
SUBMISSIONS_DIGESTS = "tracker.notifications.submissions_digests"
YEAR_END_REMINDERS = "tracker.notifications.year_end_reminders"
WEEKLY_DIGESTS = "tracker.notifications.weekly_digests"
CHECK_HUB_LINKS = "tracker.hub.check_links"
BUILD_EXPORT = "tracker.reports.build_export"
EXPIRE_EXPORTS = "tracker.reports.expire_exports"
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
            # UTC, before the working day. A job run twice (or late, after beat was down) sends
            # nothing twice: each message's key names its day, year and threshold, or week.
            "daily digest of submissions": {"task": SUBMISSIONS_DIGESTS, "schedule": crontab(hour=7, minute=0)},
            "year-end reminders": {"task": YEAR_END_REMINDERS, "schedule": crontab(hour=8, minute=0)},
            "managers' weekly digest": {"task": WEEKLY_DIGESTS,
                                        "schedule": crontab(hour=7, minute=30, day_of_week="monday")},
            "check the hub's links": {"task": CHECK_HUB_LINKS,
                                      "schedule": crontab(hour=2, minute=0, day_of_week="sunday")},
            "remove prepared exports past their time": {"task": EXPIRE_EXPORTS, "schedule": timedelta(hours=1)},
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
    """Set-password and reset links (one table) past their time open nothing: their rows go (the
    audit trail keeps that they were made and used). An observer's link is not cleared here: its
    row is the request and the observer's answer, part of the activity's record; only the token's
    hash is kept, and it opens nothing after its time (observation/links.still_open, on every use)."""
    result = db.session.execute(delete(SetPasswordLink).where(SetPasswordLink.expires_at < appraisal_year.now()))
    db.session.commit()
    return result.rowcount or 0


def _queue_and_send(job) -> int:
    """Run a job that queues messages for today, commit them, and send what is due."""
    queued = job(appraisal_year.today())
    db.session.commit()
    sender.drain()
    return queued


@shared_task(name=SUBMISSIONS_DIGESTS)
def submissions_digests() -> int:
    return _queue_and_send(jobs.submissions_digests)


@shared_task(name=YEAR_END_REMINDERS)
def year_end_reminders() -> int:
    return _queue_and_send(jobs.year_end_reminders)


@shared_task(name=WEEKLY_DIGESTS)
def weekly_digests() -> int:
    return _queue_and_send(jobs.weekly_digests)


@shared_task(name=CHECK_HUB_LINKS)
def check_hub_links() -> dict[str, int]:
    """`flask links check` once a week: every catalogue and library address, results on the rows."""
    from tracker.hub.links import check_all_links

    report = check_all_links()
    db.session.commit()
    return {"checked": report.checked, "broken": len(report.broken), "moved": len(report.moved)}


@shared_task(name=BUILD_EXPORT)
def build_export(export_id: int) -> str:
    """Write a prepared export and queue its e-mail (tracker/reports/prepared.py)."""
    from tracker.reports import prepared

    return prepared.build(export_id)


@shared_task(name=EXPIRE_EXPORTS)
def expire_exports() -> int:
    from tracker.reports import prepared

    return prepared.expire()


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
