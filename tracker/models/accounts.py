"""Ways into an account that an admin hands out: single-use links to set a password."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db
from tracker.models._types import TZDateTime, utcnow


class SetPasswordLink(db.Model):
    """A link that lets one person set their password once before it expires. Only a hash of its
    token is kept, so the table read by anyone does not open any account."""

    __tablename__ = "set_password_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(TZDateTime)
    used_at: Mapped[Optional[datetime]] = mapped_column(TZDateTime)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("person.id"))
