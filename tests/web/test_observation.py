"""Observed practice: a person asks an observer, the observer answers once by a link without
signing in, and the answer reaches the activity for its author and its decider. Every state and
refusal with real CSRF tokens; expiry on day 14 through the clock seam."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import PASSWORD, make_activity, make_person, make_tree
from tests.support import csrf_token_from
from tracker import appraisal_year
from tracker.extensions import db
from tracker.models import (ActivityStatus, ActivityType, AuditEvent, Behaviour, BehaviourTier, Notification,
                            ObservationRequest)
from tracker.observation import links

# A valid NHS number (check digit right): the guard must refuse it in every free-text field.
NHS_NUMBER = "943 476 5919"
LINK_RE = re.compile(r'href="(http://localhost/observe/[^"]+)"')


@pytest.fixture
def org(ref, today, clock):
    tree = make_tree()
    manager = make_person(tree["ward7"], email="manager@example.org", tier=3, roles=["manager"],
                          scope=[tree["ward7"]], name="Mo Manager")
    staff = make_person(tree["ward7"], email="staff@example.org", tier=1, line_manager=manager, name="Sam Staff")
    other = make_person(tree["ward7"], email="other@example.org", tier=1, line_manager=manager, name="Oli Other")
    elsewhere = make_person(tree["theatres"], email="theatre@example.org", tier=1, name="Tess Theatre")
    kind = db.session.scalar(select(ActivityType).where(ActivityType.code == "observed_practice_feedback"))
    draft = make_activity(staff, kind, occurred_on=today - timedelta(days=1), status=ActivityStatus.DRAFT,
                          title="Breaking bad news")
    others = make_activity(other, kind, occurred_on=today - timedelta(days=1), status=ActivityStatus.DRAFT)
    tier_one = list(db.session.scalars(
        select(Behaviour).join(BehaviourTier, BehaviourTier.behaviour_id == Behaviour.id)
        .where(BehaviourTier.tier == 1).order_by(Behaviour.id)))
    db.session.commit()
    return dict(tree=tree, manager=manager, staff=staff, other=other, elsewhere=elsewhere, draft=draft,
                others=others, behaviours=tier_one)


def ask(client, post_form, activity, behaviours, **fields):
    url = f"/activities/{activity.id}/observers/new"
    data = {"observer_name": "Dr Ola Observer", "observer_email": "ola.observer@nhs.net",
            "behaviour_ids": [str(b.id) for b in behaviours], "situation_note": "A family meeting.", **fields}
    return post_form(url, data)


def asked_link(client, sign_in, post_form, org, **fields) -> str:
    sign_in("staff@example.org", PASSWORD)
    response = ask(client, post_form, org["draft"], org["behaviours"][:2], **fields)
    assert response.status_code == 200, response.get_data(as_text=True)
    found = LINK_RE.search(response.get_data(as_text=True))
    assert found, "the link is shown to pass on"
    sign_out(client)
    return found.group(1).removeprefix("http://localhost")


def sign_out(client) -> None:
    client.post("/sign-out", data={"csrf_token": csrf_token_from(client.get("/my-year").get_data(as_text=True))})


def without_nonce(html: str) -> str:
    return re.sub(r'nonce="[^"]*"', "", html)


def answer_data(behaviours, **fields):
    data = {f"seen_{b.id}": "consistent" for b in behaviours}
    data.update({"went_well": "You sat down and paused.", "try_next": "Check what they already know.",
                 "answered_name": "Dr Ola Observer", "answered_role": "Consultant"})
    data.update(fields)
    return data


def test_staff_asks_and_sees_the_link_once_and_the_request_as_sent(client, sign_in, post_form, org):
    sign_in("staff@example.org", PASSWORD)
    page = client.get(f"/activities/{org['draft'].id}").get_data(as_text=True)
    assert "Ask someone to observe you" in page
    form = client.get(f"/activities/{org['draft'].id}/observers/new").get_data(as_text=True)
    assert "<h1>Ask someone to observe you</h1>" in form
    response = ask(client, post_form, org["draft"], org["behaviours"][:2])
    html = response.get_data(as_text=True)
    assert "We have e-mailed Dr Ola Observer at ola.observer@nhs.net a link" in html and LINK_RE.search(html)
    assert "An e-mail may not arrive, so the link is also shown here" in html
    assert response.headers["Cache-Control"] == "no-store"
    token = LINK_RE.search(html).group(1).rsplit("/", 1)[1]
    request = db.session.scalar(select(ObservationRequest))
    assert request.token_hash == links.token_hash(token) and token not in request.token_hash
    assert len(token) >= 43  # 32 random bytes: 256 bits
    page = client.get(f"/activities/{org['draft'].id}").get_data(as_text=True)
    assert "Dr Ola Observer" in page and "Sent" in page and token not in page


@pytest.mark.parametrize("fields, field, message", [
    ({"observer_email": "ola@gmail.com"}, "observer_email", "Enter a work e-mail address ending in nhs.net or nhs.uk"),
    ({"observer_email": "not an address"}, "observer_email", "Enter an e-mail address in the correct format"),
    ({"observer_name": ""}, "observer_name", "Enter the observer&#39;s name"),
    ({"behaviour_ids": []}, "behaviour_ids", "Choose at least one behaviour to be observed"),
    ({"situation_note": f"Patient {NHS_NUMBER} was upset."}, "situation_note", "Remove the NHS number"),
    ({"observer_name": f"Ola {NHS_NUMBER}"}, "observer_name", "Remove the NHS number"),
])
def test_asking_refuses_what_is_wrong_and_writes_nothing(client, sign_in, post_form, org, fields, field, message):
    sign_in("staff@example.org", PASSWORD)
    response = ask(client, post_form, org["draft"], org["behaviours"][:2], **fields)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and message in html
    assert "9434765919" not in html.replace(" ", "")
    assert db.session.scalar(select(ObservationRequest)) is None


def test_more_than_six_behaviours_or_another_tiers_are_refused(client, sign_in, post_form, org):
    sign_in("staff@example.org", PASSWORD)
    assert "Choose up to 6 behaviours" in ask(client, post_form, org["draft"], org["behaviours"][:7]).get_data(as_text=True)
    tier_one = {b.id for b in org["behaviours"]}
    not_mine = db.session.scalar(select(Behaviour).where(Behaviour.id.not_in(tier_one)).limit(1))
    assert "Choose behaviours from the list" in ask(client, post_form, org["draft"], [not_mine]).get_data(as_text=True)
    assert db.session.scalar(select(ObservationRequest)) is None


def test_a_subdomain_of_an_allowed_domain_is_allowed(client, sign_in, post_form, org):
    sign_in("staff@example.org", PASSWORD)
    response = ask(client, post_form, org["draft"], org["behaviours"][:1], observer_email="ola@ouh.nhs.uk")
    assert LINK_RE.search(response.get_data(as_text=True))


def test_a_submitted_activity_cannot_ask(client, sign_in, post_form, org):
    org["draft"].status = ActivityStatus.SUBMITTED
    db.session.commit()
    sign_in("staff@example.org", PASSWORD)
    response = client.get(f"/activities/{org['draft'].id}/observers/new")
    assert response.status_code == 302 and response.location.endswith(f"/activities/{org['draft'].id}")


def test_another_persons_activity_and_request_are_404(client, sign_in, post_form, org):
    link = asked_link(client, sign_in, post_form, org)
    request = db.session.scalar(select(ObservationRequest))
    sign_in("other@example.org", PASSWORD)
    assert client.get(f"/activities/{org['draft'].id}/observers/new").status_code == 404
    assert client.get(f"/observations/{request.id}/cancel").status_code == 404
    assert post_form(f"/observations/{request.id}/cancel", token_from="/my-year").status_code == 404
    assert post_form(f"/observations/{request.id}/remind", token_from="/my-year").status_code == 404
    assert "Dr Ola Observer" not in client.get(f"/activities/{org['others'].id}").get_data(as_text=True)
    assert link


def test_the_observer_opens_answers_once_and_the_link_closes(app, client, sign_in, post_form, org):
    link = asked_link(client, sign_in, post_form, org)
    observer = app.test_client()
    page = observer.get(link)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    for words in ("Not seen", "Developing", "Consistent", "Role model", "What went well", "What to try next time",
                  "Send feedback", "Who will see your answers", "Patients must not be identifiable"):
        assert words in html
    assert "A family meeting" not in html  # the situation note is the requester's alone
    request = db.session.scalar(select(ObservationRequest))
    assert request.status.value == "opened"
    token = csrf_token_from(html)
    done = observer.post(link, data={**answer_data(org["behaviours"][:2]), "csrf_token": token})
    assert done.status_code == 200 and "Feedback sent" in done.get_data(as_text=True)
    db.session.refresh(request)
    assert request.status.value == "answered" and request.answered_name == "Dr Ola Observer"
    # Single use: the same link, opened or sent again, gets the one page that reveals nothing.
    again = observer.get(link)
    assert again.status_code == 404 and "This link cannot be used" in again.get_data(as_text=True)
    assert "Sam Staff" not in again.get_data(as_text=True)
    resent = observer.post(link, data={**answer_data(org["behaviours"][:2]), "csrf_token": token})
    assert resent.status_code == 404
    # The behaviours seen are ticked on the draft (its author may untick them).
    assert {b.id for b in org["draft"].behaviours} >= {b.id for b in org["behaviours"][:2]}
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"observation.requested", "observation.link_opened", "observation.answered"} <= actions


def test_the_answer_is_refused_without_a_csrf_token(app, client, sign_in, post_form, org):
    link = asked_link(client, sign_in, post_form, org)
    observer = app.test_client()
    observer.get(link)
    assert observer.post(link, data=answer_data(org["behaviours"][:2])).status_code == 400
    assert db.session.scalar(select(ObservationRequest)).status.value == "opened"


@pytest.mark.parametrize("field", ["went_well", "try_next", "answered_name", "answered_role", "comment"])
def test_the_guard_refuses_an_nhs_number_in_every_answer_field(app, client, sign_in, post_form, org, field):
    link = asked_link(client, sign_in, post_form, org)
    observer = app.test_client()
    token = csrf_token_from(observer.get(link).get_data(as_text=True))
    name = f"comment_{org['behaviours'][0].id}" if field == "comment" else field
    response = observer.post(link, data={**answer_data(org["behaviours"][:2], **{name: f"Bed 4, {NHS_NUMBER}"}),
                                         "csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Remove the NHS number" in html
    assert "9434765919" not in html.replace(" ", "")
    assert db.session.scalar(select(ObservationRequest)).status.value == "opened"


def test_a_missing_scale_is_refused(app, client, sign_in, post_form, org):
    link = asked_link(client, sign_in, post_form, org)
    observer = app.test_client()
    token = csrf_token_from(observer.get(link).get_data(as_text=True))
    data = answer_data(org["behaviours"][:2])
    del data[f"seen_{org['behaviours'][0].id}"]
    response = observer.post(link, data={**data, "csrf_token": token})
    assert "Choose what you saw of this behaviour" in response.get_data(as_text=True)


def test_the_link_expires_on_day_14(app, client, sign_in, post_form, org, clock):
    link = asked_link(client, sign_in, post_form, org)
    observer = app.test_client()
    clock.advance(timedelta(days=13, hours=23))
    token = csrf_token_from(observer.get(link).get_data(as_text=True))
    clock.advance(timedelta(hours=1))  # day 14: the moment it was asked, two weeks on
    assert observer.get(link).status_code == 404
    assert observer.post(link, data={**answer_data(org["behaviours"][:2]), "csrf_token": token}).status_code == 404
    sign_in("staff@example.org", PASSWORD)
    assert "Expired" in client.get(f"/activities/{org['draft'].id}").get_data(as_text=True)


def test_a_link_cannot_be_answered_once_its_activitys_year_has_closed(app, client, sign_in, post_form, org, clock):
    from tracker.appraisal_year import year_containing
    from tracker.year_closing import closes_on

    closing = closes_on(year_containing(org["draft"].occurred_on))
    clock.move_to(closing - timedelta(days=5))  # the year is open still: asking works
    link = asked_link(client, sign_in, post_form, org)
    observer = app.test_client()
    token = csrf_token_from(observer.get(link).get_data(as_text=True))
    clock.move_to(closing)  # six days old, so not expired: but the year has closed
    assert observer.get(link).status_code == 404
    assert observer.post(link, data={**answer_data(org["behaviours"][:2]), "csrf_token": token}).status_code == 404
    assert db.session.scalar(select(ObservationRequest)).answered_at is None


def test_a_cancelled_link_and_a_wrong_token_get_the_same_page(app, client, sign_in, post_form, org):
    link = asked_link(client, sign_in, post_form, org)
    request = db.session.scalar(select(ObservationRequest))
    sign_in("staff@example.org", PASSWORD)
    assert "Cancel the request to Dr Ola Observer?" in client.get(f"/observations/{request.id}/cancel").get_data(as_text=True)
    assert post_form(f"/observations/{request.id}/cancel").status_code == 302
    assert request.status.value == "cancelled"
    observer = app.test_client()
    cancelled, wrong = observer.get(link), observer.get("/observe/" + "x" * 43)
    assert cancelled.status_code == wrong.status_code == 404
    assert without_nonce(cancelled.get_data(as_text=True)) == without_nonce(wrong.get_data(as_text=True))


def test_remind_once_gives_a_new_link_and_the_first_stops(app, client, sign_in, post_form, org):
    first = asked_link(client, sign_in, post_form, org)
    request = db.session.scalar(select(ObservationRequest))
    sign_in("staff@example.org", PASSWORD)
    response = post_form(f"/observations/{request.id}/remind", token_from=f"/activities/{org['draft'].id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "replaces the first one" in html
    second = LINK_RE.search(html).group(1).removeprefix("http://localhost")
    assert second != first and request.reminded
    page = client.get(f"/activities/{org['draft'].id}").get_data(as_text=True)
    assert "reminded once" in page and "Remind once" not in page
    again = post_form(f"/observations/{request.id}/remind", token_from=f"/activities/{org['draft'].id}")
    assert again.status_code == 302
    observer = app.test_client()
    assert observer.get(first).status_code == 404 and observer.get(second).status_code == 200


def test_the_feedback_shows_to_the_author_and_the_decider_only(app, client, sign_in, post_form, org):
    link = asked_link(client, sign_in, post_form, org)
    observer = app.test_client()
    token = csrf_token_from(observer.get(link).get_data(as_text=True))
    observer.post(link, data={**answer_data(org["behaviours"][:2], went_well="<b>Calm</b> and clear"),
                              "csrf_token": token})
    sign_in("staff@example.org", PASSWORD)
    page = client.get(f"/activities/{org['draft'].id}").get_data(as_text=True)
    assert "Observed practice feedback" in page and "&lt;b&gt;Calm&lt;/b&gt; and clear" in page
    assert "From Dr Ola Observer, Consultant" in page
    org["draft"].status = ActivityStatus.SUBMITTED
    db.session.commit()
    sign_out(client)
    sign_in("manager@example.org", PASSWORD)
    page = client.get(f"/team/activities/{org['draft'].id}").get_data(as_text=True)
    assert "Observed practice feedback" in page and "Check what they already know." in page
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "observation.feedback_viewed"))


def test_colleagues_are_offered_by_name_and_team_after_three_letters(client, sign_in, org):
    sign_in("staff@example.org", PASSWORD)
    url = f"/activities/{org['draft'].id}/observers/colleagues"
    assert "Oli Other" not in client.get(url + "?name=Ol").get_data(as_text=True)
    html = client.get(url + "?name=oli").get_data(as_text=True)
    assert "Oli Other" in html and "Ward 7" in html and "other@example.org" not in html
    org["other"].active = False
    db.session.commit()
    assert "Oli Other" not in client.get(url + "?name=oli").get_data(as_text=True)


def test_erasing_the_person_removes_their_requests_and_the_feedback(app, client, sign_in, post_form, org, today):
    from tracker import erasure

    link = asked_link(client, sign_in, post_form, org)
    observer = app.test_client()
    token = csrf_token_from(observer.get(link).get_data(as_text=True))
    observer.post(link, data={**answer_data(org["behaviours"][:2]), "csrf_token": token})
    assert db.session.scalar(select(ObservationRequest)) is not None
    # Another person's request to the same observer: its mail is not theirs to erase.
    sign_in("other@example.org", PASSWORD)
    assert ask(client, post_form, org["others"], org["behaviours"][:1]).status_code == 200
    sign_out(client)
    mails = select(Notification.address, Notification.idempotency_key).order_by(Notification.id)
    assert [address for address, _key in db.session.execute(mails)] == ["ola.observer@nhs.net"] * 2
    erasure.erase(None, org["staff"], today)
    assert db.session.scalars(select(ObservationRequest.requester_id)).all() == [org["other"].id]
    # The mail to their observer (address, their name and the link) goes with them.
    [(_address, key)] = db.session.execute(mails).all()
    assert key.startswith(f"observation_request:{org['other'].id}:")


def test_the_team_dashboard_counts_signed_off_activities_with_an_answered_observation(
        app, client, sign_in, post_form, org):
    link = asked_link(client, sign_in, post_form, org)
    observer = app.test_client()
    token = csrf_token_from(observer.get(link).get_data(as_text=True))
    observer.post(link, data={**answer_data(org["behaviours"][:2]), "csrf_token": token})
    sign_in("other@example.org", PASSWORD)
    ask(client, post_form, org["others"], org["behaviours"][:1])  # asked, never answered: not counted
    sign_out(client)
    for activity in (org["draft"], org["others"]):
        activity.status, activity.decided_by_id = ActivityStatus.SIGNED_OFF, org["manager"].id
        activity.decided_at = appraisal_year.now()
    db.session.commit()
    sign_in("manager@example.org", PASSWORD)
    html = client.get("/team/").get_data(as_text=True)
    assert "Signed-off activities with observed practice feedback: <strong>1</strong>" in html
    assert "You sat down and paused." not in html  # counts only, never the observer's words


def test_a_manager_who_does_not_decide_sees_no_feedback(app, client, sign_in, post_form, org):
    director = make_person(org["tree"]["cancer"], email="director@example.org", tier=3, roles=["manager"],
                           scope=[org["tree"]["cancer"]], name="Dee Director")
    link = asked_link(client, sign_in, post_form, org)
    observer = app.test_client()
    token = csrf_token_from(observer.get(link).get_data(as_text=True))
    observer.post(link, data={**answer_data(org["behaviours"][:2]), "csrf_token": token})
    org["draft"].status = ActivityStatus.SUBMITTED
    db.session.commit()
    assert director.id
    sign_in("director@example.org", PASSWORD)
    page = client.get(f"/team/activities/{org['draft'].id}")
    assert page.status_code == 200 and "Observed practice feedback" not in page.get_data(as_text=True)


def test_organisation_exports_never_carry_the_observers_words(app, client, sign_in, post_form, org):
    from tracker.reports.exporting import EXPORTS

    lead = make_person(org["tree"]["clinic"], email="lead@example.org", roles=["education_lead"])
    link = asked_link(client, sign_in, post_form, org)
    observer = app.test_client()
    token = csrf_token_from(observer.get(link).get_data(as_text=True))
    observer.post(link, data={**answer_data(org["behaviours"][:2], went_well="Unmistakable praise words",
                                            answered_role="Consultant oncologist"), "csrf_token": token})
    org["draft"].status, org["draft"].decided_by_id = ActivityStatus.SIGNED_OFF, org["manager"].id
    org["draft"].decided_at = appraisal_year.now()
    db.session.commit()
    assert lead.id
    sign_in("lead@example.org", PASSWORD)
    for key in EXPORTS:
        response = client.get(f"/reports/export/{key}.csv")
        assert response.status_code == 200, key
        text = response.get_data(as_text=True)
        for words in ("Unmistakable praise words", "Check what they already know.", "Consultant oncologist",
                      "ola.observer@nhs.net", "A family meeting."):
            assert words not in text, (key, words)


def test_choosing_a_colleague_fills_in_their_name(client, sign_in, org):
    sign_in("staff@example.org", PASSWORD)
    found = client.get(f"/activities/{org['draft'].id}/observers/colleagues?name=Oli").get_data(as_text=True)
    chosen = re.search(r'href="([^"]*observers/new\?observer_name=[^"]*)"', found).group(1).replace("&amp;", "&")
    assert 'value="Oli Other"' in client.get(chosen).get_data(as_text=True)


def test_the_requester_cannot_answer_their_own_link(client, sign_in, post_form, org):
    link = asked_link(client, sign_in, post_form, org)
    sign_in("staff@example.org", PASSWORD)
    page = client.get(link).get_data(as_text=True)
    assert "This link is for your observer" in page
    token = csrf_token_from(client.get("/my-year").get_data(as_text=True))
    sent = client.post(link, data={**answer_data(org["behaviours"][:2]), "csrf_token": token})
    assert "This link is for your observer" in sent.get_data(as_text=True)
    assert db.session.scalar(select(ObservationRequest)).status.value == "sent"


def test_the_activity_page_runs_as_many_queries_for_three_observations_as_for_one(
        client, sign_in, org, count_queries):
    from tracker.models import ObservationStatus, ObservedBehaviour, SeenScale

    def answered(n: int) -> None:
        moment = links.now()
        db.session.add(ObservationRequest(
            activity_id=org["draft"].id, requester_id=org["staff"].id, observer_name=f"Observer {n}",
            observer_email=f"o{n}@nhs.net", token_hash=f"{n}" * 64, status=ObservationStatus.ANSWERED,
            expires_at=moment + links.LINK_VALID_FOR, answered_at=moment, answered_name=f"Observer {n}",
            answered_role="Nurse", went_well="Calm.",
            observed=[ObservedBehaviour(behaviour_id=b.id, position=i, seen=SeenScale.CONSISTENT)
                      for i, b in enumerate(org["behaviours"][:3])]))
        db.session.commit()

    sign_in("staff@example.org", PASSWORD)
    url = f"/activities/{org['draft'].id}"
    counts = []
    for how_many in (1, 3):
        while db.session.scalar(select(func.count(ObservationRequest.id))) < how_many:
            answered(db.session.scalar(select(func.count(ObservationRequest.id))) + 1)
        client.get(url)
        db.session.expire_all()
        with count_queries() as counter:
            page = client.get(url).get_data(as_text=True)
        assert page.count("From Observer") == how_many
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


def test_download_your_data_holds_the_requests_made_and_the_feedback_received(app, client, sign_in, post_form, org):
    import json

    words = '=HYPERLINK("http://x.example","Calm") <script>alert(1)</script> and "quoted"'
    link = asked_link(client, sign_in, post_form, org)
    observer = app.test_client()
    token = csrf_token_from(observer.get(link).get_data(as_text=True))
    seen = answer_data(org["behaviours"][:2], went_well=words, **{f"comment_{org['behaviours'][0].id}": "Eye contact."})
    observer.post(link, data={**seen, f"seen_{org['behaviours'][1].id}": "not_seen", "csrf_token": token})
    sign_in("staff@example.org", PASSWORD)
    ask(client, post_form, org["draft"], org["behaviours"][:1], observer_name="Nia Nurse",
        observer_email="nia@nhs.net", situation_note="")
    second = db.session.scalar(select(ObservationRequest).where(ObservationRequest.observer_name == "Nia Nurse"))
    post_form(f"/observations/{second.id}/cancel")
    sign_out(client)
    sign_in("other@example.org", PASSWORD)  # another person's request is not in staff@'s data
    ask(client, post_form, org["others"], org["behaviours"][:1], observer_name="Zed Zebedee")
    sign_out(client)

    sign_in("staff@example.org", PASSWORD)
    response = client.get("/portfolio/my-data.json")
    assert response.mimetype == "application/json" and response.headers["Content-Disposition"].startswith("attachment;")
    text = response.get_data(as_text=True)
    assert "Zed Zebedee" not in text and link.rsplit("/", 1)[1] not in text
    answered, cancelled = json.loads(text)["observations"]
    assert (answered["activity_id"], answered["observer_email"], answered["situation_note"], answered["status"]) == (
        org["draft"].id, "ola.observer@nhs.net", "A family meeting.", "answered")
    feedback = answered["feedback"]
    # JSON carries the observer's words exactly as typed, quoted as every other text in this file.
    assert feedback["what_went_well"] == words and '\\"quoted\\"' in text
    assert (feedback["observer_name"], feedback["observer_role"], feedback["what_to_try_next_time"]) == (
        "Dr Ola Observer", "Consultant", "Check what they already know.")
    assert [(b["code"], b["seen"], b["comment"]) for b in feedback["behaviours"]] == [
        (org["behaviours"][0].code, "Consistent", "Eye contact."), (org["behaviours"][1].code, "Not seen", None)]
    assert (cancelled["observer_name"], cancelled["status"], cancelled["feedback"]) == ("Nia Nurse", "cancelled", None)


@pytest.mark.parametrize("state", ["answered", "cancelled", "expired"])
def test_an_answered_cancelled_or_expired_request_cannot_be_reminded_or_cancelled(
        app, client, sign_in, post_form, org, clock, state):
    from tracker.models import ObservationStatus

    asked_link(client, sign_in, post_form, org)
    request = db.session.scalar(select(ObservationRequest))
    if state == "expired":
        clock.advance(links.LINK_VALID_FOR)
    else:
        request.status = ObservationStatus(state)
        db.session.commit()
    before = set(db.session.scalars(select(AuditEvent.id)))
    sign_in("staff@example.org", PASSWORD)
    page = f"/activities/{org['draft'].id}"
    html = client.get(page).get_data(as_text=True)
    assert "Remind once" not in html and f"/observations/{request.id}/cancel" not in html  # not offered
    reminded = post_form(f"/observations/{request.id}/remind", token_from=page)
    assert reminded.status_code == 302 and not LINK_RE.search(reminded.get_data(as_text=True))
    if state != "expired":  # an expired request may still be cancelled: it only tidies the list
        assert post_form(f"/observations/{request.id}/cancel").status_code == 302
        db.session.refresh(request)
        assert request.status.value == state
    db.session.refresh(request)
    assert not request.reminded
    assert not [a for a in db.session.scalars(select(AuditEvent.action).where(AuditEvent.id.not_in(before)))
                if a in ("observation.reminded", "observation.cancelled")]


def test_every_view_and_submission_is_audited_without_the_observers_words(app, client, sign_in, post_form, org):
    link = asked_link(client, sign_in, post_form, org)
    observer = app.test_client()
    observer.get(link)
    token = csrf_token_from(observer.get(link).get_data(as_text=True))  # opened twice: two entries
    sign_in("staff@example.org", PASSWORD)
    assert "Opened" in client.get(f"/activities/{org['draft'].id}").get_data(as_text=True)
    request = db.session.scalar(select(ObservationRequest))
    post_form(f"/observations/{request.id}/remind", token_from=f"/activities/{org['draft'].id}")
    sign_out(client)
    db.session.refresh(request)
    assert request.reminded
    # The observer answers with the reminder's link, as e-mailed.
    from tracker.models import Notification

    mailed = db.session.scalars(select(Notification).where(Notification.kind == "observation_reminder")).one()
    new_link = mailed.fields["link"].removeprefix("http://localhost")
    token = csrf_token_from(observer.get(new_link).get_data(as_text=True))
    observer.post(new_link, data={**answer_data(org["behaviours"][:2], went_well="Private praise words"),
                                  "csrf_token": token})
    sign_in("staff@example.org", PASSWORD)
    client.get(f"/activities/{org['draft'].id}")  # the author reading their own feedback: nothing to audit
    sign_out(client)
    org["draft"].status = ActivityStatus.SUBMITTED
    db.session.commit()
    sign_in("manager@example.org", PASSWORD)
    client.get(f"/team/activities/{org['draft'].id}")
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.startswith("observation."))
                                .order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == [
        "observation.requested", "observation.link_opened", "observation.link_opened", "observation.reminded",
        "observation.link_opened", "observation.answered", "observation.feedback_viewed"]
    assert all(e.activity_id == org["draft"].id for e in events)
    assert events[-1].actor_id == org["manager"].id
    trail = " ".join(str(e.detail) for e in events)
    assert "Private praise words" not in trail and "ola.observer@nhs.net" not in trail and "Dr Ola" not in trail


def test_the_author_may_untick_what_the_observer_saw_and_submit_with_the_feedback(
        app, client, sign_in, post_form, org, ref):
    from tests.web.portfolio.builders import activity_form

    link = asked_link(client, sign_in, post_form, org)
    observer = app.test_client()
    token = csrf_token_from(observer.get(link).get_data(as_text=True))
    observer.post(link, data={**answer_data(org["behaviours"][:2]), "csrf_token": token})
    draft = org["draft"]
    db.session.refresh(draft)
    assert {b.id for b in org["behaviours"][:2]} <= {b.id for b in draft.behaviours}  # ticked for them
    kept = org["behaviours"][0]
    sign_in("staff@example.org", PASSWORD)
    sent = post_form(f"/activities/{draft.id}/edit", activity_form(
        ref, on=draft.occurred_on, title=draft.title, type_id=str(draft.type_id), behaviour_ids=[str(kept.id)]))
    assert sent.status_code == 302, sent.get_data(as_text=True)
    db.session.refresh(draft)
    assert [b.id for b in draft.behaviours] == [kept.id] and draft.status == ActivityStatus.SUBMITTED
    page = client.get(f"/activities/{draft.id}").get_data(as_text=True)
    assert "Observed practice feedback" in page and "You sat down and paused." in page
