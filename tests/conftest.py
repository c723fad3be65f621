"""Fixtures: one app and schema per run; every test inside a transaction that is rolled back.

SQLite in memory by default; PostgreSQL (or any database) when TEST_DATABASE_URL is set.
The application's clock (appraisal_year.today) is frozen for the whole run: on TEST_TODAY=YYYY-MM-DD
when set (e.g. TEST_TODAY=2027-03-31 make test), else on the real date. Tests take `today`, `this_year`
or `in_year`, and move the clock with `clock.move_to(day)`; none reads the calendar itself.
"""
from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta

os.environ.setdefault("FLASK_ENV", "testing")


def _a_database_per_worker() -> None:
    """Under pytest-xdist (`make test` runs one worker per core) every worker drops and rebuilds the
    schema of its own database, so on PostgreSQL each gets `<TEST_DATABASE_URL's name>_<worker>`,
    made here if missing, before config reads TEST_DATABASE_URL. In-memory SQLite is per process."""
    worker, base = os.environ.get("PYTEST_XDIST_WORKER"), os.environ.get("TEST_DATABASE_URL")
    if not worker or not base or not base.startswith("postgres"):
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = base.replace("postgres://", "postgresql://", 1).replace("postgresql://", "postgresql+psycopg://", 1)
    url = make_url(base)
    own = url.set(database=f"{url.database}_{worker}")
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": own.database}).first() is None:
            conn.execute(text(f'CREATE DATABASE "{own.database}"'))
    admin.dispose()
    os.environ["TEST_DATABASE_URL"] = own.render_as_string(hide_password=False)


_a_database_per_worker()
if not os.environ.get("PYTEST_XDIST_WORKER"):
    # Workers start at different moments: they all take the day the run began (see _day_of_the_run).
    os.environ.setdefault("TEST_TODAY", date.today().isoformat())

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import event, select
from sqlalchemy.orm import scoped_session, sessionmaker

import config
from tests.factories import make_activity, make_person, make_tree
from tests.support import SECOND_FACTOR_CLOCK, csrf_token_from, give_second_factor, redis_server
from tracker import appraisal_year, create_app
from tracker.appraisal_year import AppraisalYear, year_containing
from tracker.extensions import db
from tracker.models import ActivityStatus, ActivityType, Behaviour, Course, Exemption, ExemptionReason, StaffGroup
from tracker.reference import load_reference_data


def _day_of_the_run() -> date:
    """TEST_TODAY=YYYY-MM-DD runs the whole suite as if it were that day; else the real date,
    read once so that a run crossing midnight still sees one day."""
    value = os.environ.get("TEST_TODAY")
    return date.fromisoformat(value) if value else date.today()


class Clock:
    """The day the application judges everything by (appraisal_year.today, its one clock seam)."""

    def __init__(self, day: date):
        self.frozen_on = day
        self.day = day
        self.since_noon = timedelta(0)

    def today(self) -> date:
        return self.day

    def now(self) -> datetime:
        """Noon (UTC) of today, plus however far advance() has moved it."""
        return datetime.combine(self.day, time(12), tzinfo=UTC) + self.since_noon

    def move_to(self, day: date) -> None:
        self.day = day

    def advance(self, delta: timedelta) -> None:
        """Move the moment on (today follows it past midnight)."""
        moment = self.now() + delta
        self.day = moment.date()
        self.since_noon = moment - datetime.combine(self.day, time(12), tzinfo=UTC)


@pytest.fixture(scope="session", autouse=True)
def frozen_clock():
    clock = Clock(_day_of_the_run())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(appraisal_year, "today", clock.today)
        patch.setattr(appraisal_year, "now", clock.now)
        yield clock


@pytest.fixture(scope="session", autouse=True)
def second_factor_clock():
    """Second-factor codes are judged by tests.support.SECOND_FACTOR_CLOCK, never the real clock."""
    from tracker.auth import mfa

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(mfa, "now", SECOND_FACTOR_CLOCK.now)
        yield SECOND_FACTOR_CLOCK


@pytest.fixture
def clock(frozen_clock):
    """clock.move_to(day) moves the application's today for this test only."""
    yield frozen_clock
    frozen_clock.day = frozen_clock.frozen_on
    frozen_clock.since_noon = timedelta(0)


