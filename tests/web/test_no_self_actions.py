"""Nobody exempts, signs off or reminds themselves. A ward manager sits in their own ward (so in
their own manager scope): their own id is a 404 for every exemption action and every sign-off
page, and a reminder never reaches them. Each refusal is sent with a real CSRF token, and each
test shows the same request working for someone else, so the 404 is the rule and not the gate."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import PASSWORD, make_activity, make_activity_type, make_person, make_tree
from tests.support import csrf_token_from
from tracker import access
from tracker.extensions import db
from tracker.models import Activity, ActivityStatus, Exemption, ExemptionReason, Notice
from tracker.team import services


@pytest.fixture
def org(db_session, today):
    tree = make_tree()
    director = make_person(tree["cancer"], email="director@example.org", tier=3, roles=["manager"],
                           scope=[tree["cancer"]], name="Dee Director")
    # The ward manager works in the ward they manage, under the director's scope too.
    manager = make_person(tree["ward7"], email="manager@example.org", tier=3, roles=["manager"],
                          scope=[tree["ward7"]], line_manager=director, name="Wyn Wardmanager")
    nurse = make_person(tree["ward7"], email="nurse@example.org", tier=1, line_manager=manager, name="Nia Nurse")
    kind = make_activity_type()
    own = make_activity(manager, kind, occurred_on=today, status=ActivityStatus.SUBMITTED, title="My own debrief")
    nurses = make_activity(nurse, kind, occurred_on=today, status=ActivityStatus.SUBMITTED, title="Nurse's debrief")
    db.session.commit()  # a SAVEPOINT release: survives a view's rollback
    return {"tree": tree, "director": director, "manager": manager, "nurse": nurse, "own": own, "nurses": nurses}


@pytest.fixture
def as_manager(client, sign_in, org):
    assert sign_in("manager@example.org", PASSWORD).status_code == 302
    return org["manager"]


def token(client) -> str:
    return csrf_token_from(client.get("/team/").get_data(as_text=True))


def exemption_form(today) -> dict:
    start = today
    return {"reason": "parental_leave", "reason_detail": "",
            "starts_on-day": start.day, "starts_on-month": start.month, "starts_on-year": start.year,
            "ends_on-day": "", "ends_on-month": "", "ends_on-year": ""}


def exemptions_of(person) -> int:
    return db.session.scalar(select(func.count()).select_from(Exemption).where(Exemption.person_id == person.id))


def status_of(activity) -> ActivityStatus:
    db.session.expire_all()
    return db.session.get(Activity, activity.id).status


# --- exemptions --------------------------------------------------------------------------


def test_a_manager_cannot_record_an_exemption_for_themselves(client, as_manager, org, today):
    url = f"/team/people/{as_manager.id}/exemptions/new"
    assert client.get(url).status_code == 404
    refused = client.post(url, data={**exemption_form(today), "csrf_token": token(client)})
    assert refused.status_code == 404 and exemptions_of(as_manager) == 0
    # The same form for someone they manage is recorded: the 404 is the rule, not the CSRF gate.
    nurse = org["nurse"]
    done = client.post(f"/team/people/{nurse.id}/exemptions/new",
                       data={**exemption_form(today), "csrf_token": token(client)})
    assert done.status_code == 302 and exemptions_of(nurse) == 1


def test_a_manager_cannot_change_end_or_delete_their_own_exemption(client, as_manager, org, today):
    own = Exemption(person_id=as_manager.id, reason=ExemptionReason.PARENTAL_LEAVE, starts_on=today,
                    ends_on=None, recorded_by_id=org["director"].id)
    theirs = Exemption(person_id=org["nurse"].id, reason=ExemptionReason.PARENTAL_LEAVE, starts_on=today,
                       ends_on=None, recorded_by_id=as_manager.id)
    db.session.add_all([own, theirs])
    db.session.commit()
    ending = {"ends_on-day": today.day, "ends_on-month": today.month, "ends_on-year": today.year}
    for action, data in (("change", exemption_form(today + timedelta(days=1))), ("end", ending), ("delete", {})):
        url = f"/team/exemptions/{own.id}/{action}"
        assert client.get(url).status_code == 404, action
        assert client.post(url, data={**data, "csrf_token": token(client)}).status_code == 404, action
    db.session.expire_all()
    kept = db.session.get(Exemption, own.id)
    assert kept is not None and (kept.starts_on, kept.ends_on) == (today, None)
    # Their own open-ended exemption is not theirs to review either; the nurse's is.
    review = client.get("/team/exemptions/open-ended").get_data(as_text=True)
    assert f"/team/exemptions/{theirs.id}/" in review and f"/team/exemptions/{own.id}/" not in review
    assert client.post(f"/team/exemptions/{theirs.id}/delete",
                       data={"csrf_token": token(client)}).status_code == 302
    assert exemptions_of(org["nurse"]) == 0


def test_their_own_page_offers_no_exemption_actions(client, as_manager, org, today):
    db.session.add(Exemption(person_id=as_manager.id, reason=ExemptionReason.PARENTAL_LEAVE, starts_on=today,
                             ends_on=None, recorded_by_id=org["director"].id))
    db.session.commit()
    own_page = client.get(f"/team/people/{as_manager.id}").get_data(as_text=True)
    assert "Record an exemption" not in own_page and "/exemptions/new" not in own_page
    assert "/exemptions/" not in own_page and "Your own exemptions are recorded by your manager." in own_page
    assert "Record an exemption" in client.get(f"/team/people/{org['nurse'].id}").get_data(as_text=True)


def test_the_scope_functions_leave_the_viewer_out(org):
    manager = org["manager"]
    in_scope = set(db.session.scalars(access.managed_people(manager).with_only_columns(access.Person.id)))
    others = set(db.session.scalars(access.managed_others(manager).with_only_columns(access.Person.id)))
    assert manager.id in in_scope and others == in_scope - {manager.id}


# --- signing off -------------------------------------------------------------------------


def test_a_manager_cannot_open_or_decide_their_own_activity(client, as_manager, org):
    own = org["own"]
    assert client.get(f"/team/activities/{own.id}").status_code == 404
    for decision in ("sign_off", "return"):
        response = client.post(f"/team/activities/{own.id}/decision",
                               data={"decision": decision, "feedback": "Fine", "csrf_token": token(client)})
        assert response.status_code == 404
    assert status_of(own) == ActivityStatus.SUBMITTED
    assert own.id not in {a.id for a in db.session.scalars(access.sign_off_queue(as_manager))}
    # The nurse's, which this manager decides on, is signed off by the same request.
    nurses = org["nurses"]
    response = client.post(f"/team/activities/{nurses.id}/decision",
                           data={"decision": "sign_off", "feedback": "", "csrf_token": token(client)})
    assert response.status_code == 302 and status_of(nurses) == ActivityStatus.SIGNED_OFF


def test_a_manager_cannot_sign_off_their_own_activity_with_others(client, as_manager, org):
    own, nurses = org["own"], org["nurses"]
    assert client.get(f"/team/queue/sign-off?activity_id={own.id}&activity_id={nurses.id}").status_code == 404
    response = client.post("/team/queue/sign-off",
                           data={"activity_id": [own.id, nurses.id], "csrf_token": token(client)})
    assert response.status_code == 404
    assert (status_of(own), status_of(nurses)) == (ActivityStatus.SUBMITTED, ActivityStatus.SUBMITTED)
    response = client.post("/team/queue/sign-off", data={"activity_id": [nurses.id], "csrf_token": token(client)})
    assert response.status_code == 302 and status_of(nurses) == ActivityStatus.SIGNED_OFF


def test_their_own_activity_goes_to_their_manager(client, sign_in, org):
    own = org["own"]
    assert access.decider_of(own).id == org["director"].id
    assert sign_in("director@example.org", PASSWORD).status_code == 302
    response = client.post(f"/team/activities/{own.id}/decision",
                           data={"decision": "sign_off", "feedback": "", "csrf_token": token(client)})
    assert response.status_code == 302 and status_of(own) == ActivityStatus.SIGNED_OFF


def test_the_sign_off_services_refuse_the_author_whoever_calls_them(org, today):
    manager, own = org["manager"], org["own"]
    with pytest.raises(services.AlreadyDecided):
        services.decide(manager, own, services.SIGN_OFF, today=today)
    with pytest.raises(services.NotAllWaiting):
        services.sign_off_together(manager, [own], today=today)
    assert status_of(own) == ActivityStatus.SUBMITTED


def test_a_manager_at_the_top_of_the_tree_has_nobody_to_decide_and_is_not_their_own_decider(db_session, today):
    tree = make_tree()
    chief = make_person(tree["trust"], tier=3, roles=["manager"], scope=[tree["trust"]])
    own = make_activity(chief, make_activity_type(), occurred_on=today, status=ActivityStatus.SUBMITTED)
    assert access.decider_of(own) is None
    assert db.session.scalar(access.sign_off_queue(chief).where(Activity.id == own.id)) is None


# --- reminders ---------------------------------------------------------------------------


def notices_for(person) -> int:
    return db.session.scalar(select(func.count()).select_from(Notice).where(Notice.person_id == person.id))


def test_a_manager_who_ticks_themselves_is_told_and_not_reminded(client, as_manager, org, this_year):
    data = {"person_id": [as_manager.id], "everyone": "no", "year": this_year.start_year}
    page = client.post("/team/reminders", data={**data, "csrf_token": token(client)}).get_data(as_text=True)
    assert "<li>You</li>" in page and "Nobody you chose needs a reminder." in page
    client.post("/team/reminders", data={**data, "confirm": "yes", "csrf_token": token(client)})
    assert notices_for(as_manager) == 0
    # Everyone listed includes the manager's own row: the others are reminded, never they.
    client.post("/team/reminders", data={"everyone": "yes", "confirm": "yes", "year": this_year.start_year,
                                         "csrf_token": token(client)})
    assert notices_for(as_manager) == 0 and notices_for(org["nurse"]) == 1


def test_the_reminder_service_never_sends_to_the_sender(org, this_year, today):
    manager = org["manager"]
    sent, _ = services.send_reminders(manager, [manager.id, org["nurse"].id], this_year, today)
    assert sent == 1 and notices_for(manager) == 0 and notices_for(org["nurse"]) == 1


def test_the_exemption_services_refuse_oneself_whoever_calls_them(org, today):
    from tracker.team import exemptions

    manager = org["manager"]
    with pytest.raises(services.InvalidInput) as refused:
        services.record_exemption(manager, manager, reason=ExemptionReason.PARENTAL_LEAVE, detail="",
                                  starts_on=today, ends_on=None, today=today)
    assert refused.value.errors == {"form": services.NOT_FOR_ONESELF} and exemptions_of(manager) == 0
    own = Exemption(person_id=manager.id, reason=ExemptionReason.PARENTAL_LEAVE, starts_on=today, ends_on=None)
    db.session.add(own)
    db.session.flush()
    for change in (
        lambda: exemptions.change_exemption(manager, own, reason=ExemptionReason.SECONDMENT, detail="",
                                            starts_on=today, ends_on=None, today=today),
        lambda: exemptions.end_exemption(manager, own, ends_on=today, today=today),
        lambda: exemptions.delete_exemption(manager, own, today=today),
    ):
        with pytest.raises(services.InvalidInput):
            change()
    assert (own.reason, own.ends_on) == (ExemptionReason.PARENTAL_LEAVE, None) and exemptions_of(manager) == 1
