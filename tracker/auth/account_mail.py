"""The e-mails about a person's own account: set-password and reset links, a lock-out, a changed
password or second factor. Each is queued in the caller's transaction (notifications.outbox);
nothing here commits. Links are absolute (address_of)."""
from __future__ import annotations

from datetime import datetime

from flask import current_app, has_request_context, url_for

from tracker import appraisal_year
from tracker.auth import sessions
from tracker.models import Person, SetPasswordLink
from tracker.notifications import messages, outbox


def address_of(endpoint: str, **values) -> str:
    """An absolute link: from the request's own address, or PUBLIC_BASE_URL outside a request
    (a command, a worker)."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_BASE_URL"]):
        return url_for(endpoint, _external=True, **values)


def _until(link: SetPasswordLink) -> str:
    return sessions.moment_words(link.expires_at) + " (UK time)"


def link_made(person: Person, token: str, link: SetPasswordLink, *, reset: bool) -> None:
    """A set-password link (an admin's) or a reset link ("Forgotten your password?") to its person."""
    kind = messages.PASSWORD_RESET if reset else messages.SET_PASSWORD_LINK
    outbox.queue(kind, person, key=f"{kind}:{link.token_hash}", name=person.name,
                 link=address_of("auth.set_password", token=token), valid_until=_until(link))


def password_changed(person: Person) -> None:
    # The session token rotates with every new password: one key per change.
    outbox.queue(messages.PASSWORD_CHANGED, person,
                 key=f"{messages.PASSWORD_CHANGED}:{person.id}:{sessions.generation_of(person)[:24]}",
                 name=person.name, changed_at=sessions.moment_words(appraisal_year.now()))


def locked(person: Person, at: datetime) -> None:
    outbox.queue(messages.ACCOUNT_LOCKED, person, key=f"{messages.ACCOUNT_LOCKED}:{person.id}:{at.isoformat()}",
                 name=person.name, locked_at=sessions.moment_words(at),
                 reset_link=address_of("auth.forgotten_password"))


SECOND_FACTOR_CHANGES = {
    "mfa.enrolled": "an authenticator app was set up as the second factor for your account",
    "mfa.reset": "an administrator reset the second factor of your account: you will set up an "
                 "authenticator app again when you next sign in",
}


def second_factor_changed(person: Person, action: str, at: datetime) -> None:
    outbox.queue(messages.SECOND_FACTOR_CHANGED, person,
                 key=f"{messages.SECOND_FACTOR_CHANGED}:{person.id}:{action}:{at.isoformat()}",
                 name=person.name, changed_at=sessions.moment_words(at), change=SECOND_FACTOR_CHANGES[action])
