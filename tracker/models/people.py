"""People, their roles and the units a manager has scope over."""
from __future__ import annotations

import secrets
from datetime import datetime
from typing import Optional

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models._types import LabelledEnum, TZDateTime, enum_column_type, utcnow
from tracker.models.org import OrganisationUnit


class StaffGroup(LabelledEnum):
    """NHS workforce (ESR) staff groups; the stored value is the words shown."""

    ADD_PROF_SCIENTIFIC = "Add Prof Scientific and Technic"
    ADDITIONAL_CLINICAL = "Additional Clinical Services"
    ADMIN_CLERICAL = "Administrative and Clerical"
    ALLIED_HEALTH = "Allied Health Professionals"
    ESTATES_ANCILLARY = "Estates and Ancillary"
    HEALTHCARE_SCIENTISTS = "Healthcare Scientists"
    MEDICAL_DENTAL = "Medical and Dental"
    NURSING_MIDWIFERY = "Nursing and Midwifery Registered"
    STUDENTS = "Students"


class Role(LabelledEnum):
    """Roles beyond staff: every signed-in person is staff."""

    MANAGER = ("manager", "Manager")
    EDUCATION_LEAD = ("education_lead", "Education lead")
    ADMIN = ("admin", "Admin")


TIERS = (1, 2, 3)


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class Person(UserMixin, db.Model):
    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_number: Mapped[Optional[str]] = mapped_column(String(20), unique=True)
    # Stored lower-cased so uniqueness ignores case on every database. None: imported without
    # one, so they cannot sign in until they get one.
    email: Mapped[Optional[str]] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    job_title: Mapped[str] = mapped_column(String(200), default="")
    staff_group: Mapped[StaffGroup] = mapped_column(enum_column_type(StaffGroup, 60), index=True)
    tier: Mapped[int] = mapped_column(index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("organisation_unit.id"), index=True)
    line_manager_id: Mapped[Optional[int]] = mapped_column(ForeignKey("person.id"), index=True)
    password_hash: Mapped[Optional[str]] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    # Came from a workforce-system import: only such people may be deactivated by one.
    from_import: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Each session records a hash of it (models/sessions.py): rotating it ends every session of this person.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    # Locked after too many wrong passwords (tracker/auth/guard.py) until a reset or an admin's
    # unlock; failures before the last unlock no longer count towards the next lock.
    sign_in_locked_at: Mapped[Optional[datetime]] = mapped_column(TZDateTime)
    sign_in_unlocked_at: Mapped[Optional[datetime]] = mapped_column(TZDateTime)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    # Set when the person was erased (tracker/erasure.py): the row stays, anonymous, for closed years.
    erased_at: Mapped[Optional[datetime]] = mapped_column(TZDateTime)

    team: Mapped[OrganisationUnit] = relationship()
    line_manager: Mapped[Optional["Person"]] = relationship(remote_side=[id])
    role_grants: Mapped[list["PersonRole"]] = relationship(
        back_populates="person", cascade="all, delete-orphan", lazy="selectin"
    )
    scopes: Mapped[list["ManagerScope"]] = relationship(
        back_populates="person", cascade="all, delete-orphan", lazy="selectin"
    )

    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        CheckConstraint("tier in (1, 2, 3)", name="tier_valid"),
    )

    @property
    def roles(self) -> set[Role]:
        return {grant.role for grant in self.role_grants}

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive people
        return bool(self.active)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def rotate_session_token(self) -> None:
        self.session_token = new_session_token()

    def __repr__(self) -> str:
        return f"<Person {self.id} {self.email}>"


class PersonRole(db.Model):
    __tablename__ = "person_role"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    role: Mapped[Role] = mapped_column(enum_column_type(Role, 20), primary_key=True)

    person: Mapped[Person] = relationship(back_populates="role_grants")


class ManagerScope(db.Model):
    """A manager sees everything under each unit they hold scope over."""

    __tablename__ = "manager_scope"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("organisation_unit.id"), primary_key=True, index=True)

    person: Mapped[Person] = relationship(back_populates="scopes")
    unit: Mapped[OrganisationUnit] = relationship(lazy="joined")
