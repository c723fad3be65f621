"""A person's second factor: the authenticator app's secret and the recovery codes."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db
from tracker.models._types import TZDateTime, utcnow


class SecondFactor(db.Model):
    """One per person. The TOTP secret is kept as the app needs it to check codes; until the person
    types a first right code (enrolled_at set) it is only a secret being set up."""

    __tablename__ = "second_factor"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    enrolled_at: Mapped[Optional[datetime]] = mapped_column(TZDateTime)
    # The 30-second step of the last code accepted: a code of that step or earlier is never taken again.
    last_used_step: Mapped[Optional[int]] = mapped_column(BigInteger)
    # Wrong codes in a row, and when the last was typed (seconds on mfa.now()): kept here, not in
    # the browser's session cookie, which an attacker could send again from before their guesses.
    refused_codes: Mapped[int] = mapped_column(default=0, server_default="0")
    refused_at: Mapped[Optional[int]] = mapped_column(BigInteger)


class RecoveryCode(db.Model):
    """A single-use code for when the authenticator app is lost; only a salted scrypt hash is kept."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(200))
    used_at: Mapped[Optional[datetime]] = mapped_column(TZDateTime)
