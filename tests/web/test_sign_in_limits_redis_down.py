"""Redis down: the limits' counts fail open to each worker's memory, nobody gets a 500, the error
is logged and recorded once, and the lock-out after ten wrong passwords (counted in the audit
trail) still holds. RATELIMIT_STORAGE_URI points at a port where nothing listens, or at a
redis-server of the test's own that the test then stops."""
from __future__ import annotations

import logging

import pytest
import redis
from limits.storage import storage_from_string

from tests.factories import PASSWORD
from tests.support import app_on_scratch_database, csrf_token_from, free_port, redis_server
from tests.web.test_sign_in_limits import HOME, WRONG, attempt, events, guess, lock, org  # noqa: F401
from tracker import limit_counts
from tracker.auth import guard
from tracker.auth.routes import SIGN_IN_FAILED
from tracker.extensions import db
from tracker.models import Person

NOTHING_LISTENS = f"redis://127.0.0.1:{free_port()}/0"


def count_in(app, monkeypatch, uri: str) -> None:
    """The app's limits count in the storage at `uri`, exactly as RATELIMIT_STORAGE_URI=uri makes them."""
    storage = storage_from_string(uri, **limit_counts.storage_options(uri))
    monkeypatch.setitem(app.extensions, "limit_counts", limit_counts.Counts(storage))


def test_an_app_whose_redis_is_down_starts_and_answers_sign_in(clock, tmp_path):
    # A database of its own: the outage it records is committed, and must not reach the suite's.
    with app_on_scratch_database("redisdown", tmp_path / "redis-down.db",
                                 RATELIMIT_STORAGE_URI=NOTHING_LISTENS) as app, app.app_context():
        client = app.test_client()
        token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
        response = client.post("/sign-in", data={"email": "nobody@example.org", "password": WRONG,
                                                 "csrf_token": token})
        assert response.status_code == 200 and SIGN_IN_FAILED in response.get_data(as_text=True)


def test_with_nothing_listening_signing_in_works_and_the_outage_is_recorded_once(
        app, client, org, monkeypatch, caplog):  # noqa: F811
    count_in(app, monkeypatch, NOTHING_LISTENS)
    with caplog.at_level(logging.ERROR):
        wrong = attempt(client, "nurse@example.org", WRONG)
        right = attempt(client, "nurse@example.org", PASSWORD)
        again = attempt(client, "nurse@example.org", WRONG)
    assert wrong.status_code == 200 and SIGN_IN_FAILED in wrong.get_data(as_text=True)
    assert right.status_code == 302 and "/sign-in" not in right.location
    assert again.status_code == 200 and SIGN_IN_FAILED in again.get_data(as_text=True)
    assert len(events(limit_counts.STORAGE_DOWN)) == 1
    assert [r for r in caplog.records if "cannot be reached" in r.getMessage()] != []


def test_with_nothing_listening_the_short_limits_hold_in_each_worker(app, client, org, monkeypatch):  # noqa: F811
    count_in(app, monkeypatch, NOTHING_LISTENS)
    assert guess(client, "nurse@example.org", 5) == [200] * 5
    assert attempt(client, "nurse@example.org", PASSWORD).status_code == 429


def test_with_nothing_listening_ten_wrong_passwords_still_lock(app, client, org, monkeypatch, clock):  # noqa: F811
    count_in(app, monkeypatch, NOTHING_LISTENS)
    lock(client, clock)
    assert db.session.get(Person, org["nurse"].id).sign_in_locked_at is not None
    response = attempt(client, "nurse@example.org", PASSWORD, address=HOME)
    assert response.status_code == 200 and guard.LOCKED_OUT in response.get_data(as_text=True)


def test_with_nothing_listening_a_signed_in_person_works_on(app, client, org, monkeypatch, sign_in):  # noqa: F811
    count_in(app, monkeypatch, NOTHING_LISTENS)
    sign_in("nurse@example.org", PASSWORD)
    assert client.get("/my-year").status_code == 200
    assert client.get("/portfolio/my-data.json").status_code == 200


@pytest.fixture
def stopped_redis():
    """A redis-server the test starts, and a function that stops it."""
    with redis_server() as (url, server):
        def stop():
            server.terminate()
            server.communicate(timeout=10)
        yield url, stop


def test_when_redis_stops_signing_in_still_works_and_ten_wrong_still_lock(
        app, client, org, monkeypatch, clock, stopped_redis):  # noqa: F811
    url, stop = stopped_redis
    count_in(app, monkeypatch, url)
    assert attempt(client, "nurse@example.org", WRONG).status_code == 200
    assert redis.Redis.from_url(url).dbsize() > 0  # counted in Redis while it ran
    stop()
    assert attempt(client, "nurse@example.org", PASSWORD).status_code == 302
    wrong = attempt(client, "nurse@example.org", WRONG)
    assert wrong.status_code == 200 and SIGN_IN_FAILED in wrong.get_data(as_text=True)
    lock(client, clock)  # two wrong already in the hour: these lock it
    response = attempt(client, "nurse@example.org", PASSWORD, address=HOME)
    assert response.status_code == 200 and guard.LOCKED_OUT in response.get_data(as_text=True)
    assert len(events(limit_counts.STORAGE_DOWN)) == 1  # once, however often it was tried again
