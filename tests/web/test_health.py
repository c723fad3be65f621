"""/healthz tells the load balancer whether this instance can serve: the database answers a
SELECT 1 and Redis a PING. It names what failed and nothing else, makes no session, and no rate
limit ever counts it. "Down" is a port on 127.0.0.1 where nothing listens."""
from __future__ import annotations

import config
from tests.support import free_port as _free_port
from tracker import create_app


def instance(**settings):
    app = create_app(type("HealthSettings", (config.TestingConfig,), settings))
    return app.test_client()


def nowhere(scheme: str) -> str:
    port = _free_port()
    if scheme == "redis":
        return f"redis://127.0.0.1:{port}/0"
    return f"postgresql+psycopg://postgres:postgres@127.0.0.1:{port}/tracker"


def test_healthy_with_the_database_and_redis(redis_url):
    response = instance(REDIS_URL=redis_url).get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "ok"}
    assert "Set-Cookie" not in response.headers


def test_without_a_redis_url_redis_is_not_asked(app):
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "not used"}


def test_a_database_that_does_not_answer_is_named_and_nothing_more():
    down = nowhere("postgresql")
    response = instance(SQLALCHEMY_DATABASE_URI=down).get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "failing", "database": "failing", "redis": "not used"}
    assert down.split("@")[1] not in response.get_data(as_text=True)


def test_a_redis_that_does_not_answer_is_named(redis_url):
    # The limits' own Redis answers; the one REDIS_URL names (for locks and the job queue) does not.
    response = instance(REDIS_URL=nowhere("redis"), RATELIMIT_STORAGE_URI=redis_url).get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "failing", "database": "ok", "redis": "failing"}


def test_a_health_check_makes_no_session_even_for_a_signed_in_browser(client, sign_in):
    sign_in("staff@example.org")
    response = client.get("/healthz")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
