"""Figures of closed years, kept once computed: nothing dated in a closed year can change, so the
same question about it always has the same answer."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db
from tracker.models._types import TZDateTime, utcnow


class KeptFigure(db.Model):
    __tablename__ = "kept_figure"

    # A hash of the question: the figure's kind, the year, its rules and framework, and the exact
    # SQL (with its parameters) that chooses the people counted.
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    figure: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class PersonYearFigures(db.Model):
    """What counts toward the rule for one person in one appraisal year, kept up to date by
    tracker.figures.upkeep in the transaction of every change to their activities. Figures only:
    the status is decided when read (tier, exemptions and today are applied then)."""

    __tablename__ = "person_year_figures"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True, autoincrement=False)
    start_year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    logged: Mapped[int] = mapped_column(Integer, default=0)
    pending_activities: Mapped[int] = mapped_column(Integer, default=0)
    s_activities: Mapped[int] = mapped_column(Integer, default=0)
    s_minutes: Mapped[int] = mapped_column(Integer, default=0)
    s_behaviours: Mapped[int] = mapped_column(Integer, default=0)
    s_leadership: Mapped[int] = mapped_column(Integer, default=0)
    p_activities: Mapped[int] = mapped_column(Integer, default=0)
    p_minutes: Mapped[int] = mapped_column(Integer, default=0)
    p_behaviours: Mapped[int] = mapped_column(Integer, default=0)
    p_leadership: Mapped[int] = mapped_column(Integer, default=0)
    last_activity_on: Mapped[Optional[date]] = mapped_column(Date)
    # The first month (0 the year's first) by whose end the signed-off figures meet each tier's rule,
    # so a tier change needs no recomputation; NULL while they do not.
    complete_month_1: Mapped[Optional[int]] = mapped_column(Integer)
    complete_month_2: Mapped[Optional[int]] = mapped_column(Integer)
    complete_month_3: Mapped[Optional[int]] = mapped_column(Integer)

    __table_args__ = (Index("ix_person_year_figures_start_year", "start_year", "person_id"),)


class FiguresRebuild(db.Model):
    """A year whose kept figures are being recomputed after a rule or framework change: until the
    row goes, readers compute that year from the activities and pages say so."""

    __tablename__ = "figures_rebuild"

    start_year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    asked_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
