"""Fixtures: one app and schema per run; every test inside a transaction that is rolled back.

SQLite in memory by default; PostgreSQL (or any database) when TEST_DATABASE_URL is set.
"""
from __future__ import annotations

import os
import re
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

os.environ.setdefault("FLASK_ENV", "testing")

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.orm import scoped_session, sessionmaker

import config
from tracker import create_app
from tracker.extensions import db

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@contextmanager
def scratch_database(prefix: str, sqlite_file: Path) -> Iterator[str]:
    """The URL of a brand-new empty database of its own, for tests that need real commits or a
    schema built from nothing: a SQLite file, or (when TEST_DATABASE_URL is set) a PostgreSQL
    database beside the test one, dropped afterwards."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{sqlite_file}"
        return
    base = config.normalise_database_url(base)
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


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


@pytest.fixture
def client(app, db_session):
    return app.test_client()


def csrf_token_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


@pytest.fixture
def sign_in(client):
    """sign_in(email, password="demo-pass-2026") -> response of the sign-in POST."""

    def _sign_in(email: str, password: str = "demo-pass-2026", follow: bool = False):
        token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
        return client.post(
            "/sign-in",
            data={"email": email, "password": password, "csrf_token": token},
            follow_redirects=follow,
        )

    return _sign_in


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


def refresh_planner_statistics() -> None:
    """On PostgreSQL, ANALYZE what this (never committed) test transaction wrote, as autovacuum
    would on a live database; without statistics the planner picks nested loops that take minutes."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))
