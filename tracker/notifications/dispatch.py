"""After a request commits rows to the outbox, get them sent: by a Celery worker (a drain task
on the broker), or, in development (NOTIFICATIONS_IN_PROCESS) or when no broker answers, by this
process before the response goes out, so `make run` needs no Redis."""
from __future__ import annotations

import logging

from flask import current_app, g
from sqlalchemy import event, exists, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from tracker import appraisal_year
from tracker.extensions import db
from tracker.models import Notification
from tracker.models.notifications import QUEUED, UNKNOWN
from tracker.notifications import outbox, sender

log = logging.getLogger("tracker.notifications")


def _committed(session: Session) -> None:
    if session.info.pop(outbox.QUEUED_IN_SESSION, False):
        try:
            g.notifications_committed = True
        except RuntimeError:  # outside a request (a command, a worker): its caller drains
            pass


def _rolled_back(session: Session) -> None:
    session.info.pop(outbox.QUEUED_IN_SESSION, None)


def init_app(app) -> None:
    if not event.contains(Session, "after_commit", _committed):
        event.listen(Session, "after_commit", _committed)
        event.listen(Session, "after_soft_rollback", lambda session, _transaction: _rolled_back(session))

    @app.after_request
    def _send_committed(response):
        if g.pop("notifications_committed", False) or _due_without_beat():
            send_soon()
        return response


def _due_without_beat() -> bool:
    """In-process mode has no Celery beat: a message queued to wait (a decision, told once its undo
    window has closed) or to be tried again goes with the first request after it falls due. One
    indexed query a request, in that mode only (development)."""
    if not current_app.config.get("NOTIFICATIONS_IN_PROCESS"):
        return False
    try:
        return bool(db.session.scalar(select(exists().where(
            Notification.status.in_((QUEUED, UNKNOWN)), Notification.next_attempt_at <= appraisal_year.now()))))
    except SQLAlchemyError:  # the request's own transaction failed: its error page stands
        return False


def send_soon() -> None:
    """Ask a worker to drain the outbox, or drain it here."""
    # No broker set (no REDIS_URL either): nobody would take the task, so send from here.
    if not current_app.config.get("NOTIFICATIONS_IN_PROCESS") and current_app.config.get("CELERY_BROKER_URL"):
        from tracker.notifications import worker

        try:
            current_app.extensions["celery"].send_task(worker.DRAIN, retry=False)
            return
        except Exception as error:  # the broker is down or unset: send from here rather than wait
            log.warning("No Celery broker answered (%s); sending the outbox in-process", type(error).__name__)
    # What the view did not commit is not ours to send (or to commit): start from a clean session.
    db.session.rollback()
    try:
        sender.drain()
    except Exception:  # the change is committed; the outbox keeps the rows for the next drain
        log.exception("Sending the outbox in-process failed; the rows stay queued")
        db.session.rollback()
