"""The organisation tree: trust -> directorate (-> care group ...) -> team.

"Everything under this unit" is one indexed join on `unit_closure`, which holds a row
for every (ancestor, descendant) pair including each unit with itself. It behaves the
same on SQLite and PostgreSQL, unlike LIKE on a materialised path.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models._types import SINCE_EVER, LabelledEnum, TZDateTime, enum_column_type, utcnow


class UnitKind(LabelledEnum):
    ORGANISATION = ("organisation", "Organisation")
    DIRECTORATE = ("directorate", "Directorate")
    CARE_GROUP = ("care_group", "Care group")
    TEAM = ("team", "Team")


class UnitListVersion(db.Model):
    """One row whose token changes (to a new random value: a rolled-back change never brings an
    old token back) whenever a unit is added, renamed or removed (tracker.unit_list), so a process
    may keep the list of every unit until it does."""

    __tablename__ = "unit_list_version"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    token: Mapped[str] = mapped_column(String(32))


class OrganisationUnit(db.Model):
    __tablename__ = "organisation_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # The workforce system's organisation code, when known: imports match units by it.
    code: Mapped[Optional[str]] = mapped_column(String(40))
    kind: Mapped[UnitKind] = mapped_column(enum_column_type(UnitKind, 20))
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organisation_unit.id"), index=True)
    # The first day the unit no longer existed (tracker.organisation.close_unit); None while open.
    closed_on: Mapped[Optional[date]] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)

    parent: Mapped[Optional["OrganisationUnit"]] = relationship(remote_side=[id])

    __table_args__ = (Index("ix_organisation_unit_code", "code", unique=True),)

    @classmethod
    def is_open(cls):
        """SQL: the unit has not been closed (it is in today's tree)."""
        return cls.closed_on.is_(None)

    def __repr__(self) -> str:
        return f"<Unit {self.id} {self.name!r}>"


class UnitClosure(db.Model):
    """Dated, so that closed years keep the tree of their time: the current tree is the rows with
    no `ends_on` (`current()`); `models.history.in_force(UnitClosure, day)` gives any day's."""

    __tablename__ = "unit_closure"

    ancestor_id: Mapped[int] = mapped_column(ForeignKey("organisation_unit.id"), primary_key=True)
    descendant_id: Mapped[int] = mapped_column(ForeignKey("organisation_unit.id"), primary_key=True)
    starts_on: Mapped[date] = mapped_column(Date, primary_key=True, default=SINCE_EVER)
    ends_on: Mapped[Optional[date]] = mapped_column(Date)
    depth: Mapped[int] = mapped_column(default=0)

    __table_args__ = (Index("ix_unit_closure_descendant", "descendant_id", "ancestor_id"),)

    @classmethod
    def current(cls):
        """SQL: the row belongs to today's tree."""
        return cls.ends_on.is_(None)
