"""/healthz for the load balancer and the monitoring: is the database answering, and Redis when
one is set? The answer names each part and nothing else (no address, no error text, no one's
data); the error goes to the log."""
from __future__ import annotations

import redis
from flask import current_app
from sqlalchemy import text

from tracker.extensions import db

OK, FAILING, NOT_USED = "ok", "failing", "not used"
REDIS_SETTINGS = ("REDIS_URL", "RATELIMIT_STORAGE_URI", "CELERY_BROKER_URL")
SECONDS = 2  # a health check that hangs is as bad as a failed one


def redis_urls() -> list[str]:
    """Every Redis the settings name (one, usually: REDIS_URL serves them all)."""
    urls = [current_app.config.get(name) or "" for name in REDIS_SETTINGS]
    return sorted({url for url in urls if url.startswith(("redis://", "rediss://"))})


def _database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
        return OK
    except Exception:
        current_app.logger.warning("Health check: the database did not answer", exc_info=True)
        db.session.rollback()
        return FAILING


def _redis(url: str) -> str:
    client = redis.Redis.from_url(url, socket_connect_timeout=SECONDS, socket_timeout=SECONDS)
    try:
        client.ping()
        return OK
    except redis.RedisError:
        current_app.logger.warning("Health check: Redis did not answer", exc_info=True)
        return FAILING
    finally:
        client.close()


def check() -> tuple[dict, int]:
    redis_answers = [_redis(url) for url in redis_urls()]
    answer = {"database": _database(),
              "redis": (FAILING if FAILING in redis_answers else OK) if redis_answers else NOT_USED}
    healthy = FAILING not in answer.values()
    return {"status": OK if healthy else FAILING, **answer}, 200 if healthy else 503
