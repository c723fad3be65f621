"""Asking for an observation, reminding once and cancelling: the requester's side. Services
validate, write and audit; the view commits."""
from __future__ import annotations

import re
from dataclasses import dataclass

from tracker.audit import record
from tracker.extensions import db
from tracker.input_guard import record_id
from tracker.models import Activity, ActivityStatus, ObservationRequest, ObservationStatus, ObservedBehaviour, Person
from tracker.observation import links, mail
from tracker.portfolio.behaviours import tier_behaviours
from tracker.portfolio.nhs_number import contains_nhs_number
from tracker.refusal import Refused

MOST_BEHAVIOURS = 6
NOTE_LENGTH = 1000
NHS_NUMBER_MESSAGE = "Remove the NHS number: patients must not be identifiable"
# Activities an observation can still be asked for: the person can still change them.
OPEN_TO_CHANGE = (ActivityStatus.DRAFT, ActivityStatus.RETURNED)
_EMAIL = re.compile(r"^[^@\s]+@([a-z0-9-]+(\.[a-z0-9-]+)+)$")


@dataclass
class AskInput:
    observer_name: str
    observer_email: str
    behaviour_ids: list[str]
    situation_note: str


def allowed_domains(setting: str) -> list[str]:
    """The e-mail domains observers may be asked at (OBSERVER_EMAIL_DOMAINS, comma-separated)."""
    return [d.strip().lower().lstrip("@.") for d in (setting or "").split(",") if d.strip()]


def domain_allowed(email: str, domains: list[str]) -> bool:
    """An address at one of the domains or beneath one (a trust's own nhs.uk subdomain)."""
    found = _EMAIL.match(email)
    if not found:
        return False
    domain = found.group(1)
    return any(domain == allowed or domain.endswith("." + allowed) for allowed in domains)


def check_text(errors: dict, key: str, text: str, label: str, max_length: int, required: str | None = None) -> str:
    """Free text as typed (trimmed), or a refusal on its field: an NHS number, too long, missing."""
    text = (text or "").strip()
    if contains_nhs_number(text):
        errors[key] = NHS_NUMBER_MESSAGE
    elif len(text) > max_length:
        errors[key] = f"{label} must be {max_length:,} characters or fewer"
    elif required and not text:
        errors[key] = required
    return text


def ask(requester: Person, activity: Activity, typed: AskInput, domains: list[str]) -> tuple[str, ObservationRequest]:
    """A new request about the requester's own activity: (the link's token, to show once, and the
    request). Refused per field for what was typed wrong."""
    if activity.owner_id != requester.id or activity.status not in OPEN_TO_CHANGE:
        raise Refused("You can only ask for an observation of a draft or returned activity.")
    errors: dict[str, str] = {}
    name = check_text(errors, "observer_name", typed.observer_name, "Name", 200, "Enter the observer's name")
    email = (typed.observer_email or "").strip().lower()
    if not email:
        errors["observer_email"] = "Enter the observer's e-mail address"
    elif len(email) > 254 or not _EMAIL.match(email):
        errors["observer_email"] = "Enter an e-mail address in the correct format, like name@nhs.net"
    elif not domain_allowed(email, domains):
        errors["observer_email"] = "Enter a work e-mail address ending in " + " or ".join(domains)
    offered = {b.id: b for b in tier_behaviours(requester.tier)}
    chosen = []
    for raw in typed.behaviour_ids or []:
        behaviour_id = record_id(str(raw))
        if behaviour_id not in offered:
            errors["behaviour_ids"] = "Choose behaviours from the list"
            break
        if behaviour_id not in chosen:
            chosen.append(behaviour_id)
    if not chosen and "behaviour_ids" not in errors:
        errors["behaviour_ids"] = "Choose at least one behaviour to be observed"
    elif len(chosen) > MOST_BEHAVIOURS:
        errors["behaviour_ids"] = f"Choose up to {MOST_BEHAVIOURS} behaviours"
    note = check_text(errors, "situation_note", typed.situation_note, "The note", NOTE_LENGTH)
    if errors:
        raise Refused(errors)
    moment = links.now()
    token, hashed = links.new_token()
    request = ObservationRequest(
        activity_id=activity.id, requester_id=requester.id, observer_name=name, observer_email=email,
        situation_note=note, token_hash=hashed, status=ObservationStatus.SENT, created_at=moment,
        expires_at=moment + links.LINK_VALID_FOR,
        observed=[ObservedBehaviour(behaviour_id=b, position=i) for i, b in enumerate(chosen)])
    db.session.add(request)
    db.session.flush()
    # Who was asked stays in the request; the trail keeps only that a request was made.
    record(requester, "observation.requested", person=requester, activity=activity, request=request.id)
    mail.link_sent(request, token)
    return token, request


def remind(requester: Person, request: ObservationRequest) -> str:
    """Remind the observer once: a fresh link by e-mail (the first one stops working), the expiry unchanged."""
    if request.status_at(links.now()) not in links.WAITING or request.reminded:
        raise Refused("This request cannot be reminded: it was answered, cancelled, has expired "
                      "or was reminded already.")
    token, request.token_hash = links.new_token()
    request.reminded = True
    record(requester, "observation.reminded", person=requester, activity=request.activity_id, request=request.id)
    mail.link_sent(request, token, reminder=True)
    return token


def cancel(requester: Person, request: ObservationRequest) -> None:
    """Cancel a request not yet answered: its link stops working."""
    if request.status in (ObservationStatus.ANSWERED, ObservationStatus.CANCELLED):
        raise Refused("This request was answered or cancelled already.")
    request.status = ObservationStatus.CANCELLED
    request.cancelled_at = links.now()
    record(requester, "observation.cancelled", person=requester, activity=request.activity_id, request=request.id)
