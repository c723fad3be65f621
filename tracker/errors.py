"""Error pages: every failure gets an NHS-style page, never a stack trace."""
from __future__ import annotations

from flask import render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from tracker.auth import security_events
from tracker.extensions import db

_TITLES = {
    400: "Sorry, there is a problem with that request",
    403: "You do not have permission to see this page",
    404: "Page not found",
    405: "Sorry, that action is not allowed here",
    413: "That upload is too large",
    429: "You have done that too many times",
    500: "Sorry, there is a problem with the service",
}


def init_app(app) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error):
        security_events.csrf_refused(error.description)
        return render_template(
            "errors/error.html", status=400, title="Your session expired or the form was changed",
            message="Go back, reload the page and try again. Nothing was saved.",
        ), 400

    @app.errorhandler(HTTPException)
    def _http(error):
        status = error.code or 500
        if status == 403:
            security_events.forbidden()
        return render_template("errors/error.html", status=status, title=_TITLES.get(status, error.name),
                               message=None), status

    @app.errorhandler(Exception)
    def _unexpected(error):
        db.session.rollback()
        app.logger.exception("Unhandled error")
        return render_template("errors/error.html", status=500, title=_TITLES[500], message=None), 500
