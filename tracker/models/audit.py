"""The audit trail: who did or saw what, and when."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db
from tracker.models._types import TZDateTime, utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow, index=True)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("person.id"), index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    # The person the event is about (whose reflection was read, who was exempted ...).
    person_id: Mapped[Optional[int]] = mapped_column(ForeignKey("person.id"), index=True)
    activity_id: Mapped[Optional[int]] = mapped_column(ForeignKey("activity.id"))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
