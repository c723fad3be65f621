"""Limits on use (ASVS 2.4.1 beyond signing in): per person, a generous limit on every request and
tighter ones on exports, report pages, writes, imports and set-password links; over one, a 429
page that says how long to wait. The numbers are the production defaults (config.Config), set
here because the testing settings raise them out of every other test's way. Time moves only
through the clock seam; nothing sleeps."""
from __future__ import annotations

from datetime import timedelta

import pytest
from limits import parse_many
from sqlalchemy import select

import config
from tests.factories import PASSWORD, make_person, make_tree
from tests.support import csrf_token_from
from tracker import use_limits
from tracker.auth import security_events
from tracker.extensions import db
from tracker.models import AuditEvent, Notice

MY_DATA = "/portfolio/my-data.json"
EXPORTS_A_MINUTE = parse_many(config.Config.LIMITS_ON_EXPORTS)[0].amount


@pytest.fixture
def production_limits(app, monkeypatch):
    for setting in use_limits.SETTINGS.values():
        monkeypatch.setitem(app.config, setting, getattr(config.Config, setting))


@pytest.fixture
def org(db_session):
    tree = make_tree()
    people = {"nurse": make_person(tree["ward7"], email="nurse@example.org"),
              "porter": make_person(tree["ward7"], email="porter@example.org")}
    db.session.commit()
    return people


