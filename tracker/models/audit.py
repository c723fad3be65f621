"""The audit trail: who did or saw what, about whom, when and from where.

Rows never name a person directly: they carry pseudonymous subject ids, and AuditSubject maps
each id to its person. Erasing a person removes their mapping only; every audit row stays as
it was written (the trail is append-only)."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import DDL, JSON, ForeignKey, Index, String, event, select
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db
from tracker.models._types import TZDateTime, utcnow

SUBJECT_ID_LENGTH = 32


class AuditSubject(db.Model):
    """A person's stable pseudonym in the audit trail (random, never derived from the person)."""
    __tablename__ = "audit_subject"

    subject_id: Mapped[str] = mapped_column(String(SUBJECT_ID_LENGTH), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), unique=True)


def _person_of(subject_id) -> Optional[int]:
    if subject_id is None:
        return None
    return db.session.scalar(select(AuditSubject.person_id).where(AuditSubject.subject_id == subject_id))


class AuditEvent(db.Model):
    __tablename__ = "audit_event"
    # Filters read "newest first" within one action or one subject: each index serves both.
    __table_args__ = (
        Index("ix_audit_event_action_time", "action", "occurred_at"),
        Index("ix_audit_event_actor_time", "actor_subject_id", "occurred_at"),
        Index("ix_audit_event_about_time", "about_subject_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow, index=True)
    # Who acted (None: the command line or a scheduled job).
    actor_subject_id: Mapped[Optional[str]] = mapped_column(String(SUBJECT_ID_LENGTH))
    action: Mapped[str] = mapped_column(String(60))
    # The person the event is about (whose reflection was read, who was exempted ...).
    about_subject_id: Mapped[Optional[str]] = mapped_column(String(SUBJECT_ID_LENGTH))
    # No foreign key: erasing an activity must not have to edit the trail.
    activity_id: Mapped[Optional[int]] = mapped_column(index=True)
    # The client's address as the request saw it (None outside a request).
    client_address: Mapped[Optional[str]] = mapped_column(String(64))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)

    # Read-only: the person behind each subject id while the mapping exists (None once erased).
    # For tests and one-off reads; list pages join AuditSubject instead of asking per row.
    @hybrid_property
    def actor_id(self) -> Optional[int]:
        return _person_of(self.actor_subject_id)

    @actor_id.inplace.expression
    @classmethod
    def _actor_id_expression(cls):
        return (select(AuditSubject.person_id).where(AuditSubject.subject_id == cls.actor_subject_id)
                .scalar_subquery())

    @hybrid_property
    def person_id(self) -> Optional[int]:
        return _person_of(self.about_subject_id)

    @person_id.inplace.expression
    @classmethod
    def _person_id_expression(cls):
        return (select(AuditSubject.person_id).where(AuditSubject.subject_id == cls.about_subject_id)
                .scalar_subquery())


# The database itself refuses to change or remove an event, whatever code asks. The same statements
# are in migration 0008 (which must not import this module); tables made by create_all get them here.
APPEND_ONLY_MESSAGE = "the audit trail is append-only"
APPEND_ONLY_DDL = {
    "sqlite": [
        f"CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event "
        f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
        for verb in ("UPDATE", "DELETE")
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'; END $$",
        "CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
        "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()",
    ],
}
for _dialect, _statements in APPEND_ONLY_DDL.items():
    for _statement in _statements:
        event.listen(AuditEvent.__table__, "after_create", DDL(_statement).execute_if(dialect=_dialect))
