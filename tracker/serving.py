"""What gunicorn.conf.py needs from the tracker: how many workers, an access log that never
carries a query string or a set-password token, and JSON log lines for gunicorn's own loggers.
Kept here, importable and tested, so that the configuration file stays a list of settings."""
from __future__ import annotations

import os
import re

from gunicorn.glogging import Logger

from tracker.logs import JSON_FORMATTER

MAX_WORKERS = 12
# A set-password link's token is a credential until it is used: the log keeps only the path's shape.
CREDENTIAL_PATHS = re.compile(r"^(/set-password/)[^/]+")


def cores() -> int:
    """CPUs this process may run on (a container's or cgroup's share, not the whole host's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def worker_count(environ=os.environ, cpus: int | None = None) -> int:
    """WEB_CONCURRENCY when set (the convention of gunicorn and most platforms), else two per core
    and one more (gunicorn's advice: one works while one waits on PostgreSQL), capped so that two
    instances stay well inside PostgreSQL's 100 connections."""
    raw = environ.get("WEB_CONCURRENCY", "")
    if raw:
        if not raw.isdigit() or not 1 <= int(raw) <= 64:
            raise SystemExit(f"WEB_CONCURRENCY must be a whole number from 1 to 64, got {raw!r}")
        return int(raw)
    return min(2 * (cpus or cores()) + 1, MAX_WORKERS)


def logging_config() -> dict:
    """gunicorn's error and access loggers as one JSON object a line on stdout."""
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JSON_FORMATTER}},
        "handlers": {"stdout": handler},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["stdout"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["stdout"], "propagate": False},
        },
        "root": {"level": "INFO", "handlers": ["stdout"]},
    }


class AccessLogger(Logger):
    """The access log's atoms without what may carry personal data or a credential: the query
    string (report filters, search words), the request line and the referrer (both repeat the
    query), and a set-password token in the path. So even a changed access_log_format cannot
    bring them back."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        path = CREDENTIAL_PATHS.sub(r"\1…", atoms.get("U") or "")
        atoms.update({"U": path, "q": "-", "r": f"{atoms.get('m')} {path} {atoms.get('H')}", "f": "-"})
        for key in [key for key in atoms if key.endswith("}i") or key.endswith("}e")]:
            if key not in ("{x-request-id}i", "{x-forwarded-for}i"):
                atoms[key] = "-"
        return atoms
