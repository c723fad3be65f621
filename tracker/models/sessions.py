"""Signed-in sessions: one row per sign-in, so that each can be listed and ended on its own."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db
from tracker.models._types import TZDateTime, utcnow


class UserSession(db.Model):
    """One signed-in session. The cookie carries a random key; only its hash is kept, so the table
    read by anyone opens no session. An ended session stays ended: nothing sets ended_at back."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    # A hash of the person's session token when the session began: rotating that token (leaving,
    # a change of roles or password) ends every session made before it.
    generation: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    ended_at: Mapped[Optional[datetime]] = mapped_column(TZDateTime)
    # idle, absolute, signed_out, everywhere, other_device, replaced
    ended_reason: Mapped[Optional[str]] = mapped_column(String(20))
    client_address: Mapped[Optional[str]] = mapped_column(String(64))
    user_agent: Mapped[str] = mapped_column(String(300), default="")
