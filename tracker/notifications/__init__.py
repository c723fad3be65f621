"""Notifications: e-mails to people, written to an outbox in the transaction of the change that
causes them (outbox.py), sent by Celery workers or in-process (sender.py, worker.py, dispatch.py)
through SMTP, GOV.UK Notify or the log (providers.py), from one template per kind (messages.py)."""
from __future__ import annotations


def init_app(app) -> None:
    from tracker.notifications import dispatch, worker

    dispatch.init_app(app)
    worker.init_app(app)
