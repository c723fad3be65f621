"""Activities people log, the vocabulary and catalogue they draw on, and exemptions."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.durations import minutes_to_hours
from tracker.extensions import db
from tracker.models._types import LabelledEnum, TZDateTime, enum_column_type, utcnow
from tracker.models.framework import Behaviour
from tracker.models.people import Person


class ActivityStatus(LabelledEnum):
    DRAFT = ("draft", "Draft")
    SUBMITTED = ("submitted", "Submitted")
    RETURNED = ("returned", "Returned")
    SIGNED_OFF = ("signed_off", "Signed off")


class ReflectionModel(LabelledEnum):
    """The stored value names the model; its prompts and hints are in portfolio/reflection.py."""

    WHAT_SO_WHAT = ("what_so_what", "What? So what? Now what?")
    GIBBS = ("gibbs", "Gibbs reflective cycle")
    REVALIDATION = ("revalidation", "Revalidation reflective account")


class LinkStatusMixin:
    """What the link checker last found at this row's URL."""

    link_status: Mapped[Optional[int]] = mapped_column(Integer)
    link_ok: Mapped[Optional[bool]] = mapped_column(Boolean)
    link_final_url: Mapped[Optional[str]] = mapped_column(String(1000))
    link_error: Mapped[Optional[str]] = mapped_column(String(300))
    link_checked_at: Mapped[Optional[datetime]] = mapped_column(TZDateTime)


class ActivityType(db.Model):
    __tablename__ = "activity_type"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    label: Mapped[str] = mapped_column(String(200))
    # Only experiential, workplace-based types count toward the annual requirement.
    experiential: Mapped[bool] = mapped_column(Boolean, default=True)
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)


course_behaviour = Table(
    "course_behaviour",
    db.metadata,
    Column("course_id", ForeignKey("course.id"), primary_key=True),
    Column("behaviour_id", ForeignKey("behaviour.id"), primary_key=True, index=True),
)


class Course(LinkStatusMixin, db.Model):
    __tablename__ = "course"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    provider: Mapped[str] = mapped_column(String(300), default="")
    format: Mapped[str] = mapped_column(String(20))  # face-to-face | virtual | e-learning
    level: Mapped[str] = mapped_column(String(20))  # foundation | intermediate | advanced
    duration_hours: Mapped[Optional[Decimal]] = mapped_column(Numeric(6, 2))
    url: Mapped[str] = mapped_column(String(1000), default="")
    experiential: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str] = mapped_column(Text, default="")
    retired: Mapped[bool] = mapped_column(Boolean, default=False)

    behaviours: Mapped[list[Behaviour]] = relationship(secondary=course_behaviour)


activity_behaviour = Table(
    "activity_behaviour",
    db.metadata,
    Column("activity_id", ForeignKey("activity.id"), primary_key=True),
    Column("behaviour_id", ForeignKey("behaviour.id"), primary_key=True, index=True),
)