class TimeOfDay:
    """The time of day sessions are judged by (tracker.auth.sessions.now), moved by the test."""

    def __init__(self, start: datetime):
        self.at = start

    def now(self) -> datetime:
        return self.at

    def move_on(self, **elapsed) -> None:
        self.at += timedelta(**elapsed)


@pytest.fixture
def time_of_day(monkeypatch, clock):
    """time_of_day.move_on(minutes=31) moves the sessions clock (from 09:00 UTC on today)."""
    from tracker.auth import sessions

    moment = TimeOfDay(datetime.combine(clock.day, time(9, 0), tzinfo=UTC))
    monkeypatch.setattr(sessions, "now", moment.now)
    return moment


@pytest.fixture
def today(clock) -> date:
    """The day this test runs on (TEST_TODAY, or the real date)."""
    return clock.day


@pytest.fixture(scope="session")
def app():
    app = create_app(config.TestingConfig)
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()


@pytest.fixture
def db_session(app):
    """A session bound to one outer transaction; service commits become SAVEPOINT releases.

    Views roll back on bad input, so a test's fixture data must be committed (which here only
    releases a savepoint) or the view's rollback throws it away.
    """
    # Limit counts are per test, like the database, whichever clients the test makes.
    app.extensions["sign_in_limiter"].reset()
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        # A plain Session: Flask-SQLAlchemy's own would pick the engine, not this connection.
        session = scoped_session(sessionmaker(bind=connection, join_transaction_mode="create_savepoint"))
        db.session = session
        try:
            yield session
        finally:
            session.remove()
            db.session = original
            outer.rollback()
            connection.close()


class BufferedClient(FlaskClient):
    """Reads every response whole and closes it inside the test that asked for it. A streamed
    export left half-read would otherwise be closed by the garbage collector during a later test,
    running its closing audit write on that test's connection (a deadlock on PostgreSQL)."""

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app, db_session):
    app.test_client_class = BufferedClient
    return app.test_client()


@pytest.fixture
def sign_in(client):
    """sign_in(email, password="demo-pass-2026") -> response of the sign-in POST, or, for a person
    asked for a second factor, of the code's POST (enrolled with TEST_TOTP_SECRET if they were not)."""

    def _sign_in(email: str, password: str = "demo-pass-2026", follow: bool = False):
        token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
        response = client.post(
            "/sign-in",
            data={"email": email, "password": password, "csrf_token": token},
            follow_redirects=follow,
        )
        asked = response.request.path if follow else response.location if response.status_code == 302 else ""
        if asked in SECOND_STEP_PAGES:
            response = give_second_factor(client, email, follow)
        return response

    return _sign_in


SECOND_STEP_PAGES = ("/sign-in/code", "/sign-in/set-up-authenticator-app")


@pytest.fixture
def post_form(client):
    """post_form(url, data): POST with a fresh CSRF token taken from `token_from` (default: url)."""

    def _post(url: str, data: dict | None = None, token_from: str | None = None, **kwargs):
        token = csrf_token_from(client.get(token_from or url).get_data(as_text=True))
        return client.post(url, data={**(data or {}), "csrf_token": token}, **kwargs)

    return _post


@pytest.fixture
def count_queries(app):
    """with count_queries() as counter: ... ; counter.count is the number of SQL statements run."""

    class Counter:
        def __init__(self):
            self.count = 0
            self.statements: list[str] = []

        def __call__(self, conn, cursor, statement, *args):
            if statement.strip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
                return
            self.count += 1
            self.statements.append(statement)

        def __enter__(self):
            event.listen(db.engine, "before_cursor_execute", self)
            return self

        def __exit__(self, *exc):
            event.remove(db.engine, "before_cursor_execute", self)

    return Counter


@pytest.fixture
def this_year(today) -> AppraisalYear:
    """The appraisal year (April to March) containing today."""
    return year_containing(today)


@pytest.fixture
def in_year(today, this_year) -> date:
    """A recent day of this appraisal year: three days ago, or the year's first day."""
    return max(this_year.starts_on, today - timedelta(days=3))


