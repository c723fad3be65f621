"""The annual requirement and the compliance target, kept by education leads, per appraisal year.

Each row applies from its `from_year` (an appraisal year's start year) until a later row for the
same tier replaces it, so a new year starts with the previous year's rules and changing this
year's rules leaves every earlier year as it was. FROM_THE_START marks rules in force before any
year was set on its own (the rows a new installation starts with).
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import Boolean, ForeignKey, Integer, Numeric
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db
from tracker.models._types import TZDateTime, utcnow

FROM_THE_START = 0


class RequirementRule(db.Model):
    __tablename__ = "requirement_rule"

    from_year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, default=FROM_THE_START)
    tier: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    min_experiential_activities: Mapped[int]
    min_hours: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=0)
    min_behaviours: Mapped[int]
    needs_leadership_behaviour: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow, onupdate=utcnow)


class ComplianceTarget(db.Model):
    """The compliance target and the width of the amber band below it, from a year on."""

    __tablename__ = "compliance_target"

    from_year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    percent: Mapped[int] = mapped_column(Integer)
    amber_band: Mapped[int] = mapped_column(Integer, default=15)
    updated_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("person.id"))


# The product's sensible defaults; loaded with the demo data and by `flask framework import`.
DEFAULT_RULES = {
    1: dict(min_experiential_activities=1, min_hours=Decimal(0), min_behaviours=2, needs_leadership_behaviour=False),
    2: dict(min_experiential_activities=2, min_hours=Decimal(3), min_behaviours=4, needs_leadership_behaviour=False),
    3: dict(min_experiential_activities=2, min_hours=Decimal(6), min_behaviours=6, needs_leadership_behaviour=True),
}
DEFAULT_AMBER_BAND = 15
