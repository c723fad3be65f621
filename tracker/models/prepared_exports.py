"""Exports too long to stream while the browser waits: the requester asks, a worker writes the file
under UPLOAD_FOLDER/prepared-exports/, an e-mail says it is ready, and only the requester may
download it, for 7 days (tracker/reports/prepared.py)."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db
from tracker.models._types import TZDateTime, utcnow

# A row's life: requested -> preparing -> ready -> expired (its file removed), or failed.
REQUESTED, PREPARING, READY, FAILED, EXPIRED = "requested", "preparing", "ready", "failed", "expired"
STATUSES = (REQUESTED, PREPARING, READY, FAILED, EXPIRED)


class PreparedExport(db.Model):
    __tablename__ = "prepared_export"
    __table_args__ = (Index("ix_prepared_export_requester", "requester_id", "created_at"),
                      Index("ix_prepared_export_due", "status", "expires_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    kind: Mapped[str] = mapped_column(String(40))  # the export's key in tracker.reports.exporting.EXPORTS
    format: Mapped[str] = mapped_column(String(4))
    filters: Mapped[dict] = mapped_column(JSON, default=dict)  # the report's filters as URL arguments
    status: Mapped[str] = mapped_column(String(10), default=REQUESTED)
    estimated_rows: Mapped[int] = mapped_column(BigInteger, default=0)
    rows: Mapped[Optional[int]] = mapped_column(BigInteger)
    size_bytes: Mapped[Optional[int]] = mapped_column(BigInteger)
    # The name on disk (random, never the download name) and the name the browser is given.
    stored_name: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    file_name: Mapped[Optional[str]] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    ready_at: Mapped[Optional[datetime]] = mapped_column(TZDateTime)
    expires_at: Mapped[Optional[datetime]] = mapped_column(TZDateTime)
