"""The second factor: a code from an authenticator app (TOTP, RFC 6238) or a single-use recovery
code. Who needs one, enrolling, checking codes, and an admin's reset. Nothing here commits; the
sign-in pages are in mfa_routes.py.

A code is taken once: the 30-second step of the last code accepted is kept per person, and only a
later step is accepted. Only the current step's code is accepted (ASVS 6.5.5: a code lives 30
seconds at most); phones keep network time, so no step either side is allowed for drift."""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time

import pyotp
from flask import current_app, has_request_context, request
from sqlalchemy import delete, or_, select, update

from tracker.audit import record
from tracker.auth import account_mail
from tracker.auth.services import end_sessions
from tracker.extensions import db
from tracker.models import Person, RecoveryCode, Role, SecondFactor
from tracker.models._types import utcnow
from tracker.refusal import Refused

# The demo accounts' shared secret (published in the README, printed by `make run`): refused in production.
DEMO_SECRET = "TRACKERDEMOSEEDNOTFORLIVEUSE2345"
STEP_SECONDS = 30
STEPS_EITHER_SIDE = 0
RECOVERY_CODES = 10
# After this many wrong codes in a row, no code is taken for a while (a 6-digit code must not be guessable).
REFUSALS_BEFORE_PAUSE = 5
PAUSE_SECONDS = 15 * 60
# Lower-case letters and digits a reader cannot mistake for one another.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
ALWAYS_NEEDED_BY = frozenset({Role.ADMIN, Role.EDUCATION_LEAD})

ENROLLED = "mfa.enrolled"
RESET = "mfa.reset"
CODE_REFUSED = "mfa.code_refused"
RECOVERY_CODE_USED = "mfa.recovery_code_used"
RECOVERY_CODE_REFUSED = "mfa.recovery_code_refused"

WRONG_CODE = "The code is not right. Enter the 6-digit code your authenticator app shows now."
USED_CODE = "This code has been used. Wait for your authenticator app to show a new code, then enter that."
TOO_MANY = "You entered a wrong code too many times. Wait 15 minutes, then sign in again."
WRONG_RECOVERY_CODE = "The recovery code is not right, or it has been used. Enter one of your unused recovery codes."


def now() -> float:
    """Seconds since the epoch: the one clock of TOTP codes, so tests can set it."""
    return time.time()


def needs_second_factor(person: Person) -> bool:
    """Admins and education leads always; managers when the organisation turns MFA_FOR_MANAGERS on."""
    roles = person.roles
    if roles & ALWAYS_NEEDED_BY:
        return True
    return Role.MANAGER in roles and bool(current_app.config.get("MFA_FOR_MANAGERS"))


def _usable_secret(secret: str) -> bool:
    return not (secret == DEMO_SECRET and current_app.config.get("ENV_NAME") == "production")


def factor_of(person: Person) -> SecondFactor | None:
    return db.session.get(SecondFactor, person.id)


def is_enrolled(person: Person) -> bool:
    """Enrolled with a secret this installation accepts (never the demo one in production)."""
    factor = factor_of(person)
    return factor is not None and factor.enrolled_at is not None and _usable_secret(factor.secret)


def secret_being_set_up(person: Person) -> str:
    """The new secret the enrolment page shows: the same one until it is confirmed, so reloading
    the page does not invalidate what the person has already scanned."""
    factor = factor_of(person)
    if factor is None:
        factor = SecondFactor(person_id=person.id, secret=pyotp.random_base32())
        db.session.add(factor)
    elif factor.enrolled_at is not None or not _usable_secret(factor.secret):
        # An enrolment that no longer counts (the demo secret in production) starts again.
        factor.secret, factor.enrolled_at, factor.last_used_step = pyotp.random_base32(), None, None
    db.session.flush()
    return factor.secret


def provisioning_uri(person: Person, secret: str) -> str:
    issuer = current_app.config.get("ORGANISATION_NAME") or "Communication skills tracker"
    return pyotp.TOTP(secret).provisioning_uri(name=person.email or str(person.id), issuer_name=issuer)


