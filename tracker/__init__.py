"""The tracker: a workplace communication-skills development tracker."""
from __future__ import annotations

import importlib
import secrets

from flask import Flask, g

import config
from tracker import extensions


# One blueprint per area of the product, each in tracker/<area>/routes.py.
AREAS = ("auth", "home", "admin", "hub", "team", "portfolio", "observation", "reports", "pages")


def create_app(config_object=None) -> Flask:
    app = Flask(__name__, template_folder="../templates", instance_relative_config=False)
    app.config.from_object(config_object or config.from_env())
    from tracker import templating

    templating.init_app(app)
    extensions.init_app(app)
    from tracker import notifications

    notifications.init_app(app)

    from tracker import models  # noqa: F401  (register every table)
    from tracker import (access, errors, figures, input_guard, layout, limit_counts, logs, security_headers,
                         use_limits)
    from tracker.team import services as team_services

    input_guard.init_app(app)  # before the blueprints: it bounds their <int:...> ids
    limit_counts.init_app(app)
    for area in AREAS:
        app.register_blueprint(importlib.import_module(f"tracker.{area}.routes").bp)
    access.init_app(app)
    use_limits.init_app(app)  # after the session check and the access gate: counts only who got through
    errors.init_app(app)
    logs.init_app(app)
    # Menu items that show a count: the sign-off queue's waiting activities.
    layout.init_app(app, badges={"team.queue": team_services.queue_count})
    app.jinja_env.globals.update(figures.template_globals())
    from sqlalchemy.orm import Session

    from tracker import activity_codes, unit_list
    from tracker.figures import counted, counted_tally, upkeep

    upkeep.keep_up_to_date(Session)  # every session: the kept figures follow every activity change
    counted.keep_up_to_date(Session)  # and the counted rows every period and exemption change
    counted_tally.keep_up_to_date(Session)  # the counters of the counted rows, written at each commit
    activity_codes.keep_up_to_date(Session)  # each activity's behaviour codes, for the exports
    unit_list.keep_up_to_date(Session)  # the token the report filter's list of units is kept by
    from tracker import cli

    cli.register(app)
    _security_headers(app)
    security_headers.init_app(app)
    from tracker import collector

    collector.init_app(app)  # last: freezes what the app holds
    return app


def _security_headers(app: Flask) -> None:
    @app.before_request
    def _nonce():
        g.csp_nonce = secrets.token_urlsafe(16)

    @app.after_request
    def _headers(response):
        nonce = getattr(g, "csp_nonce", "")
        # The NHS page template's one-line "js-enabled" script carries this nonce; nothing else inline runs.
        response.headers.setdefault(
            "Content-Security-Policy",
            f"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; "
            "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
            "frame-ancestors 'none'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response
