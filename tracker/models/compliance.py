"""The annual requirement, one rule per tier, kept by education leads."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, Numeric
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db
from tracker.models._types import TZDateTime, utcnow


class RequirementRule(db.Model):
    __tablename__ = "requirement_rule"

    tier: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    min_experiential_activities: Mapped[int]
    min_hours: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=0)
    min_behaviours: Mapped[int]
    needs_leadership_behaviour: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow, onupdate=utcnow)


# The product's sensible defaults; loaded with the demo data and by `flask framework import`.
DEFAULT_RULES = {
    1: dict(min_experiential_activities=1, min_hours=Decimal(0), min_behaviours=2, needs_leadership_behaviour=False),
    2: dict(min_experiential_activities=2, min_hours=Decimal(3), min_behaviours=4, needs_leadership_behaviour=False),
    3: dict(min_experiential_activities=2, min_hours=Decimal(6), min_behaviours=6, needs_leadership_behaviour=True),
}
