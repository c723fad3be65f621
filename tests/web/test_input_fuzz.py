"""No input makes a 500, and a refused form saves nothing.

Every route of the app (from its url_map), for a visitor and a signed-in person of each role,
gets arbitrary values in its path, its query parameters and (with a real CSRF token) its forms:
NUL bytes, 100,000-character strings, integers beyond 64 bits, 10-digit days and months, CR/LF in
`next`, repeated names (arrays), unicode and impossible dates (tests/fuzz.py says what and where).
First each named nasty value goes into every field at once; then Hypothesis mixes them with real
values. Runs on whichever database the suite runs on (SQLite, or TEST_DATABASE_URL).
"""
from __future__ import annotations

import os
from datetime import date, timedelta

import pytest
from flask import current_app
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from tests import fuzz
from tests.factories import PASSWORD, make_activity, make_person, make_prepared_export, make_tree
from tests.conftest import SECOND_STEP_PAGES
from tests.support import csrf_token_from, give_second_factor
from tests.web.route_matrix import ask_observer
from tracker import access
from tracker.extensions import db
from tracker.reports.exporting import EXPORTS
from tracker.models import (ActivityStatus, Course, EvidenceFile, Exemption, ExemptionReason, HubSection,
                            LeadershipAction, LeadershipActionKind, Notice, Person, Resource, UserSession)

ROLES = {
    "visitor": None,
    "staff": "fuzz-staff@example.org",
    "manager": "fuzz-manager@example.org",
    "lead": "fuzz-lead@example.org",
    "admin": "fuzz-admin@example.org",
}
# Written on a refused request on purpose (security events); every other table must not change.
WRITTEN_WHEN_REFUSED = {"audit_event", "audit_subject"}
# Signing out ends the person's session: fuzzed last, then the person signs in again.
LAST = {"auth.sign_out"}


@pytest.fixture
def world(db_session, ref, today) -> dict[str, list]:
    """A small organisation with one of everything a route's path names; the real values by name."""
    tree = make_tree()
    manager = make_person(tree["ward7"], email=ROLES["manager"], tier=3, roles=["manager"], scope=[tree["cancer"]])
    staff = make_person(tree["ward7"], email=ROLES["staff"], line_manager=manager)
    lead = make_person(tree["clinic"], email=ROLES["lead"], roles=["education_lead"])
    admin = make_person(tree["trust"], email=ROLES["admin"], roles=["admin"])
    left = make_person(tree["ward7"], active=False, line_manager=manager)
    kind = next(t for t in ref["types"].values() if t.experiential)
    day = max(today - timedelta(days=3), date(today.year, 1, 1))
    draft = make_activity(staff, kind, occurred_on=day, status=ActivityStatus.DRAFT, behaviours=[ref["b"]["1.1"]])
    waiting = make_activity(staff, kind, occurred_on=day, status=ActivityStatus.SUBMITTED,
                            behaviours=[ref["b"]["1.1"], ref["b"]["2.1"]])
    waiting.manager_may_read = True
    evidence = EvidenceFile(activity_id=waiting.id, original_name="notes.pdf", stored_name="fuzz-notes.pdf",
                            content_type="application/pdf", size_bytes=10)
    exemption = Exemption(person_id=staff.id, reason=ExemptionReason.SECONDMENT, starts_on=day, ends_on=None,
                          recorded_by_id=manager.id)
    action = LeadershipAction(manager_id=manager.id, unit_id=tree["ward7"].id, occurred_on=day, note="",
                              kind=LeadershipActionKind.TEAM_SESSION)
    notice = Notice(person_id=staff.id, sent_by_id=manager.id, sent_on=day, message="Please log an activity")
    other_device = UserSession(key_hash="fuzz-other-device", person_id=staff.id, generation="g", user_agent="")
    db.session.add_all([evidence, exemption, action, notice, other_device])
    _, observation = ask_observer(staff, draft)
    prepared = make_prepared_export(lead, current_app.config["UPLOAD_FOLDER"])
    db.session.commit()
    ids = lambda model: list(db.session.scalars(select(model.id).order_by(model.id).limit(3)))  # noqa: E731
    return {
        "activity_id": [draft.id, waiting.id],
        "person_id": [staff.id, manager.id, left.id, admin.id],
        "unit_id": [tree["ward7"].id, tree["cancer"].id],
        "evidence_id": [evidence.id],
        "course_id": ids(Course),
        "resource_id": ids(Resource),
        "notice_id": [notice.id],
        "session_id": [other_device.id],
        "request_id": [observation.id],
        "export_id": [prepared.id],
        "exemption_id": [exemption.id],
        "action_id": [action.id],
        "slug": list(db.session.scalars(select(HubSection.slug).order_by(HubSection.position).limit(2))),
        "key": list(EXPORTS),
        "fmt": ["csv", "xlsx"],
        "token": ["not-a-real-token"],
        "filename": ["app.css", "images/favicon.svg"],
    }


