"""Adding to the outbox. A notification is a row written in the caller's transaction: when the
change that causes it is rolled back, nothing is sent. Nothing here commits."""
from __future__ import annotations

import hashlib

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from tracker import appraisal_year
from tracker.extensions import db
from tracker.models import Notification, Person
from tracker.models.notifications import QUEUED
from tracker.notifications import preferences
from tracker.notifications.messages import check_fields

# Set on the session when a row is queued; the request's commit then asks for a drain (dispatch.py).
QUEUED_IN_SESSION = "notifications_queued"


def queue(kind: str, recipient: Person | str, *, key: str, not_before: datetime | None = None,
          **fields) -> Notification | None:
    """Queue one message of `kind` to `recipient` (a person, or an address for someone who has no
    account, such as an observer), once per `key`: a second call with the same key returns the
    first row. None when there is no address, or the person chose not to receive this kind
    (preferences.wants, asked here so that every event honours it). A sender takes it from
    `not_before` on (default now)."""
    check_fields(kind, fields)
    if not isinstance(recipient, str) and not preferences.wants(recipient, kind):
        return None
    person_id, address = (None, recipient) if isinstance(recipient, str) else (recipient.id, recipient.email)
    if not address:
        return None
    existing = db.session.scalar(select(Notification).where(Notification.idempotency_key == key))
    if existing is not None:
        return existing
    now = appraisal_year.now()
    row = Notification(kind=kind, person_id=person_id, address=address, fields=fields,
                       idempotency_key=key, status="queued", attempts=0, next_attempt_at=not_before or now,
                       created_at=now, updated_at=now)
    try:
        with db.session.begin_nested():  # another transaction queued the same key first: keep theirs
            db.session.add(row)
    except IntegrityError:
        return db.session.scalar(select(Notification).where(Notification.idempotency_key == key))
    db.session.info[QUEUED_IN_SESSION] = True
    return row


def withdraw(key: str) -> bool:
    """Take back a message not yet sent (in the caller's transaction): whether there was one."""
    result = db.session.execute(delete(Notification).where(Notification.idempotency_key == key,
                                                           Notification.status == QUEUED)
                                .execution_options(synchronize_session=False))
    return bool(result.rowcount)


def message_id(key: str, domain: str) -> str:
    """The message's id at the provider, the same on every try: derived from the idempotency key
    (an SMTP Message-ID; Notify's `reference` is the part before the @)."""
    return f"<{reference(key)}@{domain}>"


def reference(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:40]
