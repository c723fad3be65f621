"""Signed-in sessions, each with its own server-side record (models.UserSession).

A session ends when its person signs out of it, signs out everywhere, has done nothing for the
idle time-out (SESSION_IDLE_MINUTES), has been signed in for the absolute lifetime
(SESSION_ABSOLUTE_HOURS), leaves, or has their session token rotated (a change of roles or of
password). An ended record is never opened again. Nothing here knows about requests or commits;
tracker/auth/session_routes.py is the request side.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Select, select, update

from tracker import access
from tracker.audit import record
from tracker.durations import duration_text
from tracker.extensions import db
from tracker.models import Person, UserSession

# Why a session ended (UserSession.ended_reason).
IDLE = "idle"
ABSOLUTE = "absolute"
SIGNED_OUT = "signed_out"
EVERYWHERE = "everywhere"
OTHER_DEVICE = "other_device"
REPLACED = "replaced"  # the person left, or their token rotated

ENDED_IDLE = "session.ended_idle"
ENDED_ABSOLUTE = "session.ended_absolute"
SIGNED_OUT_EVERYWHERE = "session.signed_out_everywhere"
SIGNED_OUT_OTHERS = "session.signed_out_others"
ENDED_ONE = "session.ended_other_device"

# How long before the idle time-out the warning shows (NHS.UK and GOV.UK: two minutes).
WARNING_SECONDS = 120
# last_seen_at is written at most this often, so a busy page does not write on every request.
TOUCH_EVERY = timedelta(seconds=60)
USER_AGENT_LENGTH = 300
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def now() -> datetime:
    """The time of day sessions are judged by: one function, so tests can move it."""
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; every time stored here is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def idle_seconds() -> int:
    # SESSION_IDLE_SECONDS exists only for tests that must watch the warning in a real browser.
    seconds = current_app.config.get("SESSION_IDLE_SECONDS")
    return int(seconds or current_app.config.get("SESSION_IDLE_MINUTES", 30) * 60)


def absolute_lifetime() -> timedelta:
    return timedelta(hours=current_app.config.get("SESSION_ABSOLUTE_HOURS", 12))


def warning_seconds() -> int:
    return min(int(current_app.config.get("SESSION_WARNING_SECONDS") or WARNING_SECONDS), idle_seconds())


def ended_message(reason: str) -> str | None:
    """What the sign-in page says when a session ended by itself."""
    if reason == IDLE:
        return (f"You were signed out because you had not done anything for "
                f"{duration_text(max(1, idle_seconds() // 60))}. Sign in again to carry on.")
    if reason == ABSOLUTE:
        hours = int(absolute_lifetime().total_seconds() // 60)
        return f"You were signed out because you had been signed in for {duration_text(hours)}. Sign in again to carry on."
    return None


def key_hash(key: str) -> str:
    return hashlib.sha256((key or "").encode("utf-8")).hexdigest()


def generation_of(person: Person) -> str:
    return hashlib.sha256((person.session_token or "").encode("utf-8")).hexdigest()


def clean_user_agent(text: str | None) -> str:
    return _CONTROL.sub("", text or "")[:USER_AGENT_LENGTH]


def open_session(person: Person, *, address: str | None, user_agent: str | None,
                 at: datetime) -> tuple[str, UserSession]:
    """A new session for `person`: its key (for the cookie, never stored) and its record."""
    key = secrets.token_urlsafe(32)
    session = UserSession(key_hash=key_hash(key), person_id=person.id, generation=generation_of(person),
                          created_at=at, last_seen_at=at, client_address=(address or None),
                          user_agent=clean_user_agent(user_agent))
    db.session.add(session)
    return key, session


@dataclass
class Checked:
    """What a session key opens now: the person while it lasts; `ended` says why it just ended."""

    session: UserSession | None = None
    person: Person | None = None
    ended: str | None = None


def why_over(session: UserSession, person: Person | None, at: datetime) -> str | None:
    """Why this open session can no longer be used at `at`, or None while it can."""
    if person is None or not person.active or session.generation != generation_of(person):
        return REPLACED
    if at - _aware(session.created_at) >= absolute_lifetime():
        return ABSOLUTE
    if at - _aware(session.last_seen_at) >= timedelta(seconds=idle_seconds()):
        return IDLE
    return None


def check(key: str, at: datetime, *, activity: bool = True) -> Checked:
    """The session `key` opens at `at`. One that has run out is ended here (and audited); with
    `activity`, the request counts as the person doing something (the idle clock restarts)."""
    if not key:
        return Checked()
    session = db.session.scalar(select(UserSession).where(UserSession.key_hash == key_hash(key)))
    if session is None or session.ended_at is not None:
        return Checked()
    person = db.session.get(Person, session.person_id)
    reason = why_over(session, person, at)
    if reason is not None:
        end(session, reason, at)
        return Checked(session=session, ended=reason)
    if activity and at - _aware(session.last_seen_at) >= TOUCH_EVERY:
        session.last_seen_at = at
    return Checked(session=session, person=person)


def extend(session: UserSession, at: datetime) -> None:
    """"Stay signed in": the idle clock starts again (the absolute lifetime does not)."""
    session.last_seen_at = at


def seconds_left(session: UserSession, at: datetime) -> int:
    """Seconds until this session ends by itself, whichever limit comes first."""
    idle_end = _aware(session.last_seen_at) + timedelta(seconds=idle_seconds())
    absolute_end = _aware(session.created_at) + absolute_lifetime()
    return max(0, int((min(idle_end, absolute_end) - at).total_seconds()))


def ends_by(session: UserSession) -> datetime:
    """When the session's absolute lifetime runs out (UTC)."""
    return (_aware(session.created_at) + absolute_lifetime()).astimezone(UTC)


