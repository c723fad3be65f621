"""Sessions: each sign-in its own server-side record; idle and absolute time-outs (judged by the
sessions clock, moved here, never slept through); signing out of one, of the others or of every
device; the "Your sessions" page; the warning's endpoints."""
from __future__ import annotations

import base64
import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.factories import PASSWORD, make_person, make_tree, make_unit
from tests.support import csrf_token_from
from tracker import staff_history
from tracker.auth import links, session_routes, sessions
from tracker.auth.services import deactivate
from tracker.extensions import db
from tracker.models import AuditEvent, SetPasswordLink, UserSession

CHROME_ON_WINDOWS = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                     "Chrome/124.0 Safari/537.36")
SAFARI_ON_IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                    "Version/17.4 Mobile/15E148 Safari/604.1")


@pytest.fixture
def nurse(db_session):
    tree = make_tree()
    person = make_person(tree["ward7"], email="nurse@example.org", name="Nia Nurse")
    make_person(tree["ward7"], email="porter@example.org", name="Pat Porter")
    db.session.commit()
    return person


def sign_in_on(client, email="nurse@example.org", user_agent=CHROME_ON_WINDOWS):
    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    response = client.post("/sign-in", data={"email": email, "password": PASSWORD, "csrf_token": token},
                           headers={"User-Agent": user_agent})
    assert response.status_code == 302
    return response


def post_with_token(client, url, token_from="/account/sessions", **kwargs):
    token = csrf_token_from(client.get(token_from).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **kwargs.pop("data", {})}, **kwargs)


def signed_in(client) -> bool:
    return client.get("/my-year").status_code == 200


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def records_of(person) -> list[UserSession]:
    return list(db.session.scalars(select(UserSession).where(UserSession.person_id == person.id)
                                   .order_by(UserSession.id)))


# --- time-outs ----------------------------------------------------------------------------


def test_doing_nothing_for_30_minutes_ends_the_session_with_a_message(client, nurse, time_of_day):
    sign_in_on(client)
    time_of_day.move_on(minutes=29)
    assert signed_in(client)
    time_of_day.move_on(minutes=29)  # 29 minutes after the last request: still open
    assert signed_in(client)
    time_of_day.move_on(minutes=30)
    response = client.get("/my-year")
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in"
    html = client.get("/sign-in").get_data(as_text=True)
    assert "You were signed out because you had not done anything for 30 minutes" in html
    assert "data-signed-out" in html  # the page that clears the browser's kept copies
    assert records_of(nurse)[0].ended_reason == sessions.IDLE
    assert "session.ended_idle" in actions()
    assert not signed_in(client)


def test_the_idle_time_out_is_a_setting(app, client, nurse, time_of_day, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 10)
    sign_in_on(client)
    time_of_day.move_on(minutes=9)
    assert signed_in(client)
    time_of_day.move_on(minutes=10)
    client.get("/my-year")
    assert "had not done anything for 10 minutes" in client.get("/sign-in").get_data(as_text=True)


def test_a_session_ends_12_hours_after_signing_in_however_busy(client, nurse, time_of_day):
    sign_in_on(client)
    for _ in range(11 * 3 + 2):  # a request every 20 minutes up to 11 hours 40 minutes
        time_of_day.move_on(minutes=20)
        assert signed_in(client)
    time_of_day.move_on(minutes=20)
    assert client.get("/my-year").headers["Location"] == "/sign-in"
    assert ("You were signed out because you had been signed in for 12 hours"
            in client.get("/sign-in").get_data(as_text=True))
    assert records_of(nurse)[0].ended_reason == sessions.ABSOLUTE
    assert "session.ended_absolute" in actions()


def test_asking_the_time_left_does_not_count_as_activity(client, nurse, time_of_day):
    sign_in_on(client)
    time_of_day.move_on(minutes=20)
    assert client.get("/session/time-left").get_json() == {"signed_in": True, "seconds_left": 600}
    time_of_day.move_on(minutes=10)
    response = client.get("/session/time-left")
    assert response.status_code == 401 and response.get_json() == {"signed_in": False}


def test_stay_signed_in_restarts_the_idle_clock(client, nurse, time_of_day):
    sign_in_on(client)
    token = csrf_token_from(client.get("/my-year").get_data(as_text=True))
    time_of_day.move_on(minutes=28)  # the warning is showing
    response = client.post("/session/stay-signed-in", data={"csrf_token": token})
    assert response.get_json() == {"signed_in": True, "seconds_left": 1800}
    time_of_day.move_on(minutes=29)
    assert signed_in(client)


