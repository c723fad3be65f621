"""What managers do to make development happen, and the reminders they send."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db
from tracker.models._types import LabelledEnum, TZDateTime, enum_column_type, utcnow


class LeadershipActionKind(LabelledEnum):
    PROTECTED_TIME = ("protected_time", "Protected learning time given")
    TEAM_SESSION = ("team_session", "Team communication-skills session held")
    DEBRIEF_OR_SCHWARTZ = ("debrief_or_schwartz", "Debrief or Schwartz round facilitated")
    COURSE_PLACES = ("course_places", "Places booked on a course")
    OBSERVATION_ARRANGED = ("observation_arranged", "Observation with feedback arranged")


class LeadershipAction(db.Model):
    __tablename__ = "leadership_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    manager_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organisation_unit.id"), index=True)
    kind: Mapped[LeadershipActionKind] = mapped_column(enum_column_type(LeadershipActionKind, 30))
    occurred_on: Mapped[date]
    hours: Mapped[Optional[Decimal]] = mapped_column(Numeric(6, 2))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class Notice(db.Model):
    """An in-app reminder shown on a person's My year page."""

    __tablename__ = "notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    sent_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("person.id"))
    sent_on: Mapped[date]
    message: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    dismissed_at: Mapped[Optional[datetime]] = mapped_column(TZDateTime)

    # A person gets at most one reminder a day.
    __table_args__ = (UniqueConstraint("person_id", "sent_on", name="uq_notice_person_day"),)
