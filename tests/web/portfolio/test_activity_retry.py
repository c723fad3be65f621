"""Logging an activity twice by sending the same form again (a retry after a dropped connection,
a double press) creates one activity: the new-activity form carries a random creation key, kept
with the activity (unique per owner), and the same key again shows the activity already saved."""
from __future__ import annotations

import io
import os
import re

import pytest
from sqlalchemy import func, select

from tests.factories import PASSWORD
from tests.support import csrf_token_from
from tests.web.portfolio.builders import activity_count, activity_form, my_activity, only_activity
from tracker.extensions import db
from tracker.models import Activity, ActivityStatus, AuditEvent, EvidenceFile
from tracker.portfolio import activities

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
KEY = re.compile(r'<input id="creation_key" name="creation_key" type="hidden" value="([^"]+)"')


def new_form(client) -> tuple[str, str]:
    """(CSRF token, creation key) of a freshly opened new-activity form."""
    html = client.get("/activities/new").get_data(as_text=True)
    match = KEY.search(html)
    assert match, "no creation key on the new-activity form"
    return csrf_token_from(html), match.group(1)


def send(client, data: dict, key: str, **kwargs):
    """Send the form again as a browser would: the same fields and key, the session's CSRF token."""
    token = csrf_token_from(client.get("/my-year").get_data(as_text=True))
    return client.post("/activities/new", data={**data, "creation_key": key, "csrf_token": token}, **kwargs)


def created_events() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "activity.created"))


def test_each_new_form_has_a_key_of_its_own(client, as_nurse):
    assert new_form(client)[1] != new_form(client)[1]
    assert len(new_form(client)[1]) >= 16


@pytest.mark.parametrize("action", ["submit", "draft"])
def test_the_same_form_sent_twice_creates_one_activity(client, as_nurse, ref, action):
    _, key = new_form(client)
    data = activity_form(ref, action=action)
    first = send(client, data, key)
    assert first.status_code == 302 and activity_count() == 1
    saved = only_activity()
    assert saved.creation_key == key
    again = send(client, data, key)
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/activities/{saved.id}")
    assert activity_count() == 1 and created_events() == 1
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert f"This activity was already saved: {saved.title}" in page


def test_a_retry_with_evidence_stores_the_file_once(client, as_nurse, ref, uploads):
    _, key = new_form(client)
    data = activity_form(ref)
    for _ in range(2):
        response = send(client, {**data, "evidence": [(io.BytesIO(PDF), "feedback.pdf")]}, key,
                        content_type="multipart/form-data")
        assert response.status_code == 302
    assert activity_count() == 1
    assert db.session.scalar(select(func.count()).select_from(EvidenceFile)) == 1
    assert len(os.listdir(uploads)) == 1


def test_the_key_survives_the_is_that_right_question(client, as_nurse, ref):
    _, key = new_form(client)
    long = activity_form(ref, duration_hours="14", duration_minutes="0")
    asked = send(client, long, key)
    html = asked.get_data(as_text=True)
    assert "Is that right?" in html and activity_count() == 0
    assert KEY.search(html).group(1) == key  # the page sent back keeps the form's key
    confirmed = {**long, "duration_confirmed": "840"}
    assert send(client, confirmed, key).status_code == 302
    assert send(client, confirmed, key).status_code == 302
    assert activity_count() == 1 and only_activity().duration_minutes == 14 * 60


def test_two_forms_make_two_activities(client, as_nurse, ref):
    for _ in range(2):
        _, key = new_form(client)
        assert send(client, activity_form(ref), key).status_code == 302
    assert activity_count() == 2


def test_a_form_without_a_key_creates_as_before(client, as_nurse, ref, post_form):
    for key in ("", "not a key!"):
        assert post_form("/activities/new", {**activity_form(ref), "creation_key": key}).status_code == 302
    assert activity_count() == 2
    assert set(db.session.scalars(select(Activity.creation_key))) == {None}


def test_the_key_is_per_person(client, as_nurse, ref, sign_in, org):
    _, key = new_form(client)
    assert send(client, activity_form(ref), key).status_code == 302
    client.post("/sign-out", data={"csrf_token": csrf_token_from(client.get("/my-year").get_data(as_text=True))})
    assert sign_in("porter@example.org", PASSWORD).status_code == 302
    porter = activity_form(ref, action="draft", behaviour_ids=[])
    assert send(client, porter, key).status_code == 302
    owners = set(db.session.scalars(select(Activity.owner_id)))
    assert owners == {org["nurse"].id, org["porter"].id}


def test_a_deleted_activity_does_not_swallow_its_form_sent_again(client, as_nurse, ref):
    _, key = new_form(client)
    data = activity_form(ref, action="draft")
    assert send(client, data, key).status_code == 302
    first = only_activity()
    token = csrf_token_from(client.get(f"/activities/{first.id}").get_data(as_text=True))
    assert client.post(f"/activities/{first.id}/delete", data={"csrf_token": token}).status_code == 302
    assert send(client, data, key).status_code == 302
    assert activity_count() == 2  # the deleted one and a new one (without a key: the index keeps it once)


def test_the_change_form_has_no_creation_key(client, as_nurse, ref):
    draft = my_activity(as_nurse, ref, status=ActivityStatus.DRAFT)
    assert 'name="creation_key"' not in client.get(f"/activities/{draft.id}/edit").get_data(as_text=True)


def test_two_sendings_at_once_show_the_one_the_database_let_in(client, as_nurse, ref, monkeypatch):
    # The other sending committed between this one's look-up and its insert: the unique index
    # refuses the second row, and the page shows the first.
    _, key = new_form(client)
    data = activity_form(ref)
    assert send(client, data, key).status_code == 302
    first = only_activity()
    real, looks = activities._holding_key, []

    def looked_before_it_was_there(owner, wanted):
        looks.append(wanted)
        return None if len(looks) == 1 else real(owner, wanted)

    monkeypatch.setattr(activities, "_holding_key", looked_before_it_was_there)
    response = send(client, data, key)
    assert len(looks) == 2  # the service's look-up, and the view's after the refused insert
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/activities/{first.id}")
    assert activity_count() == 1
