"""The notification outbox: one row per message to send, written in the transaction of the change
that causes it, and sent afterwards by tracker/notifications/sender.py."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from tracker.extensions import db
from tracker.models._types import TZDateTime, utcnow

if TYPE_CHECKING:
    from tracker.models.people import Person

# A row's life: queued → sending → sent, or back to queued (a temporary failure, after a wait),
# or failed (permanent, or out of attempts). A row left `sending` by a worker that died becomes
# unknown, and is sent again with the same message id so the provider or the mail client can drop
# the copy.
QUEUED, SENDING, SENT, FAILED, UNKNOWN = "queued", "sending", "sent", "failed", "unknown"
STATUSES = (QUEUED, SENDING, SENT, FAILED, UNKNOWN)


class Notification(db.Model):
    """One message to one person. `fields` holds only what the kind's template names (names, dates,
    counts, links): never reflection text, evidence or anything about a patient. They are cleared
    once the row is sent or has failed, so a token link does not outlive its sending."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    person_id: Mapped[Optional[int]] = mapped_column(ForeignKey("person.id"), index=True)
    address: Mapped[str] = mapped_column(String(254))
    fields: Mapped[dict] = mapped_column(JSON, default=dict)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(10), default=QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(TZDateTime)
    # Which sender run holds the row while `sending`, and since when.
    claimed_by: Mapped[Optional[str]] = mapped_column(String(32))
    claimed_at: Mapped[Optional[datetime]] = mapped_column(TZDateTime)
    provider: Mapped[Optional[str]] = mapped_column(String(10))
    provider_reference: Mapped[Optional[str]] = mapped_column(String(200))
    # The provider's words about the last failure (a status code and reason), never the message.
    last_error: Mapped[Optional[str]] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    sent_at: Mapped[Optional[datetime]] = mapped_column(TZDateTime)


# How a decider hears of submissions: one e-mail each, or one a day (notifications/preferences.py).
IMMEDIATELY, DAILY_DIGEST = "immediately", "daily_digest"


class NotificationPreference(db.Model):
    """What one person chose on "Notification settings". No row: the defaults (everything on,
    submissions one e-mail each), so people need no row until they change something."""

    __tablename__ = "notification_preference"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    submissions: Mapped[str] = mapped_column(String(20), default=IMMEDIATELY)
    decisions: Mapped[bool] = mapped_column(default=True)
    reminders: Mapped[bool] = mapped_column(default=True)
    year_end_reminders: Mapped[bool] = mapped_column(default=True)
    weekly_digest: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)

    # Person.notification_preference: a bulk job loads it with selectinload, so deciding per
    # person asks the database nothing more (None: the defaults).
    person: Mapped["Person"] = relationship(backref=backref("notification_preference", uselist=False, lazy="select"))