class Activity(db.Model):
    __tablename__ = "activity"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    occurred_on: Mapped[date]
    title: Mapped[str] = mapped_column(String(200))
    type_id: Mapped[int] = mapped_column(ForeignKey("activity_type.id"), index=True)
    duration_minutes: Mapped[int] = mapped_column(default=0)
    course_id: Mapped[Optional[int]] = mapped_column(ForeignKey("course.id"), index=True)
    reflection_model: Mapped[Optional[ReflectionModel]] = mapped_column(enum_column_type(ReflectionModel, 20))
    # One entry per prompt of the chosen model, e.g. {"what": "...", "so_what": "..."}.
    reflection: Mapped[dict] = mapped_column(JSON, default=dict)
    manager_may_read: Mapped[bool] = mapped_column(Boolean, default=False)
    # An observer answered a request about it. Kept apart from the requests so that a closed year's
    # count of observed practice stands when erasure removes the feedback (tracker.erasure).
    observed: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    status: Mapped[ActivityStatus] = mapped_column(
        enum_column_type(ActivityStatus, 20), default=ActivityStatus.DRAFT
    )
    submitted_at: Mapped[Optional[datetime]] = mapped_column(TZDateTime)
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("person.id"))
    decided_at: Mapped[Optional[datetime]] = mapped_column(TZDateTime)
    feedback: Mapped[Optional[str]] = mapped_column(Text)
    # Its behaviours' codes in one cell, kept by tracker.activity_codes for the activities export.
    behaviour_codes: Mapped[Optional[str]] = mapped_column(Text)
    deleted_at: Mapped[Optional[datetime]] = mapped_column(TZDateTime)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow, onupdate=utcnow)
    # The random key of the form that created it: the same form sent again (a retry after a
    # dropped connection) finds this activity instead of creating a second.
    creation_key: Mapped[Optional[str]] = mapped_column(String(64))

    owner: Mapped[Person] = relationship(foreign_keys=[owner_id])
    decided_by: Mapped[Optional[Person]] = relationship(foreign_keys=[decided_by_id])
    activity_type: Mapped[ActivityType] = relationship()
    course: Mapped[Optional[Course]] = relationship()
    behaviours: Mapped[list[Behaviour]] = relationship(secondary=activity_behaviour)
    evidence_files: Mapped[list["EvidenceFile"]] = relationship(
        back_populates="activity", cascade="all, delete-orphan", order_by="EvidenceFile.id"
    )

    # No index on status alone: without planner statistics PostgreSQL took "status = 'signed_off'"
    # for a rare value and started the dashboards' plans from every signed-off activity; pages
    # reach activities through their owners. Only the waiting ones are looked up by status.
    __table_args__ = (Index("ix_activity_owner_occurred", "owner_id", "occurred_on"),
                      Index("ix_activity_owner_creation_key", "owner_id", "creation_key", unique=True),
                      # The sign-off queue's decisions still in their undo window (migration 0036).
                      Index("ix_activity_decided_by", "decided_by_id", "decided_at"),
                      Index("ix_activity_submitted", "owner_id", "occurred_on",
                            postgresql_where=text("status = 'submitted' AND deleted_at IS NULL"),
                            sqlite_where=text("status = 'submitted' AND deleted_at IS NULL")),
                      # The dashboards' count of observed practice (migration 0040).
                      Index("ix_activity_observed_signed_off", "owner_id", "occurred_on",
                            postgresql_where=text("observed IS true AND status = 'signed_off' AND deleted_at IS NULL"),
                            sqlite_where=text("observed IS 1 AND status = 'signed_off' AND deleted_at IS NULL")))

    @property
    def hours(self) -> Decimal:
        return minutes_to_hours(self.duration_minutes)

    @property
    def status_told(self) -> ActivityStatus:
        """The status its author's pages show (a decision only once it can no longer be undone)."""
        from tracker.counting import status_told_to_author  # counting reads this model

        return status_told_to_author(self)


class EvidenceFile(db.Model):
    __tablename__ = "evidence_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"), index=True)
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int]
    uploaded_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)

    activity: Mapped[Activity] = relationship(back_populates="evidence_files")


class ExemptionReason(LabelledEnum):
    LONG_TERM_ABSENCE = ("long_term_absence", "Long-term absence")
    PARENTAL_LEAVE = ("parental_leave", "Parental leave")
    NEW_STARTER = ("new_starter", "New starter")
    SECONDMENT = ("secondment", "Secondment")
    OTHER = ("other", "Other")


class Exemption(db.Model):
    __tablename__ = "exemption"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    reason: Mapped[ExemptionReason] = mapped_column(enum_column_type(ExemptionReason, 30))
    reason_detail: Mapped[str] = mapped_column(String(300), default="")
    starts_on: Mapped[date]
    # None: open-ended (the manager does not yet know when it ends); in force from its start on.
    ends_on: Mapped[Optional[date]]
    recorded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    recorded_by: Mapped[Optional[Person]] = relationship(foreign_keys=[recorded_by_id])
