"""Accounts and passwords; nothing here knows about requests."""
from __future__ import annotations

import hashlib
import hmac
import re
from datetime import date

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from tracker import appraisal_year, staff_history
from tracker.auth import account_mail, passwords, sessions
from tracker.extensions import db
from tracker.models import SINCE_EVER, OrganisationUnit, Person, PersonRole, Role, StaffGroup
from tracker.audit import client_user_agent, record
from tracker.refusal import Refused

# Audit actions of signing in and out.
SIGNED_IN = "auth.signed_in"
FAILED_SIGN_IN = "auth.sign_in_failed"
SIGNED_OUT = "auth.signed_out"

MIN_PASSWORD_LENGTH = passwords.MIN_LENGTH
PASSWORD_CHANGED = "password.changed"
WRONG_CURRENT_PASSWORD = "Your current password is incorrect"
# Checked against when the email is unknown, so a wrong email costs the same time as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password-for-timing")


# Something@something.something, no spaces: what a mail system would accept, without guessing more.
_EMAIL_SHAPE = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")
EMAIL_FORMAT_MESSAGE = "Enter an email address in the correct format, like name@example.org."


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def email_problem(email: str, person: Person | None = None) -> str | None:
    """Why `email` (normalised) cannot be `person`'s (or a new person's), or None when it can."""
    if not _EMAIL_SHAPE.fullmatch(email) or len(email) > 254:
        return EMAIL_FORMAT_MESSAGE
    taken = select(func.count(Person.id)).where(Person.email == email)
    if person is not None and person.id is not None:
        taken = taken.where(Person.id != person.id)
    if db.session.scalar(taken):
        return f"Someone with the email address {email} already exists."
    return None


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def authenticate(email: str, password: str) -> Person | None:
    """The person if the email and password match an active account, else None (one answer for all failures)."""
    person = db.session.scalar(select(Person).where(Person.email == normalise_email(email)))
    if person is None or not person.password_hash:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(person.password_hash, password or ""):
        return None
    if not person.active:
        return None
    return person


def record_sign_in(person: Person, **detail) -> None:
    record(person, SIGNED_IN, user_agent=client_user_agent(), **detail)


def record_sign_out(person: Person) -> None:
    record(person, SIGNED_OUT, user_agent=client_user_agent())


def record_failed_sign_in(email: str):
    """A refused sign-in, about the account the e-mail address names when there is one. An address
    that names nobody is kept only as a keyed hash (attempts on one address can be told apart from
    attempts on many), never as typed; the password is never kept."""
    typed = normalise_email(email)
    person_id = db.session.scalar(select(Person.id).where(Person.email == typed))
    if person_id is not None:
        return record(None, FAILED_SIGN_IN, person=person_id, user_agent=client_user_agent())
    return record(None, FAILED_SIGN_IN, email_hash=email_hash(typed), user_agent=client_user_agent())


def email_hash(email: str) -> str:
    """A keyed hash of an e-mail address: the same address gives the same hash on this installation,
    and nobody without the secret key can test guesses against it."""
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    return hmac.new(key, normalise_email(email).encode(), hashlib.sha256).hexdigest()[:32]


def end_sessions(person: Person) -> None:
    """Every session of this person ends, and every copy of their cookies stops working."""
    sessions.end_all(person, sessions.REPLACED, sessions.now())
    person.rotate_session_token()


def set_password(person: Person, password: str, field: str = "password") -> None:
    """Every way of setting a password comes here: the rules (passwords.problem), a fresh hash,
    the person's other sessions ended and any sign-in lock-out lifted (a reset is the way back in)."""
    problem = passwords.problem(password, person)
    if problem:
        raise Refused(problem, field=field)
    person.password_hash = hash_password(password)
    person.sign_in_locked_at = None
    person.sign_in_unlocked_at = appraisal_year.now()
    end_sessions(person)


def change_password(person: Person, current: str, new: str) -> None:
    """The signed-in person's own change: the current password first; their other sessions end
    (the caller signs this one in again with the new session token)."""
    if not person.password_hash or not check_password_hash(person.password_hash, current or ""):
        raise Refused(WRONG_CURRENT_PASSWORD, field="current_password")
    set_password(person, new, field="new_password")
    record(person, PASSWORD_CHANGED, person=person)
    account_mail.password_changed(person)


def deactivate(person: Person) -> None:
    """`person` leaves today: out of every figure from today, signed out everywhere."""
    staff_history.leave(person, appraisal_year.today())


def create_person(*, email: str, name: str, team: OrganisationUnit, tier: int, staff_group: StaffGroup,
                  job_title: str = "", roles: set[Role] = frozenset(), password: str | None = None,
                  employee_number: str | None = None, line_manager: Person | None = None,
                  in_post_from: date = SINCE_EVER) -> Person:
    """A new person in post from `in_post_from` (by default as if always: the command line's first
    accounts; the admin pages give the day they start)."""
    email = normalise_email(email)
    problem = email_problem(email)
    if problem:
        raise Refused(problem, field="email")
    if not (name or "").strip():
        raise Refused("Enter a name.", field="name")
    person = Person(email=email, name=name.strip(), team_id=team.id, tier=tier, staff_group=staff_group,
                    job_title=job_title, active=True, employee_number=employee_number or None,
                    line_manager_id=line_manager.id if line_manager else None)
    person.role_grants = [PersonRole(role=r) for r in sorted(roles, key=lambda r: r.value)]
    if password is not None:
        set_password(person, password)
    db.session.add(person)
    db.session.flush()
    staff_history.start_in_post(person, in_post_from)
    return person