def _matching_step(secret: str, code: str, after_step: int | None) -> int | None:
    """The step within the window whose code this is, if later than `after_step`, else None."""
    code = "".join((code or "").split())
    if not (len(code) == 6 and code.isascii() and code.isdigit()) or not _usable_secret(secret):
        return None
    totp, current = pyotp.TOTP(secret), int(now() // STEP_SECONDS)
    for step in range(current - STEPS_EITHER_SIDE, current + STEPS_EITHER_SIDE + 1):
        if (after_step is None or step > after_step) and hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def _take_step(person: Person, step: int) -> bool:
    """Record `step` as used; False when another request took it (or a later one) first."""
    taken = db.session.execute(
        update(SecondFactor)
        .where(SecondFactor.person_id == person.id,
               or_(SecondFactor.last_used_step.is_(None), SecondFactor.last_used_step < step))
        .values(last_used_step=step))
    return taken.rowcount == 1


def is_paused(person: Person) -> bool:
    """True while the person's wrong codes in a row have reached the limit and the pause runs."""
    factor = factor_of(person)
    return (factor is not None and factor.refused_codes >= REFUSALS_BEFORE_PAUSE
            and now() - (factor.refused_at or 0) < PAUSE_SECONDS)


def _count_refusal(person: Person) -> None:
    factor = factor_of(person)
    if factor is None or is_paused(person):
        return
    # A pause that has run out starts the count again.
    count = 0 if factor.refused_codes >= REFUSALS_BEFORE_PAUSE else factor.refused_codes
    factor.refused_codes, factor.refused_at = count + 1, int(now())
    db.session.flush()


def _security_event(actor, action: str, person: Person, **detail) -> None:
    if has_request_context():
        detail["user_agent"] = (request.user_agent.string or "")[:200]
    record(actor, action, person=person, **detail)
    if action in account_mail.SECOND_FACTOR_CHANGES:
        account_mail.second_factor_changed(person, action, utcnow())


def enrol(person: Person, code: str) -> list[str]:
    """Confirm the secret being set up with a first code: the person is enrolled, and gets ten
    new recovery codes (returned to show once; only their hashes are kept)."""
    factor = factor_of(person)
    if factor is None or factor.enrolled_at is not None:
        raise Refused(WRONG_CODE, field="code")
    if is_paused(person):
        raise Refused(TOO_MANY, field="code")
    step = _matching_step(factor.secret, code, factor.last_used_step)
    if step is None:
        raise Refused(WRONG_CODE, field="code")
    factor.enrolled_at, factor.last_used_step, factor.refused_codes = utcnow(), step, 0
    codes = _new_recovery_codes(person)
    _security_event(person, ENROLLED, person)
    return codes


def refuse_enrolment_code(person: Person) -> None:
    """A wrong first code while setting up: counted, and on the audit trail (written apart from the
    refused change)."""
    _count_refusal(person)
    _security_event(None, CODE_REFUSED, person, during="setting up")


def check_code(person: Person, code: str) -> str | None:
    """None, once, for a right code of an enrolled person; else why not (counted, and on the audit trail)."""
    factor = factor_of(person)
    if factor is None or factor.enrolled_at is None:
        return WRONG_CODE
    if is_paused(person):
        _security_event(None, CODE_REFUSED, person, reason="too many wrong codes")
        return TOO_MANY
    step = _matching_step(factor.secret, code, factor.last_used_step)
    if step is not None and _take_step(person, step):
        factor.refused_codes = 0
        return None
    used = step is not None or _matching_step(factor.secret, code, None) is not None
    _count_refusal(person)
    _security_event(None, CODE_REFUSED, person, reason="used before" if used else "wrong")
    return USED_CODE if used else WRONG_CODE


def _recovery_hash(code: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(code.encode(), salt=salt, n=2 ** 14, r=8, p=1, dklen=32)
    return f"scrypt${salt.hex()}${digest.hex()}"


def _recovery_matches(code: str, stored: str) -> bool:
    _, salt, _digest = stored.split("$")
    return hmac.compare_digest(_recovery_hash(code, bytes.fromhex(salt)), stored)


def _normalise_recovery_code(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())[:64]


def _new_recovery_codes(person: Person) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.person_id == person.id))
    codes = ["".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(12)) for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(person_id=person.id, code_hash=_recovery_hash(c)) for c in codes)
    return [f"{c[:4]}-{c[4:8]}-{c[8:]}" for c in codes]


def use_recovery_code(person: Person, code: str) -> str | None:
    """None, once per code, for one of the person's unused recovery codes; else why not."""
    if is_paused(person):
        _security_event(None, RECOVERY_CODE_REFUSED, person, reason="too many wrong codes")
        return TOO_MANY
    typed = _normalise_recovery_code(code)
    unused = db.session.scalars(select(RecoveryCode).where(
        RecoveryCode.person_id == person.id, RecoveryCode.used_at.is_(None)).order_by(RecoveryCode.id)).all()
    for row in unused if len(typed) == 12 else ():
        if _recovery_matches(typed, row.code_hash):
            # The WHERE re-checks, so two requests racing with one code cannot both succeed.
            used = db.session.execute(update(RecoveryCode).where(RecoveryCode.id == row.id, RecoveryCode.used_at.is_(None))
                                      .values(used_at=utcnow()))
            if used.rowcount == 1:
                factor_of(person).refused_codes = 0
                _security_event(person, RECOVERY_CODE_USED, person, codes_left=len(unused) - 1)
                return None
    _count_refusal(person)
    _security_event(None, RECOVERY_CODE_REFUSED, person)
    return WRONG_RECOVERY_CODE


def reset(actor: Person, person: Person) -> None:
    """An admin's reset: the secret and recovery codes go and the person's sessions end, so they
    set up an authenticator app again at their next sign-in."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.person_id == person.id))
    db.session.execute(delete(SecondFactor).where(SecondFactor.person_id == person.id))
    end_sessions(person)
    _security_event(actor, RESET, person)


def enrol_with_demo_secret(person_ids) -> None:
    """The demo accounts that need a second factor share the published demo secret."""
    enrolled_at = utcnow()
    db.session.add_all(SecondFactor(person_id=pid, secret=DEMO_SECRET, enrolled_at=enrolled_at) for pid in person_ids)
