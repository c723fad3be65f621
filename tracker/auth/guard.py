"""Guessing passwords (ASVS 5.0.0 V6.3.1): failed sign-ins are limited per account and per client
address, and ten failures in an hour lock the account until a password reset or an admin's unlock.

Counts for the short limits live in Flask-Limiter's storage (tracker/limit_counts.py: memory, or
Redis shared by every worker and instance), in fixed windows read from the clock seam
(appraisal_year.now) so that tests move time instead of sleeping; with Redis down each worker
counts alone. The hour that locks is counted from the audit trail, which every instance shares
already, so it holds whatever becomes of Redis.

A stranger must not be able to keep a person out cheaply, so attempts from a "known place" (an
address this person signed in from before) are counted apart from everyone else's, and a locked
account still lets the right password in from a known place unless that place itself has sent
the wrong one ten times in the hour. See "Signing in safely" in the README."""
from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from flask import current_app
from limits import parse_many
from sqlalchemy import func, select

from tracker import appraisal_year, limit_counts
from tracker.auth import account_mail
from tracker.audit import client_address, client_user_agent, record
from tracker.auth.services import FAILED_SIGN_IN, SIGNED_IN, email_hash, normalise_email, record_failed_sign_in
from tracker.durations import duration_text
from tracker.extensions import db
from tracker.models import AuditEvent, AuditSubject, Person
from tracker.refusal import Refused

REFUSED = "auth.sign_in_refused"
LOCKED = "auth.sign_in_locked"
UNLOCKED = "auth.sign_in_unlocked"

TOO_MANY = "You have tried to sign in too many times. Wait {wait} and try again."
# Shown only to someone who typed the right password: a guesser never learns that a lock exists.
LOCKED_OUT = ("Your account is locked because someone tried to sign in with the wrong password too many "
              "times. Ask an administrator to unlock it or to give you a link to set a new password.")
LOCK_WINDOW = timedelta(hours=1)
ELSEWHERE = "elsewhere"


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def _account_key(typed_email: str, place: str) -> str:
    return f"{email_hash(typed_email)}:{place}"


class Attempt:
    """One sign-in attempt: who it names, where it comes from, and the counts that bind it."""

    def __init__(self, email: str):
        self.now = appraisal_year.now()
        self.address = client_address() or "unknown"
        self.typed = typed = normalise_email(email)
        self.person = db.session.scalar(select(Person).where(Person.email == typed))
        self.known_place = self.person is not None and _signed_in_from(self.person, self.address)
        # The typed address's hash, not the person: an unknown address is limited the same way.
        account = _account_key(typed, self.address if self.known_place else ELSEWHERE)
        config = current_app.config
        self.ladders = [("account", account, parse_many(config["SIGN_IN_LIMITS_PER_ACCOUNT"]))]
        if not self.known_place:  # a shared hospital address is not blocked for its own staff
            self.ladders.append(("address", self.address, parse_many(config["SIGN_IN_LIMITS_PER_ADDRESS"])))

    def _keys(self):
        for kind, key, limits in self.ladders:
            yield from limit_counts.windows(f"sign-in {kind}", key, limits, self.now)

    def wait(self) -> timedelta | None:
        """How long until the next try is allowed, or None when it is allowed now."""
        waits = [timedelta(seconds=(bucket + 1) * window - self.now.timestamp())
                 for limit, window, bucket, key in self._keys() if limit_counts.count(key) >= limit.amount]
        return max(waits, default=None)

    def refuse(self, wait: timedelta) -> str:
        """Record the refused try; the message for the form."""
        record(None, REFUSED, person=self.person, reason="too many attempts", user_agent=client_user_agent())
        return TOO_MANY.format(wait=duration_text(max(1, math.ceil(wait.total_seconds() / 60))))

    def failed(self) -> None:
        """A wrong password (or unknown account): recorded, counted, and the lock when it is due."""
        event = record_failed_sign_in(self.typed)
        event.occurred_at = self.now
        for limit, window, _bucket, key in self._keys():
            limit_counts.hit(key, window)
        if self.person is None or self.person.sign_in_locked_at is not None:
            return
        db.session.flush()
        if _failures_since(self.person, self.now - LOCK_WINDOW) >= current_app.config["SIGN_IN_LOCK_AFTER"]:
            self.person.sign_in_locked_at = self.now
            record(None, LOCKED, person=self.person, user_agent=client_user_agent())
            account_mail.locked(self.person, self.now)  # the person hears of it at once

    def locked_out(self, person: Person) -> bool:
        """The right password, on a locked account: refused unless from a known place that has not
        itself guessed its way to the limit."""
        if person.sign_in_locked_at is None:
            return False
        # The known place's own wrong passwords since an hour before the lock: ten, and it is locked too.
        since = _aware(person.sign_in_locked_at) - LOCK_WINDOW
        if self.known_place and _failures_since(person, since, self.address) \
                < current_app.config["SIGN_IN_LOCK_AFTER"]:
            return False
        record(None, REFUSED, person=person, reason="account locked", user_agent=client_user_agent())
        return True


def _signed_in_from(person: Person, address: str) -> bool:
    return db.session.scalar(
        select(AuditEvent.id).join(AuditSubject, AuditSubject.subject_id == AuditEvent.actor_subject_id)
        .where(AuditSubject.person_id == person.id, AuditEvent.action == SIGNED_IN,
               AuditEvent.client_address == address).limit(1)) is not None


def _failures_since(person: Person, since: datetime, address: str | None = None) -> int:
    """Wrong passwords for `person` since then (and since the last unlock), from `address` if given."""
    since = max(filter(None, [since, _aware(person.sign_in_unlocked_at)]))
    query = (select(func.count(AuditEvent.id))
             .join(AuditSubject, AuditSubject.subject_id == AuditEvent.about_subject_id)
             .where(AuditSubject.person_id == person.id, AuditEvent.action == FAILED_SIGN_IN,
                    AuditEvent.occurred_at > since))
    if address is not None:
        query = query.where(AuditEvent.client_address == address)
    return db.session.scalar(query)


def unlock(actor: Person, person: Person) -> None:
    """An admin lifts the lock; failures before now no longer count towards the next one. Not
    one's own: someone holding a locked admin's session must not be able to undo the lock."""
    if actor.id == person.id:
        raise Refused("You cannot unlock your own account. Ask another administrator.")
    person.sign_in_locked_at = None
    person.sign_in_unlocked_at = appraisal_year.now()
    forget_counts(person)
    record(actor, UNLOCKED, person=person, user_agent=client_user_agent())


def forget_counts(person: Person) -> None:
    """After an unlock or a new password, the strangers' count on this account starts again, so the
    person can sign in at once from anywhere (the address limits still hold)."""
    if not person.email:
        return
    limits = parse_many(current_app.config["SIGN_IN_LIMITS_PER_ACCOUNT"])
    for _limit, _window, _bucket, key in limit_counts.windows("sign-in account", _account_key(person.email, ELSEWHERE),
                                                               limits, appraisal_year.now()):
        limit_counts.clear(key)
