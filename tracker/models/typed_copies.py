"""What a person has typed into the activity form and not yet saved, kept on the server (never in
the browser: ASVS 5.0.0 V14.3.3) so that it survives a closed tab, a lost connection or a session
that ended."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db
from tracker.models._types import TZDateTime, utcnow


class TypedCopy(db.Model):
    """One copy per person and form ("new", or "activity-<id>" for changing that activity).

    `page` is the random id of the form page that wrote it last. When that page's form is saved (or
    its copy forgotten) the fields are emptied but the page is remembered, so that a copy the same
    page sent a moment before, arriving late, is not kept as "not saved"."""

    __tablename__ = "typed_copy"
    __table_args__ = (UniqueConstraint("person_id", "form"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    form: Mapped[str] = mapped_column(String(40))
    page: Mapped[str] = mapped_column(String(64))
    # Field name -> typed value (a list for ticked boxes); None once saved or forgotten.
    fields: Mapped[Optional[dict]] = mapped_column(JSON)
    saved_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
