"""Two instances of the real app, each its own gunicorn (FLASK_ENV=production, gunicorn.conf.py),
on two ports, sharing one PostgreSQL and one Redis as they do behind the load balancer: a session
made on one works on the other, wrong passwords on both count together towards the limits and the
lock-out, and signing out on one ends the session on both.

The database is the test database, in a schema of its own, built as an operator builds a fresh
one: `flask db upgrade`, `flask setup`, `flask user create` (in one process); no demo data. Redis is a server of the test's own on
a free port, so that no earlier run's counts are in it.

The instances run as behind nginx: PROXY_FIX_HOPS=1, and the client sends X-Forwarded-Proto:
https and X-Forwarded-For as the proxy does. That is the configuration production runs (rather
than gunicorn serving TLS itself, which production never does). The session cookie is Secure
(and __Host-), which an HTTP client keeps but never sends over plain http: the client here sends
its cookies itself, as a browser does to the proxy's https address that 127.0.0.1 stands for."""
from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import config
from tests.support import free_port as _free_port
from tracker.auth import guard
from tracker.auth.routes import SIGN_IN_FAILED

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a-Long-pass-phrase-9137"
TRUST = "Example NHS Trust"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


SCHEMA = "two_instances_check"


@pytest.fixture(scope="module")
def shared_database():
    """A schema of its own in the test database: the instances' committed rows (and audit events,
    which nothing may delete) stay out of the suite's tables and go with the schema."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql")):
        pytest.skip("two gunicorn processes need a database server both reach: this runs on the PostgreSQL "
                    "pass (TEST_DATABASE_URL=postgresql…); the SQLite pass's database lives in one process")
    server = make_url(config.normalise_database_url(url))
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    yield server.update_query_dict({"options": f"-csearch_path={SCHEMA}"}).render_as_string(hide_password=False)
    with engine.connect() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
    engine.dispose()


class LogPipe:
    """An instance's stdout, read as far as it has been written (never waiting for more)."""

    def __init__(self, stream):
        self.fd, self.text = stream.fileno(), ""

    def until(self, marker: str) -> None:
        while marker not in self.text:
            chunk = os.read(self.fd, 65536)  # blocks until gunicorn writes more
            if not chunk:
                raise AssertionError(f"gunicorn stopped before {marker!r}:\n{self.text}")
            self.text += chunk.decode()

    def written(self) -> str:
        os.set_blocking(self.fd, False)
        try:
            while chunk := os.read(self.fd, 65536):
                self.text += chunk.decode()
        except BlockingIOError:
            pass
        finally:
            os.set_blocking(self.fd, True)
        return self.text


