"""Observed practice: a person asks a colleague to watch them; the colleague answers by a link."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models._types import LabelledEnum, TZDateTime, enum_column_type, utcnow
from tracker.models.activities import Activity
from tracker.models.framework import Behaviour
from tracker.models.people import Person


class ObservationStatus(LabelledEnum):
    """What the requester sees. EXPIRED is never stored: a sent or opened request past its
    expiry reads as expired (ObservationRequest.status_at)."""

    SENT = ("sent", "Sent")
    OPENED = ("opened", "Opened")
    ANSWERED = ("answered", "Answered")
    EXPIRED = ("expired", "Expired")
    CANCELLED = ("cancelled", "Cancelled")


class SeenScale(LabelledEnum):
    """What the observer saw of one behaviour (the words are the form's contract)."""

    NOT_SEEN = ("not_seen", "Not seen")
    DEVELOPING = ("developing", "Developing")
    CONSISTENT = ("consistent", "Consistent")
    ROLE_MODEL = ("role_model", "Role model")


class ObservationRequest(db.Model):
    """One request to one observer about one activity, and (once answered) their feedback.
    Only a hash of the link's token is kept."""

    __tablename__ = "observation_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"), index=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    observer_name: Mapped[str] = mapped_column(String(200))
    observer_email: Mapped[str] = mapped_column(String(254))
    situation_note: Mapped[str] = mapped_column(Text, default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[ObservationStatus] = mapped_column(enum_column_type(ObservationStatus, 20),
                                                      default=ObservationStatus.SENT)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(TZDateTime)
    opened_at: Mapped[Optional[datetime]] = mapped_column(TZDateTime)
    # Reminded once: a fresh link replaced the first (only the newest works).
    reminded: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    cancelled_at: Mapped[Optional[datetime]] = mapped_column(TZDateTime)
    # The answer: the observer's own name and role as they confirmed them, and their free text.
    answered_at: Mapped[Optional[datetime]] = mapped_column(TZDateTime)
    answered_name: Mapped[Optional[str]] = mapped_column(String(200))
    answered_role: Mapped[Optional[str]] = mapped_column(String(200))
    went_well: Mapped[Optional[str]] = mapped_column(Text)
    try_next: Mapped[Optional[str]] = mapped_column(Text)

    activity: Mapped[Activity] = relationship()
    requester: Mapped[Person] = relationship()
    observed: Mapped[list["ObservedBehaviour"]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="ObservedBehaviour.position")

    __table_args__ = (Index("ix_observation_request_activity_status", "activity_id", "status"),)

    def status_at(self, now: datetime) -> ObservationStatus:
        if self.status in (ObservationStatus.SENT, ObservationStatus.OPENED) and now >= _aware(self.expires_at):
            return ObservationStatus.EXPIRED
        return self.status


def _aware(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes for timezone-aware columns; they were stored in UTC."""
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class ObservedBehaviour(db.Model):
    """A behaviour the requester asked to be observed, and what the observer saw of it."""

    __tablename__ = "observed_behaviour"

    request_id: Mapped[int] = mapped_column(ForeignKey("observation_request.id"), primary_key=True)
    behaviour_id: Mapped[int] = mapped_column(ForeignKey("behaviour.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(default=0)
    seen: Mapped[Optional[SeenScale]] = mapped_column(enum_column_type(SeenScale, 20))
    comment: Mapped[Optional[str]] = mapped_column(Text)

    request: Mapped[ObservationRequest] = relationship(back_populates="observed")
    behaviour: Mapped[Behaviour] = relationship()
