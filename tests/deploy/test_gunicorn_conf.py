"""gunicorn.conf.py: how many workers, an access log that never carries a query string, a
referrer or a set-password token, and no start with several workers counting sign-in limits
alone in memory, whether the count comes from WEB_CONCURRENCY or from gunicorn's command line."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.config import Config as GunicornConfig

from tracker.serving import MAX_WORKERS, AccessLogger, worker_count

ROOT = Path(__file__).resolve().parents[2]
REFUSAL = "workers would each count sign-in limits alone, in memory. Set REDIS_URL"


def test_two_workers_a_core_and_one_more_unless_web_concurrency_says():
    assert worker_count({}, cpus=2) == 5
    assert worker_count({}, cpus=64) == MAX_WORKERS
    assert worker_count({"WEB_CONCURRENCY": "3"}, cpus=2) == 3
    with pytest.raises(SystemExit, match="WEB_CONCURRENCY must be a whole number from 1 to 64"):
        worker_count({"WEB_CONCURRENCY": "many"}, cpus=2)


def test_the_access_log_keeps_no_query_no_referrer_and_no_set_password_token():
    logger = AccessLogger(GunicornConfig())
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/set-password/SECRET-TOKEN?name=Someone",
               "PATH_INFO": "/set-password/SECRET-TOKEN", "QUERY_STRING": "name=Someone",
               "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_REFERER": "https://tracker/reports/?q=Someone",
               "REMOTE_ADDR": "127.0.0.1"}
    # gunicorn's own response and request objects are stood in for by their few attributes read here.
    response = SimpleNamespace(status="200 OK", headers=[("X-Request-ID", "abc")], sent=120)
    request = SimpleNamespace(headers=[("COOKIE", "__Host-session=private"), ("X-REQUEST-ID", "abc")])
    atoms = logger.atoms(response, request, environ, timedelta(milliseconds=12))
    logged = json.dumps(atoms)
    for secret in ("SECRET-TOKEN", "Someone", "private"):
        assert secret not in logged
    assert atoms["U"] == "/set-password/…" and atoms["{x-request-id}o"] == "abc"


def _gunicorn(*args, **env):
    settings = {**os.environ, "FLASK_ENV": "production", "SECRET_KEY": "s" * 40, "PORT": "0", **env}
    for name in ("REDIS_URL", "RATELIMIT_STORAGE_URI", "TRACKER_WORKERS"):
        settings.pop(name, None)
    return subprocess.run([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", *args], cwd=ROOT,
                          env=settings, capture_output=True, text=True, timeout=60)


def test_several_workers_from_web_concurrency_with_limits_in_memory_do_not_start():
    ran = _gunicorn(WEB_CONCURRENCY="2")
    assert ran.returncode == 1
    assert f"Not starting: 2 {REFUSAL}" in ran.stdout


def test_several_workers_from_the_command_line_do_not_start_either():
    ran = _gunicorn("--workers", "3", WEB_CONCURRENCY="1")
    assert ran.returncode == 1
    assert f"Not starting: 3 {REFUSAL}" in ran.stdout
