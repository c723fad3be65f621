"""Guessing passwords: failed sign-ins are limited per account and per client address, with a
growing wait; ten failures in an hour lock the account until a reset or an admin's unlock; a
stranger cannot keep the person out from where they usually sign in. Time moves only through the
clock seam (clock.advance); nothing sleeps."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.factories import PASSWORD, make_person, make_tree
from tests.support import csrf_token_from
from tracker.auth import guard
from tracker.auth.routes import SIGN_IN_FAILED
from tracker.auth.services import FAILED_SIGN_IN
from tracker.extensions import db
from tracker.models import AuditEvent, Person

ATTACKER = "198.51.100.66"
WARD_PC = "203.0.113.9"
HOME = "192.0.2.44"
WRONG = "not-the-password-at-all"


@pytest.fixture
def org(db_session):
    tree = make_tree()
    people = {
        "nurse": make_person(tree["ward7"], email="nurse@example.org", name="Nia Nurse"),
        "admin": make_person(tree["trust"], email="admin@example.org", tier=1, roles=["admin"], name="Ann Admin"),
    }
    db.session.commit()
    return people


def attempt(client, email: str, password: str, address: str = ATTACKER):
    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    response = client.post("/sign-in", data={"email": email, "password": password, "csrf_token": token},
                           environ_base={"REMOTE_ADDR": address})
    if response.status_code == 302:  # signed in: sign out so that the next attempt is a sign-in again
        client.post("/sign-out", data={"csrf_token": csrf_token_from(client.get("/").get_data(as_text=True))})
    return response


def guess(client, email: str, times: int, address: str = ATTACKER, password: str = WRONG) -> list[int]:
    return [attempt(client, email, password, address).status_code for _ in range(times)]


def events(action: str) -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


def refused_for_too_many(response, minutes: str = "1 minute") -> bool:
    return response.status_code == 429 and \
        guard.TOO_MANY.format(wait=minutes) in response.get_data(as_text=True)


def test_five_wrong_passwords_a_minute_then_even_the_right_one_waits(client, org, clock):
    assert guess(client, "nurse@example.org", 5) == [200] * 5
    assert refused_for_too_many(attempt(client, "nurse@example.org", PASSWORD))
    [refused] = events(guard.REFUSED)
    assert (refused.person_id, refused.detail["reason"]) == (org["nurse"].id, "too many attempts")
    assert len(events(FAILED_SIGN_IN)) == 5  # the refused try was never checked, so not a failure
    clock.advance(timedelta(minutes=1))
    assert attempt(client, "nurse@example.org", PASSWORD).status_code == 302


def test_an_account_that_does_not_exist_is_limited_the_same_way(client, org):
    answers = [attempt(client, "nobody@example.org", WRONG) for _ in range(6)]
    assert all(SIGN_IN_FAILED in r.get_data(as_text=True) for r in answers[:5])
    assert refused_for_too_many(answers[5])


def test_the_wait_grows(client, org, clock):
    guess(client, "nurse@example.org", 5)
    clock.advance(timedelta(minutes=1))
    assert guess(client, "nurse@example.org", 3) == [200] * 3
    # Eight in ten minutes: the next try waits for the ten-minute window, not one minute.
    response = attempt(client, "nurse@example.org", PASSWORD)
    assert response.status_code == 429 and "Wait 1 minute" not in response.get_data(as_text=True)
    clock.advance(timedelta(minutes=10))
    assert attempt(client, "nurse@example.org", PASSWORD).status_code == 302


def lock(client, clock, email: str = "nurse@example.org", address: str = ATTACKER, wait_a_day: bool = True) -> None:
    """Ten wrong passwords within the hour, paced under the short limits; then (unless told not to)
    the short limits' longest window, a day, passes, so that only the lock-out is left."""
    for batch in (4, 3, 3):
        guess(client, email, batch, address)
        clock.advance(timedelta(minutes=11))
    if wait_a_day:
        clock.advance(timedelta(days=1))


def test_ten_wrong_passwords_in_an_hour_lock_the_account(client, org, clock):
    lock(client, clock)
    nurse = db.session.get(Person, org["nurse"].id)
    assert nurse.sign_in_locked_at is not None
    [locked] = events(guard.LOCKED)
    assert locked.person_id == nurse.id and locked.client_address == ATTACKER
    # A guesser learns nothing: a wrong password reads as before ...
    assert SIGN_IN_FAILED in attempt(client, "nurse@example.org", WRONG).get_data(as_text=True)
    # ... and only the right password is told about the lock, days later still.
    clock.advance(timedelta(days=3))
    response = attempt(client, "nurse@example.org", PASSWORD, address=HOME)
    assert response.status_code == 200 and guard.LOCKED_OUT in response.get_data(as_text=True)
    assert events(guard.REFUSED)[-1].detail["reason"] == "account locked"


