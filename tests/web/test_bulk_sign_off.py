"""Signing off several activities together after a check, by the rules of one decision; and the
queue, where each waiting activity is a task in one manager's queue only.

Organisation: Cancer Services (Dina Director) -> Ward 7 (Wyn, ward manager; Sal, a sister who line
manages without the manager role) and the day unit (Cleo).
"""
from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select, update

from tests.factories import PASSWORD, make_activity, make_activity_type, make_person, make_tree, make_cancer_managers
from tests.support import csrf_token_from
from tracker import access
from tracker.extensions import db
from tracker.models import Activity, ActivityStatus, AuditEvent, Person


@pytest.fixture
def org(db_session, in_year):
    tree = make_tree()
    director, ward_manager, clinic_manager = make_cancer_managers(tree)
    sister = make_person(tree["ward7"], email="sister@example.org", tier=2, line_manager=ward_manager,
                         name="Sal Sister")
    nurse = make_person(tree["ward7"], email="nurse@example.org", tier=1, line_manager=ward_manager, name="Nia Nurse")
    student = make_person(tree["ward7"], email="student@example.org", tier=1, line_manager=ward_manager,
                          name="Stu Student")
    assistant = make_person(tree["ward7"], email="assistant@example.org", tier=1, line_manager=sister,
                            name="Hal Assistant")
    unassigned = make_person(tree["ward7"], email="unassigned@example.org", tier=1, name="Una Unassigned")
    clinic_nurse = make_person(tree["clinic"], email="cnurse@example.org", tier=1, line_manager=clinic_manager,
                               name="Cal Clinicnurse")
    observed = make_activity_type("observed")

    def waiting(person, title):
        return make_activity(person, observed, occurred_on=in_year, status=ActivityStatus.SUBMITTED, title=title)

    activities = {
        "nurse": waiting(nurse, "Breaking bad news role-play"),
        "nurse_2": waiting(nurse, "Family meeting debrief"),
        "student": waiting(student, "Shadowed a consultation"),
        "assistant": waiting(assistant, "Handover practice"),
        "unassigned": waiting(unassigned, "Telephone follow-up"),
        "clinic": waiting(clinic_nurse, "Clinic debrief"),
        "ward_manager": waiting(ward_manager, "Ward manager's observation"),
        "sister": waiting(sister, "Sister's teaching session"),
    }
    db.session.commit()  # a SAVEPOINT release: a view's rollback keeps the fixture
    return dict(tree=tree, director=director, ward_manager=ward_manager, clinic_manager=clinic_manager,
                sister=sister, nurse=nurse, activities=activities)


def login(sign_in, email):
    assert sign_in(email, PASSWORD).status_code == 302


def text(response) -> str:
    return response.get_data(as_text=True)


def check_url(*activities) -> str:
    return "/team/queue/sign-off?" + "&".join(f"activity_id={a.id}" for a in activities)


def sign_off_together(client, *activities, token_from=None):
    token = csrf_token_from(text(client.get(token_from or "/team/queue")))
    return client.post("/team/queue/sign-off", data={"activity_id": [a.id for a in activities], "csrf_token": token})


def statuses(*activities) -> list[ActivityStatus]:
    db.session.expire_all()
    return [db.session.get(Activity, a.id).status for a in activities]


def sign_offs_audited() -> int:
    return len(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "activity.signed_off")).all())


# --- the check and the sign-off ---------------------------------------------------------------


def test_the_queue_offers_its_own_items_to_select(client, sign_in, org):
    login(sign_in, "manager@example.org")
    html = text(client.get("/team/queue"))
    assert "Sign off selected" in html
    for name in ("nurse", "nurse_2", "student", "unassigned", "sister"):
        assert f'value="{org["activities"][name].id}"' in html