def _row_counts() -> dict[str, int]:
    """Rows in every table the fuzz could touch, in one statement."""
    tables = [t for t in db.metadata.sorted_tables if t.name not in WRITTEN_WHEN_REFUSED]
    counts = select(*[select(func.count()).select_from(t).scalar_subquery().label(t.name) for t in tables])
    return dict(db.session.execute(counts).one()._mapping)


def _signed_in(client) -> bool:
    with client.session_transaction() as session:
        return "_user_id" in session


def _sign_in(client, email: str) -> None:
    # The fuzz sends the sign-in form garbage many times from one address: the limits it trips are
    # not what this test is about, so each real sign-in starts them afresh.
    client.application.extensions["sign_in_limiter"].reset()
    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    response = client.post("/sign-in", data={"email": email, "password": PASSWORD, "csrf_token": token})
    if response.status_code == 302 and response.location in SECOND_STEP_PAGES:
        response = give_second_factor(client, email)  # admins and education leads
    assert response.status_code == 302 and "/sign-in" not in response.location, f"{email} could not sign in"


def _shown(data) -> str:
    """A request's values for a failure message, long ones cut short."""
    return repr({k: [v if len(v) < 60 else v[:20] + f"…({len(v)} chars)" for v in vs] for k, vs in data.items()})


class Fuzzer:
    def __init__(self, app, client, role: str, real: dict):
        self.app, self.client, self.role, self.real = app, client, role, real
        self.failures: list[str] = []
        self.token = None
        self.forms: dict[str, dict[str, list[str]]] = {}  # endpoint -> field -> real options
        self.query_names = fuzz.query_names_in_source()
        self.adapter = app.url_map.bind("localhost")

    def sign_in(self):
        if ROLES[self.role]:
            _sign_in(self.client, ROLES[self.role])
        self.token = csrf_token_from(self.client.get("/sign-in" if not ROLES[self.role] else "/").get_data(as_text=True))

    def may_reach(self, target) -> bool:
        """Whether the sign-in and role gates let this person through (else no input is read)."""
        if access.is_public(target.endpoint):
            return True
        if not ROLES[self.role]:
            return False
        person = db.session.scalar(select(Person).where(Person.email == ROLES[self.role]))
        permission = access.permission_for(target.endpoint, target.endpoint.rsplit(".", 1)[0])
        return permission is None or access.can(person, permission)

    def real_path(self, target) -> str | None:
        """The address with real values, one this person may open when there is one."""
        if not self.may_reach(target):
            return None
        combos = [{}]
        for name, converter in target.rule._converters.items():
            values = self.real.get(name) or sorted(getattr(converter, "items", None) or [])
            if not values:
                raise fuzz.UnfillableRoute(f"{target.rule.rule}: no real value for <{name}>; add it to the world")
            combos = [{**c, name: v} for c in combos for v in values]
        paths = [fuzz.build_path(target.rule, values) for values in combos]
        if "GET" in target.rule.methods and len(paths) > 1:
            return next((p for p in paths if self.client.get(p).status_code < 400), paths[0])
        return paths[0]

    def crawl(self, targets):
        """Read the forms of every page this person opens: their fields and real options."""
        for target in targets:
            if target.method != "GET" or target.endpoint in ("static", "assets"):
                continue
            path = self.real_path(target)
            if path is None:
                continue
            response = self.client.get(path)
            if not response.mimetype == "text/html":
                continue
            forms, link_names = fuzz.read_forms(path, response.get_data(as_text=True))
            self.query_names.update(link_names)
            for form in forms:
                try:
                    endpoint, _ = self.adapter.match(form.action, method=form.method)
                except Exception:  # a form posting off-site or to a removed route
                    continue
                merged = self.forms.setdefault(f"{form.method} {endpoint}", {})
                for name, options in form.fields.items():
                    merged.setdefault(name, []).extend(o for o in options if o not in merged.get(name, []))
                if form.method == "GET":
                    self.query_names.update(form.fields)

    def send(self, target, path: str, data: dict[str, list[str]]) -> None:
        before = _row_counts() if target.method != "GET" else None
        if target.method == "GET":
            response = self.client.open(path, method="GET", query_string=data)
        else:
            response = self.client.open(path, method=target.method, data={**data, "csrf_token": self.token})
        body = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
        where = f"{self.role}: {target.method} {path[:120]} {_shown(data)}"
        assert response.status_code < 500, f"{response.status_code} for {where}"
        refused = response.status_code >= 400 or "nhsuk-error-summary" in body
        if before is not None and refused:
            after = _row_counts()
            changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
            assert not changed, f"a refused {where} saved rows: {changed}"
        if ROLES[self.role] and not _signed_in(self.client):
            self.sign_in()  # the fuzz signed them out (or deactivated them): carry on as them

    def run(self, target) -> None:
        real_path = self.real_path(target)
        if real_path is None:
            return  # the gates refuse this person before any input is read
        key = f"{target.method} {target.endpoint}"
        fields = self.forms.get(key) or {name: [] for name in self.query_names}
        # Every named nasty value in every field at once (the path real), then in the path.
        for value in fuzz.swept():
            self._collect(self.send, target, real_path, {name: [value] for name in fields})
        path_choices = fuzz.path_choices(target.rule, self.real)
        for name in path_choices:
            for nasty in (fuzz.NASTY_IDS if isinstance(target.rule._converters[name], fuzz.IntegerConverter)
                          else fuzz.NASTY_TEXT[:3]):
                values = {n: self.real.get(n, [None])[0] for n in path_choices} | {name: nasty}
                if None not in values.values():
                    self._collect(self.send, target, fuzz.build_path(target.rule, values), {})

        @fuzz.fuzz_settings()
        @given(path=st.fixed_dictionaries(path_choices),
               data=st.fixed_dictionaries({}, optional={n: fuzz.field_values(o) for n, o in fields.items()}))
        def mixed(path, data):
            self.send(target, fuzz.build_path(target.rule, path), data)

        self._collect(mixed)

    def _collect(self, check, *args):
        try:
            check(*args)
        except AssertionError as failure:
            self.failures.append(str(failure).splitlines()[0][:400])


