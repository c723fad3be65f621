"""What the activity pages show of observed practice (no request in here)."""
from __future__ import annotations

from dataclasses import dataclass

from tracker import access
from tracker.audit import record
from tracker.extensions import db
from tracker.models import Activity, ObservationRequest, ObservationStatus, Person
from tracker.observation import links
from tracker.observation.requests import OPEN_TO_CHANGE


@dataclass
class RequestRow:
    request: ObservationRequest
    status: ObservationStatus

    @property
    def may_remind(self) -> bool:
        return self.status in links.WAITING and not self.request.reminded

    @property
    def may_cancel(self) -> bool:
        return self.status in links.WAITING


def requests_of(viewer: Person, activity: Activity) -> list[RequestRow]:
    """The viewer's own requests about the activity, newest first, with the status they read as now."""
    moment = links.now()
    found = db.session.scalars(access.own_observation_requests(viewer)
                               .where(ObservationRequest.activity_id == activity.id)
                               .order_by(ObservationRequest.created_at.desc(), ObservationRequest.id.desc()))
    return [RequestRow(request, request.status_at(moment)) for request in found]


def may_ask(activity: Activity) -> bool:
    return activity.status in OPEN_TO_CHANGE


def feedback_shown(viewer: Person, activity: Activity) -> list[ObservationRequest]:
    """The answered observations the viewer reads on the activity's page (the author and its
    decider only); another person's reading is audited, as a reflection's is."""
    answered = access.answered_observations(viewer, activity)
    if answered and activity.owner_id != viewer.id:
        record(viewer, "observation.feedback_viewed", person=activity.owner_id, activity=activity.id)
    return answered
