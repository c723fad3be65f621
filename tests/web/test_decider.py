"""One decider per activity, in every arrangement of line managers and scopes; the sign-off pages
open to whoever decides, the unmanaged list to admins, and every refusal for its own reason.

Organisation: trust -> Cancer Services (Dina Director) -> Ward 7 (Wyn, ward manager), the day
unit (Cleo, who has no line manager); trust -> Surgery -> Main Theatres, which no manager covers.
"""
from __future__ import annotations

from datetime import date

import pytest
from werkzeug.exceptions import NotFound

from tests.factories import PASSWORD, make_activity, make_activity_type, make_person, make_tree, make_unit
from tracker import access
from tracker.extensions import db
from tracker.models import Activity, ActivityStatus, EvidenceFile, UnitKind

# The queue does not look at the appraisal year, so any fixed day will do.
DAY = date(2026, 5, 12)


@pytest.fixture
def org(db_session):
    tree = make_tree()
    learning = make_unit("Learning and Development", UnitKind.TEAM, tree["trust"])
    director = make_person(tree["cancer"], email="director@example.org", tier=3, roles=["manager"],
                           scope=[tree["cancer"]], name="Dina Director")
    ward_manager = make_person(tree["ward7"], email="manager@example.org", tier=3, roles=["manager"],
                               scope=[tree["ward7"]], line_manager=director, name="Wyn Wardmanager")
    # Manages the day unit and has no line manager: her own activities go up to the director.
    clinic_manager = make_person(tree["clinic"], email="clinic@example.org", tier=3, roles=["manager"],
                                 scope=[tree["clinic"]], name="Cleo Clinicmanager")
    # A senior nurse who line-manages without the manager role.
    sister = make_person(tree["ward7"], email="sister@example.org", tier=2, line_manager=ward_manager,
                         name="Sal Sister")
    gone = make_person(tree["ward7"], email="gone@example.org", tier=2, active=False, name="Gil Gone")
    educator = make_person(learning, email="educator@example.org", tier=3, roles=["education_lead"],
                           name="Eve Educator")
    people = {
        "nurse": make_person(tree["ward7"], email="nurse@example.org", tier=1, line_manager=ward_manager,
                             name="Nia Nurse"),
        "assistant": make_person(tree["ward7"], email="assistant@example.org", tier=1, line_manager=sister,
                                 name="Hal Assistant"),
        "unassigned": make_person(tree["ward7"], email="unassigned@example.org", tier=1, name="Una Unassigned"),
        "left_behind": make_person(tree["ward7"], email="left@example.org", tier=1, line_manager=gone,
                                   name="Lee Leftbehind"),
        "trainee": make_person(tree["ward7"], email="trainee@example.org", tier=1, line_manager=educator,
                               name="Tia Trainee"),
        "porter": make_person(tree["theatres"], email="porter@example.org", tier=1, name="Pat Porter"),
    }
    observed = make_activity_type("observed")
    activities = {
        name: make_activity(person, observed, occurred_on=DAY, status=ActivityStatus.SUBMITTED,
                            title=f"{person.name} role-play")
        for name, person in people.items()
    }
    activities["ward_manager"] = make_activity(ward_manager, observed, occurred_on=DAY,
                                               status=ActivityStatus.SUBMITTED, title="Ward manager's observation")
    activities["clinic_manager"] = make_activity(clinic_manager, observed, occurred_on=DAY,
                                                 status=ActivityStatus.SUBMITTED, title="Day unit manager's debrief")
    db.session.commit()  # a SAVEPOINT release: a view's rollback keeps the fixture
    return dict(tree=tree, director=director, ward_manager=ward_manager, clinic_manager=clinic_manager,
                sister=sister, gone=gone, educator=educator, people=people, activities=activities)


def login(sign_in, email):
    assert sign_in(email, PASSWORD).status_code == 302


def text_of(response) -> str:
    return response.get_data(as_text=True)


def decide(post_form, activity, decision="sign_off", feedback=""):
    return post_form(f"/team/activities/{activity.id}/decision", {"decision": decision, "feedback": feedback},
                     token_from="/")


def status_of(activity) -> ActivityStatus:
    db.session.expire_all()
    return db.session.get(Activity, activity.id).status


# --- who decides ------------------------------------------------------------------------


@pytest.mark.parametrize("activity, decider", [
    ("nurse", "ward_manager"),          # line manager with the manager role
    ("assistant", "sister"),            # line manager without the manager role
    ("unassigned", "ward_manager"),     # no line manager: the nearest manager over Ward 7
    ("left_behind", "ward_manager"),    # line manager has left
    ("trainee", "ward_manager"),        # line manager is an education lead: never decides
    ("ward_manager", "director"),       # a manager's own activity goes to their line manager
    ("clinic_manager", "director"),     # her own scope covers her team, but never her own
    ("porter", None),                   # nobody: unmanaged
])
def test_each_activity_has_the_decider_the_rule_names(org, activity, decider):
    expected = org[decider] if decider else None
    found = access.decider_of(org["activities"][activity])
    assert (found.email if found else None) == (expected.email if expected else None)


