"""The observer's link: a random token (256 bits from `secrets`), of which only a hash is kept,
bound to one request, used once, valid for 14 days on the clock seam. Nothing here commits."""
from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from tracker import appraisal_year, year_closing
from tracker.counting import live_activity
from tracker.extensions import db
from tracker.models import Activity, ObservationRequest, ObservationStatus

LINK_VALID_FOR = timedelta(days=14)
# Kept unanswered: a link that can still be answered (not used, cancelled or expired).
WAITING = (ObservationStatus.SENT, ObservationStatus.OPENED)


def now() -> datetime:
    """The moment links are judged by: the application's one clock seam."""
    return appraisal_year.now().astimezone(UTC)


def new_token() -> tuple[str, str]:
    """(token, its hash): the token goes in the link once and is never stored."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256((token or "").encode("utf-8")).hexdigest()


def still_open(moment: datetime):
    """SQL: the request can still be answered at `moment`: waiting, not expired, and its activity
    not deleted and dated in a year still open (an answer after the year closes would change a
    closed year's count of observed activities)."""
    first_open = year_closing.first_open_day(appraisal_year.today())
    return (ObservationRequest.status.in_(WAITING), ObservationRequest.expires_at > moment,
            ObservationRequest.activity_id.in_(select(Activity.id).where(live_activity(),
                                                                         Activity.occurred_on >= first_open)))


def usable_request(token: str, moment: datetime | None = None) -> ObservationRequest | None:
    """The request this token opens while it can be answered, else None (whatever the reason:
    the page that follows never says which)."""
    if not token or len(token) > 100:
        return None
    return db.session.scalar(select(ObservationRequest).where(
        ObservationRequest.token_hash == token_hash(token), *still_open(moment or now())))
