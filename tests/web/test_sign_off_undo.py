"""Undoing a sign-off decision: by its decider only, within the undo window, while the year is open;
and the author is told of a decision only once that window has closed.

Time is moved by dating decided_at in the past in the database, never by waiting.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select, update

from tests.factories import PASSWORD, make_activity, make_activity_type, make_person, make_tree, make_cancer_managers
from tests.support import csrf_token_from
from tracker import appraisal_year
from tracker.extensions import db
from tracker.models import Activity, ActivityStatus, AuditEvent
from tracker.refusal import Refused
from tracker.team import services

FEEDBACK = "Add what you would do differently next time."


@pytest.fixture
def org(db_session, in_year):
    tree = make_tree()
    director, ward_manager, clinic_manager = make_cancer_managers(tree)
    nurse = make_person(tree["ward7"], email="nurse@example.org", tier=1, line_manager=ward_manager, name="Nia Nurse")
    observed = make_activity_type("observed")
    submitted = make_activity(nurse, observed, occurred_on=in_year, status=ActivityStatus.SUBMITTED,
                              title="Breaking bad news role-play")
    submitted.submitted_at = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
    db.session.commit()  # a SAVEPOINT release: a view's rollback keeps the fixture
    return dict(tree=tree, director=director, ward_manager=ward_manager, clinic_manager=clinic_manager,
                nurse=nurse, observed=observed, submitted=submitted)


def client_for(app, email: str):
    """A client of its own, signed in as `email` (the manager and the author side by side)."""
    other = app.test_client()
    token = csrf_token_from(other.get("/sign-in").get_data(as_text=True))
    response = other.post("/sign-in", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    return other


def post(client, url: str, data: dict | None = None, token_from: str = "/team/queue"):
    token = csrf_token_from(client.get(token_from).get_data(as_text=True))
    return client.post(url, data={**(data or {}), "csrf_token": token})


def decide(client, activity, decision="sign_off", feedback=""):
    response = post(client, f"/team/activities/{activity.id}/decision", {"decision": decision, "feedback": feedback},
                    token_from=f"/team/activities/{activity.id}")
    assert response.status_code == 302
    return response


def undo(client, activity):
    return post(client, f"/team/activities/{activity.id}/undo")


def fresh(activity) -> Activity:
    db.session.expire_all()
    return db.session.get(Activity, activity.id)


def decided_minutes_ago(activity, minutes: int) -> None:
    db.session.execute(update(Activity).where(Activity.id == activity.id)
                       .values(decided_at=appraisal_year.now() - timedelta(minutes=minutes)))
    db.session.commit()


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def manager(app, org):
    return client_for(app, "manager@example.org")


# --- undo -------------------------------------------------------------------------------


def test_the_decider_undoes_a_sign_off_from_the_flash_and_it_is_submitted_again(manager, org):
    activity = org["submitted"]
    decide(manager, activity)
    queue = text(manager.get("/team/queue"))
    assert "You signed off “Breaking bad news role-play” for Nia Nurse." in queue
    assert "Changed your mind?" in queue and "Recently decided" in queue
    assert f"/team/activities/{activity.id}/undo" in queue

    response = undo(manager, activity)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/team/activities/{activity.id}")
    again = fresh(activity)
    assert again.status == ActivityStatus.SUBMITTED
    assert again.decided_by_id is None and again.decided_at is None and again.feedback is None
    assert again.submitted_at.replace(tzinfo=UTC) == datetime(2026, 1, 5, 9, 30, tzinfo=UTC)  # as before
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "activity.decision_undone"))
    assert event.actor_id == org["ward_manager"].id and event.activity_id == activity.id
    assert event.detail["decision"] == "signed_off"
    page = text(manager.get(f"/team/activities/{activity.id}"))
    assert "Decision undone" in page and "Your decision" in page  # decide afresh
    assert "Recently decided" not in text(manager.get("/team/queue"))


def test_undoing_a_return_clears_its_feedback_from_the_activity_page(manager, org):
    activity = org["submitted"]
    decide(manager, activity, "return", FEEDBACK)
    page = text(manager.get(f"/team/activities/{activity.id}"))
    assert FEEDBACK in page and "You can undo your decision for 10 minutes" in page
    undo(manager, activity)
    again = fresh(activity)
    assert again.status == ActivityStatus.SUBMITTED and again.feedback is None


def test_after_the_window_the_decision_stays_and_the_decider_is_told_why(manager, org):
    activity = org["submitted"]
    decide(manager, activity)
    decided_minutes_ago(activity, 11)
    assert "Recently decided" not in text(manager.get("/team/queue"))
    assert "You can undo your decision" not in text(manager.get(f"/team/activities/{activity.id}"))
    response = undo(manager, activity)
    assert response.status_code == 302
    page = text(manager.get(response.headers["Location"]))
    assert "can be undone only within 10 minutes of making it" in page
    assert fresh(activity).status == ActivityStatus.SIGNED_OFF
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "activity.decision_undone")) is None


def test_just_inside_the_window_it_can_still_be_undone(manager, org):
    activity = org["submitted"]
    decide(manager, activity)
    decided_minutes_ago(activity, 9)
    undo(manager, activity)
    assert fresh(activity).status == ActivityStatus.SUBMITTED


def test_a_second_undo_changes_nothing_and_says_so(manager, org):
    activity = org["submitted"]
    decide(manager, activity)
    undo(manager, activity)
    decide(manager, activity, "return", FEEDBACK)
    decided_minutes_ago(activity, 30)  # the new decision is the one that stands
    assert undo(manager, activity).status_code == 302
    again = fresh(activity)
    assert again.status == ActivityStatus.RETURNED and again.feedback == FEEDBACK


def test_an_undo_racing_a_new_decision_changes_nothing(manager, org, today):
    # A stale undo read the sign-off; meanwhile it was undone and the activity returned instead.
    # Its UPDATE names the decision it read, so the return stands.
    activity = org["submitted"]
    decide(manager, activity)
    read = fresh(activity)
    stale = SimpleNamespace(id=read.id, owner_id=read.owner_id, occurred_on=read.occurred_on, status=read.status)
    undo(manager, activity)
    decide(manager, activity, "return", FEEDBACK)
    with pytest.raises(Refused):
        services.undo_decision(org["ward_manager"], stale, today=today)
    db.session.rollback()
    again = fresh(activity)
    assert again.status == ActivityStatus.RETURNED and again.feedback == FEEDBACK
    assert len(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "activity.decision_undone")).all()) == 1


@pytest.mark.parametrize("email", ["director@example.org", "clinic@example.org"])
def test_anyone_but_the_decider_is_not_found(app, manager, org, email):
    activity = org["submitted"]
    decide(manager, activity)
    other = client_for(app, email)
    assert undo(other, activity).status_code == 404
    assert fresh(activity).status == ActivityStatus.SIGNED_OFF


def test_staff_are_refused_by_the_gate(app, manager, org):
    decide(manager, org["submitted"])
    nurse = client_for(app, "nurse@example.org")
    assert post(nurse, f"/team/activities/{org['submitted'].id}/undo", token_from="/").status_code == 403
    assert fresh(org["submitted"]).status == ActivityStatus.SIGNED_OFF


def test_an_undo_without_a_token_is_refused(manager, org):
    decide(manager, org["submitted"])
    assert manager.post(f"/team/activities/{org['submitted'].id}/undo").status_code == 400
    assert fresh(org["submitted"]).status == ActivityStatus.SIGNED_OFF


def test_a_decision_in_a_closed_year_cannot_be_undone(manager, org, this_year):
    # Decided a moment ago (as data), dated two years back: that year closed long since.
    old = make_activity(org["nurse"], org["observed"], occurred_on=this_year.starts_on - timedelta(days=400),
                        status=ActivityStatus.SIGNED_OFF, title="Old observation")
    old.decided_by_id, old.decided_at = org["ward_manager"].id, appraisal_year.now()
    db.session.commit()
    assert "You can undo your decision" not in text(manager.get(f"/team/activities/{old.id}"))
    response = undo(manager, old)
    page = text(manager.get(response.headers["Location"]))
    assert "appraisal year closed" in page
    again = fresh(old)
    assert again.status == ActivityStatus.SIGNED_OFF and again.decided_by_id == org["ward_manager"].id


# --- the author is told once the window has closed ------------------------------------------------


def test_the_author_sees_a_return_only_once_the_window_has_closed(app, manager, org):
    activity = org["submitted"]
    decide(manager, activity, "return", FEEDBACK)
    nurse = client_for(app, "nurse@example.org")

    page = text(nurse.get(f"/activities/{activity.id}"))
    assert "Submitted for sign-off" in page and FEEDBACK not in page and "Returned with feedback" not in page
    assert "Returned with feedback" not in text(nurse.get("/"))
    assert "Returned to you with feedback" not in text(nurse.get("/my-year"))
    assert FEEDBACK not in text(nurse.get("/portfolio"))
    # Nor can it be changed or withdrawn meanwhile: the decision may yet be undone.
    response = post(nurse, f"/activities/{activity.id}/withdraw", token_from=f"/activities/{activity.id}")
    assert "Your manager is deciding on this activity just now" in text(nurse.get(response.headers["Location"]))
    assert fresh(activity).status == ActivityStatus.RETURNED

    decided_minutes_ago(activity, 11)
    page = text(nurse.get(f"/activities/{activity.id}"))
    assert "Returned with feedback" in page and FEEDBACK in page
    assert "Breaking bad news role-play" in text(nurse.get("/")).split("Returned with feedback", 1)[1]
    assert "Returned to you with feedback" in text(nurse.get("/my-year"))


def test_the_author_sees_a_sign_off_only_once_the_window_has_closed(app, manager, org):
    activity = org["submitted"]
    decide(manager, activity)
    nurse = client_for(app, "nurse@example.org")
    assert "Submitted for sign-off" in text(nurse.get(f"/activities/{activity.id}"))
    assert "Signed off by Wyn Wardmanager" not in text(nurse.get(f"/activities/{activity.id}"))
    decided_minutes_ago(activity, 11)
    assert "Signed off by Wyn Wardmanager" in text(nurse.get(f"/activities/{activity.id}"))


def test_an_undone_decision_never_reaches_the_author(app, manager, org):
    activity = org["submitted"]
    decide(manager, activity, "return", FEEDBACK)
    undo(manager, activity)
    nurse = client_for(app, "nurse@example.org")
    page = text(nurse.get(f"/activities/{activity.id}"))
    assert "Submitted for sign-off" in page and FEEDBACK not in page
