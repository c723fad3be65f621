"""Limits on use (ASVS 5.0.0 V2.4.1, anti-automation beyond signing in): how often one person may
call the service, and its costly functions, before being asked to wait. Counted per signed-in
person (a visitor: per client address) in the limits' shared counts (tracker/limit_counts.py:
Flask-Limiter's storage, fixed windows on the clock seam), with the numbers from the settings
LIMITS_PER_PERSON and LIMITS_ON_* (Flask-Limiter's limit strings).

Every request of a signed-in person counts towards a generous limit nobody meets in normal work;
on top of that each costly function has its own: exports and downloads, report pages, writes
(every POST is one unless NOT_WRITES says why not), imports and set-password links. Over a limit:
status 429, a page saying how long to wait, a Retry-After header, and a security event for the
first refused request of the window. See "Limits on use" in the README."""
from __future__ import annotations

import math
from functools import lru_cache

from flask import current_app, g, render_template, request
from flask_login import current_user
from limits import parse_many

from tracker import appraisal_year, limit_counts
from tracker.audit import client_address
from tracker.auth import security_events
from tracker.durations import duration_text
from tracker.extensions import db

EVERY_REQUEST = "every request"
EXPORTS = "exports"
REPORTS = "reports"
WRITES = "writes"
IMPORTS = "imports"
PASSWORD_LINKS = "set-password links"
OBSERVER_LINKS = "observer links"

SETTINGS = {EVERY_REQUEST: "LIMITS_PER_PERSON", EXPORTS: "LIMITS_ON_EXPORTS", REPORTS: "LIMITS_ON_REPORTS",
            WRITES: "LIMITS_ON_WRITES", IMPORTS: "LIMITS_ON_IMPORTS", PASSWORD_LINKS: "LIMITS_ON_PASSWORD_LINKS",
            OBSERVER_LINKS: "LIMITS_ON_OBSERVER_LINKS"}

# Files built whole from the database on each request.
EXPORT_ENDPOINTS = frozenset({"reports.export", "admin.audit_export", "portfolio.export_my_data",
                              "portfolio.evidence_download", "reports.prepared_download"})
# Pages that count over many people or events: every page under Reports, and these.
REPORT_AREA = "reports"
REPORT_ENDPOINTS = frozenset({"admin.audit_trail", "team.dashboard", "observation.colleagues"})
# Posts that read and check a whole file.
IMPORT_ENDPOINTS = frozenset({"admin.staff_import", "admin.staff_import_map", "admin.staff_import_apply",
                              "admin.staff_import_tiers", "reports.framework_version"})
# Making a link, and setting a password with one (a password hash, and a link guessed at).
PASSWORD_LINK_ENDPOINTS = frozenset({"admin.create_set_password_link", "auth.set_password"})
# The observer's link, opened (GET) or answered (POST) by a visitor: a token guessed at, counted both ways.
OBSERVER_LINK_ENDPOINTS = frozenset({"observation.answer"})
# Never counted at all: the files every page needs, the load balancer's health check, and leaving.
NEVER_COUNTED = frozenset({"static", "assets", "home.health", "auth.sign_out", "auth.sessions.sign_out_one",
                           "auth.sessions.sign_out_others", "auth.sessions.sign_out_everywhere"})
_OWN_LIMITS = "limited by the sign-in limits (tracker/auth/guard.py)"
_SECOND_STEP = "a wrong code pauses the second step (tracker/auth/mfa.py)"
_LEAVING = "ending a session, a stolen one too, must always work"
# Posts that are not counted as writes, and why (the test of the limits keeps this list exact).
NOT_WRITES = {
    "auth.sign_in": _OWN_LIMITS,
    "auth.change_own_password": _OWN_LIMITS + ": its current password is guessed like a password",
    "auth.second_factor": _SECOND_STEP,
    "auth.recovery_code": _SECOND_STEP,
    "auth.set_up_second_factor": _SECOND_STEP,
    "auth.sign_out": _LEAVING,
    "auth.sessions.sign_out_one": _LEAVING,
    "auth.sessions.sign_out_others": _LEAVING,
    "auth.sessions.sign_out_everywhere": _LEAVING,
    "auth.sessions.stay_signed_in": "the time-out warning's button: it only keeps the session open",
    "auth.sessions.timed_out": "the time-out warning ending the session",
}
# Single sign-on's two pages (auth.sso_start, auth.sso_return) are reads: counted with every request,
# per client address. Each token exchange with a provider needs a state this browser got from
# sso_start first, so they cost no more than that.
READS = frozenset({"GET", "HEAD", "OPTIONS"})

TOO_MANY_TITLE = "You have done that too many times"
WAIT = "Wait {wait} and try again."
NOT_SAVED = "What you sent has not been saved."


def init_app(app) -> None:
    app.before_request(_count)


def kind_of(endpoint: str | None, method: str) -> str | None:
    """The costly function a request calls, if it is one."""
    if endpoint in OBSERVER_LINK_ENDPOINTS:
        return OBSERVER_LINKS
    if endpoint in EXPORT_ENDPOINTS:
        return EXPORTS
    if method in READS:
        if endpoint in REPORT_ENDPOINTS or (endpoint or "").split(".")[0] == REPORT_AREA:
            return REPORTS
        return None
    if endpoint in IMPORT_ENDPOINTS:
        return IMPORTS
    if endpoint in PASSWORD_LINK_ENDPOINTS:
        return PASSWORD_LINKS
    return None if endpoint in NOT_WRITES else WRITES


def _count():
    endpoint = request.endpoint
    if endpoint is None or endpoint in NEVER_COUNTED:
        return None
    signed_in = current_user.is_authenticated
    who = f"person {current_user.id}" if signed_in else f"address {client_address() or 'unknown'}"
    kinds = [kind for kind in (EVERY_REQUEST if signed_in else None, kind_of(endpoint, request.method)) if kind]
    now = appraisal_year.now()
    over = []  # (seconds to wait, kind, limit, whether this is the window's first refusal)
    for kind in kinds:
        limits = _parsed(current_app.config[SETTINGS[kind]])
        for limit, window, bucket, key in limit_counts.windows(f"use {kind}", who, limits, now):
            counted = limit_counts.hit(key, window)
            if counted > limit.amount:
                over.append(((bucket + 1) * window - now.timestamp(), kind, limit, counted == limit.amount + 1))
    if g.pop("limit_counts_outage_recorded", False):
        db.session.commit()  # the outage's security event, kept whatever the view then does
    if not over:
        return None
    wait, kind, limit, _ = max(over, key=lambda refusal: refusal[0])
    if any(first for *_, first in over):
        security_events.use_limited(kind, str(limit))
    return _too_many(wait)


@lru_cache(maxsize=32)
def _parsed(limit_strings: str) -> tuple:
    """The settings' limit strings, read once (every request needs them)."""
    return tuple(parse_many(limit_strings))


def _too_many(wait: float):
    seconds = max(1, math.ceil(wait))
    message = WAIT.format(wait=duration_text(math.ceil(seconds / 60)))
    if request.method not in READS:
        message = f"{message} {NOT_SAVED}"
    page = render_template("errors/error.html", status=429, title=TOO_MANY_TITLE, message=message)
    return page, 429, {"Retry-After": str(seconds)}
