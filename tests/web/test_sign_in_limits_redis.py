"""The sign-in limits hold across instances: two applications sharing one Redis count together.
A Redis server of the test's own runs on a free port; outside CI the test is skipped only when
redis-server is not installed."""
from __future__ import annotations

import config
from tests.support import csrf_token_from
from tracker import create_app
from tracker.auth import guard
from tracker.extensions import db

ADDRESS = "198.51.100.66"


def instance(url: str):
    settings = type("SharedRedis", (config.TestingConfig,), {"RATELIMIT_STORAGE_URI": url})
    app = create_app(settings)
    with app.app_context():
        db.create_all()
    return app


def attempt(app, email: str):
    client = app.test_client()
    with app.app_context():
        token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
        return client.post("/sign-in", data={"email": email, "password": "wrong-password-guess", "csrf_token": token},
                           environ_base={"REMOTE_ADDR": ADDRESS})


def test_two_instances_count_failed_sign_ins_together(redis_url, clock):
    first, second = instance(redis_url), instance(redis_url)
    assert first.extensions["sign_in_limiter"].storage is not second.extensions["sign_in_limiter"].storage
    first.extensions["sign_in_limiter"].reset()
    answers = [attempt(app, "nobody@example.org").status_code for app in (first, second, first, second, first)]
    assert answers == [200] * 5
    # The sixth, on either instance, is over the per-account limit the five made together.
    refused = attempt(second, "nobody@example.org")
    assert refused.status_code == 429
    assert guard.TOO_MANY.format(wait="1 minute") in refused.get_data(as_text=True)