@pytest.fixture(scope="module")
def instances(shared_database, redis_url, tmp_path_factory):
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("TEST_", "TRACKER_", "RATELIMIT_", "CELERY_", "SIGN_IN_"))}
    env.update(FLASK_APP="tracker", FLASK_ENV="production", SECRET_KEY=secrets.token_hex(32),
               DATABASE_URL=shared_database, REDIS_URL=redis_url, PROXY_FIX_HOPS="1",
               UPLOAD_FOLDER=str(tmp_path_factory.mktemp("evidence")),
               # Windows of a year: the test's few attempts never straddle a window's end.
               SIGN_IN_LIMITS_PER_ACCOUNT="4 per year", SIGN_IN_LIMITS_PER_ADDRESS="100 per year",
               SIGN_IN_LOCK_AFTER="3")

    # The operator's commands, in one process (three fewer interpreter starts on a busy CI machine).
    commands = [["db", "upgrade"], ["setup", "--organisation", TRUST]] + [
        ["user", "create", "--email", email, "--name", name, "--team", TRUST, "--password", PASSWORD]
        for email, name in (("pat.shared@example.org", "Pat Shared"), ("guessed@example.org", "Gus Guessed"))]
    script = ("import json, sys\nfrom tracker import create_app\nrunner = create_app().test_cli_runner()\n"
              "for args in json.loads(sys.argv[1]):\n"
              "    result = runner.invoke(args=args)\n"
              "    assert result.exit_code == 0, (args, result.output, result.exception)\n")
    ran = subprocess.run([sys.executable, "-c", script, json.dumps(commands)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=180)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    started = []
    # The first runs two workers (it starts only because REDIS_URL is set); the second one, so
    # that its log is written in the order of the requests.
    for workers in ("2", "1"):
        port = _free_port()
        process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"], cwd=ROOT,
                                   env={**env, "PORT": str(port), "WEB_CONCURRENCY": workers},
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        log = LogPipe(process.stdout)
        # Bound now: a request waits in the socket's queue until a worker has booted.
        log.until("Listening at: ")
        started.append((f"http://127.0.0.1:{port}", process, log))
    yield started
    for _, process, _ in started:
        process.terminate()
    for _, process, log in started:
        process.wait(timeout=60)


class Browser(requests.Session):
    """A browser at `address`, its requests passed on by the TLS-terminating proxy."""

    def __init__(self, address: str):
        super().__init__()
        self.headers.update({"X-Forwarded-Proto": "https", "X-Forwarded-For": address})

    def request(self, method, url, **kwargs):
        # The jar holds the Secure cookies the instances set; requests would leave them out over http.
        headers = {"Cookie": "; ".join(f"{c.name}={c.value}" for c in self.cookies), **kwargs.pop("headers", {})}
        return super().request(method, url, headers=headers, **kwargs)

    def post_form(self, base: str, path: str, form_page: str, data: dict) -> requests.Response:
        token = CSRF.search(self.get(base + form_page).text).group(1)
        # The browser's Referer, which Flask-WTF checks on https.
        referer = base.replace("http://", "https://") + form_page
        return self.post(base + path, data={**data, "csrf_token": token}, headers={"Referer": referer},
                         allow_redirects=False)

    def sign_in(self, base: str, email: str, password: str = PASSWORD) -> requests.Response:
        return self.post_form(base, "/sign-in", "/sign-in", {"email": email, "password": password})


def test_a_session_made_on_one_instance_works_on_the_other_and_signing_out_on_one_ends_it_on_both(instances):
    (first, _, _), (second, _, _) = instances
    browser = Browser("198.51.100.10")
    signed_in = browser.sign_in(first, "pat.shared@example.org")
    assert signed_in.status_code == 302
    cookie = signed_in.cookies["__Host-session"]
    assert "Secure" in signed_in.headers["Set-Cookie"]
    assert "Hello, Pat Shared" in browser.get(second + "/").text
    assert browser.post_form(second, "/sign-out", "/", {}).status_code == 302
    # The cookie kept from before the sign-out opens nothing on the first instance either.
    stale = Browser("198.51.100.10")
    stale.cookies.set("__Host-session", cookie, domain="127.0.0.1", path="/", secure=True)
    page = stale.get(first + "/")
    assert page.status_code == 200 and "Hello, Pat Shared" not in page.text and 'action="/sign-in"' in page.text


def test_wrong_passwords_on_both_instances_count_together(instances):
    (first, _, _), (second, _, _) = instances
    guesser = Browser("203.0.113.20")
    # Three wrong passwords, alternating: the third locks the account (SIGN_IN_LOCK_AFTER=3).
    for base in (first, second, first):
        wrong = guesser.sign_in(base, "guessed@example.org", "not-the-password")
        assert wrong.status_code == 200 and SIGN_IN_FAILED in wrong.text
    # The lock made on the first holds on the second, even for the right password.
    locked = guesser.sign_in(second, "guessed@example.org")
    assert locked.status_code == 200 and guard.LOCKED_OUT in locked.text
    # The fourth wrong password reaches the limit (4 a year) counted in the shared Redis.
    assert guesser.sign_in(second, "guessed@example.org", "not-the-password").status_code == 200
    refused = guesser.sign_in(first, "guessed@example.org", "not-the-password")
    assert refused.status_code == 429 and "You have tried to sign in too many times" in refused.text


def test_each_instance_logs_json_lines_with_the_proxys_request_id_and_no_query(instances):
    _, (second, _, log) = instances
    request_id = secrets.token_hex(16)
    browser = Browser("198.51.100.30")
    assert browser.get(second + "/?name=Someone+Private", headers={"X-Request-ID": request_id}).status_code == 200
    # One worker: by the time the next answer comes, the line for the first is written.
    assert browser.get(second + "/healthz").json() == {"status": "ok", "database": "ok", "redis": "ok"}
    lines = [json.loads(line) for line in log.written().splitlines()]
    assert all({"time", "level", "logger", "message"} <= line.keys() for line in lines)
    access = [line for line in lines if line["logger"] == "gunicorn.access" and request_id in line["message"]]
    assert len(access) == 1 and access[0]["message"].split()[1:4] == ["GET", "/", "200"]
    assert "Someone" not in log.text
