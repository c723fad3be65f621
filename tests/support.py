"""Plain helpers the tests import (fixtures live in conftest.py files; nothing here is one).

A conftest is imported by pytest under its own name, so test modules import these from here,
never from a conftest: importing a conftest a second time would run it twice.
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from flask import Flask
import pyotp
from sqlalchemy import create_engine, select, text

import config
from tracker import create_app
from tracker.extensions import db
from tracker.models import Person, SecondFactor
from tracker.models._types import utcnow

class StepClock:
    """The clock of second-factor codes in tests (tracker.auth.mfa.now): still unless moved. Each
    sign-in through the helpers moves it on one 30-second step, so every code they type is new
    (a code is taken once) without waiting for the real clock."""

    def __init__(self, seconds: float):
        self.seconds = seconds

    def now(self) -> float:
        return self.seconds

    def next_step(self) -> float:
        self.seconds += 30
        return self.seconds


# Installed over mfa.now for the whole run (tests/conftest.py); the live server of the browser
# tests runs in the same process, so their sign-in helper moves it too.
SECOND_FACTOR_CLOCK = StepClock(1_800_000_000.0)
# The secret the sign_in fixture enrols people with when they need a second factor and have none.
TEST_TOTP_SECRET = "TESTSECRETFORSIGNINFIXTURE234567"


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def give_second_factor(client, email: str, follow: bool = False):
    """The second step of signing in, as the person's authenticator app would answer it."""
    person = db.session.scalar(select(Person).where(Person.email == email.strip().lower()))
    factor = db.session.get(SecondFactor, person.id)
    if factor is None or factor.enrolled_at is None:
        factor = factor or SecondFactor(person_id=person.id)
        factor.secret, factor.enrolled_at = TEST_TOTP_SECRET, utcnow()
        db.session.add(factor)
        db.session.commit()
    code = pyotp.TOTP(factor.secret).at(SECOND_FACTOR_CLOCK.next_step())
    token = csrf_token_from(client.get("/sign-in/code").get_data(as_text=True))
    return client.post("/sign-in/code", data={"code": code, "csrf_token": token}, follow_redirects=follow)


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


@contextmanager
def app_on_scratch_database(prefix: str, sqlite_file: Path, **settings) -> Iterator[Flask]:
    """An app of its own on a scratch database (see scratch_database), its tables made, for tests
    that need real commits, threads or routes the shared app cannot take. `settings` go on top of
    TestingConfig. Its pooled connections are closed before the database is dropped."""
    with scratch_database(prefix, sqlite_file) as url:
        settings_class = type(f"{prefix.title()}Config", (config.TestingConfig,),
                              {"SQLALCHEMY_DATABASE_URI": url, **settings})
        app = create_app(settings_class)
        with app.app_context():
            db.create_all()
        try:
            yield app
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def refresh_planner_statistics() -> None:
    """On PostgreSQL, ANALYZE what this (never committed) test transaction wrote, as autovacuum
    would on a live database; without statistics the planner picks nested loops that take minutes."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))


def free_port() -> int:
    """A port nothing listens on (until someone binds it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def redis_server() -> Iterator[tuple[str, subprocess.Popen]]:
    """A Redis server of the test's own on a free port: (its URL, the process). Outside CI the test
    is skipped only when redis-server is not installed."""
    import pytest
    import redis

    if shutil.which("redis-server") is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is needed in CI")
        pytest.skip("redis-server is not installed")
    port = free_port()
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no"], stdout=subprocess.PIPE, text=True)
    try:
        for line in server.stdout:  # blocks until the server says it is ready (or exits)
            if "Ready to accept connections" in line:
                break
        else:
            pytest.fail("redis-server did not start")
        assert redis.Redis(port=port).ping()
        yield f"redis://127.0.0.1:{port}/0", server
    finally:
        if server.poll() is None:  # the test may have stopped it itself
            server.terminate()
            server.communicate(timeout=10)
