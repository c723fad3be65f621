"""Set-password links: an admin hands a person a single-use link, valid for a day, with which they
set their own password (it is e-mailed to them, and shown once to the admin to pass on too); and
reset links, valid for an hour, that a person asks for with "Forgotten your password?". The admin
never sees or sets a password. Only a hash of the token is stored; a newer link voids the older
ones; nothing here commits."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update

from tracker.audit import record
from tracker.auth import account_mail, guard
from tracker.auth.services import set_password
from tracker.extensions import db
from tracker.models import Person, SetPasswordLink
from tracker.models._types import utcnow
from tracker.refusal import Refused

LINK_VALID_FOR = timedelta(hours=24)
RESET_VALID_FOR = timedelta(hours=1)
RESET_REQUESTED = "password_reset.requested"
# The same words for an unknown, expired or used link: the page never says which.
UNUSABLE = "This link cannot be used"
PASSWORDS_DIFFER = "The passwords do not match. Enter the same password twice."


def token_hash(token: str) -> str:
    return hashlib.sha256((token or "").encode("utf-8")).hexdigest()


def create_link(actor: Person | None, person: Person, now: datetime | None = None, *,
                valid_for: timedelta = LINK_VALID_FOR) -> tuple[str, SetPasswordLink]:
    """A new link for `person` (the token, to show once, and its row); earlier unused links of
    theirs stop working. No actor: the person asked for it themselves (a reset)."""
    if not person.active:
        raise Refused("This person has left. Reactivate them before creating a set-password link.")
    now = now or utcnow()
    db.session.execute(update(SetPasswordLink)
                       .where(SetPasswordLink.person_id == person.id, SetPasswordLink.used_at.is_(None),
                              SetPasswordLink.expires_at > now)
                       .values(expires_at=now))
    token = secrets.token_urlsafe(32)
    link = SetPasswordLink(person_id=person.id, token_hash=token_hash(token), created_at=now,
                           expires_at=now + valid_for, created_by_id=actor.id if actor else None)
    db.session.add(link)
    if actor is None:  # whoever typed the address: not necessarily the person
        record(None, RESET_REQUESTED, person=person, expires_at=link.expires_at.isoformat())
    else:
        record(actor, "set_password_link.created", person=person, expires_at=link.expires_at.isoformat())
    account_mail.link_made(person, token, link, reset=actor is None)
    return token, link


def _usable(now: datetime):
    return (SetPasswordLink.used_at.is_(None), SetPasswordLink.expires_at > now,
            SetPasswordLink.person_id.in_(select(Person.id).where(Person.active.is_(True))))


def usable_link(token: str, now: datetime | None = None) -> SetPasswordLink | None:
    """The link this token opens while it is unused, unexpired and its person in post, else None."""
    return db.session.scalar(select(SetPasswordLink).where(
        SetPasswordLink.token_hash == token_hash(token), *_usable(now or utcnow())))


def set_password_by_link(token: str, password: str, confirmation: str, now: datetime | None = None) -> Person:
    """Set the password of the link's person and use the link up; their other sessions end.
    Refused (field "password") for a password too short or typed differently twice; Refused with
    UNUSABLE when the link is not usable, including when another request used it first."""
    now = now or utcnow()
    link = usable_link(token, now)
    if link is None:
        raise Refused(UNUSABLE)
    if (password or "") != (confirmation or ""):
        raise Refused(PASSWORDS_DIFFER, field="confirmation")
    person = db.session.get(Person, link.person_id)
    set_password(person, password)
    # Used once: the WHERE re-checks, so two requests racing with one token cannot both succeed.
    used = db.session.execute(update(SetPasswordLink)
                              .where(SetPasswordLink.id == link.id, *_usable(now))
                              .values(used_at=now))
    if used.rowcount != 1:
        raise Refused(UNUSABLE)
    guard.forget_counts(person)
    record(person, "password.set_by_link", person=person)
    account_mail.password_changed(person)
    return person
