"""Observed practice in "Download your data": the requests a person made and the feedback they
received. The observer's words are about the person's own practice, so they are the person's data
here (and never in an organisation report). Read-only."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import ObservationRequest, ObservedBehaviour, Person
from tracker.observation import links


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def requests_made(person: Person) -> list[dict]:
    """Every request the person made (about deleted activities too, as those are exported), each
    with its status as their activity page reads it now and the feedback once answered: three
    queries however many.
    The link's token is never kept, so never exported; the observer's address is, as the person typed it."""
    moment = links.now()
    found = db.session.scalars(
        select(ObservationRequest).where(ObservationRequest.requester_id == person.id)
        .options(selectinload(ObservationRequest.observed).selectinload(ObservedBehaviour.behaviour))
        .order_by(ObservationRequest.created_at, ObservationRequest.id))
    return [{
        "activity_id": request.activity_id,
        "observer_name": request.observer_name,
        "observer_email": request.observer_email,
        "situation_note": request.situation_note,
        "status": request.status_at(moment).value,
        "asked_at": _iso(request.created_at),
        "expires_at": _iso(request.expires_at),
        "opened_at": _iso(request.opened_at),
        "reminded": request.reminded,
        "cancelled_at": _iso(request.cancelled_at),
        "answered_at": _iso(request.answered_at),
        "feedback": None if request.answered_at is None else {
            "observer_name": request.answered_name,
            "observer_role": request.answered_role,
            "what_went_well": request.went_well,
            "what_to_try_next_time": request.try_next,
            "behaviours": [{"code": observed.behaviour.code, "text": observed.behaviour.text,
                            "seen": observed.seen.label if observed.seen else None, "comment": observed.comment}
                           for observed in request.observed],
        },
    } for request in found]
