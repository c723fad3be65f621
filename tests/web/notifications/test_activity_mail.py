"""The e-mails about activities, through the outbox to the local SMTP server: a submission to its
decider (line manager, or the manager whose scope covers the team) or, with none, to every active
admin when there is no education lead (tests/web/notifications/test_routing.py); a decision to its author once the undo window has closed (an undo within it sends nothing);
a manager's reminder to each person reminded. Never the title, reflection or feedback; once each."""
from __future__ import annotations

import re
from datetime import UTC, timedelta

import pytest
from sqlalchemy import select

import config
from tests.factories import PASSWORD, make_person, make_tree
from tests.support import csrf_token_from
from tests.web.portfolio.builders import GIBBS, activity_form, day_in_this_year
from tracker import appraisal_year
from tracker.counting import undo_window
from tracker.extensions import db
from tracker.models import Activity, ActivityStatus, Notification
from tracker.notifications import activity_mail, messages, sender
from tracker.portfolio import activities
from tracker.portfolio.activity_input import ActivityInput

TITLE = "Debrief after a difficult family meeting"
FEEDBACK = "Mrs Jones in bay 3 deserved a quieter room; say what you would change."


@pytest.fixture
def org(db_session, ref, tmp_path, app, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    tree = make_tree()
    manager = make_person(tree["ward7"], email="manager@example.org", tier=3, roles=["manager"],
                          scope=[tree["ward7"]], name="Wyn Wardmanager")
    head = make_person(tree["cancer"], email="head@example.org", tier=3, roles=["manager"],
                       scope=[tree["cancer"]], name="Hal Head")
    people = dict(
        tree=tree, manager=manager, head=head,
        nurse=make_person(tree["ward7"], email="nurse@example.org", line_manager=manager, name="Nia Nurse"),
        # No line manager: the manager whose scope is nearest above the clinic decides.
        clinician=make_person(tree["clinic"], email="clin@example.org", name="Cal Clinician"),
        # Surgery has no manager at all: unmanaged.
        porter=make_person(tree["theatres"], email="porter@example.org", name="Pip Porter"),
        admin=make_person(tree["trust"], email="admin@example.org", roles=["admin"], name="Ann Admin"),
        second_admin=make_person(tree["trust"], email="admin2@example.org", roles=["admin"], name="Abe Admin"),
        gone_admin=make_person(tree["trust"], email="gone@example.org", roles=["admin"], active=False),
    )
    db.session.commit()
    return people


def client_for(app, email: str):
    client = app.test_client()
    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    assert client.post("/sign-in", data={"email": email, "password": PASSWORD, "csrf_token": token}).status_code == 302
    return client


def post(client, url: str, data: dict, token_from: str):
    token = csrf_token_from(client.get(token_from).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


def submit(app, ref, email: str) -> Activity:
    author = client_for(app, email)
    assert post(author, "/activities/new", activity_form(ref), "/activities/new").status_code == 302
    db.session.expire_all()
    return db.session.scalars(select(Activity).order_by(Activity.id.desc())).first()


def mails(smtp) -> list[tuple[str, str, str]]:
    sender.drain()
    return [(mail["To"], mail["Subject"], mail.get_content()) for mail in smtp.messages]


def test_every_kind_has_a_template_setting():
    assert set(config.NOTIFICATION_KINDS) == set(messages.KINDS)


def test_a_submission_goes_to_the_line_manager_with_a_link_to_the_decision(app, ref, org, smtp):
    activity = submit(app, ref, "nurse@example.org")
    [(to, subject, body)] = mails(smtp)
    assert to == "manager@example.org" and subject == "An activity is waiting for your sign-off"
    assert "Nia Nurse has submitted an activity" in body and activity.activity_type.label in body
    link = re.search(r"http://localhost(/team/activities/\d+)", body).group(1)
    assert link == f"/team/activities/{activity.id}"
    assert TITLE not in body and GIBBS["gibbs__description"] not in body
    assert app.test_client().get(link).status_code == 302  # the link needs sign-in
    assert client_for(app, "manager@example.org").get(link).status_code == 200  # the decision page


def test_a_submission_with_no_line_manager_goes_to_the_scope_manager(app, ref, org, smtp):
    submit(app, ref, "clin@example.org")
    assert [(to, subject) for to, subject, _ in mails(smtp)] == [
        ("head@example.org", "An activity is waiting for your sign-off")]


def test_an_unmanaged_submission_goes_to_every_active_admin_when_there_is_no_education_lead(app, ref, org, smtp):
    submit(app, ref, "porter@example.org")
    sent = mails(smtp)
    assert sorted(to for to, _, _ in sent) == ["admin2@example.org", "admin@example.org"]
    for _, subject, body in sent:
        assert subject == "An activity has nobody to sign it off"
        assert "Pip Porter has submitted" in body and "unmanaged" in body and "http://localhost/admin/unmanaged" in body


def test_a_submission_rolled_back_sends_nothing(app, ref, org, smtp):
    day = day_in_this_year()
    data = ActivityInput(day=str(day.day), month=str(day.month), year=str(day.year), title=TITLE,
                         type_id=str(ref["types"]["team_debrief"].id), hours="1", minutes="30",
                         behaviour_ids=[str(ref["b"]["2.2"].id)], reflection_model="gibbs", answers=GIBBS)
    activities.save_activity(org["nurse"], None, data, submit=True, today=appraisal_year.today(),
                             upload_folder=app.config["UPLOAD_FOLDER"])
    assert db.session.scalars(select(Notification.kind)).all() == [messages.ACTIVITY_SUBMITTED]  # in the change's transaction
    db.session.rollback()
    assert db.session.scalars(select(Notification)).all() == []
    assert mails(smtp) == []


# --- decisions ------------------------------------------------------------------------------------


def decide(app, activity, decision: str, feedback: str = ""):
    manager = client_for(app, "manager@example.org")
    response = post(manager, f"/team/activities/{activity.id}/decision", {"decision": decision, "feedback": feedback},
                    f"/team/activities/{activity.id}")
    assert response.status_code == 302
    return manager


def told_at(activity):
    """When the activity's decision can no longer be undone and its author is told."""
    db.session.expire_all()
    decided_at = db.session.get(Activity, activity.id).decided_at
    if decided_at.tzinfo is None:  # SQLite hands back naive UTC
        decided_at = decided_at.replace(tzinfo=UTC)
    return decided_at + undo_window() + activity_mail.TOLD_MARGIN


def window_closed(clock, activity, early: timedelta = timedelta(0)) -> None:
    """Move the sender's clock to when the decision can no longer be undone (or `early` before)."""
    clock.advance(told_at(activity) - early - clock.now())


def test_a_return_is_told_to_its_author_once_the_window_has_closed_without_the_feedback(app, ref, org, smtp, clock):
    activity = submit(app, ref, "nurse@example.org")
    mails(smtp)
    decide(app, activity, "return", FEEDBACK)
    window_closed(clock, activity, early=activity_mail.TOLD_MARGIN + timedelta(seconds=1))
    assert len(mails(smtp)) == 1  # the submission only: the return may still be undone
    window_closed(clock, activity)
    [_, (to, subject, body)] = mails(smtp)
    assert to == "nurse@example.org" and subject == "Your activity was returned with feedback"
    assert "Wyn Wardmanager has returned your activity" in body and f"http://localhost/activities/{activity.id}" in body
    assert "Mrs Jones" not in body and FEEDBACK not in body and TITLE not in body
    assert len(mails(smtp)) == 2  # once
    assert db.session.get(Activity, activity.id).status == ActivityStatus.RETURNED


def test_in_process_mode_tells_the_decision_with_the_first_request_after_the_window(
        app, ref, org, smtp, clock, monkeypatch):
    activity = submit(app, ref, "nurse@example.org")
    monkeypatch.setitem(app.config, "NOTIFICATIONS_IN_PROCESS", True)  # `make run`: no worker, no beat
    manager = decide(app, activity, "sign_off")
    manager.get("/team/queue")
    # The submission (queued before the mode was on, due) went with the next request; the decision waits.
    assert [mail["To"] for mail in smtp.messages] == ["manager@example.org"]
    window_closed(clock, activity)
    manager.get("/team/queue")
    assert [mail["Subject"] for mail in smtp.messages][1:] == ["Your activity was signed off"]


def test_a_sign_off_says_there_is_feedback_and_not_what(app, ref, org, smtp, clock):
    activity = submit(app, ref, "nurse@example.org")
    decide(app, activity, "sign_off", FEEDBACK)
    window_closed(clock, activity)
    (to, subject, body) = mails(smtp)[-1]
    assert to == "nurse@example.org" and subject == "Your activity was signed off"
    assert "They left feedback for you" in body and "Mrs Jones" not in body


def test_a_decision_undone_within_the_window_sends_nothing(app, ref, org, smtp, clock):
    activity = submit(app, ref, "nurse@example.org")
    manager = decide(app, activity, "sign_off")
    would_be_told_at = told_at(activity)
    assert post(manager, f"/team/activities/{activity.id}/undo", {}, "/team/queue").status_code == 302
    db.session.expire_all()
    assert db.session.get(Activity, activity.id).status == ActivityStatus.SUBMITTED
    clock.advance(would_be_told_at - clock.now())
    assert [to for to, _, _ in mails(smtp)] == ["manager@example.org"]  # the submission only
    # Decided again on the same submission: that decision is told, once.
    decide(app, activity, "return", "Say more about what you would change.")
    window_closed(clock, activity)
    assert [subject for _, subject, _ in mails(smtp)][1:] == ["Your activity was returned with feedback"]


def test_signing_off_several_tells_each_author(app, ref, org, smtp, clock):
    first = submit(app, ref, "nurse@example.org")
    second = submit(app, ref, "nurse@example.org")
    manager = client_for(app, "manager@example.org")
    ids = [str(first.id), str(second.id)]
    page = manager.get("/team/queue/sign-off", query_string={"activity_id": ids}).get_data(as_text=True)
    response = manager.post("/team/queue/sign-off", data={"activity_id": ids, "csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    window_closed(clock, second)
    assert [subject for to, subject, _ in mails(smtp) if to == "nurse@example.org"] == \
        ["Your activity was signed off"] * 2


# --- reminders --------------------------------------------------------------------------------------


def test_each_reminded_person_gets_one_email(app, ref, org, smtp):
    manager = client_for(app, "manager@example.org")
    nurse = org["nurse"]
    colleague = make_person(org["tree"]["ward7"], email="col@example.org", line_manager=org["manager"], name="Col League")
    db.session.commit()
    data = {"everyone": "no", "person_id": [str(nurse.id), str(colleague.id)], "confirm": "yes"}
    for _ in range(2):  # the second the same day reminds nobody again
        assert post(manager, "/team/reminders", data, "/team/").status_code == 302
    sent = mails(smtp)
    assert sorted(to for to, _, _ in sent) == ["col@example.org", "nurse@example.org"]
    for _, subject, body in sent:
        assert subject == "A reminder to log your communication skills development"
        assert "Wyn Wardmanager has sent you a reminder" in body and "http://localhost/my-year" in body
