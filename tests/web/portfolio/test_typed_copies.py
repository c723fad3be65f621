"""The activity form's copy of what was typed lives on the server, never in the browser (ASVS 5.0.0
V14.3.3): the page keeps it (POST, with its CSRF token), reads it back, forgets it. Each copy is its
author's alone; another person's activity is a 404. Saving the form, deleting the activity and
signing out remove it; a copy the saved page sent late is dropped."""
from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.factories import PASSWORD
from tests.support import csrf_token_from
from tests.web.portfolio.builders import activity_form, my_activity, only_activity
from tracker import erasure
from tracker.extensions import db
from tracker.models import ActivityStatus, AuditEvent, TypedCopy
from tracker.portfolio import typed_copies

NEW = "/activities/new/typed-copy"
PAGE = "page-of-the-new-form-01"
TYPED = {"title": "Half a title", "gibbs__feelings": "I felt rushed", "behaviour_ids": ["3", "7"]}


def keep(client, url, fields, page=PAGE, token=None):
    token = token or csrf_token_from(client.get("/activities/new").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, "page": page, "fields": json.dumps(fields)})


def copies() -> int:
    return db.session.scalar(select(func.count(TypedCopy.id)))


def test_the_form_page_names_its_copy_and_its_page(client, as_nurse):
    html = client.get("/activities/new").get_data(as_text=True)
    assert f'data-typed-copy-url="{NEW}"' in html
    assert re.search(r'name="typing_page" value="[A-Za-z0-9_-]{16,64}"', html)


def test_a_copy_is_kept_and_read_back(client, as_nurse):
    assert client.get(NEW).get_json() == {"fields": None}
    response = keep(client, NEW, TYPED)
    assert response.status_code == 200 and response.get_json() == {"kept": True}
    copy = client.get(NEW)
    assert copy.get_json()["fields"] == TYPED and copy.get_json()["page"] == PAGE
    assert "no-store" in copy.headers["Cache-Control"]
    # The same copy again is not written again.
    assert keep(client, NEW, TYPED).get_json() == {"kept": False}
    assert keep(client, NEW, {**TYPED, "title": "A whole title"}).get_json() == {"kept": True}
    assert client.get(NEW).get_json()["fields"]["title"] == "A whole title"
    assert copies() == 1


def test_a_copy_of_changing_ones_own_activity(client, as_nurse, ref):
    activity = my_activity(as_nurse, ref, status=ActivityStatus.DRAFT)
    db.session.commit()
    url = f"/activities/{activity.id}/typed-copy"
    assert keep(client, url, TYPED).status_code == 200
    assert client.get(url).get_json()["fields"] == TYPED
    assert client.get(NEW).get_json() == {"fields": None}  # a copy per form


def test_another_persons_activity_is_not_found(client, as_nurse, org, ref):
    theirs = my_activity(org["porter"], ref, status=ActivityStatus.DRAFT)
    db.session.commit()
    url = f"/activities/{theirs.id}/typed-copy"
    token = csrf_token_from(client.get("/activities/new").get_data(as_text=True))
    assert client.get(url).status_code == 404
    assert keep(client, url, TYPED, token=token).status_code == 404
    assert client.post(url + "/forget", data={"csrf_token": token}).status_code == 404
    assert copies() == 0


def test_nobody_else_reads_ones_copy_of_the_new_form(app, client, as_nurse):
    keep(client, NEW, TYPED)
    manager = app.test_client()
    token = csrf_token_from(manager.get("/sign-in").get_data(as_text=True))
    manager.post("/sign-in", data={"email": "manager@example.org", "password": PASSWORD, "csrf_token": token})
    assert manager.get(NEW).get_json() == {"fields": None}
    assert client.get(NEW).get_json()["fields"] == TYPED


@pytest.mark.parametrize("token", [None, "not-the-token"])
def test_a_copy_without_the_csrf_token_is_refused(client, as_nurse, token):
    data = {"page": PAGE, "fields": json.dumps(TYPED), **({"csrf_token": token} if token else {})}
    assert client.post(NEW, data=data).status_code == 400
    assert client.post(NEW + "/forget", data=data).status_code == 400
    assert copies() == 0
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "security.csrf_refused")) == 2


@pytest.mark.parametrize("fields", [
    {"password": "not a field of the form"},
    {"title": "x" * 20_001},
    {"behaviour_ids": [1, 2]},
    ["a", "list"],
])
def test_what_the_form_could_not_have_sent_is_refused(client, as_nurse, fields):
    assert keep(client, NEW, fields).status_code == 400
    assert keep(client, NEW, TYPED, page="short").status_code == 400
    assert copies() == 0


