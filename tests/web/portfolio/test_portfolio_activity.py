"""One activity: view, change, withdraw, delete, returned with feedback; and My portfolio and
the export of all my own data."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from tests.support import csrf_token_from
from tests.factories import PASSWORD
from tests.web.portfolio.builders import GIBBS, activity_form, my_activity
from tracker import appraisal_year
from tracker.compliance import Status, progress_of
from tracker.extensions import db
from tracker.models import Activity, ActivityStatus, AuditEvent, ReflectionModel

DRAFT, SUBMITTED, RETURNED, SIGNED = (ActivityStatus.DRAFT, ActivityStatus.SUBMITTED,
                                      ActivityStatus.RETURNED, ActivityStatus.SIGNED_OFF)


def actions(activity) -> list[str]:
    return db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.activity_id == activity.id).order_by(AuditEvent.id)
    ).all()


# --- only my own ----------------------------------------------------------------------------


@pytest.mark.parametrize("url,method", [
    ("/activities/{id}", "get"), ("/activities/{id}/edit", "get"), ("/activities/{id}/edit", "post"),
    ("/activities/{id}/withdraw", "post"), ("/activities/{id}/delete", "get"), ("/activities/{id}/delete", "post"),
])
def test_someone_elses_activity_is_404_on_every_route(client, as_nurse, org, ref, post_form, url, method):
    theirs = my_activity(org["stranger"], ref, status=SUBMITTED)
    mine = my_activity(as_nurse, ref, status=DRAFT)
    target = url.format(id=theirs.id)
    if method == "get":
        response = client.get(target)
    else:
        response = post_form(target, activity_form(ref), token_from=f"/activities/{mine.id}/edit")
    assert response.status_code == 404
    db.session.refresh(theirs)
    assert theirs.status == SUBMITTED and theirs.deleted_at is None


def test_a_manager_uses_the_team_pages_not_the_owners_page(client, sign_in, org, ref):
    activity = my_activity(org["nurse"], ref, status=SUBMITTED)
    sign_in("manager@example.org", PASSWORD)
    assert client.get(f"/activities/{activity.id}").status_code == 404


def test_unknown_ids_are_404(client, as_nurse):
    assert client.get("/activities/999999").status_code == 404
    assert client.get("/activities/999999/edit").status_code == 404


# --- viewing ------------------------------------------------------------------------------------


def test_the_activity_page_shows_everything_about_it(client, as_nurse, ref):
    activity = my_activity(as_nurse, ref, status=DRAFT, title="Observed clinic", minutes=95,
                           behaviours=[ref["b"]["2.2"], ref["b"]["3.1"]])
    activity.reflection_model = ReflectionModel.GIBBS
    activity.reflection = {key.split("__")[1]: text for key, text in GIBBS.items()}
    db.session.commit()
    html = client.get(f"/activities/{activity.id}").get_data(as_text=True)
    assert "Observed clinic" in html and "1 hour 35 minutes" in html and "Team debrief" in html
    assert "2.2" in html and "3.1" in html and "Gibbs reflective cycle" in html
    assert "Action plan" in html and GIBBS["gibbs__action_plan"] in html
    assert "Change activity" in html and "Delete activity" in html and "Withdraw" not in html


def test_a_signed_off_activity_is_read_only(client, as_nurse, org, ref, post_form):
    activity = my_activity(as_nurse, ref, status=SIGNED, title="Signed one")
    activity.decided_by_id = org["manager"].id
    activity.decided_at = appraisal_year.now() - timedelta(hours=1)  # past the undo window (by the app's clock)
    db.session.commit()
    html = client.get(f"/activities/{activity.id}").get_data(as_text=True)
    assert "Signed off by Wyn Wardmanager" in html
    assert "Change activity" not in html and "Delete activity" not in html and ">Withdraw<" not in html
    response = client.get(f"/activities/{activity.id}/edit")
    assert response.status_code == 302
    response = post_form(f"/activities/{activity.id}/edit", activity_form(ref, title="Changed"), token_from=f"/activities/{activity.id}")
    assert response.status_code == 302
    db.session.refresh(activity)
    assert activity.title == "Signed one"
    assert client.get(f"/activities/{activity.id}/delete").status_code == 302
    assert post_form(f"/activities/{activity.id}/delete", token_from=f"/activities/{activity.id}").status_code == 302
    db.session.refresh(activity)
    assert activity.deleted_at is None


# --- changing -------------------------------------------------------------------------------------


def test_a_draft_can_be_changed_and_submitted(client, as_nurse, ref, post_form):
    activity = my_activity(as_nurse, ref, status=DRAFT, title="First go")
    html = client.get(f"/activities/{activity.id}/edit").get_data(as_text=True)
    assert 'value="First go"' in html and "Change activity" in html
    assert f'data-autosave-key="tracker:{as_nurse.id}:activity:{activity.id}"' in html
    response = post_form(f"/activities/{activity.id}/edit", activity_form(ref, title="Second go"))
    assert response.status_code == 302
    db.session.refresh(activity)
    assert activity.title == "Second go" and activity.status == SUBMITTED
    assert actions(activity) == ["activity.changed", "activity.submitted"]


def test_saving_a_draft_keeps_it_a_draft(client, as_nurse, ref, post_form):
    activity = my_activity(as_nurse, ref, status=DRAFT)
    post_form(f"/activities/{activity.id}/edit", activity_form(ref, action="draft", title="Still drafting"))
    db.session.refresh(activity)
    assert activity.status == DRAFT and activity.title == "Still drafting"


def test_a_submitted_activity_must_be_withdrawn_before_changing(client, as_nurse, ref, post_form):
    activity = my_activity(as_nurse, ref, status=SUBMITTED)
    response = client.get(f"/activities/{activity.id}/edit")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Withdraw this activity before you change it" in page and ">Withdraw<" in page


def test_an_activity_signed_off_while_its_form_was_open_is_not_changed(client, as_nurse, ref):
    activity = my_activity(as_nurse, ref, status=RETURNED, title="Needs more")
    token = csrf_token_from(client.get(f"/activities/{activity.id}/edit").get_data(as_text=True))
    activity.status = SIGNED  # the manager changes their mind and signs it off meanwhile
    db.session.commit()
    response = client.post(f"/activities/{activity.id}/edit",
                           data={**activity_form(ref, title="Second go"), "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == f"/activities/{activity.id}"
    assert "This activity can no longer be changed" in client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.refresh(activity)
    assert activity.title == "Needs more" and activity.status == SIGNED and actions(activity) == []


def test_withdraw_takes_it_back_to_draft(client, as_nurse, ref, post_form):
    activity = my_activity(as_nurse, ref, status=SUBMITTED)
    activity.submitted_at = datetime.now(timezone.utc)
    db.session.commit()
    response = post_form(f"/activities/{activity.id}/withdraw", token_from=f"/activities/{activity.id}")
    assert response.status_code == 302
    db.session.refresh(activity)
    assert activity.status == DRAFT and activity.submitted_at is None
    assert actions(activity) == ["activity.withdrawn"]
    assert "the activity is a draft again" in client.get(response.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize("status", [DRAFT, RETURNED, SIGNED])
def test_only_submitted_activities_can_be_withdrawn(client, as_nurse, ref, post_form, status):
    activity = my_activity(as_nurse, ref, status=status)
    response = post_form(f"/activities/{activity.id}/withdraw", token_from=f"/activities/{activity.id}")
    assert response.status_code == 302
    assert "Only an activity that is waiting for sign-off can be withdrawn" in client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.refresh(activity)
    assert activity.status == status and actions(activity) == []


def test_returned_activities_show_the_feedback_and_can_be_resubmitted(client, as_nurse, org, ref, post_form):
    activity = my_activity(as_nurse, ref, status=RETURNED, title="Needs more")
    activity.feedback = "Please say which behaviours the debrief showed."
    activity.decided_by_id = org["manager"].id
    db.session.commit()
    for url in (f"/activities/{activity.id}", f"/activities/{activity.id}/edit"):
        html = client.get(url).get_data(as_text=True)
        assert "Returned with feedback" in html and "Please say which behaviours the debrief showed." in html
        assert "Wyn Wardmanager returned this activity" in html
    post_form(f"/activities/{activity.id}/edit", activity_form(ref, action="draft"))
    db.session.refresh(activity)
    assert activity.status == RETURNED  # a draft save keeps the feedback in view
    post_form(f"/activities/{activity.id}/edit", activity_form(ref))
    db.session.refresh(activity)
    assert activity.status == SUBMITTED and activity.submitted_at is not None


def test_changing_a_draft_keeps_behaviours_of_an_older_framework(client, as_nurse, ref, post_form):
    from tracker.framework_import import import_framework
    old = import_framework({
        "code": "old", "version": "1", "title": "Old", "short_title": "Old",
        "domains": [{"code": "O", "title": "O", "subjects": [{"number": 1, "title": "Old subject", "behaviours": [
            {"code": "1.1", "text": "An old behaviour", "tiers": [1, 2, 3]}]}]}],
    }, apply=False)
    db.session.flush()
    old_behaviour = old.framework.domains[0].subjects[0].behaviours[0]
    activity = my_activity(as_nurse, ref, status=DRAFT, behaviours=[old_behaviour])
    html = client.get(f"/activities/{activity.id}/edit").get_data(as_text=True)
    assert "An old behaviour" in html
    response = post_form(f"/activities/{activity.id}/edit", activity_form(ref, behaviour_ids=[str(old_behaviour.id)]))
    assert response.status_code == 302
    db.session.refresh(activity)
    assert activity.behaviours == [old_behaviour]


# --- deleting -----------------------------------------------------------------------------------


def test_delete_asks_first_then_soft_deletes_and_records_it(client, as_nurse, ref, post_form, this_year, today):
    activity = my_activity(as_nurse, ref, status=SUBMITTED, title="To go", minutes=240,
                           behaviours=[ref["b"]["2.1"], ref["b"]["2.2"], ref["b"]["3.1"], ref["b"]["4.1"]])
    html = client.get(f"/activities/{activity.id}/delete").get_data(as_text=True)
    assert "Are you sure you want to delete this activity?" in html and "Yes, delete it" in html
    assert db.session.get(Activity, activity.id).deleted_at is None
    response = post_form(f"/activities/{activity.id}/delete")
    assert response.status_code == 302 and response.headers["Location"] == "/my-year"
    db.session.refresh(activity)
    assert activity.deleted_at is not None
    assert actions(activity) == ["activity.deleted"]
    page = client.get("/my-year").get_data(as_text=True)
    assert "Deleted: To go" in page and "awaiting sign-off of" not in page
    assert progress_of(as_nurse, this_year, today).status == Status.NOT_STARTED
    assert client.get(f"/activities/{activity.id}").status_code == 404


# --- My portfolio and my data ------------------------------------------------------------------


def test_my_portfolio_prints_a_year_with_reflections_and_signatories(client, as_nurse, org, ref):
    signed = my_activity(as_nurse, ref, status=SIGNED, title="Signed observation", minutes=90)
    signed.decided_by_id = org["manager"].id
    signed.decided_at = appraisal_year.now() - timedelta(hours=1)  # past the undo window (by the app's clock)
    signed.reflection_model = ReflectionModel.GIBBS
    signed.reflection = {key.split("__")[1]: text for key, text in GIBBS.items()}
    my_activity(as_nurse, ref, status=DRAFT, title="Unfinished draft")
    my_activity(org["stranger"], ref, title="Not mine")
    db.session.commit()
    html = client.get("/portfolio").get_data(as_text=True)
    assert "My portfolio" in html and "Nia Nurse" in html and "Ward 7 (Oncology)" in html
    assert "Signed observation" in html and "by Wyn Wardmanager" in html
    # For appraisal: signed-off activities only, unless the rest is asked for (tests/web/portfolio/test_portfolio_for_appraisal.py).
    assert GIBBS["gibbs__feelings"] in html and "Unfinished draft" not in html and "Not mine" not in html
    assert "1 hour 30 minutes" in html
    assert "Print or save as PDF" in html and "Download all my data (JSON)" in html
    assert "app-no-print" in html


def test_my_portfolio_for_an_earlier_year(client, as_nurse, ref, this_year):
    my_activity(as_nurse, ref, title="Long ago", occurred_on=this_year.previous().starts_on)
    assert "Long ago" not in client.get("/portfolio").get_data(as_text=True)
    assert "Long ago" in client.get(f"/portfolio?year={this_year.previous().start_year}").get_data(as_text=True)


def test_my_data_export_has_everything_of_mine_and_nothing_of_anyone_else(client, as_nurse, org, ref):
    kept = my_activity(as_nurse, ref, title="Kept", status=SIGNED)
    kept.reflection_model = ReflectionModel.GIBBS
    kept.reflection = {"description": "My own words"}
    gone = my_activity(as_nurse, ref, title="Deleted one", status=DRAFT)
    gone.deleted_at = datetime.now(timezone.utc) - timedelta(days=1)
    my_activity(org["stranger"], ref, title="Stranger's")
    db.session.commit()
    response = client.get("/portfolio/my-data.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "private, no-store"
    data = json.loads(response.data)
    assert data["person"]["email"] == "nurse@example.org" and data["person"]["line_manager"] == "Wyn Wardmanager"
    titles = {a["title"]: a for a in data["activities"]}
    assert set(titles) == {"Kept", "Deleted one"}
    assert titles["Kept"]["reflection"] == {"description": "My own words"}
    assert titles["Deleted one"]["deleted_at"] is not None
    assert "Stranger" not in response.get_data(as_text=True)
    exported = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "portfolio.exported")).one()
    assert exported.actor_id == as_nurse.id


def test_my_portfolio_query_count_does_not_grow_with_activities(client, as_nurse, ref, count_queries):
    my_activity(as_nurse, ref)
    with count_queries() as few:
        assert client.get("/portfolio").status_code == 200
    for i in range(10):
        activity = my_activity(as_nurse, ref, title=f"Activity {i}", behaviours=[ref["b"]["2.1"], ref["b"]["4.2"]])
        activity.reflection_model = ReflectionModel.GIBBS
        activity.reflection = {"description": "words"}
    db.session.commit()
    with count_queries() as many:
        assert client.get("/portfolio").status_code == 200
    assert many.count == few.count, many.statements[few.count:]
