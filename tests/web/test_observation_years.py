"""Observed practice and history that never changes: the team dashboard's count of signed-off
activities with observed practice for a closed year reads the same after the person is erased
(their observers' feedback goes; the fact that they were observed stays with the kept activity).

On 15 October 2025 the 2025 to 2026 appraisal year is open and 2024 to 2025 has closed (1 May 2025).
"""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import PASSWORD, make_activity, make_person, make_tree
from tests.support import csrf_token_from
from tracker import erasure
from tracker.extensions import db
from tracker.models import Activity, ActivityStatus, ActivityType, Behaviour, BehaviourTier, ObservationRequest

ASKED_ON = date(2024, 9, 3)  # in 2024 to 2025, open then
DAY = date(2025, 10, 15)  # 2024 to 2025 has closed
LINK_RE = re.compile(r'href="http://localhost(/observe/[^"]+)"')
COUNT = "Signed-off activities with observed practice feedback: <strong>{}</strong>"


@pytest.fixture
def org(ref, clock):
    clock.move_to(ASKED_ON)
    tree = make_tree()
    manager = make_person(tree["ward7"], email="manager@example.org", tier=3, roles=["manager"],
                          scope=[tree["ward7"]], name="Mo Manager")
    staff = make_person(tree["ward7"], email="staff@example.org", tier=1, line_manager=manager, name="Sam Staff")
    admin = make_person(tree["trust"], email="admin@example.org", roles=["admin"], name="Ann Admin")
    kind = db.session.scalar(select(ActivityType).where(ActivityType.code == "observed_practice_feedback"))
    draft = make_activity(staff, kind, occurred_on=ASKED_ON - timedelta(days=1), status=ActivityStatus.DRAFT,
                          title="Breaking bad news in bay 2")
    behaviours = list(db.session.scalars(
        select(Behaviour).join(BehaviourTier, BehaviourTier.behaviour_id == Behaviour.id)
        .where(BehaviourTier.tier == 1).order_by(Behaviour.id).limit(2)))
    db.session.commit()
    return dict(manager=manager, staff=staff, admin=admin, draft=draft, behaviours=behaviours)


def _observed_and_signed_off(app, client, sign_in, post_form, org) -> None:
    """Asked and answered by the real pages while the year was open, then signed off."""
    sign_in("staff@example.org", PASSWORD)
    asked = post_form(f"/activities/{org['draft'].id}/observers/new",
                      {"observer_name": "Dr Ola Observer", "observer_email": "ola.observer@nhs.net",
                       "behaviour_ids": [str(b.id) for b in org["behaviours"]], "situation_note": ""})
    link = LINK_RE.search(asked.get_data(as_text=True)).group(1)
    observer = app.test_client()
    token = csrf_token_from(observer.get(link).get_data(as_text=True))
    answer = {f"seen_{b.id}": "consistent" for b in org["behaviours"]}
    answer.update(went_well="Unmistakable praise words", try_next="Pause more.", answered_name="Dr Ola Observer",
                  answered_role="Consultant", csrf_token=token)
    assert "Feedback sent" in observer.post(link, data=answer).get_data(as_text=True)
    client.post("/sign-out", data={"csrf_token": csrf_token_from(client.get("/my-year").get_data(as_text=True))})
    draft = org["draft"]
    draft.status, draft.decided_by_id = ActivityStatus.SIGNED_OFF, org["manager"].id
    draft.submitted_at = draft.decided_at = datetime(2024, 9, 4, 10, tzinfo=UTC)
    db.session.commit()


def test_a_closed_years_observed_practice_count_holds_after_the_person_is_erased(
        app, client, sign_in, post_form, org, clock):
    _observed_and_signed_off(app, client, sign_in, post_form, org)
    clock.move_to(DAY)
    sign_in("manager@example.org", PASSWORD)
    assert COUNT.format(1) in client.get("/team/?year=2024").get_data(as_text=True)

    erasure.erase(org["admin"], org["staff"], DAY)
    db.session.commit()

    # The feedback and the observer's name are gone; the closed year's figure is not.
    assert db.session.scalar(select(func.count()).select_from(ObservationRequest)) == 0
    [kept] = db.session.scalars(select(Activity)).all()
    assert kept.title == erasure.ERASED_TITLE and kept.status == ActivityStatus.SIGNED_OFF
    assert COUNT.format(1) in client.get("/team/?year=2024").get_data(as_text=True)


def test_an_open_years_observed_activity_goes_with_the_erased_person(app, client, sign_in, post_form, org, clock):
    _observed_and_signed_off(app, client, sign_in, post_form, org)
    clock.move_to(ASKED_ON + timedelta(days=30))  # the year still open: nothing of it is kept
    sign_in("manager@example.org", PASSWORD)
    assert COUNT.format(1) in client.get("/team/?year=2024").get_data(as_text=True)
    erasure.erase(org["admin"], org["staff"], ASKED_ON + timedelta(days=30))
    db.session.commit()
    assert COUNT.format(0) in client.get("/team/?year=2024").get_data(as_text=True)