def test_forget_what_i_typed_drops_this_pages_copies_from_now_on(client, as_nurse):
    token = csrf_token_from(client.get("/activities/new").get_data(as_text=True))
    keep(client, NEW, TYPED, token=token)
    assert client.post(NEW + "/forget", data={"csrf_token": token, "page": PAGE}).status_code == 200
    assert client.get(NEW).get_json() == {"fields": None}
    # A copy the page sent before it was told, arriving late, is not taken …
    assert keep(client, NEW, {**TYPED, "title": "Late"}, token=token).get_json() == {"kept": False}
    assert client.get(NEW).get_json() == {"fields": None}
    # … but the next visit to the form keeps its own.
    assert keep(client, NEW, TYPED, page="the-next-visit-0001", token=token).get_json() == {"kept": True}


def test_discarding_an_earlier_visits_copy_removes_it(client, as_nurse):
    token = csrf_token_from(client.get("/activities/new").get_data(as_text=True))
    keep(client, NEW, TYPED, token=token)
    assert client.post(NEW + "/forget", data={"csrf_token": token}).status_code == 200
    assert copies() == 0
    assert keep(client, NEW, TYPED, token=token).get_json() == {"kept": True}  # this page goes on keeping


def test_saving_the_form_removes_its_copy_and_a_late_one_is_dropped(client, as_nurse, ref):
    token = csrf_token_from(client.get("/activities/new").get_data(as_text=True))
    keep(client, NEW, TYPED, token=token)
    saved = client.post("/activities/new", data={**activity_form(ref, action="draft"), "csrf_token": token,
                                                 "typing_page": PAGE})
    assert saved.status_code == 302
    assert client.get(NEW).get_json() == {"fields": None}
    assert keep(client, NEW, TYPED, token=token).get_json() == {"kept": False}
    assert client.get(f"/activities/{only_activity().id}/typed-copy").get_json() == {"fields": None}


def test_a_refused_save_keeps_the_copy(client, as_nurse, ref):
    token = csrf_token_from(client.get("/activities/new").get_data(as_text=True))
    keep(client, NEW, TYPED, token=token)
    refused = client.post("/activities/new", data={**activity_form(ref, title=""), "csrf_token": token,
                                                   "typing_page": PAGE})
    assert refused.status_code == 200
    assert client.get(NEW).get_json()["fields"] == TYPED


def test_deleting_the_activity_removes_its_copy(client, as_nurse, ref, post_form):
    activity = my_activity(as_nurse, ref, status=ActivityStatus.DRAFT)
    db.session.commit()
    keep(client, f"/activities/{activity.id}/typed-copy", TYPED)
    assert post_form(f"/activities/{activity.id}/delete", token_from="/my-year").status_code == 302
    assert copies() == 0


def test_signing_out_removes_ones_copies(client, as_nurse, post_form):
    keep(client, NEW, TYPED)
    assert post_form("/sign-out", token_from="/my-year").status_code == 302
    assert copies() == 0


def test_a_copy_is_offered_for_30_days(client, as_nurse, clock):
    keep(client, NEW, TYPED)
    clock.advance(typed_copies.KEPT_FOR - timedelta(minutes=1))
    assert client.get(NEW).get_json()["fields"] == TYPED
    clock.advance(timedelta(minutes=2))
    assert client.get(NEW).get_json() == {"fields": None}
    assert copies() == 0


def test_a_page_cannot_send_copies_faster_than_a_person_types(client, time_of_day, as_nurse):
    token = csrf_token_from(client.get("/activities/new").get_data(as_text=True))
    answers = [keep(client, NEW, {"title": f"Version {n}"}, token=token).status_code
               for n in range(typed_copies.WRITES_PER_MINUTE + 1)]
    assert answers == [200] * typed_copies.WRITES_PER_MINUTE + [429]
    assert client.get(NEW).get_json()["fields"] == {"title": f"Version {typed_copies.WRITES_PER_MINUTE - 1}"}
    time_of_day.move_on(minutes=1)
    assert keep(client, NEW, {"title": "The next minute"}, token=token).status_code == 200


def test_the_form_script_keeps_nothing_in_the_browser():
    script = (Path(__file__).resolve().parents[3] / "tracker" / "static" / "portfolio.js").read_text(encoding="utf-8")
    assert "localStorage" not in script and "sessionStorage" not in script


def test_erasing_a_person_removes_their_copies(client, as_nurse, org, today):
    keep(client, NEW, TYPED)
    erasure.erase(org["lead"], as_nurse, today)
    db.session.commit()
    assert copies() == 0


def test_a_copy_sent_after_the_session_ended_is_not_kept_and_the_script_is_told(client, time_of_day, as_nurse):
    token = csrf_token_from(client.get("/activities/new").get_data(as_text=True))
    time_of_day.move_on(minutes=31)
    response = keep(client, NEW, TYPED, token=token)
    assert response.status_code == 401 and response.get_json() == {"signed_in": False}
    assert copies() == 0
