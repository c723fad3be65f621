"""The organisation as it was: who was in post, where and at which tier, and the unit tree, by date.

Closed years are counted with the organisation of their reference day, so a move, tier change,
leaver or renamed unit recorded today never rewrites them. Each row holds from `starts_on` to
`ends_on` (both included; None while it still holds). Rows that were true before the tracker kept
history start on SINCE_EVER.
"""
from __future__ import annotations

from datetime import date
from typing import Optional

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db
from tracker.models._types import SINCE_EVER, enum_column_type  # noqa: F401 (re-exported)
from tracker.models.people import StaffGroup


class PersonPeriod(db.Model):
    """A stretch of days in post with one team, tier, staff group and line manager. No period
    covering a day: the person was not employed that day (not yet joined, or left)."""

    __tablename__ = "person_period"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[Optional[date]] = mapped_column(Date)
    team_id: Mapped[int] = mapped_column(ForeignKey("organisation_unit.id"))
    tier: Mapped[int]
    staff_group: Mapped[StaffGroup] = mapped_column(enum_column_type(StaffGroup, 60))
    # Dated like the team, so a closed year's export names the line manager of its reference day.
    line_manager_id: Mapped[Optional[int]] = mapped_column(ForeignKey("person.id"))

    __table_args__ = (
        Index("ix_person_period_person", "person_id", "starts_on"),
        # Every column the roster reads, so who was in post on a day comes from the index alone
        # (migration 0035 says what it cost before).
        Index("ix_person_period_team", "team_id", "starts_on", "ends_on", "person_id", "tier", "staff_group"),
    )


class UnitPeriod(db.Model):
    """A stretch of days in which a unit had one name and one parent."""

    __tablename__ = "unit_period"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("organisation_unit.id"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[Optional[date]] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organisation_unit.id"))

    __table_args__ = (Index("ix_unit_period_unit", "unit_id", "starts_on"),)


def in_force(model, day: date):
    """SQL: the dated row `model` (a period model or the closure) holds on `day`."""
    return (model.starts_on <= day) & ((model.ends_on.is_(None)) | (model.ends_on >= day))