def test_signed_in_pages_carry_the_warning_and_its_time(client, nurse, time_of_day):
    assert "data-session-timeout" not in client.get("/sign-in").get_data(as_text=True)
    sign_in_on(client)
    html = client.get("/my-year").get_data(as_text=True)
    assert 'data-idle-seconds="1800"' in html and 'data-warning-seconds="120"' in html
    assert f'data-ends-by="{time_of_day.at:%Y-%m-%d}T21:00:00Z"' in html  # 12 hours after 09:00
    assert "Stay signed in" in html and 'aria-modal="true"' in html


# --- signing out -------------------------------------------------------------------------


def test_signing_out_ends_only_this_session(app, client, nurse, time_of_day):
    phone = app.test_client()
    sign_in_on(client)
    sign_in_on(phone, user_agent=SAFARI_ON_IPHONE)
    kept = client.get_cookie("session").value
    assert post_with_token(client, "/sign-out", token_from="/my-year").status_code == 302
    assert not signed_in(client)
    assert signed_in(phone)
    replayed = app.test_client()
    replayed.set_cookie("session", kept)
    assert not signed_in(replayed)
    desk, iphone = records_of(nurse)
    assert desk.ended_reason == sessions.SIGNED_OUT and iphone.ended_at is None


def test_sign_out_of_all_devices_ends_every_session(app, client, nurse, time_of_day):
    phone = app.test_client()
    sign_in_on(client)
    sign_in_on(phone, user_agent=SAFARI_ON_IPHONE)
    response = post_with_token(client, "/account/sessions/sign-out-everywhere", follow_redirects=True,
                               headers={"User-Agent": CHROME_ON_WINDOWS})
    assert "You have signed out of all devices." in response.get_data(as_text=True)
    assert not signed_in(client) and not signed_in(phone)
    assert all(r.ended_reason == sessions.EVERYWHERE for r in records_of(nurse))
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "session.signed_out_everywhere")).one()
    assert event.detail["sessions"] == 2 and "Chrome" in event.detail["user_agent"]


def test_sign_out_of_all_other_devices_keeps_this_one(app, client, nurse, time_of_day):
    phone, tablet = app.test_client(), app.test_client()
    sign_in_on(client)
    sign_in_on(phone, user_agent=SAFARI_ON_IPHONE)
    sign_in_on(tablet)
    response = post_with_token(client, "/account/sessions/sign-out-others", follow_redirects=True)
    assert "You have signed out of all other devices." in response.get_data(as_text=True)
    assert signed_in(client)
    assert not signed_in(phone) and not signed_in(tablet)
    assert "session.signed_out_others" in actions()


def test_signing_out_of_one_other_device(app, client, nurse, time_of_day):
    phone = app.test_client()
    sign_in_on(client)
    sign_in_on(phone, user_agent=SAFARI_ON_IPHONE)
    iphone = records_of(nurse)[1]
    response = post_with_token(client, f"/account/sessions/{iphone.id}/sign-out", follow_redirects=True)
    assert "Signed out of Safari on iPhone." in response.get_data(as_text=True)
    assert signed_in(client) and not signed_in(phone)


def test_leaving_and_coming_back_never_revives_an_old_cookie(app, client, nurse, time_of_day, today, clock):
    sign_in_on(client)
    kept = client.get_cookie("session").value
    deactivate(nurse)
    db.session.commit()
    assert not signed_in(client)
    clock.move_to(today + timedelta(days=1))
    staff_history.rejoin(nurse, today + timedelta(days=1))
    db.session.commit()
    assert nurse.active
    replayed = app.test_client()
    replayed.set_cookie("session", kept)
    assert not signed_in(replayed)
    (record,) = records_of(nurse)
    assert record.ended_at is not None  # ended, and stays ended
    sign_in_on(replayed)  # signing in again makes a new session
    assert signed_in(replayed) and len(records_of(nurse)) == 2


def test_a_new_password_ends_every_session(app, client, nurse, time_of_day):
    from tracker.auth.services import set_password

    sign_in_on(client)
    set_password(nurse, "a-brand-new-password-2026")
    db.session.commit()
    assert not signed_in(client)
    assert records_of(nurse)[0].ended_reason == sessions.REPLACED


# --- renewal at sign-in (session fixation) -------------------------------------------------


def test_signing_in_starts_a_new_session_whatever_the_cookie_held(app, client, nurse, time_of_day):
    client.get("/sign-in")
    with client.session_transaction() as planted:
        planted["_user_id"] = "planted-by-someone-else"
        planted["left_over"] = "from before signing in"
    sign_in_on(client)
    with client.session_transaction() as after:
        key = after["_user_id"]
        assert "left_over" not in after
    assert key != "planted-by-someone-else"
    (record,) = records_of(nurse)
    assert record.key_hash == sessions.key_hash(key) and key not in record.key_hash
    # Signing in again (another tab, later) is another session with another key.
    second = app.test_client()
    sign_in_on(second)
    with second.session_transaction() as other:
        assert other["_user_id"] != key
    assert len(records_of(nurse)) == 2


