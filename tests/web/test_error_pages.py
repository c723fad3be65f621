"""What every response carries (security headers) and the pages shown when something goes wrong:
the expired-form page (CSRF) and the 500 page, after which nothing of the failed request is saved."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.factories import PASSWORD, make_person, make_tree
from tests.support import app_on_scratch_database, csrf_token_from
from tracker.extensions import db
from tracker.models import Activity, Notice

EXPIRED = "Your session expired or the form was changed"


def _csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] for part in (p.strip() for p in policy.split(";")) if part}


# --- security headers -----------------------------------------------------------------------------


def test_a_normal_page_carries_the_security_headers(client, sign_in, db_session):
    make_person(make_tree()["ward7"], email="nurse@example.org")
    sign_in("nurse@example.org", PASSWORD)
    response = client.get("/my-year")
    assert response.status_code == 200
    csp = _csp(response)
    nonce = re.fullmatch(r"'self' 'nonce-([^']+)'", csp["script-src"]).group(1)
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", response.get_data(as_text=True))
    assert inline and all(f'nonce="{nonce}"' in attributes for attributes in inline)  # every inline script
    assert csp["default-src"] == "'self'" and csp["object-src"] == "'none'"
    assert csp["frame-ancestors"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_the_nonce_is_new_on_every_response(client, db_session):
    first, second = (_csp(client.get("/sign-in"))["script-src"] for _ in range(2))
    assert first != second


# --- the expired form (CSRF) ---------------------------------------------------------------------


@pytest.fixture
def signed_in_nurse(client, sign_in, db_session):
    make_person(make_tree()["ward7"], email="nurse@example.org")
    db.session.commit()
    sign_in("nurse@example.org", PASSWORD)


def _assert_expired_page(response) -> None:
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f"<h1>{EXPIRED}</h1>" in html
    assert "Go back, reload the page and try again. Nothing was saved." in html


def test_a_form_sent_without_its_token_gets_the_expired_page(client, signed_in_nurse):
    _assert_expired_page(client.post("/activities/new", data={"title": "Debrief", "action": "draft"}))
    assert db.session.scalar(select(func.count(Activity.id))) == 0


def test_a_form_sent_with_a_stale_token_gets_the_expired_page(app, client, signed_in_nurse):
    # A token of another session (as after the session cookie expired): valid there, not here.
    with app.app_context():  # a context of its own: the test's g remembers who signed in
        stale = csrf_token_from(app.test_client().get("/sign-in").get_data(as_text=True))
    _assert_expired_page(client.post("/activities/new", data={"title": "Debrief", "action": "draft",
                                                              "csrf_token": stale}))
    assert db.session.scalar(select(func.count(Activity.id))) == 0


# --- the 500 page ------------------------------------------------------------------------------


@pytest.fixture
def failing_app(tmp_path):
    """An app of its own, on a database of its own, with one test-only view that writes and then
    fails before it can commit (the shared app cannot take new routes once it has served)."""
    with app_on_scratch_database("errors", tmp_path / "errors.db") as app:

        @app.post("/test-only/write-then-fail/<how>")
        def write_then_fail(how):
            from flask_login import current_user

            db.session.add(Notice(person_id=current_user.id, sent_on=current_user.created_at.date(),
                                  message="Half-written"))
            db.session.flush()
            if how == "in-the-database":  # leaves the session needing a rollback before the page can render
                db.session.add(Notice(person_id=None, sent_on=None, message="boom: no person"))
                db.session.flush()
            raise RuntimeError("boom in the middle of a write")

        with app.app_context():
            make_person(make_tree()["ward7"], email="nurse@example.org")
            db.session.commit()
        yield app


@pytest.mark.parametrize("how", ["in-the-view", "in-the-database"])
def test_an_unexpected_error_shows_the_500_page_and_saves_nothing(failing_app, caplog, how):
    client = failing_app.test_client()
    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    client.post("/sign-in", data={"email": "nurse@example.org", "password": PASSWORD, "csrf_token": token})
    token = csrf_token_from(client.get("/").get_data(as_text=True))

    response = client.post(f"/test-only/write-then-fail/{how}", data={"csrf_token": token})

    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "<h1>Sorry, there is a problem with the service</h1>" in html
    assert "Nothing you were doing was half-saved" in html
    assert "boom" not in html and "Traceback" not in html  # never a stack trace
    assert "Unhandled error" in caplog.text
    # The error is logged; a value a statement was sent is not (the engine's hide_parameters).
    logged, never_logged = {"in-the-view": ("boom in the middle of a write", None),
                            "in-the-database": ("IntegrityError", "boom: no person")}[how]
    # PostgreSQL's own message repeats the failing row ("DETAIL: Failing row contains …"): the
    # log filter drops that line (tracker.logs.HideDatabaseDetail).
    assert logged in caplog.text and (never_logged is None or never_logged not in caplog.text)
    with failing_app.app_context():
        assert db.session.scalar(select(func.count(Notice.id))) == 0  # the write was rolled back
        db.session.remove()
    assert client.get("/").status_code == 200  # and the next request is served as normal
