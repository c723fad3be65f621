"""When the time-out warning's countdown reaches nought on the activity form, what was typed is
saved as a draft (the author's alone) before the session ends: here, the two requests the
warning's script sends (tracker/static/session-timeout.js), judged by the sessions clock."""
from __future__ import annotations

from sqlalchemy import select

from tests.factories import PASSWORD
from tests.support import csrf_token_from
from tests.web.portfolio.builders import activity_form, only_activity
from tracker.auth import sessions
from tracker.extensions import db
from tracker.models import ActivityStatus, AuditEvent, UserSession


def test_typed_text_is_saved_as_a_draft_then_the_session_ends(client, sign_in, org, uploads, ref, time_of_day):
    sign_in("nurse@example.org", PASSWORD)
    html = client.get("/activities/new").get_data(as_text=True)
    token = csrf_token_from(html)
    assert "data-session-timeout" in html
    time_of_day.move_on(minutes=29, seconds=55)  # the countdown reaches nought just before the time-out
    # The script sends the form as "Save as draft", confirming the typed 14 hours, without files.
    typed = activity_form(ref, action="draft", title="What I was writing when I was called away",
                          duration_hours="14", duration_minutes="0", duration_confirmed="840")
    saved = client.post("/activities/new", data={**typed, "csrf_token": token})
    assert saved.status_code == 302
    ended = client.post("/session/timed-out", data={"csrf_token": token}, follow_redirects=True)
    html = ended.get_data(as_text=True)
    assert "You were signed out because you had not done anything for 30 minutes" in html
    assert "data-signed-out" in html  # the sign-in page removes the browser's copy
    draft = only_activity()
    assert draft.status == ActivityStatus.DRAFT and draft.owner_id == org["nurse"].id
    assert draft.title == "What I was writing when I was called away" and draft.duration_minutes == 840
    assert draft.reflection["description"].startswith("We debriefed")
    (record,) = db.session.scalars(select(UserSession)).all()
    assert record.ended_reason == sessions.IDLE
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "session.ended_idle"))
    assert client.get("/my-year").status_code == 302


def test_the_draft_is_its_authors_alone(client, sign_in, org, uploads, ref, time_of_day, post_form):
    sign_in("nurse@example.org", PASSWORD)
    time_of_day.move_on(minutes=29)
    post_form("/activities/new", activity_form(ref, action="draft"))
    post_form("/session/timed-out", token_from="/my-year")
    draft = only_activity()
    sign_in("manager@example.org", PASSWORD)
    assert client.get(f"/team/activities/{draft.id}").status_code == 404
