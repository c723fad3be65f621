"""Managers: every team route, its scope and its refusals."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import PASSWORD, make_activity, make_activity_type, make_person, make_tree, make_cancer_managers
from tracker import appraisal_year, staff_history
from tracker.extensions import db
from tracker.models import (
    Activity,
    ActivityStatus,
    AuditEvent,
    Exemption,
    ExemptionReason,
    LeadershipAction,
    Notice,
    Person,
)
from tracker.team import routes as team_routes
from tracker.team.routes import ALREADY_DECIDED


@pytest.fixture
def org(db_session, in_year):
    tree = make_tree()
    director, ward_manager, clinic_manager = make_cancer_managers(tree)
    surgery_manager = make_person(tree["theatres"], email="surgery@example.org", tier=3, roles=["manager"],
                                  scope=[tree["surgery"]], name="Sam Surgerymanager")
    nurse = make_person(tree["ward7"], email="nurse@example.org", tier=1, line_manager=ward_manager, name="Nia Nurse")
    clinic_nurse = make_person(tree["clinic"], email="cnurse@example.org", tier=1, line_manager=clinic_manager,
                               name="Cal Clinicnurse")
    # Works on Ward 7 but reports to the surgery manager, who has no scope over Ward 7.
    borrowed = make_person(tree["ward7"], email="borrowed@example.org", tier=1, line_manager=surgery_manager,
                           name="Bo Borrowed")
    observed = make_activity_type("observed")
    submitted = make_activity(nurse, observed, occurred_on=in_year, status=ActivityStatus.SUBMITTED,
                              title="Breaking bad news role-play")
    submitted.reflection = {"what": "I practised a hard conversation."}
    clinic_submitted = make_activity(clinic_nurse, observed, occurred_on=in_year, status=ActivityStatus.SUBMITTED,
                                     title="Clinic debrief")
    own = make_activity(ward_manager, observed, occurred_on=in_year, status=ActivityStatus.SUBMITTED,
                        title="Manager own observation")
    borrowed_activity = make_activity(borrowed, observed, occurred_on=in_year, status=ActivityStatus.SUBMITTED,
                                      title="Borrowed shadowing")
    idle = make_person(tree["ward7"], email="idle@example.org", tier=1, line_manager=ward_manager, name="Ida Idle")
    # Committed (a SAVEPOINT release inside the test's transaction) so a view's rollback keeps it.
    db.session.commit()
    return dict(tree=tree, director=director, ward_manager=ward_manager, clinic_manager=clinic_manager,
                surgery_manager=surgery_manager, nurse=nurse, clinic_nurse=clinic_nurse, borrowed=borrowed,
                submitted=submitted, clinic_submitted=clinic_submitted, own=own,
                borrowed_activity=borrowed_activity, observed=observed, idle=idle)


def login(sign_in, email):
    response = sign_in(email, PASSWORD)
    assert response.status_code == 302


def text_of(response) -> str:
    return response.get_data(as_text=True)


# --- who sees whom ---------------------------------------------------------------------


def test_ward_manager_sees_only_their_team(client, sign_in, org):
    login(sign_in, "manager@example.org")
    html = text_of(client.get("/team/"))
    assert "Nia Nurse" in html and "Bo Borrowed" in html
    assert "Cal Clinicnurse" not in html and "Sam Surgerymanager" not in html


def test_sibling_manager_does_not_see_ward7(client, sign_in, org):
    login(sign_in, "clinic@example.org")
    html = text_of(client.get("/team/"))
    assert "Cal Clinicnurse" in html and "Nia Nurse" not in html
    assert client.get(f"/team/people/{org['nurse'].id}").status_code == 404
    assert client.get(f"/team/activities/{org['submitted'].id}").status_code == 404
    assert client.get(f"/team/?unit={org['tree']['ward7'].id}").status_code == 404


def test_directorate_manager_sees_every_team_ranked_and_drills_down(client, sign_in, org):
    login(sign_in, "director@example.org")
    html = text_of(client.get("/team/"))
    assert "Nia Nurse" in html and "Cal Clinicnurse" in html and "Sam Surgerymanager" not in html
    assert "Teams, lowest compliance first" in html
    assert f"unit={org['tree']['ward7'].id}" in html
    drilled = text_of(client.get(f"/team/?unit={org['tree']['ward7'].id}"))
    assert "Nia Nurse" in drilled and "Cal Clinicnurse" not in drilled
    assert client.get(f"/team/?unit={org['tree']['theatres'].id}").status_code == 404


def test_a_directorate_with_many_teams_lists_the_lowest_and_all_on_request(client, sign_in, org, monkeypatch):
    monkeypatch.setattr(team_routes, "TEAMS_SHOWN", 1)  # the director's directorate has two teams
    login(sign_in, "director@example.org")

    def ranked_rows(html: str) -> int:
        section = html[html.index('<section id="units"'):]
        return section[:section.index("</section>")].count('<th scope="row"')

    html = text_of(client.get("/team/"))
    assert ranked_rows(html) == 1
    assert "There are 2 teams here; these are the 1 with the lowest compliance." in html
    assert "Show all 2 teams" in html
    every = text_of(client.get("/team/?teams=all"))
    assert ranked_rows(every) == 2 and "Show all 2 teams" not in every


def test_person_moved_mid_year_follows_their_new_team(client, sign_in, org, post_form):
    nurse = org["nurse"]
    staff_history.change(nurse, appraisal_year.today(), team=org["tree"]["clinic"])
    db.session.flush()
    login(sign_in, "manager@example.org")
    assert "Nia Nurse" not in text_of(client.get("/team/"))
    assert client.get(f"/team/people/{nurse.id}").status_code == 404
    post_form("/sign-out", {}, token_from="/")
    login(sign_in, "clinic@example.org")
    html = text_of(client.get(f"/team/people/{nurse.id}"))
    assert "Breaking bad news role-play" in html  # activities logged before the move come with them


def test_last_years_figures_keep_someone_who_has_moved_away(client, sign_in, org):
    nurse = org["nurse"]
    staff_history.change(nurse, appraisal_year.today(), team=org["tree"]["clinic"])
    db.session.commit()
    last_year = appraisal_year.current_year(appraisal_year.today()).previous().start_year
    login(sign_in, "manager@example.org")
    assert "Nia Nurse" in text_of(client.get(f"/team/?year={last_year}"))
    assert client.get(f"/team/people/{nurse.id}?year={last_year}").status_code == 200
    assert client.get(f"/team/people/{nurse.id}").status_code == 404


def test_staff_member_is_refused_every_manager_url(client, sign_in, org, post_form):
    login(sign_in, "nurse@example.org")
    for url in ("/team/", "/team/queue", f"/team/people/{org['nurse'].id}",
                f"/team/activities/{org['submitted'].id}", "/team/leadership-actions/new",
                f"/team/people/{org['nurse'].id}/exemptions/new"):
        assert client.get(url).status_code == 403, url
    # With a valid token, so that it is the role gate that answers, not the CSRF check.
    response = post_form(f"/team/activities/{org['submitted'].id}/decision", {"decision": "sign_off"}, token_from="/")
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Activity, org["submitted"].id).status == ActivityStatus.SUBMITTED
    assert "Team dashboard" not in text_of(client.get("/"))


@pytest.mark.parametrize("url", ["/team/people/999999", "/team/activities/999999",
                                 "/team/activities/999999/reflection", "/team/people/999999/exemptions/new"])
def test_tampered_ids_are_not_found(client, sign_in, org, url):
    login(sign_in, "manager@example.org")
    assert client.get(url).status_code == 404


# --- the dashboard ---------------------------------------------------------------------


def test_dashboard_headline_counts_and_links(client, sign_in, org, in_year):
    make_activity(org["nurse"], org["observed"], occurred_on=in_year, behaviours=[], title="Done")
    login(sign_in, "manager@example.org")
    html = text_of(client.get("/team/"))
    assert "Team dashboard" in html and "Compliance" in html
    assert re.search(r"Red: well below the 85% target", html)
    assert "status=not_started" in html and "status=in_progress" in html  # counts link to the people
    assert "Record a leadership action" in html


def test_dashboard_filters_and_sorts(client, sign_in, org):
    login(sign_in, "manager@example.org")
    html = text_of(client.get("/team/?status=not_started"))
    assert "Wyn Wardmanager" not in re.sub(r"<header.*?</header>", "", html, flags=re.S)  # awaiting sign-off
    html = text_of(client.get("/team/?sort=name&order=desc"))
    assert html.index("Wyn Wardmanager") < html.index("Nia Nurse") < html.index("Bo Borrowed")
    assert 'aria-sort="descending"' in html
    html = text_of(client.get("/team/?tier=3"))
    assert "Wyn Wardmanager" in html and "Nia Nurse" not in html
    html = text_of(client.get("/team/?year=1999"))
    assert "Choose an appraisal year from the list" in html


def test_navigation_shows_the_queue_count(client, sign_in, org):
    login(sign_in, "manager@example.org")
    html = text_of(client.get("/team/"))
    assert "Team dashboard" in html
    # The nurse's; not the borrowed nurse's (her line manager decides), never his own.
    assert "Sign-off queue (1)" in html


def test_the_kept_menu_shows_the_queue_count_of_the_moment(client, sign_in, org, post_form):
    # The header is kept per distinct menu (tracker/kept_macros.py): a decision changes it at once.
    login(sign_in, "manager@example.org")
    assert "Sign-off queue (1)" in text_of(client.get("/team/"))
    activity = org["submitted"]
    post_form(f"/team/activities/{activity.id}/decision", {"decision": "sign_off"},
              token_from=f"/team/activities/{activity.id}")
    html = text_of(client.get("/team/"))
    assert "Sign-off queue (0)" in html and "Sign-off queue (1)" not in html


# --- sign-off --------------------------------------------------------------------------


def test_queue_lists_what_the_manager_decides_never_my_own(client, sign_in, org, post_form):
    login(sign_in, "manager@example.org")
    html = text_of(client.get("/team/queue"))
    assert "Breaking bad news role-play" in html
    assert "Borrowed shadowing" not in html  # in his scope, but her line manager decides
    assert "Manager own observation" not in html and "Clinic debrief" not in html
    # A manager may not decide on their own activity: not found, as if it were out of scope.
    response = post_form(f"/team/activities/{org['own'].id}/decision", {"decision": "sign_off"}, token_from="/team/queue")
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Activity, org["own"].id).status == ActivityStatus.SUBMITTED


def test_managers_own_activity_goes_to_their_line_manager(client, sign_in, org):
    login(sign_in, "director@example.org")
    assert "Manager own observation" in text_of(client.get("/team/queue"))


def test_line_manager_outside_scope_signs_off_but_cannot_open_the_person(client, sign_in, org, post_form):
    login(sign_in, "surgery@example.org")
    assert "Borrowed shadowing" in text_of(client.get("/team/queue"))
    activity = org["borrowed_activity"]
    response = post_form(f"/team/activities/{activity.id}/decision", {"decision": "sign_off"},
                         token_from=f"/team/activities/{activity.id}")
    assert response.status_code == 302
    assert db.session.get(Activity, activity.id).status == ActivityStatus.SIGNED_OFF
    assert client.get(f"/team/people/{org['borrowed'].id}").status_code == 404


def test_sign_off_records_the_decision_and_audit(client, sign_in, org, post_form):
    login(sign_in, "manager@example.org")
    activity = org["submitted"]
    page = text_of(client.get(f"/team/activities/{activity.id}"))
    assert "Sign off" in page and "Return with feedback" in page
    response = post_form(f"/team/activities/{activity.id}/decision", {"decision": "sign_off"},
                         token_from=f"/team/activities/{activity.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/team/queue")
    db.session.expire_all()
    activity = db.session.get(Activity, activity.id)
    assert activity.status == ActivityStatus.SIGNED_OFF and activity.decided_by_id == org["ward_manager"].id
    assert activity.decided_at is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "activity.signed_off"))
    assert event.actor_id == org["ward_manager"].id and event.activity_id == activity.id
    assert "You signed off" in text_of(client.get("/team/queue"))


def test_return_needs_feedback(client, sign_in, org, post_form):
    login(sign_in, "manager@example.org")
    activity = org["submitted"]
    url = f"/team/activities/{activity.id}"
    html = text_of(post_form(f"{url}/decision", {"decision": "return", "feedback": "  "}, token_from=url))
    assert "There is a problem" in html and "Enter feedback so they know what to change" in html
    db.session.expire_all()
    assert db.session.get(Activity, activity.id).status == ActivityStatus.SUBMITTED
    response = post_form(f"{url}/decision", {"decision": "return", "feedback": "Add which behaviours."}, token_from=url)
    assert response.status_code == 302
    db.session.expire_all()
    activity = db.session.get(Activity, activity.id)
    assert activity.status == ActivityStatus.RETURNED and activity.feedback == "Add which behaviours."


def test_a_second_decision_is_refused_with_a_clear_message(client, sign_in, org, post_form):
    login(sign_in, "manager@example.org")
    activity = org["submitted"]
    url = f"/team/activities/{activity.id}"
    token_page = url
    post_form(f"{url}/decision", {"decision": "sign_off"}, token_from=token_page)
    response = post_form(f"{url}/decision", {"decision": "return", "feedback": "Late"}, token_from=token_page,
                         follow_redirects=True)
    assert ALREADY_DECIDED in text_of(response)
    db.session.expire_all()
    assert db.session.get(Activity, activity.id).status == ActivityStatus.SIGNED_OFF
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action.in_(["activity.signed_off", "activity.returned"]))) == 1


def test_private_reflection_is_not_offered_and_not_reachable(client, sign_in, org):
    login(sign_in, "manager@example.org")
    activity = org["submitted"]
    html = text_of(client.get(f"/team/activities/{activity.id}"))
    assert "kept this reflection private" in html and "I practised" not in html
    assert "Private to Nia Nurse" in html
    assert "Sign-off needs only the summary above: you do not need to read the reflection to decide." in html
    assert client.get(f"/team/activities/{activity.id}/reflection").status_code == 404


def test_shared_reflection_is_shown_and_its_reading_audited(client, sign_in, org):
    activity = org["submitted"]
    activity.manager_may_read = True
    db.session.flush()
    login(sign_in, "manager@example.org")
    assert "Read the reflection" in text_of(client.get(f"/team/activities/{activity.id}"))
    html = text_of(client.get(f"/team/activities/{activity.id}/reflection"))
    assert "I practised a hard conversation." in html
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "reflection.viewed"))
    assert (event.actor_id, event.person_id, event.activity_id) == (org["ward_manager"].id, org["nurse"].id, activity.id)
    assert event.occurred_at is not None and "I practised" not in str(event.detail)


# --- person view and exemptions --------------------------------------------------------


def test_person_view_shows_their_year_read_only(client, sign_in, org):
    login(sign_in, "manager@example.org")
    html = text_of(client.get(f"/team/people/{org['nurse'].id}"))
    assert "Nia Nurse" in html and "Breaking bad news role-play" in html
    assert "awaiting sign-off" in html or "in progress" in html
    assert "Record an exemption" in html and "I practised" not in html


def _exemption_form(start: date, end: date, reason="parental_leave", detail=""):
    return {"reason": reason, "reason_detail": detail,
            "starts_on-day": start.day, "starts_on-month": start.month, "starts_on-year": start.year,
            "ends_on-day": end.day, "ends_on-month": end.month, "ends_on-year": end.year}


@pytest.mark.parametrize("form,message", [
    (lambda today: {}, "Choose the reason for the exemption"),
    (lambda today: _exemption_form(today, today - timedelta(days=1)),
     "The end date must be the same as or after the start date"),
    (lambda today: _exemption_form(today, today, reason="other"), "Describe the reason for the exemption"),
    (lambda today: {**_exemption_form(today, today), "starts_on-month": "13"}, "Start date must be a real date"),
    # A blank end date records an open-ended exemption (tests/web/test_team_changes.py); half of one is a slip.
    (lambda today: {**_exemption_form(today, today), "ends_on-day": ""}, "End date must include a day"),
])
def test_exemption_form_errors_save_nothing(client, sign_in, org, post_form, today, form, message):
    data = form(today)
    login(sign_in, "manager@example.org")
    url = f"/team/people/{org['nurse'].id}/exemptions/new"
    response = post_form(url, data)
    html = text_of(response)
    assert response.status_code == 200 and "There is a problem" in html and message in html
    assert db.session.scalar(select(func.count()).select_from(Exemption)) == 0


def test_exemption_takes_the_person_out_of_the_denominator(client, sign_in, org, post_form, this_year):
    login(sign_in, "manager@example.org")
    nurse = org["nurse"]
    url = f"/team/people/{nurse.id}/exemptions/new"
    response = post_form(url, _exemption_form(this_year.starts_on, this_year.ends_on, reason="other", detail="Jury service"))
    assert response.status_code == 302
    exemption = db.session.scalar(select(Exemption))
    assert exemption.person_id == nurse.id and exemption.recorded_by_id == org["ward_manager"].id
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "exemption.recorded")).person_id == nurse.id
    html = text_of(client.get("/team/?status=exempt"))
    assert "Nia Nurse" in html
    assert "Jury service" in text_of(client.get(f"/team/people/{nurse.id}"))


# --- leadership actions ----------------------------------------------------------------


def _action_form(kind="protected_time", day=None, hours="6", unit="", note=""):
    day = day or appraisal_year.today()
    return {"kind": kind, "occurred_on-day": day.day, "occurred_on-month": day.month,
            "occurred_on-year": day.year, "hours": hours, "unit": unit, "note": note}


@pytest.mark.parametrize("data,message", [
    (_action_form(hours=""), "Enter the hours of protected learning time given"),
    (_action_form(hours="lots"), "Enter hours as a number"),
    ("in two days", "The date must be today or in the past"),
    (_action_form(kind=""), "Choose what you did"),
])
def test_leadership_action_errors(client, sign_in, org, post_form, today, data, message):
    if data == "in two days":
        data = _action_form(day=today + timedelta(days=2))
    login(sign_in, "manager@example.org")
    html = text_of(post_form("/team/leadership-actions/new", data))
    assert message in html and "There is a problem" in html
    assert db.session.scalar(select(func.count()).select_from(LeadershipAction)) == 0


def test_leadership_action_outside_scope_unit_is_refused(client, sign_in, org, post_form):
    login(sign_in, "manager@example.org")
    html = text_of(post_form("/team/leadership-actions/new", _action_form(unit=str(org["tree"]["theatres"].id))))
    assert "Choose one of your teams" in html
    assert db.session.scalar(select(func.count()).select_from(LeadershipAction)) == 0


def test_leadership_action_appears_on_the_dashboard(client, sign_in, org, post_form):
    login(sign_in, "manager@example.org")
    response = post_form("/team/leadership-actions/new",
                         _action_form(unit=str(org["tree"]["ward7"].id), note="Two study afternoons"))
    assert response.status_code == 302
    html = text_of(client.get("/team/"))
    assert "Protected learning time given" in html and "Two study afternoons" in html and "6 hours" in html
    post_form("/sign-out", {}, token_from="/")
    login(sign_in, "clinic@example.org")
    assert "Two study afternoons" not in text_of(client.get("/team/"))


# --- reminders -------------------------------------------------------------------------


def remind(post_form, data: dict):
    """Choose people on the dashboard, then confirm on the page that lists who will be reminded."""
    page = text_of(post_form("/team/reminders", {"everyone": "no", **data}, token_from="/team/"))
    ids = re.findall(r'name="person_id" value="(\d+)"', page)
    response = post_form("/team/reminders", {**{k: v for k, v in data.items() if k != "person_id"}, "everyone": "no",
                                            "person_id": ids, "confirm": "yes"}, token_from="/team/")
    return page, response


def test_reminders_go_once_a_day_after_a_confirmation(client, sign_in, org, post_form, today):
    login(sign_in, "manager@example.org")
    idle = org["idle"]
    page = text_of(post_form("/team/reminders", {"person_id": [idle.id], "everyone": "no"}, token_from="/team/"))
    assert "Send reminders" in page and "Ida Idle" in page and "Send 1 reminder" in page
    assert db.session.scalar(select(func.count()).select_from(Notice)) == 0  # nothing sent before confirming
    _, response = remind(post_form, {"person_id": [idle.id]})
    assert response.status_code == 302
    notice = db.session.scalar(select(Notice))
    assert notice.person_id == idle.id and notice.sent_on == today and "reminder" in notice.message
    _, again = remind(post_form, {"person_id": [idle.id]})
    assert "already had a reminder today" in text_of(client.get(again.headers["Location"]))
    assert db.session.scalar(select(func.count()).select_from(Notice)) == 1
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "reminder.sent")) is not None


def test_reminders_go_only_to_people_who_still_need_to_act(client, sign_in, org, post_form):
    login(sign_in, "manager@example.org")
    manager = db.session.scalar(select(Person).where(Person.email == "manager@example.org"))
    # The nurse's submitted activity has no behaviours, so she is still in progress (she must act).
    finished = make_person(org["tree"]["ward7"], email="away@example.org", tier=1, name="Al Away")
    db.session.add(Exemption(person_id=finished.id, reason=ExemptionReason.PARENTAL_LEAVE,
                             starts_on=appraisal_year.today() - timedelta(days=30),
                             ends_on=appraisal_year.today() + timedelta(days=30)))
    db.session.commit()
    chosen = [org["nurse"].id, org["idle"].id, finished.id, manager.id]
    page = text_of(post_form("/team/reminders", {"person_id": chosen, "everyone": "no"}, token_from="/team/"))
    assert sorted(re.findall(r'name="person_id" value="(\d+)"', page)) == sorted([str(org["idle"].id), str(org["nurse"].id)])
    assert "1 person exempt" in page and "<li>You</li>" in page
    # Even a hand-made confirmation reminds only those who need it.
    post_form("/team/reminders", {"person_id": chosen, "everyone": "no", "confirm": "yes"}, token_from="/team/")
    assert set(db.session.scalars(select(Notice.person_id))) == {org["idle"].id, org["nurse"].id}


def test_remind_everyone_listed_uses_the_filters(client, sign_in, org, post_form, this_year):
    login(sign_in, "manager@example.org")
    page = text_of(post_form("/team/reminders", {"everyone": "yes", "status": "not_started",
                                                 "year": this_year.start_year}, token_from="/team/"))
    ids = re.findall(r'name="person_id" value="(\d+)"', page)
    post_form("/team/reminders", {"everyone": "no", "person_id": ids, "confirm": "yes", "status": "not_started",
                                  "year": this_year.start_year}, token_from="/team/")
    reminded = set(db.session.scalars(select(Notice.person_id)))
    assert reminded and org["nurse"].id not in reminded  # the nurse is awaiting sign-off
    assert org["clinic_nurse"].id not in reminded


def test_reminding_someone_outside_scope_is_refused(client, sign_in, org, post_form):
    login(sign_in, "manager@example.org")
    response = post_form("/team/reminders", {"person_id": [org["nurse"].id, org["clinic_nurse"].id]},
                         token_from="/team/")
    assert response.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Notice)) == 0


def test_the_reminder_appears_on_their_my_year_page(client, sign_in, org, post_form):
    login(sign_in, "manager@example.org")
    remind(post_form, {"person_id": [org["idle"].id]})
    post_form("/sign-out", {}, token_from="/")
    login(sign_in, "idle@example.org")
    html = text_of(client.get("/my-year"))
    assert "Wyn Wardmanager has sent you a reminder" in html