def end(session: UserSession, reason: str, at: datetime, *, user_agent: str | None = None) -> None:
    """End one session. Running out of time goes to the audit trail here; signing out is audited
    by the sign-out view (auth.signed_out)."""
    if session.ended_at is not None:
        return
    session.ended_at, session.ended_reason = at, reason
    action = {IDLE: ENDED_IDLE, ABSOLUTE: ENDED_ABSOLUTE}.get(reason)
    if action:
        record(session.person_id, action, person=session.person_id, session_id=session.id,
               user_agent=clean_user_agent(user_agent or session.user_agent))


def end_all(person: Person, reason: str, at: datetime, *, keep: UserSession | None = None) -> int:
    """End every open session of `person` (but `keep`): how many ended."""
    query = update(UserSession).where(UserSession.person_id == person.id, UserSession.ended_at.is_(None))
    if keep is not None:
        query = query.where(UserSession.id != keep.id)
    ended = db.session.execute(query.values(ended_at=at, ended_reason=reason).execution_options(
        synchronize_session="fetch"))
    return ended.rowcount or 0


def sign_out_everywhere(person: Person, at: datetime, *, user_agent: str | None) -> None:
    """"Sign out of all devices": every session ends, and every cookie made before now stops working."""
    count = end_all(person, EVERYWHERE, at)
    person.rotate_session_token()
    record(person, SIGNED_OUT_EVERYWHERE, person=person, sessions=count, user_agent=clean_user_agent(user_agent))


def sign_out_others(person: Person, current: UserSession, at: datetime, *, user_agent: str | None) -> int:
    """"Sign out of all other devices": every session but this one ends."""
    count = end_all(person, OTHER_DEVICE, at, keep=current)
    record(person, SIGNED_OUT_OTHERS, person=person, sessions=count, user_agent=clean_user_agent(user_agent))
    return count


def sign_out_one(person: Person, session: UserSession, at: datetime, *, user_agent: str | None) -> None:
    end(session, OTHER_DEVICE, at)
    record(person, ENDED_ONE, person=person, session_id=session.id, user_agent=clean_user_agent(user_agent))


def carry_on(session: UserSession, person: Person) -> None:
    """Keep this session after the person's token rotated (their own change of roles): it joins
    the new generation; every other session stays ended."""
    session.generation = generation_of(person)


def _working(person: Person, at: datetime) -> tuple:
    return (UserSession.generation == generation_of(person),
            UserSession.created_at > at - absolute_lifetime(),
            UserSession.last_seen_at > at - timedelta(seconds=idle_seconds()))


def active_sessions(person: Person, at: datetime) -> Select:
    """The person's sessions that still work at `at`, the latest first."""
    return (access.own_sessions(person).where(*_working(person, at))
            .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc()))


def active_session_for(person: Person, session_id: int, at: datetime) -> UserSession:
    """One of the person's working sessions, or 404 (another person's, or one already ended)."""
    return access.own_session_for(person, session_id, *_working(person, at))


# --- the device a user agent names, in a few words ----------------------------------------

_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
             ("Chromium/", "Chromium"), ("Safari/", "Safari"), ("Trident/", "Internet Explorer"))
_SYSTEMS = (("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"), ("CrOS", "ChromeOS"),
            ("Windows", "Windows"), ("Mac OS X", "Mac"), ("Macintosh", "Mac"), ("Linux", "Linux"))


def device_words(user_agent: str | None) -> str:
    """"Chrome on Windows", "Safari on iPhone", or "Unknown device"."""
    text = user_agent or ""
    browser = next((name for mark, name in _BROWSERS if mark in text), None)
    system = next((name for mark, name in _SYSTEMS if mark in text), None)
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "Unknown device"


_UK = ZoneInfo("Europe/London")


def moment_words(moment: datetime | None) -> str:
    """"30 November 2026 at 11:34", in UK time."""
    if moment is None:
        return ""
    local = _aware(moment).astimezone(_UK)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"
