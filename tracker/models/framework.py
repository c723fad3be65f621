"""A competence framework: framework (versioned) -> domains -> subjects -> behaviours.

Activities point at behaviour rows, and a new framework version gets new rows, so an
activity's mapping never changes when the framework does. Each appraisal year names the version
it is measured by (YearFramework, applying from its year on); a behaviour's `lineage_id` ties its
versions together so that a year counts evidence given under any version once, as its own.
"""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models._types import TZDateTime, utcnow


class Framework(db.Model):
    __tablename__ = "framework"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    version: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(Text)
    short_title: Mapped[str] = mapped_column(String(200))
    publisher: Mapped[str] = mapped_column(String(300), default="")
    source_url: Mapped[str] = mapped_column(String(500), default="")
    wording_note: Mapped[str] = mapped_column(Text, default="")
    # Set on the version last applied from the current year; the years' own versions are in
    # YearFramework (tracker.framework_years), this flag only answers while no year names one.
    is_current: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    imported_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)

    domains: Mapped[list["Domain"]] = relationship(
        back_populates="framework", order_by="Domain.position", cascade="all, delete-orphan"
    )

    __table_args__ = (UniqueConstraint("code", "version", name="uq_framework_code_version"),)


class Domain(db.Model):
    __tablename__ = "framework_domain"

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(default=0)

    framework: Mapped[Framework] = relationship(back_populates="domains")
    subjects: Mapped[list["Subject"]] = relationship(
        back_populates="domain", order_by="Subject.position", cascade="all, delete-orphan"
    )


class Subject(db.Model):
    __tablename__ = "framework_subject"

    id: Mapped[int] = mapped_column(primary_key=True)
    domain_id: Mapped[int] = mapped_column(ForeignKey("framework_domain.id"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    # Leadership subjects satisfy the tier 3 "one leadership behaviour" part of the rule.
    is_leadership: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(default=0)

    domain: Mapped[Domain] = relationship(back_populates="subjects")
    behaviours: Mapped[list["Behaviour"]] = relationship(
        back_populates="subject", order_by="Behaviour.position", cascade="all, delete-orphan"
    )


class Behaviour(db.Model):
    __tablename__ = "behaviour"

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("framework_subject.id"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(default=0)
    # The id of the first behaviour of its line (itself for a new one): the same behaviour in every
    # version. Set at import, right after the row is inserted, and never changed.
    lineage_id: Mapped[Optional[int]] = mapped_column()

    framework: Mapped[Framework] = relationship()
    subject: Mapped[Subject] = relationship(back_populates="behaviours")
    tier_links: Mapped[list["BehaviourTier"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    __table_args__ = (
        UniqueConstraint("framework_id", "code", name="uq_behaviour_framework_code"),
        # A line has one behaviour per version; also the index a year's counting joins on.
        Index("uq_behaviour_framework_lineage", "framework_id", "lineage_id", unique=True),
    )

    @property
    def tiers(self) -> list[int]:
        return sorted(link.tier for link in self.tier_links)


class BehaviourTier(db.Model):
    """Which tiers a behaviour applies to: a row per (behaviour, tier), so SQL can join on it."""

    __tablename__ = "behaviour_tier"

    behaviour_id: Mapped[int] = mapped_column(ForeignKey("behaviour.id"), primary_key=True)
    tier: Mapped[int] = mapped_column(primary_key=True, index=True)


class YearFramework(db.Model):
    """The framework version appraisal years are measured by, from `from_year` (a start year; 0 is
    FROM_THE_START) until a later row replaces it, like the requirement rules."""

    __tablename__ = "year_framework"

    from_year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id"))
    set_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    set_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("person.id"))

    framework: Mapped[Framework] = relationship()