def test_selected_activities_are_checked_then_signed_off_together(client, sign_in, org):
    login(sign_in, "manager@example.org")
    chosen = [org["activities"]["nurse"], org["activities"]["student"]]
    page = text(client.get(check_url(*chosen)))
    assert "Check the activities to sign off" in page
    assert "Breaking bad news role-play" in page and "Shadowed a consultation" in page
    assert "Nia Nurse" in page and "Stu Student" in page and "1 hour" in page
    assert "Sign off these 2 activities" in page
    assert "Family meeting debrief" not in page  # not chosen

    response = sign_off_together(client, *chosen, token_from=check_url(*chosen))
    assert response.status_code == 302 and response.headers["Location"].endswith("/team/queue")
    assert statuses(*chosen) == [ActivityStatus.SIGNED_OFF] * 2
    assert statuses(org["activities"]["nurse_2"]) == [ActivityStatus.SUBMITTED]
    db.session.expire_all()
    for activity in chosen:
        signed = db.session.get(Activity, activity.id)
        assert signed.decided_by_id == org["ward_manager"].id and signed.decided_at is not None
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "activity.signed_off")).all()
    assert sorted(e.activity_id for e in events) == sorted(a.id for a in chosen)
    queue = text(client.get("/team/queue"))
    assert "You signed off 2 activities." in queue
    recent = queue.split("Recently decided", 1)[1]
    assert "Breaking bad news role-play" in recent and "Shadowed a consultation" in recent


def test_one_activity_reads_in_the_singular_and_can_be_undone(client, sign_in, org, post_form):
    login(sign_in, "manager@example.org")
    one = org["activities"]["nurse"]
    assert "Sign off this 1 activity" in text(client.get(check_url(one)))
    sign_off_together(client, one, token_from=check_url(one))
    assert "You signed off 1 activity." in text(client.get("/team/queue"))
    post_form(f"/team/activities/{one.id}/undo", token_from="/team/queue")
    assert statuses(one) == [ActivityStatus.SUBMITTED]


def test_one_that_is_no_longer_waiting_means_nothing_is_signed(client, sign_in, org):
    login(sign_in, "manager@example.org")
    chosen = [org["activities"]["nurse"], org["activities"]["student"], org["activities"]["unassigned"]]
    token_page = check_url(*chosen)
    assert "Sign off these 3 activities" in text(client.get(token_page))
    # Meanwhile the student withdraws theirs.
    db.session.execute(update(Activity).where(Activity.id == chosen[1].id).values(status=ActivityStatus.DRAFT))
    db.session.commit()

    response = sign_off_together(client, *chosen, token_from=token_page)
    assert response.status_code == 200
    page = text(response)
    assert "Nothing has been signed off" in page
    assert "1 activity withdrawn or deleted by its author" in page
    assert "Shadowed a consultation" not in page  # a draft again: its author's alone
    assert "Sign off these 3 activities" not in page
    assert statuses(chosen[0], chosen[2]) == [ActivityStatus.SUBMITTED] * 2
    assert sign_offs_audited() == 0


def test_one_already_decided_is_named_on_the_check_page(client, sign_in, org, post_form):
    login(sign_in, "manager@example.org")
    first, second = org["activities"]["nurse"], org["activities"]["nurse_2"]
    post_form(f"/team/activities/{second.id}/decision", {"decision": "sign_off"},
              token_from=f"/team/activities/{second.id}")
    page = text(client.get(check_url(first, second)))
    assert "Nothing has been signed off" in page and "Family meeting debrief (Nia Nurse): already signed off" in page
    assert "Sign off these 2 activities" not in page


def test_one_decided_between_the_check_and_the_sign_off_means_nothing_is_signed(client, sign_in, org, post_form):
    login(sign_in, "manager@example.org")
    first, second, third = (org["activities"][n] for n in ("nurse", "nurse_2", "student"))
    token_page = check_url(first, second, third)
    assert "Sign off these 3 activities" in text(client.get(token_page))
    post_form(f"/team/activities/{second.id}/decision", {"decision": "return", "feedback": "Add the outcome."},
              token_from=f"/team/activities/{second.id}")
    before = sign_offs_audited()
    page = text(sign_off_together(client, first, second, third, token_from=token_page))
    assert "Nothing has been signed off" in page and "Family meeting debrief (Nia Nurse): already returned" in page
    assert statuses(first, second, third) == [ActivityStatus.SUBMITTED, ActivityStatus.RETURNED,
                                              ActivityStatus.SUBMITTED]
    assert sign_offs_audited() == before


