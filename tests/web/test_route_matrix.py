"""Every route, every method, every role: the answer each gets to one real instance, from the
table in tests/web/route_matrix.py (read its docstring to add a row). Real CSRF tokens, so the
sign-in, area and scope gates answer, never the CSRF check; real ids of another team's people
and activities, so a scope that leaks shows up as a 200 where the table says 404."""
from __future__ import annotations

from collections import Counter

import pytest
from flask import url_for

from tests.factories import PASSWORD
from tests.conftest import SECOND_STEP_PAGES
from tests.support import csrf_token_from, give_second_factor
from tests.web.route_matrix import EMAILS, ROLES, ROWS, SIGNED_IN, Row, build_organisation
from tracker import access, use_limits
from tracker.extensions import db
from tracker.reference import load_reference_data

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def _routes(app) -> set[tuple[str, str]]:
    return {(rule.endpoint, method) for rule in app.url_map.iter_rules()
            for method in rule.methods - IGNORED_METHODS}


def test_every_route_and_method_has_a_row(app):
    missing = _routes(app) - {(r.endpoint, r.method) for r in ROWS}
    assert not missing, f"routes missing from tests/web/route_matrix.py: {sorted(missing)}"


def test_every_row_names_a_route_the_app_has(app):
    gone = {(r.endpoint, r.method) for r in ROWS} - _routes(app)
    assert not gone, f"rows in tests/web/route_matrix.py for routes the app no longer has: {sorted(gone)}"


def test_no_row_is_written_twice():
    keys = Counter((r.endpoint, r.method, tuple(sorted(r.values.items())), tuple(sorted(r.form.items())))
                   for r in ROWS)
    assert [key for key, n in keys.items() if n > 1] == []


class Viewer:
    """One role's own browser: a client, signed in (except the anonymous one), and a CSRF token
    read from a page of its own session."""

    def __init__(self, app, role: str):
        self.role = role
        self.client = app.test_client()
        if role != "anonymous":
            token = csrf_token_from(self.client.get("/sign-in").get_data(as_text=True))
            response = self.client.post("/sign-in", data={"email": EMAILS[role], "password": PASSWORD,
                                                          "csrf_token": token})
            if response.status_code == 302 and response.location in SECOND_STEP_PAGES:
                response = give_second_factor(self.client, EMAILS[role])  # admins and leads
            assert response.status_code == 302 and "/sign-in" not in response.headers["Location"], role
        page = "/sign-in" if role == "anonymous" else "/my-year"
        self.csrf_token = csrf_token_from(self.client.get(page).get_data(as_text=True))


def _value(value, things: dict, role: str):
    """A "@name" of the organisation (the viewer's own for per-viewer things), else the literal."""
    if not (isinstance(value, str) and value.startswith("@")):
        return value
    thing = things[value[1:]]
    if isinstance(thing, dict):
        return thing.get(role, thing["staff"])  # the anonymous visitor asks for staff's
    return thing


def _answer(response) -> str:
    if response.status_code == 302 and "/sign-in" in response.headers["Location"]:
        return "in"
    return str(response.status_code)


def _ask(app, viewer: Viewer, row: Row, things: dict):
    """The viewer's response to the row, with everything the request wrote rolled back and the
    viewer's session cookie put back as it was."""
    with app.test_request_context():
        url = url_for(row.endpoint, **{k: _value(v, things, viewer.role) for k, v in row.values.items()})
    data = None
    if row.method != "GET":
        data = {k: _value(v, things, viewer.role) for k, v in row.form.items()}
        data["csrf_token"] = viewer.csrf_token
    cookie = viewer.client.get_cookie("session")
    connection = db.session.get_bind()
    db.session.commit()  # close the session's savepoint, so that the one below encloses the request's
    savepoint = connection.begin_nested()
    try:
        return viewer.client.open(url, method=row.method, data=data)
    finally:
        db.session.remove()
        savepoint.rollback()
        if cookie is not None:
            viewer.client.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)


@pytest.fixture
def matrix(app, client, in_year, tmp_path, monkeypatch):
    # `client` makes every test client read its responses whole (conftest's BufferedClient), so a
    # streamed export is closed inside its own request's savepoint.
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    load_reference_data()
    things = build_organisation(in_year, app.config["UPLOAD_FOLDER"])
    db.session.commit()
    viewers = {role: Viewer(app, role) for role in ROLES}
    db.session.commit()
    return things, viewers


def _offers_sign_out(response) -> bool:
    if response.status_code != 200 or response.mimetype != "text/html":
        return True  # files and redirects are not pages
    return 'action="/sign-out"' in response.get_data(as_text=True)


def test_every_role_gets_the_answer_the_table_gives(app, matrix):
    """And every page a signed-in person gets offers Sign out (ASVS 7.4.4), and every file handed
    over comes from a route the export limits count (ASVS 2.4.1, tracker/use_limits.py)."""
    things, viewers = matrix
    wrong, no_sign_out, uncounted_files = [], [], []
    for row in ROWS:
        for role in ROLES:
            response = _ask(app, viewers[role], row, things)
            got = _answer(response)
            where = f"{row.method} {row.endpoint} {row.values or ''}{row.form or ''} as {role}"
            if got != row.expected[role]:
                wrong.append(f"{where}: {got}, the table says {row.expected[role]}")
            if role != "anonymous" and not _offers_sign_out(response):
                no_sign_out.append(where)
            if response.headers.get("Content-Disposition", "").startswith("attachment") and \
                    use_limits.kind_of(row.endpoint, row.method) != use_limits.EXPORTS:
                uncounted_files.append(where)
    assert wrong == [], "\n".join(wrong)
    assert no_sign_out == [], "pages without Sign out:\n" + "\n".join(no_sign_out)
    assert uncounted_files == [], "files not counted as exports:\n" + "\n".join(uncounted_files)


def test_every_signed_in_role_is_let_in_somewhere_and_refused_somewhere():
    """The table is a truth table, not a list of 200s: each role meets both answers."""
    for role in SIGNED_IN:
        answers = {row.expected[role] for row in ROWS}
        assert {"200", "403", "404"} <= answers, role


def test_a_row_leaves_nothing_behind(app, matrix):
    """A deletion and a sign-out, asked through the table's runner, change nothing the next row finds."""
    things, viewers = matrix
    staff = viewers["staff"]
    delete = next(r for r in ROWS if (r.endpoint, r.method, r.values) ==
                  ("portfolio.delete_activity", "POST", {"activity_id": "@own_draft"}))
    sign_out = next(r for r in ROWS if (r.endpoint, r.method) == ("auth.sign_out", "POST"))
    assert _answer(_ask(app, staff, delete, things)) == "302"
    assert _answer(_ask(app, staff, sign_out, things)) == "in"
    assert staff.client.get(f"/activities/{things['own_draft']['staff']}").status_code == 200


# Public (no session yet) but meaningful only after a right password: without one they send the
# visitor back to sign in, like the pages that need a session.
SECOND_STEP = {"auth.second_factor", "auth.recovery_code", "auth.set_up_second_factor"}


def test_the_anonymous_column_agrees_with_the_public_list():
    """Only the reviewed public endpoints answer a visitor; every other one sends them to sign in."""
    for row in ROWS:
        if row.endpoint in SECOND_STEP:
            assert access.is_public(row.endpoint) and row.expected["anonymous"] == "in", row
            continue
        assert (row.expected["anonymous"] == "in") != access.is_public(row.endpoint), row