@pytest.fixture
def ref(db_session):
    """The shipped framework, activity types, catalogue and rules, by code."""
    load_reference_data()
    db.session.commit()
    types = {t.code: t for t in db.session.scalars(select(ActivityType))}
    behaviours = {b.code: b for b in db.session.scalars(select(Behaviour))}
    courses = {c.code: c for c in db.session.scalars(select(Course))}
    return {"types": types, "b": behaviours, "courses": courses}


@pytest.fixture
def known_org(db_session) -> dict:
    """Seven active people (and one who left) in three teams of two directorates, year 2025 to 2026,
    whose figures on `day` are known (tests/unit/test_figures.py states them)."""
    load_reference_data()
    tree = make_tree()
    b = {x.code: x for x in db.session.scalars(select(Behaviour))}
    observed = db.session.scalar(select(ActivityType).where(ActivityType.code == "observed_practice_feedback"))
    elearning = db.session.scalar(select(ActivityType).where(ActivityType.code == "e_learning"))
    course = db.session.scalar(select(Course).where(Course.code == "sage-thyme-foundation"))
    ward7, clinic, theatres = tree["ward7"], tree["clinic"], tree["theatres"]
    p = {}
    # Ward 7: one of each status, plus someone who has left.
    p["done"] = make_person(ward7, tier=1, name="Ada Complete")
    make_activity(p["done"], observed, occurred_on=date(2025, 5, 10), behaviours=[b["1.1"], b["2.1"]])
    p["waiting"] = make_person(ward7, tier=1, name="Ben Waiting", staff_group=StaffGroup.ADMIN_CLERICAL)
    make_activity(p["waiting"], observed, occurred_on=date(2025, 6, 1), status=ActivityStatus.SUBMITTED,
                  behaviours=[b["1.1"], b["2.2"]])
    p["started"] = make_person(ward7, tier=1, name="Cat Started")
    make_activity(p["started"], elearning, occurred_on=date(2025, 7, 1), behaviours=[b["1.1"], b["1.2"]])
    p["idle"] = make_person(ward7, tier=1, name="Dan Idle")
    p["away"] = make_person(ward7, tier=1, name="Eve Away")
    db.session.add(Exemption(person_id=p["away"].id, reason=ExemptionReason.PARENTAL_LEAVE,
                             starts_on=date(2025, 9, 1), ends_on=date(2026, 3, 31)))
    p["gone"] = make_person(ward7, tier=1, name="Fay Left", active=False)
    make_activity(p["gone"], observed, occurred_on=date(2025, 5, 10), behaviours=[b["1.1"], b["2.1"]])
    # Day unit: a tier 2 nurse complete in August, with a course.
    p["clinic"] = make_person(clinic, tier=2, name="Gus Clinic")
    for day, codes in ((date(2025, 4, 20), ["1.1", "4.1"]), (date(2025, 8, 3), ["2.3", "4.2"])):
        activity = make_activity(p["clinic"], observed, occurred_on=day, minutes=120, behaviours=[b[c] for c in codes])
        activity.course_id = course.id
    # Theatres (another directorate): one person, not started; last year complete.
    p["theatres"] = make_person(theatres, tier=1, name="Hal Theatres", staff_group=StaffGroup.MEDICAL_DENTAL)
    make_activity(p["theatres"], observed, occurred_on=date(2024, 11, 2), behaviours=[b["1.3"], b["3.1"]])
    db.session.flush()
    return {"tree": tree, "people": p, "course": course, "b": b, "year": AppraisalYear(2025), "day": date(2025, 10, 15)}


@pytest.fixture(autouse=True)
def each_request_loads_its_own_user(monkeypatch):
    """The tests' app context spans their requests, so what Flask-Login and Flask-WTF keep on g
    (the signed-in person, the CSRF token) would carry one client's into the next request of
    another client, or past the end of a session. Each request here starts from its own cookie,
    as on a server."""
    original = FlaskClient.open

    def open_(self, *args, **kwargs):
        if has_app_context():
            g.pop("_login_user", None)
            g.pop("csrf_token", None)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(FlaskClient, "open", open_)


@pytest.fixture(scope="module")
def redis_url():
    """The URL of a Redis server of the module's own, on a free port (tests.support.redis_server)."""
    with redis_server() as (url, _server):
        yield url