def signed_in(app, email: str):
    """A browser of its own, signed in as `email`."""
    browser = app.test_client()
    token = csrf_token_from(browser.get("/sign-in").get_data(as_text=True))
    response = browser.post("/sign-in", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302 and "/sign-in" not in response.location
    return browser


def events(action: str) -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def refused(response) -> bool:
    page = response.get_data(as_text=True)
    return response.status_code == 429 and use_limits.TOO_MANY_TITLE in page and "Wait 1 minute" in page


def test_an_export_past_its_limit_is_refused_with_a_page(app, client, org, production_limits, clock):
    nurse = signed_in(app, "nurse@example.org")
    assert EXPORTS_A_MINUTE == 20
    assert [nurse.get(MY_DATA).status_code for _ in range(EXPORTS_A_MINUTE)] == [200] * EXPORTS_A_MINUTE
    response = nurse.get(MY_DATA)
    assert refused(response)
    assert response.mimetype == "text/html" and 'action="/sign-out"' in response.get_data(as_text=True)
    assert response.headers["Retry-After"] == "60"  # the clock stands at noon: the minute's window ends at 12:01
    assert refused(nurse.get(MY_DATA))
    [event] = events(security_events.USE_LIMITED)  # the window's first refusal only
    assert (event.actor_id, event.detail["kind"], event.detail["limit"]) == \
        (org["nurse"].id, use_limits.EXPORTS, "20 per 1 minute")


def test_another_person_is_not_affected(app, client, org, production_limits):
    nurse, porter = signed_in(app, "nurse@example.org"), signed_in(app, "porter@example.org")
    for _ in range(EXPORTS_A_MINUTE + 1):
        nurse.get(MY_DATA)
    assert refused(nurse.get(MY_DATA))
    assert porter.get(MY_DATA).status_code == 200
    assert nurse.get("/my-year").status_code == 200  # and the nurse's other work goes on


def test_the_window_passing_lets_it_through_again(app, client, org, production_limits, clock):
    nurse = signed_in(app, "nurse@example.org")
    for _ in range(EXPORTS_A_MINUTE):
        nurse.get(MY_DATA)
    clock.advance(timedelta(seconds=59))
    response = nurse.get(MY_DATA)
    assert refused(response) and response.headers["Retry-After"] == "1"
    clock.advance(timedelta(seconds=1))
    assert nurse.get(MY_DATA).status_code == 200


def test_every_request_counts_but_files_health_and_signing_out_never_meet_it(app, client, org, monkeypatch):
    monkeypatch.setitem(app.config, "LIMITS_PER_PERSON", "3 per minute")
    nurse = signed_in(app, "nurse@example.org")
    assert [nurse.get("/my-year").status_code for _ in range(3)] == [200] * 3
    page = nurse.get("/hub")
    assert refused(page)
    assert nurse.get("/healthz").status_code == 200
    assert nurse.get("/static/app.css").status_code == 200
    token = csrf_token_from(page.get_data(as_text=True))  # the refusal's own Sign out
    assert nurse.post("/sign-out", data={"csrf_token": token}).status_code == 302
    assert "You have signed out." in nurse.get("/sign-in").get_data(as_text=True)


def test_a_refused_write_saves_nothing(app, client, org, monkeypatch, today):
    monkeypatch.setitem(app.config, "LIMITS_ON_WRITES", "1 per minute")
    first, second = (Notice(person_id=org["nurse"].id, sent_on=day, message="Please log an activity")
                     for day in (today, today - timedelta(days=1)))
    db.session.add_all([first, second])
    db.session.commit()
    nurse = signed_in(app, "nurse@example.org")
    token = csrf_token_from(nurse.get("/my-year").get_data(as_text=True))
    assert nurse.post(f"/notices/{first.id}/dismiss", data={"csrf_token": token}).status_code == 302
    response = nurse.post(f"/notices/{second.id}/dismiss", data={"csrf_token": token})
    assert refused(response) and use_limits.NOT_SAVED in response.get_data(as_text=True)
    db.session.expire_all()
    assert (db.session.get(Notice, first.id).dismissed_at is not None,
            db.session.get(Notice, second.id).dismissed_at) == (True, None)


def test_a_visitor_is_counted_by_address(app, client, org, monkeypatch):
    monkeypatch.setitem(app.config, "LIMITS_ON_PASSWORD_LINKS", "2 per minute")

    def use_a_link(address: str) -> int:
        token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
        return client.post("/set-password/not-a-real-link", data={"csrf_token": token, "password": "x"},
                           environ_base={"REMOTE_ADDR": address}).status_code

    assert [use_a_link("198.51.100.7") for _ in range(3)] == [404, 404, 429]
    assert use_a_link("203.0.113.9") == 404


def test_guessing_observer_links_is_refused_by_address(app, client, org, monkeypatch):
    monkeypatch.setitem(app.config, "LIMITS_ON_OBSERVER_LINKS", "3 per minute")

    def open_a_link(address: str) -> int:
        return client.get("/observe/" + "g" * 43, environ_base={"REMOTE_ADDR": address}).status_code

    assert [open_a_link("198.51.100.8") for _ in range(4)] == [404, 404, 404, 429]
    assert open_a_link("203.0.113.10") == 404


# --- every costly function carries a limit -------------------------------------------------------

# What the brief named, and the kind of limit each must carry.
COSTLY = {
    ("GET", "reports.export"): use_limits.EXPORTS,
    ("GET", "admin.audit_export"): use_limits.EXPORTS,
    ("GET", "portfolio.export_my_data"): use_limits.EXPORTS,
    ("GET", "portfolio.evidence_download"): use_limits.EXPORTS,
    ("GET", "reports.organisation"): use_limits.REPORTS,
    ("GET", "reports.people"): use_limits.REPORTS,
    ("GET", "admin.audit_trail"): use_limits.REPORTS,
    ("POST", "portfolio.log_activity"): use_limits.WRITES,  # with its evidence uploads
    ("POST", "portfolio.edit_activity"): use_limits.WRITES,
    ("POST", "team.decide"): use_limits.WRITES,
    ("POST", "team.sign_off_selected"): use_limits.WRITES,
    ("POST", "team.send_reminders"): use_limits.WRITES,
    ("POST", "admin.create_set_password_link"): use_limits.PASSWORD_LINKS,
    ("POST", "auth.set_password"): use_limits.PASSWORD_LINKS,
    ("GET", "observation.answer"): use_limits.OBSERVER_LINKS,  # a token guessed at, by a visitor
    ("POST", "observation.answer"): use_limits.OBSERVER_LINKS,
    ("GET", "observation.colleagues"): use_limits.REPORTS,  # a search over people
    ("POST", "admin.staff_import"): use_limits.IMPORTS,
    ("POST", "admin.staff_import_apply"): use_limits.IMPORTS,
    ("POST", "reports.framework_version"): use_limits.IMPORTS,
}
WRITING_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# A route whose address says it hands over a file.
LOOKS_LIKE_A_FILE = ("export", "download", ".csv", ".json", ".xlsx", "<fmt>", "/evidence/")


def _routes(app) -> set[tuple[str, str, str]]:
    return {(method, rule.endpoint, rule.rule) for rule in app.url_map.iter_rules() for method in rule.methods}


@pytest.mark.parametrize(("method", "endpoint"), sorted(COSTLY))
def test_each_costly_function_named_carries_its_limit(app, method, endpoint):
    assert (method, endpoint) in {(m, e) for m, e, _ in _routes(app)}
    assert use_limits.kind_of(endpoint, method) == COSTLY[(method, endpoint)]


def test_every_write_carries_a_limit_unless_the_table_says_why_not(app):
    writes = {(method, endpoint) for method, endpoint, _ in _routes(app) if method in WRITING_METHODS}
    unlimited = {(method, endpoint) for method, endpoint in writes if use_limits.kind_of(endpoint, method) is None}
    assert unlimited == {("POST", endpoint) for endpoint in use_limits.NOT_WRITES}
    assert all(use_limits.NOT_WRITES.values())  # each says why


def test_every_route_that_hands_over_a_file_is_an_export(app):
    files = {(method, endpoint) for method, endpoint, rule in _routes(app)
             if method == "GET" and any(part in rule for part in LOOKS_LIKE_A_FILE)}
    assert files and all(use_limits.kind_of(endpoint, method) == use_limits.EXPORTS for method, endpoint in files)
    assert {endpoint for _, endpoint in files} == use_limits.EXPORT_ENDPOINTS


def test_every_endpoint_the_limits_name_exists(app):
    endpoints = {endpoint for _, endpoint, _ in _routes(app)}
    named = (use_limits.EXPORT_ENDPOINTS | use_limits.REPORT_ENDPOINTS | use_limits.IMPORT_ENDPOINTS
             | use_limits.PASSWORD_LINK_ENDPOINTS | use_limits.OBSERVER_LINK_ENDPOINTS | use_limits.NEVER_COUNTED
             | set(use_limits.NOT_WRITES))
    assert named - endpoints == set()


@pytest.mark.parametrize("setting", sorted(use_limits.SETTINGS.values()))
def test_every_limit_has_a_number_in_production(setting):
    assert parse_many(getattr(config.Config, setting))


def test_the_defaults_are_ones_nobody_meets_in_normal_work():
    per_minute = {setting: parse_many(getattr(config.Config, setting))[0] for setting in use_limits.SETTINGS.values()}
    assert all(limit.get_expiry() == 60 for limit in per_minute.values())
    assert per_minute["LIMITS_PER_PERSON"].amount >= 200
    assert min(limit.amount for limit in per_minute.values()) >= 10