def test_line_manager_with_the_manager_role_decides(client, sign_in, org, post_form):
    login(sign_in, "manager@example.org")
    html = text_of(client.get("/team/queue"))
    for name in ("nurse", "unassigned", "left_behind", "trainee"):
        assert org["activities"][name].title in html, name
    for name in ("assistant", "ward_manager", "clinic_manager", "porter"):
        assert org["activities"][name].title not in html, name
    assert "Sign-off queue (4)" in html
    assert decide(post_form, org["activities"]["nurse"]).status_code == 302
    assert status_of(org["activities"]["nurse"]) == ActivityStatus.SIGNED_OFF


def test_line_manager_without_the_manager_role_gets_the_queue_but_not_the_dashboard(client, sign_in, org, post_form):
    login(sign_in, "sister@example.org")
    home = text_of(client.get("/"))
    assert "Sign-off queue (1)" in home and "Team dashboard" not in home
    html = text_of(client.get("/team/queue"))
    assert "Hal Assistant role-play" in html and "Nia Nurse role-play" not in html
    assert "Back to the team dashboard" not in html
    assert "Show activities waiting for managers in your scope" not in html
    activity = org["activities"]["assistant"]
    assert "Sign off" in text_of(client.get(f"/team/activities/{activity.id}"))
    assert decide(post_form, activity, "return", "Say which behaviours.").status_code == 302
    assert status_of(activity) == ActivityStatus.RETURNED
    assert client.get("/team/").status_code == 403
    assert client.get(f"/team/people/{org['people']['assistant'].id}").status_code == 403
    assert client.get("/team/queue?include=scope").status_code == 200  # asks for nothing she cannot see
    assert decide(post_form, org["activities"]["nurse"]).status_code == 404  # not hers to decide


def test_the_ward_manager_no_longer_sees_what_the_sister_decides(client, sign_in, org, post_form):
    login(sign_in, "manager@example.org")
    assert decide(post_form, org["activities"]["assistant"]).status_code == 404
    assert status_of(org["activities"]["assistant"]) == ActivityStatus.SUBMITTED


def test_nearest_manager_decides_when_the_line_manager_cannot(client, sign_in, org, post_form):
    login(sign_in, "manager@example.org")
    for name in ("unassigned", "left_behind", "trainee"):
        assert decide(post_form, org["activities"][name]).status_code == 302, name
        assert status_of(org["activities"][name]) == ActivityStatus.SIGNED_OFF, name


def test_an_education_lead_who_line_manages_is_offered_no_queue(client, sign_in, org):
    login(sign_in, "educator@example.org")
    assert "Sign-off queue" not in text_of(client.get("/"))
    assert client.get("/team/queue").status_code == 403
    assert client.get(f"/team/activities/{org['activities']['trainee'].id}").status_code == 403


def test_a_line_manager_who_has_left_cannot_decide(org):
    assert not access.may_decide_as_line_manager(org["gone"])
    assert access.decider_of(org["activities"]["left_behind"]).id == org["ward_manager"].id


def test_submitting_names_the_decider(client, sign_in, org):
    login(sign_in, "trainee@example.org")
    html = text_of(client.get(f"/activities/{org['activities']['trainee'].id}"))
    assert "to Wyn Wardmanager" in html and "Eve Educator" not in html


# --- refusals, each for its own reason --------------------------------------------------


def test_staff_posting_a_decision_is_refused_by_the_gate(client, sign_in, org, post_form):
    login(sign_in, "nurse@example.org")
    response = decide(post_form, org["activities"]["unassigned"])
    assert response.status_code == 403
    assert status_of(org["activities"]["unassigned"]) == ActivityStatus.SUBMITTED


def test_a_manager_cannot_decide_on_their_own_activity(client, sign_in, org, post_form):
    login(sign_in, "clinic@example.org")
    own = org["activities"]["clinic_manager"]
    assert client.get(f"/team/activities/{own.id}").status_code == 404
    assert decide(post_form, own).status_code == 404
    assert status_of(own) == ActivityStatus.SUBMITTED


def test_withdrawing_someone_elses_activity_is_not_found(client, sign_in, org, post_form):
    login(sign_in, "manager@example.org")
    activity = org["activities"]["nurse"]
    response = post_form(f"/activities/{activity.id}/withdraw", {}, token_from="/")
    assert response.status_code == 404
    assert status_of(activity) == ActivityStatus.SUBMITTED


