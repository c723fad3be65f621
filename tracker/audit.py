"""Write to the audit trail. Services call record(); the request boundary commits."""
from __future__ import annotations

from tracker.extensions import db
from tracker.models import AuditEvent


def record(actor, action: str, *, person=None, activity=None, **detail) -> AuditEvent:
    """Add one audit event: who (actor), what (action), about whom / which activity, and details.

    Never put reflection text, NHS numbers or passwords in `detail`.
    """
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        action=action,
        person_id=getattr(person, "id", person if isinstance(person, int) else None),
        activity_id=getattr(activity, "id", activity if isinstance(activity, int) else None),
        detail=detail,
    )
    db.session.add(event)
    return event
