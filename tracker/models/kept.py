"""Figures of closed years, kept once computed: nothing dated in a closed year can change, so the
same question about it always has the same answer."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String
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
