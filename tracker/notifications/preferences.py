"""What each person receives ("Notification settings"): the one decision, wants(), that
outbox.queue() asks for every message to a person, and the service that saves a person's choices.

A decider chooses one e-mail per submission or a daily digest, and cannot turn submissions off
(an activity must not wait unseen). Messages about the account's safety, single-use links and a
ready export are always sent. The rest can each be turned off. No row: the defaults."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker import access, appraisal_year
from tracker.audit import record
from tracker.extensions import db
from tracker.models import NotificationPreference, Person, Role
from tracker.models.notifications import DAILY_DIGEST, IMMEDIATELY
from tracker.notifications import messages
from tracker.refusal import Refused

SUBMISSION_CHOICES = {IMMEDIATELY: "Immediately, one e-mail for each activity",
                      DAILY_DIGEST: "In a daily digest, one e-mail a day saying how many are waiting"}

# The settings that can be turned off, in the page's order: column -> the words on the page.
OPTIONAL = {
    "decisions": "When my activity is signed off or returned",
    "reminders": "Reminders a manager sends me",
    "year_end_reminders": "Reminders when the development year ends in 60, 30 and 7 days and I have not finished",
    "weekly_digest": "A weekly summary on Monday of my teams (for managers)",
}

# Kind -> the column that turns it off. Kinds not named here are always sent (ALWAYS).
_OPTIONAL_KIND = {
    messages.ACTIVITY_SIGNED_OFF: "decisions",
    messages.ACTIVITY_RETURNED: "decisions",
    messages.REMINDER: "reminders",
    messages.YEAR_END_REMINDER: "year_end_reminders",
    messages.WEEKLY_DIGEST: "weekly_digest",
}
# Sent whatever is chosen: the account's safety, single-use links, work nobody else will do
# (an unmanaged submission), and a ready export (issue 16).
ALWAYS = frozenset({messages.PASSWORD_RESET, messages.SET_PASSWORD_LINK, messages.ACCOUNT_LOCKED,
                    messages.PASSWORD_CHANGED, messages.SECOND_FACTOR_CHANGED, messages.OBSERVATION_REQUEST,
                    messages.OBSERVATION_REMINDER, messages.ACTIVITY_UNMANAGED, "export_ready"})


def _chosen(person: Person) -> NotificationPreference | None:
    # The relationship, not a query: bulk jobs load it for everyone at once (selectinload).
    return person.notification_preference


def load_for(person_ids) -> None:
    """Read the settings of many recipients in one query (an event that tells many people), so
    that wants() asks nothing more for each."""
    db.session.scalars(select(Person).where(Person.id.in_(list(person_ids)))
                       .options(selectinload(Person.notification_preference))).all()


def submissions_of(person: Person) -> str:
    chosen = _chosen(person)
    return chosen.submissions if chosen is not None else IMMEDIATELY


def wants(person: Person, kind: str) -> bool:
    """Whether `person` receives a message of `kind`: the one decision, for every event."""
    if kind == messages.ACTIVITY_SUBMITTED:
        return submissions_of(person) == IMMEDIATELY
    if kind == messages.SUBMISSIONS_DIGEST:
        return submissions_of(person) == DAILY_DIGEST
    column = _OPTIONAL_KIND.get(kind)
    if column is None:
        return True
    chosen = _chosen(person)
    return chosen is None or bool(getattr(chosen, column))


def shown_to(person: Person) -> tuple[bool, list[str]]:
    """What the page offers `person`: the submissions choice (deciders only), and the settings
    that can be turned off (the weekly summary only to managers and deciders)."""
    decider = access.decides_for_anyone(person)
    optional = [name for name in OPTIONAL
                if name != "weekly_digest" or decider or Role.MANAGER in person.roles]
    return decider, optional


@dataclass(frozen=True)
class Choices:
    submissions: str | None  # None: not offered (not a decider), so left as it is
    receive: frozenset[str]  # the optional settings ticked
    offered: tuple[str, ...]  # the optional settings the page showed


def current(person: Person) -> dict:
    chosen = _chosen(person)
    return {"submissions": submissions_of(person),
            **{name: (chosen is None or bool(getattr(chosen, name))) for name in OPTIONAL}}


def save(person: Person, choices: Choices) -> dict:
    """Write `person`'s choices and audit what changed: the changes (empty when none). Refused
    (nothing written) when a value is not one the page offers."""
    errors = {}
    if choices.submissions is not None and choices.submissions not in SUBMISSION_CHOICES:
        errors["submissions"] = "Choose how you want to hear about activities waiting for you"
    if not choices.receive <= set(choices.offered):
        errors["receive"] = "Choose only from the e-mails listed"
    if errors:
        raise Refused(errors)
    before = current(person)
    after = dict(before)
    if choices.submissions is not None:
        after["submissions"] = choices.submissions
    for name in choices.offered:
        after[name] = name in choices.receive
    changes = {name: after[name] for name in after if after[name] != before[name]}
    if not changes:
        return changes
    row = _chosen(person)
    if row is None:
        row = NotificationPreference(person_id=person.id, **before)
        db.session.add(row)
        person.notification_preference = row
    for name, value in changes.items():
        setattr(row, name, value)
    row.updated_at = appraisal_year.now()
    record(person, "notifications.settings_changed", person=person, **changes)
    return changes
