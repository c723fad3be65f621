"""Security events outside signing in: a refused CSRF token, a refused page (403) and a request
refused by the limits on use (429, tracker/use_limits.py) go to the audit trail with the client's address and user agent. One insert each, committed on its own: the
refused request itself wrote nothing."""
from __future__ import annotations

from flask import current_app, request
from flask_login import current_user

from tracker.audit import client_user_agent, record
from tracker.extensions import db

CSRF_REFUSED = "security.csrf_refused"
FORBIDDEN = "security.forbidden"
USE_LIMITED = "security.use_limited"
SSO_REFUSED = "auth.sso_refused"
PATH_LENGTH = 200


def csrf_refused(reason: str) -> None:
    _record(CSRF_REFUSED, reason=reason[:PATH_LENGTH])


def forbidden() -> None:
    _record(FORBIDDEN)


def use_limited(kind: str, limit: str) -> None:
    _record(USE_LIMITED, kind=kind, limit=limit)


def evidence_refused(action: str, *, activity=None, **detail) -> None:
    """An evidence upload refused by the virus scan (tracker/portfolio/virus_scan.py): a virus
    found, or the scanner gave no verdict. Recorded after the refused save was rolled back."""
    _record(action, about_self=True, activity=activity.id if activity is not None else None, **detail)


def sso_refused(provider: str, reason: str, person=None, **detail) -> None:
    """A sign-in through single sign-on refused: the provider's answer did not hold (state, token),
    the provider did not answer, or its account names nobody who may sign in (`person` when it
    names someone deactivated)."""
    _record(SSO_REFUSED, provider=provider, reason=reason[:PATH_LENGTH], person=person, **detail)


def _record(action: str, *, about_self: bool = False, person=None, activity: int | None = None,
            **detail) -> None:
    try:
        db.session.rollback()
        actor = current_user._get_current_object() if current_user.is_authenticated else None
        about = person if person is not None else actor if about_self else None
        record(actor, action, person=about, activity=activity, method=request.method,
               path=request.path[:PATH_LENGTH], user_agent=client_user_agent(), **detail)
        db.session.commit()
    except Exception:  # the refusal page must still be shown when the trail cannot be written
        db.session.rollback()
        current_app.logger.exception("Could not record %s", action)
