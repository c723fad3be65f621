"""Log lines and request ids. In production every log record is one JSON object on a line of
stdout (time, level, logger, message, request id), for journald or the platform's collector to
send on to the organisation's log service; the audit trail stays in the database.

Each request gets an id, sent back as X-Request-ID and put on every line logged while it runs,
so that a person's report of a failure ("request id …") finds its lines. The proxy's id is used
instead only when PROXY_FIX_HOPS says the proxy is trusted, and only if it looks like an id."""
from __future__ import annotations

import logging
import re
import secrets
import sys

from flask import Flask, current_app, g, has_request_context, request
from flask.logging import default_handler
from pythonjsonlogger.json import JsonFormatter

JSON_FORMATTER = "tracker.logs.JsonLines"
HEADER = "X-Request-ID"
# nginx's $request_id is 32 hex digits; anything else a client might send stays out of the logs.
PASSED_ON_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
# PostgreSQL's DETAIL repeats the values of the failing row or key ("Failing row contains (…)",
# "Key (email)=(…) already exists"): people's data that the engine's hide_parameters cannot hide.
DATABASE_DETAIL = re.compile(r"^(\s*)DETAIL:.*$", re.MULTILINE)


class HideDatabaseDetail(logging.Filter):
    """Drops the DETAIL line of a database error from a record's traceback (it is formatted here,
    once, so every handler after this filter writes the redacted text)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_text = DATABASE_DETAIL.sub(r"\1DETAIL: (hidden: it repeats the row's values)", text)
        return True


class JsonLines(JsonFormatter):
    """One JSON object per record: time (UTC, ISO 8601), level, logger, message, request_id."""

    def __init__(self, *args, **kwargs):
        super().__init__("%(levelname)s %(name)s %(message)s", timestamp="time",
                         rename_fields={"levelname": "level", "name": "logger"})

    def add_fields(self, log_record, record, message_dict):
        super().add_fields(log_record, record, message_dict)
        log_record["request_id"] = request_id() if has_request_context() else None


def request_id() -> str:
    if "request_id" not in g:
        passed_on = request.headers.get(HEADER, "")
        trusted = current_app.config.get("PROXY_FIX_HOPS", 0) > 0
        g.request_id = passed_on if trusted and PASSED_ON_ID.match(passed_on) else secrets.token_hex(16)
    return g.request_id


def init_app(app: Flask) -> None:
    @app.after_request
    def _send_id(response):
        response.headers[HEADER] = request_id()
        return response

    if not any(isinstance(f, HideDatabaseDetail) for f in app.logger.filters):
        app.logger.addFilter(HideDatabaseDetail())
    if app.config.get("ENV_NAME") == "production" and not app.testing:
        json_on_stdout()
        app.logger.removeHandler(default_handler)


def json_on_stdout() -> None:
    """The root logger writes JSON lines to stdout (once, however many apps a process makes)."""
    root = logging.getLogger()
    if not any(isinstance(handler.formatter, JsonLines) for handler in root.handlers):
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(JsonLines())
        handler.addFilter(HideDatabaseDetail())  # for records of other loggers (gunicorn, Celery)
        root.addHandler(handler)
    root.setLevel(logging.INFO)