def test_a_draft_stays_its_authors_alone(client, sign_in, org):
    nurse = org["people"]["nurse"]
    draft = make_activity(nurse, make_activity_type(), occurred_on=DAY, status=ActivityStatus.DRAFT, title="Half-written")
    files = {}
    for name, activity in (("draft", draft), ("submitted", org["activities"]["nurse"])):
        files[name] = EvidenceFile(activity_id=activity.id, original_name="notes.pdf", stored_name=f"{name}-stored",
                                   content_type="application/pdf", size_bytes=10)
        db.session.add(files[name])
    db.session.commit()
    for viewer in (org["ward_manager"], org["director"]):
        assert access.evidence_for(viewer, files["submitted"].id).id == files["submitted"].id
        with pytest.raises(NotFound):
            access.evidence_for(viewer, files["draft"].id)
    assert draft.id not in set(db.session.scalars(
        access.visible_activities(org["ward_manager"]).with_only_columns(Activity.id)))
    assert draft.id in set(db.session.scalars(access.visible_activities(nurse).with_only_columns(Activity.id)))
    login(sign_in, "director@example.org")
    assert client.get(f"/team/activities/{draft.id}").status_code == 404
    # Nor is its title listed on the person's page.
    person_page = text_of(client.get(f"/team/people/{nurse.id}?year={DAY.year}"))
    assert "Nia Nurse role-play" in person_page and "Half-written" not in person_page


# --- a director, and the admins ---------------------------------------------------------


def test_director_sees_ward_managers_items_only_on_request_and_only_to_read(client, sign_in, org, post_form):
    login(sign_in, "director@example.org")
    html = text_of(client.get("/team/queue"))
    assert "Ward manager&#39;s observation" in html and "Day unit manager&#39;s debrief" in html
    assert "Nia Nurse role-play" not in html and "Sign-off queue (2)" in html
    assert "Show activities waiting for managers in your scope" in html

    html = text_of(client.get("/team/queue?include=scope"))
    assert "Waiting for managers in your scope" in html
    assert "Nia Nurse role-play" in html and "Waiting for Wyn Wardmanager" in html
    assert "Hal Assistant role-play" in html and "Waiting for Sal Sister" in html
    assert "Pat Porter role-play" not in html  # Surgery is not in her scope

    activity = org["activities"]["nurse"]
    page = text_of(client.get(f"/team/activities/{activity.id}"))
    assert "Waiting for Wyn Wardmanager to sign off or return it." in page and "Your decision" not in page
    assert decide(post_form, activity).status_code == 404
    assert status_of(activity) == ActivityStatus.SUBMITTED


def test_a_ward_manager_without_others_below_sees_an_empty_scope_list(client, sign_in, org):
    login(sign_in, "clinic@example.org")
    html = text_of(client.get("/team/queue?include=scope"))
    assert "Nothing is waiting for the managers in your scope." in html


def test_admins_see_the_activities_nobody_can_decide(client, sign_in, org):
    make_person(org["tree"]["ward7"], email="root@example.org", roles=["admin"])
    db.session.commit()
    login(sign_in, "root@example.org")
    assert 'href="/admin/unmanaged"' in text_of(client.get("/admin/people"))
    html = text_of(client.get("/admin/unmanaged"))
    assert "<h1>Unmanaged activities</h1>" in html
    assert "Pat Porter role-play" in html and "Main Theatres" in html
    assert "Nia Nurse role-play" not in html and "Ward manager&#39;s observation" not in html


def test_the_unmanaged_list_is_for_admins_only(client, sign_in, org):
    login(sign_in, "director@example.org")
    assert client.get("/admin/unmanaged").status_code == 403


def test_an_unmanaged_activity_leaves_the_list_once_a_manager_covers_the_team(client, sign_in, org):
    make_person(org["tree"]["theatres"], email="theatres@example.org", roles=["manager"],
                scope=[org["tree"]["surgery"]])
    db.session.commit()
    assert access.decider_of(org["activities"]["porter"]).email == "theatres@example.org"
    make_person(org["tree"]["ward7"], email="root@example.org", roles=["admin"])
    db.session.commit()
    login(sign_in, "root@example.org")
    assert "Pat Porter role-play" not in text_of(client.get("/admin/unmanaged"))


def test_the_scope_list_runs_as_many_queries_for_many_activities_as_for_few(client, sign_in, org, count_queries):
    login(sign_in, "director@example.org")

    def queries() -> int:
        client.get("/team/queue?include=scope")  # warm: the first request of a session loads the person
        with count_queries() as counter:
            assert client.get("/team/queue?include=scope").status_code == 200
        return counter.count

    few = queries()
    observed = make_activity_type("shadowing")
    for n in range(12):
        author = make_person(org["tree"]["clinic" if n % 2 else "ward7"], line_manager=org["sister"] if n % 3 else None)
        make_activity(author, observed, occurred_on=DAY, status=ActivityStatus.SUBMITTED, title=f"Extra {n}")
    db.session.commit()
    assert queries() == few
