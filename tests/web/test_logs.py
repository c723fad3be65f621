"""Logs: in production every record is one JSON line on stdout with its request's id; each
response says its id in X-Request-ID, the proxy's own id passed on only when the proxy is trusted."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

import config
from tests.support import free_port as _free_port
from tracker import create_app

ROOT = Path(__file__).resolve().parents[2]
AN_ID = re.compile(r"^[0-9a-f]{32}$")
NGINX_ID = "5f0c1d2e3a4b5c6d7e8f90a1b2c3d4e5"


def client(**settings):
    return create_app(type("LogSettings", (config.TestingConfig,), settings)).test_client()


def test_every_response_carries_its_own_request_id(app):
    web = app.test_client()
    first, second = (web.get("/healthz").headers["X-Request-ID"] for _ in range(2))
    assert AN_ID.match(first) and AN_ID.match(second) and first != second


def test_the_proxys_request_id_is_passed_on_only_when_the_proxy_is_trusted():
    behind_proxy, exposed = client(PROXY_FIX_HOPS=1), client(PROXY_FIX_HOPS=0)
    assert behind_proxy.get("/healthz", headers={"X-Request-ID": NGINX_ID}).headers["X-Request-ID"] == NGINX_ID
    # Sent by a browser straight to the app, it could forge another request's lines.
    assert exposed.get("/healthz", headers={"X-Request-ID": NGINX_ID}).headers["X-Request-ID"] != NGINX_ID
    forged = behind_proxy.get("/healthz", headers={"X-Request-ID": "\" \"level\": \"ERROR\""})
    assert AN_ID.match(forged.headers["X-Request-ID"])


def test_a_production_app_logs_one_json_line_per_record_without_the_query():
    # A fresh process: production logging sets up the process's root logger.
    script = ("from tracker import create_app\n"
              "response = create_app().test_client().get('/healthz?name=Someone+Private')\n"
              "import sys; print(response.status_code, response.headers['X-Request-ID'], file=sys.stderr)\n")
    env = {**os.environ, "FLASK_ENV": "production", "SECRET_KEY": "s" * 40,
           "DATABASE_URL": f"postgresql+psycopg://postgres:postgres@127.0.0.1:{_free_port()}/nothing_listens"}
    for name in ("TRACKER_WORKERS", "REDIS_URL", "RATELIMIT_STORAGE_URI", "PROXY_FIX_HOPS"):
        env.pop(name, None)
    ran = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=60)
    status, request_id = ran.stderr.split()[-2:]
    assert status == "503"
    lines = [json.loads(line) for line in ran.stdout.splitlines()]  # every line is one JSON object
    warning = next(line for line in lines if line["message"] == "Health check: the database did not answer")
    assert warning["level"] == "WARNING" and warning["logger"] == "tracker"
    assert warning["request_id"] == request_id
    assert datetime.fromisoformat(warning["time"]).utcoffset().total_seconds() == 0
    assert "Someone" not in ran.stdout


def test_a_database_error_never_repeats_the_values_sent():
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    from tracker.extensions import db

    app = create_app(type("Production", (config.Config,), {"SECRET_KEY": "s" * 40,
                                                           "SQLALCHEMY_DATABASE_URI": "sqlite://"}))
    with app.app_context(), pytest.raises(OperationalError) as refused:
        db.session.execute(text("SELECT no_such_column FROM no_such_table WHERE name = :name"),
                           {"name": "Someone Private"})
    assert "no_such_table" in str(refused.value) and "Someone Private" not in str(refused.value)
