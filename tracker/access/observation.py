"""Observed practice (part of tracker.access): who sees a request, and who reads its feedback.

- A request is its requester's alone to see, remind or cancel; another person's id is a 404.
- The feedback is read by the activity's author and by whoever decides the activity
  (access.decider_of): it is evidence, not a reflection, so it needs no permission from the author.
- Colleagues are offered by name and team only: active people, after at least three letters.
"""
from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from tracker.access import _one_or_404
from tracker.counting import live_activity
from tracker.extensions import db
from tracker.models import Activity, ObservationRequest, ObservationStatus, ObservedBehaviour, OrganisationUnit, Person

# Fewer letters would list half the organisation: a directory, not a way to find one colleague.
COLLEAGUE_LETTERS = 3
COLLEAGUES_SHOWN = 10


def own_observation_requests(viewer: Person) -> Select:
    """The viewer's own requests, about activities of theirs that have not been deleted."""
    return (select(ObservationRequest)
            .join(Activity, Activity.id == ObservationRequest.activity_id)
            .where(ObservationRequest.requester_id == viewer.id, Activity.owner_id == viewer.id, live_activity()))


def own_observation_request_for(viewer: Person, request_id: int) -> ObservationRequest:
    return _one_or_404(own_observation_requests(viewer).where(ObservationRequest.id == request_id))


def may_read_observations(viewer: Person, activity: Activity) -> bool:
    """The author, and the one person who decides the activity; nobody else."""
    from tracker.access.decider import decider_of

    if activity.owner_id == viewer.id:
        return True
    decider = decider_of(activity)
    return decider is not None and decider.id == viewer.id


def answered_observations(viewer: Person, activity: Activity) -> list[ObservationRequest]:
    """The answered requests of the activity when the viewer may read them, else none."""
    if not may_read_observations(viewer, activity):
        return []
    return list(db.session.scalars(
        select(ObservationRequest)
        .where(ObservationRequest.activity_id == activity.id, ObservationRequest.status == ObservationStatus.ANSWERED)
        # What each observer saw, loaded for all of them at once (never a query per request).
        .options(selectinload(ObservationRequest.observed).selectinload(ObservedBehaviour.behaviour))
        .order_by(ObservationRequest.answered_at, ObservationRequest.id)))


def colleague_names(viewer: Person, typed: str) -> Select:
    """(name, team name) of active people, other than the viewer, whose name holds `typed`:
    nothing for fewer than three letters. Never an e-mail address or any other detail."""
    typed = (typed or "").strip()
    names = (select(Person.name, OrganisationUnit.name.label("team_name"))
             .join(OrganisationUnit, OrganisationUnit.id == Person.team_id)
             .where(Person.active.is_(True), Person.id != viewer.id)
             .order_by(Person.name).limit(COLLEAGUES_SHOWN))
    if sum(ch.isalpha() for ch in typed) < COLLEAGUE_LETTERS:
        return names.where(False)
    pattern = "%" + typed.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return names.where(Person.name.ilike(pattern, escape="\\"))