def _random_bits(token: str) -> int:
    return len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) * 8


def test_session_keys_and_set_password_links_hold_128_random_bits_at_least_and_only_their_hash_is_kept(
        app, nurse, time_of_day):
    """ASVS 7.2.3: both are secrets.token_urlsafe(32), 256 bits; the server keeps only a SHA-256."""
    keys = []
    for _ in range(3):
        browser = app.test_client()
        sign_in_on(browser)
        with browser.session_transaction() as cookie:
            keys.append(cookie[session_routes.KEY])
    admin = make_person(make_unit(), roles=["admin"])
    tokens = [links.create_link(admin, nurse)[0] for _ in range(3)]
    db.session.flush()
    for made in (keys, tokens):
        assert len(set(made)) == 3 and all(_random_bits(token) >= 128 for token in made)
    stored = [getattr(row, column.key) for model, rows in
              ((UserSession, records_of(nurse)), (SetPasswordLink, db.session.scalars(select(SetPasswordLink)).all()))
              for row in rows for column in model.__table__.columns]
    assert {hashlib.sha256(token.encode()).hexdigest() for token in keys + tokens} <= set(stored)
    assert not any(token in str(value) for token in keys + tokens for value in stored)


# --- "Your sessions" ------------------------------------------------------------------------


def test_your_sessions_lists_this_and_other_devices(app, client, nurse, time_of_day):
    phone = app.test_client()
    sign_in_on(client)
    time_of_day.move_on(minutes=5)
    sign_in_on(phone, user_agent=SAFARI_ON_IPHONE)
    html = client.get("/account/sessions").get_data(as_text=True)
    assert "<h1>Your sessions</h1>" in html
    assert "Chrome on Windows" in html and "Safari on iPhone" in html
    assert html.count("This device") == 1
    assert "Sign out of all other devices" in html and "Sign out of all devices" in html
    assert html.count("Sign out of this device") == 1
    assert 'href="/account/sessions"' in client.get("/").get_data(as_text=True)  # from the header


def test_your_sessions_leaves_out_ended_ones_and_other_people(app, client, nurse, time_of_day):
    porter = app.test_client()
    sign_in_on(porter, email="porter@example.org", user_agent=SAFARI_ON_IPHONE)
    old = app.test_client()
    sign_in_on(old, user_agent=SAFARI_ON_IPHONE)
    post_with_token(old, "/sign-out", token_from="/my-year")
    sign_in_on(client)
    html = client.get("/account/sessions").get_data(as_text=True)
    assert "Safari on iPhone" not in html and "Sign out of all other devices" not in html


def test_your_sessions_needs_signing_in(client, nurse):
    response = client.get("/account/sessions")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")


def test_another_persons_session_is_not_found(app, client, nurse, time_of_day):
    porter = app.test_client()
    sign_in_on(porter, email="porter@example.org")
    sign_in_on(client)
    theirs = db.session.scalars(select(UserSession).where(UserSession.person_id != nurse.id)).one()
    response = post_with_token(client, f"/account/sessions/{theirs.id}/sign-out")
    assert response.status_code == 404
    assert signed_in(porter)


def test_an_ended_session_is_not_found(app, client, nurse, time_of_day):
    old = app.test_client()
    sign_in_on(old)
    post_with_token(old, "/sign-out", token_from="/my-year")
    sign_in_on(client)
    ended = records_of(nurse)[0]
    assert post_with_token(client, f"/account/sessions/{ended.id}/sign-out").status_code == 404
    assert post_with_token(client, "/account/sessions/99999999/sign-out").status_code == 404
    assert post_with_token(client, f"/account/sessions/{2 ** 64}/sign-out").status_code == 404


def test_the_sessions_posts_need_a_csrf_token(client, nurse, time_of_day):
    sign_in_on(client)
    for url in ("/account/sessions/sign-out-everywhere", "/account/sessions/sign-out-others",
                "/session/stay-signed-in", "/session/timed-out"):
        assert client.post(url).status_code == 400
    assert signed_in(client)


@pytest.mark.parametrize("agent,words", [
    (CHROME_ON_WINDOWS, "Chrome on Windows"), (SAFARI_ON_IPHONE, "Safari on iPhone"),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0", "Firefox on Linux"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36 Edg/124.0", "Edge on Windows"),
    ("curl/8.5", "Unknown device"), ("", "Unknown device"),
])
def test_devices_are_named_from_the_user_agent(agent, words):
    assert sessions.device_words(agent) == words
