"""After a request commits rows to the outbox, get them sent: by a Celery worker (a drain task
on the broker), or, in development (NOTIFICATIONS_IN_PROCESS) or when no broker answers, by this
process before the response goes out, so `make run` needs no Redis."""
from __future__ import annotations

import logging

from flask import current_app, g
from sqlalchemy import event
from sqlalchemy.orm import Session

from tracker.extensions import db
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
        if g.pop("notifications_committed", False):
            send_soon()
        return response


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
