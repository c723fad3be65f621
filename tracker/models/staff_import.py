"""What an admin told the staff importer once and it remembers: which file heading means which
field, and the tier each staff group gets when a file has no tier column."""
from __future__ import annotations

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db
from tracker.models._types import enum_column_type
from tracker.models.people import StaffGroup


class ImportHeading(db.Model):
    """A file heading (normalised: lower case, words only) the admin mapped to a field."""

    __tablename__ = "import_heading"

    heading: Mapped[str] = mapped_column(String(200), primary_key=True)
    field: Mapped[str] = mapped_column(String(40))


class StaffGroupTier(db.Model):
    """The tier a staff group gets when the file says none (absent: the importer's default)."""

    __tablename__ = "staff_group_tier"

    staff_group: Mapped[StaffGroup] = mapped_column(enum_column_type(StaffGroup, 60), primary_key=True)
    tier: Mapped[int]

    __table_args__ = (CheckConstraint("tier in (1, 2, 3)", name="tier_valid"),)
