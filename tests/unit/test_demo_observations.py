"""The demo's observed practice: requests in every state, answered ones attached to signed-off
activities and counted on the demo manager's dashboard, staff@example.org's feedback to show."""
from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import and_, exists, or_, select

from tracker.appraisal_year import year_containing
from tracker.demo import load_demo
from tracker.extensions import db
from tracker.models import (Activity, ActivityStatus, ActivityType, ObservationRequest, ObservationStatus,
                            ObservedBehaviour, Person, activity_behaviour)
from tracker.observation.links import LINK_VALID_FOR
from tracker.scope_filters import Filters
from tracker.team import dashboard as team_dashboard

TODAY = date(2026, 11, 26)
NOW = datetime.combine(TODAY, time(12), tzinfo=UTC)
THIS_YEAR = year_containing(TODAY)
NHS_NUMBER_LIKE = re.compile(r"\d{3}\s?\d{3}\s?\d{4}")


def aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


@pytest.fixture
def demo(db_session, clock):
    clock.move_to(TODAY)
    load_demo(staff=160, years=3, seed=2026, today=TODAY)


def person(email: str) -> Person:
    return db.session.scalar(select(Person).where(Person.email == email))


def test_the_demo_has_requests_in_every_state(demo):
    requests = db.session.scalars(select(ObservationRequest)).all()
    states = Counter(request.status_at(NOW) for request in requests)
    assert set(states) == set(ObservationStatus), states
    for request in requests:
        assert aware(request.expires_at) == aware(request.created_at) + LINK_VALID_FOR
        assert request.observer_email.endswith("@nhs.net") and request.observer_name != request.requester.name
        later = [aware(m) for m in (request.opened_at, request.answered_at, request.cancelled_at) if m is not None]
        assert all(aware(request.created_at) < moment < aware(request.expires_at) for moment in later), request.id
        words = " ".join(filter(None, (request.went_well, request.try_next, request.situation_note)))
        assert not NHS_NUMBER_LIKE.search(words)


def test_answered_requests_are_the_observed_activities_and_came_before_submission(demo):
    observed_type = db.session.scalar(select(ActivityType.id).where(ActivityType.code == "observed_practice_feedback"))
    answered = db.session.scalars(select(ObservationRequest)
                                  .where(ObservationRequest.status == ObservationStatus.ANSWERED)).all()
    assert answered
    for request in answered:
        activity = request.activity
        assert activity.type_id == observed_type and activity.observed and request.requester_id == activity.owner_id
        assert request.went_well and request.answered_name and all(o.seen is not None for o in request.observed)
        if activity.submitted_at is not None:
            assert aware(request.answered_at) < aware(activity.submitted_at)
    decided = [r for r in answered if r.activity.status == ActivityStatus.SIGNED_OFF]
    assert decided and any(aware(r.activity.submitted_at) < NOW for r in decided)
    # The flag the counts read is exactly "an observer answered": nothing else sets it.
    answered_here = exists().where(ObservationRequest.activity_id == Activity.id,
                                   ObservationRequest.status == ObservationStatus.ANSWERED)
    mismatched = or_(and_(Activity.observed.is_(True), ~answered_here), and_(Activity.observed.is_(False), answered_here))
    assert db.session.scalar(select(Activity.id).where(mismatched).limit(1)) is None
    # What was observed is among the behaviours the activity evidences.
    stray = (select(ObservedBehaviour.request_id).join(ObservationRequest)
             .where(~exists().where(activity_behaviour.c.activity_id == ObservationRequest.activity_id,
                                    activity_behaviour.c.behaviour_id == ObservedBehaviour.behaviour_id)))
    assert db.session.scalar(stray.limit(1)) is None


def test_the_demo_manager_counts_observed_practice_and_staff_has_feedback_to_show(demo):
    manager = person("manager@example.org")
    board = team_dashboard.build(manager, Filters(year=THIS_YEAR, today=TODAY), TODAY, 85)
    assert board.observed >= 1
    staff = person("staff@example.org")
    [activity] = db.session.scalars(select(Activity).where(
        Activity.owner_id == staff.id, Activity.title == "Observed practice: explaining a chemotherapy delay")).all()
    states = [r.status_at(NOW) for r in db.session.scalars(select(ObservationRequest).where(
        ObservationRequest.activity_id == activity.id).order_by(ObservationRequest.created_at))]
    assert states[-1] == ObservationStatus.ANSWERED and len(states) == 2
    assert activity.status == ActivityStatus.SIGNED_OFF and activity.decided_by_id == manager.id


def test_a_request_made_after_the_demo_gets_a_fresh_id(demo):
    """The demo writes ids itself; the next request made in the tracker must not collide (PostgreSQL's sequence)."""
    made = db.session.scalars(select(ObservationRequest).order_by(ObservationRequest.id.desc())).first()
    fresh = ObservationRequest(activity_id=made.activity_id, requester_id=made.requester_id, observer_name="New",
                               observer_email="new@nhs.net", token_hash="f" * 64, expires_at=NOW + LINK_VALID_FOR)
    db.session.add(fresh)
    db.session.flush()
    assert fresh.id > made.id