@pytest.fixture
def strict_like_postgresql():
    """On SQLite too, refuse what PostgreSQL would: text longer than its column, or holding NUL
    (raised inside the request, so the fuzz sees the 500 PostgreSQL would give)."""

    def check(session, _context, _instances):
        for row in [*session.new, *session.dirty]:
            for column in row.__table__.columns:
                value = getattr(row, column.key, None) if column.key in row.__mapper__.attrs else None
                if not isinstance(value, str):
                    continue
                limit = getattr(column.type, "length", None)
                assert "\x00" not in value, f"NUL in {column}"
                assert limit is None or len(value) <= limit, f"{len(value)} characters in {column} ({limit})"

    event.listen(Session, "before_flush", check)
    yield
    event.remove(Session, "before_flush", check)


@pytest.mark.parametrize("role", ROLES)
def test_no_input_makes_a_server_error_or_a_partial_save(app, client, world, role, strict_like_postgresql):
    fuzzer = Fuzzer(app, client, role, world)
    fuzzer.sign_in()
    every = fuzz.targets(app)
    fuzzer.crawl(every)
    only = os.environ.get("FUZZ_ONLY", "")  # e.g. FUZZ_ONLY=hub.edit while fixing one area
    for target in sorted(every, key=lambda t: t.endpoint in LAST):
        if only in target.endpoint:
            fuzzer.run(target)
    assert not fuzzer.failures, "\n".join(fuzzer.failures)


def test_a_route_the_fuzz_cannot_fill_fails(app):
    from werkzeug.routing import Map, Rule

    rule = Rule("/things/<int:thing_id>")
    Map([rule])
    with pytest.raises(fuzz.UnfillableRoute):
        fuzz.path_choices(rule, {"activity_id": [1]})


def test_nul_in_a_query_or_form_value_is_a_400_page(client):
    assert client.get("/sign-in?next=%00").status_code == 400
    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    response = client.post("/sign-in", data={"email": "a\x00@example.org", "password": "x", "csrf_token": token})
    assert response.status_code == 400
    assert "Sorry, there is a problem with that request" in response.get_data(as_text=True)


@pytest.mark.parametrize("big", [2**31, 2**63, 2**64 + 1, 10**30])
def test_an_id_beyond_any_column_is_a_404(client, sign_in, world, big):
    sign_in(ROLES["staff"], PASSWORD)
    assert client.get(f"/activities/{big}").status_code == 404
    assert client.get(f"/activities/{world['activity_id'][0]}").status_code == 200


@pytest.mark.parametrize("target", ["/\r\nSet-Cookie: stolen=1", "/\t/evil.example", "//evil.example",
                                    "https://evil.example/", "/\\evil.example"])
def test_sign_in_follows_only_a_clean_local_next(client, world, target):
    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    response = client.post("/sign-in", data={"email": ROLES["staff"], "password": PASSWORD, "csrf_token": token,
                                             "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_sign_in_follows_a_local_next(client, world):
    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    response = client.post("/sign-in", data={"email": ROLES["staff"], "password": PASSWORD, "csrf_token": token,
                                             "next": "/portfolio?year=2025"})
    assert response.headers["Location"] == "/portfolio?year=2025"


@pytest.mark.parametrize("address", ["/reports/", "/reports/people", "/reports/export/people.csv",
                                     "/reports/export/people.xlsx", "/reports/export/activities.csv",
                                     "/reports/export/coverage.csv", "/reports/export/uptake.xlsx"])
@pytest.mark.parametrize("status", ["not_started", "in_progress", "complete", "exempt"])
def test_reports_and_exports_take_a_status_and_a_unit_together(client, sign_in, world, address, status):
    sign_in(ROLES["admin"], PASSWORD)
    response = client.get(address, query_string={"status": status, "unit": world["unit_id"][1]})
    assert response.status_code == 200, (address, status)


def test_the_strict_check_refuses_what_postgresql_would(world, strict_like_postgresql):
    person = db.session.get(Person, world["person_id"][0])
    person.name = "x" * 100_000
    with pytest.raises(AssertionError, match="characters in person.name"):
        db.session.flush()
    db.session.rollback()
