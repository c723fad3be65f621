"""Counts for every limit (the sign-in limits in tracker/auth/guard.py, the limits on use in
tracker/use_limits.py): Flask-Limiter's storage (RATELIMIT_STORAGE_URI: memory, or Redis shared by
every worker and instance), in fixed windows read from the clock seam (appraisal_year.now) so that
tests move time instead of sleeping.

When the storage cannot be reached (Redis down) the counts fail open to this worker's memory: the
limits still hold, per worker, and nobody gets an error page. The error is logged and recorded in
the audit trail once per outage; the shared storage is tried again every RETRY_AFTER. The lock-out
after ten wrong passwords does not depend on these counts: it is counted in the audit trail."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, g
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import RateLimitItem
from limits.errors import StorageError
from limits.storage import MemoryStorage, Storage

from tracker import appraisal_year
from tracker.audit import client_user_agent, record

STORAGE_DOWN = "security.limit_counts_unavailable"
RETRY_AFTER = timedelta(seconds=30)
# A Redis that does not answer must not hold a request for long.
REDIS_TIMEOUT_SECONDS = 0.5


class Counts:
    """The shared storage, this worker's own counts for when it is down, and since when it is down."""

    def __init__(self, storage: Storage):
        self.storage = storage
        self.memory = MemoryStorage()
        self.down_since: datetime | None = None


def storage_options(uri: str) -> dict:
    options = {"wrap_exceptions": True}  # every backend's failure arrives as limits' StorageError
    if uri.startswith(("redis", "rediss", "valkey")):
        options |= {"socket_connect_timeout": REDIS_TIMEOUT_SECONDS, "socket_timeout": REDIS_TIMEOUT_SECONDS}
    return options


def init_app(app) -> None:
    """One limiter (and so one storage connection) per application. Flask-Limiter's own checks are
    not used (its windows run on the real clock): only its storage."""
    uri = app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    # Should a route ever use Flask-Limiter's own decorators, they too fail open when Redis is down.
    limiter = Limiter(get_remote_address, app=app, storage_uri=uri, storage_options=storage_options(uri),
                      swallow_errors=True, in_memory_fallback_enabled=True)
    app.extensions["sign_in_limiter"] = limiter  # the name tests reset it by
    app.extensions["limit_counts"] = Counts(limiter.storage)


def windows(kind: str, key: str, limits: list[RateLimitItem], now: datetime):
    """(limit, window seconds, window number, storage key) of each limit: fixed windows on the clock seam."""
    for limit in limits:
        window = int(limit.get_expiry())
        bucket = int(now.timestamp()) // window
        yield limit, window, bucket, limit.key_for("limits", kind, key, str(bucket))


def hit(key: str, window: int) -> int:
    """Count one more in this window; the count so far."""
    return _call(lambda storage: storage.incr(key, window))


def count(key: str) -> int:
    return _call(lambda storage: storage.get(key))


def clear(key: str) -> None:
    _call(lambda storage: storage.clear(key))


def _call(operation):
    counts: Counts = current_app.extensions["limit_counts"]
    now = appraisal_year.now()
    if counts.down_since is None or now - counts.down_since >= RETRY_AFTER:
        try:
            answer = operation(counts.storage)
        except StorageError as error:
            _went_down(counts, now, error)
        else:
            if counts.down_since is not None:
                current_app.logger.warning("The limits' storage answers again: counting is shared again")
                counts.down_since = None
            return answer
    return operation(counts.memory)


def _went_down(counts: Counts, now: datetime, error: StorageError) -> None:
    if counts.down_since is None:
        current_app.logger.error("The limits' storage (RATELIMIT_STORAGE_URI) cannot be reached: %r. "
                                 "Each worker counts alone until it answers again.", error.storage_error)
        # Added to the caller's transaction, which commits it with the request's own writes.
        record(None, STORAGE_DOWN, error=type(error.storage_error).__name__, user_agent=client_user_agent())
        g.limit_counts_outage_recorded = True
    counts.down_since = now
