"""The observer's side: opening the link and answering once. The answer is attached to the
activity as evidence, and the behaviours seen are ticked on it while its author can still
change it (they may untick them before submitting). Nothing here commits."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update

from tracker.audit import record
from tracker.extensions import db
from tracker.models import ObservationRequest, ObservationStatus, SeenScale
from tracker.observation import links
from tracker.observation.requests import OPEN_TO_CHANGE, check_text
from tracker.refusal import Refused

UNUSABLE = "This link cannot be used"
TEXT_LENGTH = 3000


@dataclass
class Answer:
    seen: dict[int, str]  # behaviour id -> scale value as sent
    comments: dict[int, str]
    went_well: str
    try_next: str
    name: str
    role: str


def seen_field(behaviour_id: int) -> str:
    return f"seen_{behaviour_id}"


def comment_field(behaviour_id: int) -> str:
    return f"comment_{behaviour_id}"


def open_link(request: ObservationRequest) -> None:
    """The observer opened the form: the first time turns "sent" into "opened"; every view is audited."""
    if request.status == ObservationStatus.SENT:
        request.status = ObservationStatus.OPENED
        request.opened_at = links.now()
    record(None, "observation.link_opened", person=request.requester_id, activity=request.activity_id,
           request=request.id)


def answer(token: str, given: Answer) -> ObservationRequest:
    """Keep the observer's answer and close the link. Refused per field for a missing scale or
    text with an NHS number; Refused with UNUSABLE when the link cannot be used (another request
    may have answered it first)."""
    moment = links.now()
    request = links.usable_request(token, moment)
    if request is None:
        raise Refused(UNUSABLE)
    errors: dict[str, str] = {}
    scale = {s.value: s for s in SeenScale}
    for observed in request.observed:
        bid = observed.behaviour_id
        chosen = scale.get(given.seen.get(bid) or "")
        if chosen is None:
            errors[seen_field(bid)] = "Choose what you saw of this behaviour"
        observed.seen = chosen
        observed.comment = check_text(errors, comment_field(bid), given.comments.get(bid, ""), "A comment",
                                      TEXT_LENGTH) or None
    request.went_well = check_text(errors, "went_well", given.went_well, "What went well", TEXT_LENGTH,
                                   "Enter what went well")
    request.try_next = check_text(errors, "try_next", given.try_next, "What to try next time", TEXT_LENGTH)
    request.answered_name = check_text(errors, "answered_name", given.name, "Your name", 200, "Enter your name")
    request.answered_role = check_text(errors, "answered_role", given.role, "Your role", 200, "Enter your role")
    if errors:
        raise Refused(errors)
    # Used once: the WHERE re-checks, so two answers racing with one link cannot both be kept.
    kept = db.session.execute(update(ObservationRequest)
                              .where(ObservationRequest.id == request.id, *links.still_open(moment))
                              .values(status=ObservationStatus.ANSWERED, answered_at=moment)
                              .execution_options(synchronize_session=False))
    if kept.rowcount != 1:
        raise Refused(UNUSABLE)
    request.status, request.answered_at = ObservationStatus.ANSWERED, moment
    request.activity.observed = True  # what the counts read (tracker.observation.counts)
    _tick_seen_behaviours(request)
    record(None, "observation.answered", person=request.requester_id, activity=request.activity_id,
           request=request.id)
    return request


def _tick_seen_behaviours(request: ObservationRequest) -> None:
    activity = request.activity
    if activity.status not in OPEN_TO_CHANGE:
        return  # submitted or decided: the author's mapping is not changed under the decider
    have = {b.id for b in activity.behaviours}
    for observed in request.observed:
        if observed.seen not in (None, SeenScale.NOT_SEEN) and observed.behaviour_id not in have:
            activity.behaviours.append(observed.behaviour)
