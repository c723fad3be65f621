"""Sending the outbox. Any number of sender runs (Celery workers, or the web process in
development) may drain at once: each claims due rows with one guarded UPDATE (on PostgreSQL over
`SELECT … FOR UPDATE SKIP LOCKED`), so a row is claimed by one run only, and commits after every
row, so a run that dies leaves at most the row it was sending in `sending`. Such a row becomes
`unknown` after NOTIFICATIONS_SENDING_TIMEOUT_SECONDS and is sent again with the same message id.

This commits: it is the worker's own transaction, never a request's (dispatch.py rolls the
request's back first)."""
from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from tracker import appraisal_year
from tracker.extensions import db
from tracker.models import Notification
from tracker.models.notifications import FAILED, QUEUED, SENDING, SENT, UNKNOWN
from tracker.notifications import outbox, providers

log = logging.getLogger("tracker.notifications")
BATCH = 50


def _setting(name: str) -> int:
    return int(current_app.config[name])


def mark_abandoned(now: datetime) -> int:
    """Rows left `sending` longer than the time-out (their worker died mid-send) become unknown."""
    cutoff = now - timedelta(seconds=_setting("NOTIFICATIONS_SENDING_TIMEOUT_SECONDS"))
    result = db.session.execute(update(Notification)
                                .where(Notification.status == SENDING, Notification.claimed_at <= cutoff)
                                .values(status=UNKNOWN, claimed_by=None, next_attempt_at=now, updated_at=now)
                                .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount or 0


@dataclass(frozen=True)
class Claimed:
    """What a run needs of a row it holds: read once, so that sending reads nothing more."""

    id: int
    kind: str
    address: str
    fields: dict
    idempotency_key: str
    attempts: int
    claimed_by: str


def claim(now: datetime, limit: int = BATCH) -> list[Claimed]:
    """Take up to `limit` due rows for this run: they are `sending`, claimed by a token of its own."""
    token = secrets.token_hex(16)
    due = (select(Notification.id)
           .where(Notification.status.in_((QUEUED, UNKNOWN)), Notification.next_attempt_at <= now)
           .order_by(Notification.next_attempt_at, Notification.id).limit(limit))
    if db.session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    # The status test again in the UPDATE itself: on SQLite the subquery takes no row locks.
    db.session.execute(update(Notification)
                       .where(Notification.id.in_(due.scalar_subquery()),
                              Notification.status.in_((QUEUED, UNKNOWN)))
                       .values(status=SENDING, claimed_by=token, claimed_at=now,
                               attempts=Notification.attempts + 1, updated_at=now)
                       .execution_options(synchronize_session=False))
    db.session.commit()
    claimed = [Claimed(row.id, row.kind, row.address, dict(row.fields or {}), row.idempotency_key, row.attempts, token)
               for row in db.session.execute(
                   select(Notification.id, Notification.kind, Notification.address, Notification.fields,
                          Notification.idempotency_key, Notification.attempts)
                   .where(Notification.claimed_by == token, Notification.status == SENDING).order_by(Notification.id))]
    # Ends the read, so that the next write starts its own transaction (SQLite: no lock upgrade to wait on).
    db.session.commit()
    return claimed


def back_off(attempts: int) -> timedelta:
    """The wait before try number attempts + 1: the base doubling each time, at most a day."""
    return min(timedelta(seconds=_setting("NOTIFICATIONS_RETRY_SECONDS") * 2 ** max(0, attempts - 1)),
               timedelta(days=1))


def _finish(row: Claimed, token: str, **values) -> None:
    # Only while this run still holds the row: one swept to unknown belongs to whoever claims it next.
    db.session.execute(update(Notification).where(Notification.id == row.id, Notification.claimed_by == token)
                       .values(**values).execution_options(synchronize_session=False))
    db.session.commit()


def send_one(row: Claimed, now: datetime, channel: providers.Channel) -> str:
    """Hand one claimed row to the provider and record what happened: its new status."""
    token = row.claimed_by
    outgoing = providers.Outgoing(kind=row.kind, address=row.address, fields=row.fields,
                                  message_id=outbox.message_id(row.idempotency_key, providers.mail_domain()),
                                  reference=outbox.reference(row.idempotency_key))
    provider = current_app.config.get("MAIL_PROVIDER", "log")
    try:
        reference = channel.send(outgoing)
    except providers.Temporary as error:
        if row.attempts >= _setting("NOTIFICATIONS_MAX_ATTEMPTS"):
            _finish(row, token, status=FAILED, fields={}, claimed_by=None, provider=provider,
                    last_error=f"{error} (gave up after {row.attempts} tries)", updated_at=now)
            return FAILED
        _finish(row, token, status=QUEUED, claimed_by=None, provider=provider, last_error=str(error),
                next_attempt_at=now + back_off(row.attempts), updated_at=now)
        return QUEUED
    except providers.Permanent as error:
        _finish(row, token, status=FAILED, fields={}, claimed_by=None, provider=provider,
                last_error=str(error), updated_at=now)
        log.warning("Notification %s (%s) failed for good: %s", row.id, row.kind, error)
        return FAILED
    _finish(row, token, status=SENT, fields={}, claimed_by=None, provider=provider,
            provider_reference=reference, sent_at=now, updated_at=now, last_error=None)
    return SENT


def drain(limit: int | None = None) -> dict[str, int]:
    """Send what is due, batch after batch, until nothing is due (or `limit` rows were tried):
    how many rows ended in each status."""
    counts: dict[str, int] = {}
    mark_abandoned(appraisal_year.now())
    tried = 0
    with providers.Channel() as channel:
        while limit is None or tried < limit:
            rows = claim(appraisal_year.now(), BATCH if limit is None else min(BATCH, limit - tried))
            if not rows:
                break
            for row in rows:
                status = send_one(row, appraisal_year.now(), channel)
                counts[status] = counts.get(status, 0) + 1
            tried += len(rows)
    return counts
