"""Write to the audit trail. Services call record(); the request boundary commits.

People appear in the trail only as subject ids (AuditSubject): record() maps an actor or a
person to theirs, creating it on first use; forget_subject() is erasure's one step here."""
from __future__ import annotations

import uuid

from flask import has_request_context, request
from sqlalchemy import Select, delete, select
from sqlalchemy.exc import IntegrityError

from tracker.extensions import db
from tracker.models import AuditEvent, AuditSubject, Person

# Longest address kept (IPv6 with a zone fits); anything longer is not an address.
ADDRESS_LENGTH = 64
USER_AGENT_LENGTH = 200


def record(actor, action: str, *, person=None, activity=None, **detail) -> AuditEvent:
    """Add one audit event: who (actor), what (action), about whom / which activity, and details,
    with the client's address when in a request.

    `actor`, `person`: a Person, a person id, or None. Never put reflection text, NHS numbers or
    passwords in `detail`.
    """
    event = AuditEvent(
        actor_subject_id=subject_id_of(_person_id(actor)),
        action=action,
        about_subject_id=subject_id_of(_person_id(person)),
        activity_id=getattr(activity, "id", activity if isinstance(activity, int) else None),
        client_address=client_address(),
        detail=detail,
    )
    db.session.add(event)
    return event


def _person_id(person) -> int | None:
    if person is None or isinstance(person, int) and not isinstance(person, bool):
        return person
    if getattr(person, "id", None) is None and person in db.session:
        db.session.flush()  # a person created in this transaction gets its id
    return getattr(person, "id", None)


def client_address() -> str | None:
    """The address the request came from. Behind a proxy this is the proxy's, unless the deployment
    trusts X-Forwarded-For through ProxyFix: the header itself is never read here."""
    if not has_request_context():
        return None
    return (request.remote_addr or "")[:ADDRESS_LENGTH] or None


def client_user_agent() -> str | None:
    """The browser's own description (User-Agent), cut short: security events keep it beside the address."""
    if not has_request_context():
        return None
    return (request.user_agent.string or "")[:USER_AGENT_LENGTH] or None


def subject_id_of(person_id: int | None) -> str | None:
    """The person's subject id, created on first use."""
    if person_id is None:
        return None
    found = db.session.scalar(select(AuditSubject.subject_id).where(AuditSubject.person_id == person_id))
    if found is not None:
        return found
    subject = AuditSubject(subject_id=uuid.uuid4().hex, person_id=person_id)
    try:
        # A savepoint: another request may map the same person at the same moment.
        with db.session.begin_nested():
            db.session.add(subject)
    except IntegrityError:
        return db.session.scalar(select(AuditSubject.subject_id).where(AuditSubject.person_id == person_id))
    return subject.subject_id


def forget_subject(person_id: int) -> None:
    """Erasure: the trail can no longer say who this person was. No audit row is touched."""
    db.session.execute(delete(AuditSubject).where(AuditSubject.person_id == person_id))


def events_with_actor_name() -> Select:
    """(AuditEvent, the actor's name) rows; the name is None for the command line or an erased person."""
    return (select(AuditEvent, Person.name)
            .outerjoin(AuditSubject, AuditSubject.subject_id == AuditEvent.actor_subject_id)
            .outerjoin(Person, Person.id == AuditSubject.person_id))