def test_failures_more_than_an_hour_apart_do_not_lock(client, org, clock):
    for _ in range(3):
        guess(client, "nurse@example.org", 4)
        clock.advance(timedelta(minutes=31))
    assert db.session.get(Person, org["nurse"].id).sign_in_locked_at is None
    assert attempt(client, "nurse@example.org", PASSWORD).status_code == 302


def test_a_stranger_cannot_keep_the_person_out_of_their_usual_place(client, org, clock):
    assert attempt(client, "nurse@example.org", PASSWORD, address=WARD_PC).status_code == 302
    lock(client, clock)
    guess(client, "nurse@example.org", 5)  # and still guessing, at the short limit
    assert attempt(client, "nurse@example.org", PASSWORD, address=WARD_PC).status_code == 302
    # Anywhere else shares the stranger's count: held back, then locked.
    assert attempt(client, "nurse@example.org", PASSWORD, address=HOME).status_code == 429


def test_a_known_place_that_guesses_ten_times_is_locked_too(client, org, clock):
    assert attempt(client, "nurse@example.org", PASSWORD, address=WARD_PC).status_code == 302
    lock(client, clock, address=WARD_PC)
    response = attempt(client, "nurse@example.org", PASSWORD, address=WARD_PC)
    assert guard.LOCKED_OUT in response.get_data(as_text=True)


def test_one_address_guessing_many_accounts_is_limited(client, org):
    for n in range(10):
        assert attempt(client, f"person{n}@example.org", WRONG).status_code == 200
    assert refused_for_too_many(attempt(client, "nurse@example.org", PASSWORD))
    assert attempt(client, "nurse@example.org", PASSWORD, address=HOME).status_code == 302


def test_an_admin_unlocks_the_account_and_it_is_audited(client, org, clock, sign_in, post_form):
    lock(client, clock, wait_a_day=False)
    client.post("/sign-out")
    assert attempt(client, "admin@example.org", PASSWORD, address=HOME).status_code == 302
    sign_in("admin@example.org", PASSWORD)
    nurse_id = org["nurse"].id
    assert "Unlock signing in" in client.get(f"/admin/people/{nurse_id}").get_data(as_text=True)
    response = post_form(f"/admin/people/{nurse_id}/unlock-sign-in", token_from=f"/admin/people/{nurse_id}")
    assert response.status_code == 302
    [unlocked] = events(guard.UNLOCKED)
    assert (unlocked.actor_id, unlocked.person_id) == (org["admin"].id, nurse_id)
    assert "Unlock signing in" not in client.get(f"/admin/people/{nurse_id}").get_data(as_text=True)
    client.post("/sign-out", data={"csrf_token": csrf_token_from(client.get("/").get_data(as_text=True))})
    # The failures before the unlock no longer count: one more wrong password does not re-lock.
    guess(client, "nurse@example.org", 1)
    assert attempt(client, "nurse@example.org", PASSWORD, address=HOME).status_code == 302


def test_an_admin_cannot_unlock_themselves(client, org, clock, sign_in, post_form):
    admin = db.session.get(Person, org["admin"].id)
    sign_in("admin@example.org", PASSWORD)
    admin.sign_in_locked_at = clock.now()
    db.session.commit()
    post_form(f"/admin/people/{admin.id}/unlock-sign-in", token_from=f"/admin/people/{admin.id}")
    assert db.session.get(Person, admin.id).sign_in_locked_at is not None
    assert events(guard.UNLOCKED) == []


def test_a_new_password_from_a_set_password_link_lifts_the_lock(client, org, clock):
    from tracker.auth import links

    lock(client, clock, wait_a_day=False)
    token, _ = links.create_link(db.session.get(Person, org["admin"].id), db.session.get(Person, org["nurse"].id))
    db.session.commit()
    page = client.get(f"/set-password/{token}")
    client.post(f"/set-password/{token}", data={"password": "plum orchard lantern", "confirmation": "plum orchard lantern",
                                                "csrf_token": csrf_token_from(page.get_data(as_text=True))})
    assert db.session.get(Person, org["nurse"].id).sign_in_locked_at is None
    assert attempt(client, "nurse@example.org", "plum orchard lantern", address=HOME).status_code == 302
