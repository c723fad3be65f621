"""The observer's e-mail: the single-use link, when asked and when reminded, queued in the
caller's transaction (notifications.outbox) to the address the requester typed, since an observer
often has no account. Only names, the link and its expiry: never the situation note, the
behaviours or anything about a patient. Nothing here commits."""
from __future__ import annotations

from sqlalchemy import or_

from tracker.auth import sessions
from tracker.auth.account_mail import address_of
from tracker.models import Notification, ObservationRequest
from tracker.notifications import messages, outbox


def link_sent(request: ObservationRequest, token: str, *, reminder: bool = False) -> None:
    """One message per link: the key holds the hash of the link's token (a reminder has a new one),
    after the requester's id, so erasing the requester finds their observers' mails (of_requester)."""
    kind = messages.OBSERVATION_REMINDER if reminder else messages.OBSERVATION_REQUEST
    outbox.queue(kind, request.observer_email, key=f"{kind}:{request.requester_id}:{request.token_hash}",
                 name=request.observer_name, requester=request.requester.name,
                 link=address_of("observation.answer", token=token),
                 valid_until=sessions.moment_words(request.expires_at) + " (UK time)")


def of_requester(person_id: int):
    """SQL: the observer mails a person's requests queued (they hold the observer's address and the
    requester's name until sent)."""
    return or_(*(Notification.idempotency_key.startswith(f"{kind}:{person_id}:", autoescape=True)
                 for kind in (messages.OBSERVATION_REQUEST, messages.OBSERVATION_REMINDER)))