def test_an_activity_outside_the_queue_is_not_found_and_nothing_is_signed(client, sign_in, org):
    login(sign_in, "manager@example.org")
    mine, clinic = org["activities"]["nurse"], org["activities"]["clinic"]
    own = org["activities"]["ward_manager"]  # goes to the director, never to herself
    for other in (clinic, own):
        assert client.get(check_url(mine, other)).status_code == 404
        assert sign_off_together(client, mine, other).status_code == 404
    assert client.get("/team/queue/sign-off?activity_id=999999").status_code == 404
    assert client.get("/team/queue/sign-off?activity_id=x").status_code == 404
    assert statuses(mine, clinic, own) == [ActivityStatus.SUBMITTED] * 3
    assert sign_offs_audited() == 0


def test_a_director_cannot_sign_off_what_a_ward_manager_holds(client, sign_in, org):
    login(sign_in, "director@example.org")
    held = org["activities"]["nurse"]
    assert client.get(check_url(held)).status_code == 404
    assert sign_off_together(client, held).status_code == 404
    assert statuses(held) == [ActivityStatus.SUBMITTED]


def test_staff_are_refused_by_the_gate(client, sign_in, org):
    login(sign_in, "nurse@example.org")
    activity = org["activities"]["student"]
    assert client.get(check_url(activity)).status_code == 403
    assert sign_off_together(client, activity, token_from="/").status_code == 403
    assert statuses(activity) == [ActivityStatus.SUBMITTED]


def test_a_sign_off_without_a_token_is_refused(client, sign_in, org):
    login(sign_in, "manager@example.org")
    activity = org["activities"]["nurse"]
    assert client.post("/team/queue/sign-off", data={"activity_id": [activity.id]}).status_code == 400
    assert statuses(activity) == [ActivityStatus.SUBMITTED]


def test_nothing_selected_goes_back_to_the_queue(client, sign_in, org):
    login(sign_in, "manager@example.org")
    response = client.get("/team/queue/sign-off")
    assert response.status_code == 302 and response.headers["Location"].endswith("/team/queue")
    assert "Select at least one activity to sign off." in text(client.get("/team/queue"))


def test_a_line_manager_without_the_manager_role_signs_off_together(client, sign_in, org):
    login(sign_in, "sister@example.org")
    activity = org["activities"]["assistant"]
    sign_off_together(client, activity, token_from=check_url(activity))
    assert statuses(activity) == [ActivityStatus.SIGNED_OFF]


# --- one queue per activity ----------------------------------------------------------------


def test_no_activity_is_a_task_in_two_queues(org):
    everyone = db.session.scalars(select(Person)).all()
    tasks = Counter()
    for person in everyone:
        ids = db.session.scalars(access.sign_off_queue(person).with_only_columns(Activity.id)).all()
        tasks.update(ids)
        for activity_id in ids:  # and it is the decider's queue
            assert access.decider_of(db.session.get(Activity, activity_id)).id == person.id
    waiting = {a.id for a in org["activities"].values()}
    assert set(tasks) == waiting and set(tasks.values()) == {1}


def test_what_ward_managers_hold_shows_to_the_director_on_request_marked_and_not_selectable(client, sign_in, org):
    login(sign_in, "director@example.org")
    own_queue = text(client.get("/team/queue"))
    held = org["activities"]["nurse"]
    assert "Breaking bad news role-play" not in own_queue
    page = text(client.get("/team/queue?include=scope"))
    mine, scope = page.split("Waiting for managers in your scope", 1)
    assert "Ward manager&#39;s observation" in mine and "Breaking bad news role-play" not in mine
    assert "Breaking bad news role-play" in scope and "Waiting for Wyn Wardmanager" in scope
    assert "Handover practice" in scope and "Waiting for Sal Sister" in scope
    assert 'name="activity_id"' not in scope  # to read, never to select
    assert scope.count("Ward manager&#39;s observation") == 0  # her own task is not listed twice
    assert f'value="{held.id}"' not in page
