"""What each kind of notification says. A message is made from its kind's template and a few
fields (names, dates, counts, links); queue() refuses any other field, so reflection text,
evidence or patient detail cannot reach an e-mail. With GOV.UK Notify the same fields are the
template's personalisation (README, "Notifications")."""
from __future__ import annotations

from dataclasses import dataclass

from tracker.refusal import Refused


@dataclass(frozen=True)
class Kind:
    name: str
    subject: str
    body: str  # str.format() with the fields below
    fields: tuple[str, ...]


PASSWORD_RESET = "password_reset"
SET_PASSWORD_LINK = "set_password_link"
ACCOUNT_LOCKED = "account_locked"
PASSWORD_CHANGED = "password_changed"
SECOND_FACTOR_CHANGED = "second_factor_changed"
OBSERVATION_REQUEST = "observation_request"
OBSERVATION_REMINDER = "observation_reminder"
ACTIVITY_SUBMITTED = "activity_submitted"
ACTIVITY_UNMANAGED = "activity_unmanaged"
ACTIVITY_SIGNED_OFF = "activity_signed_off"
ACTIVITY_RETURNED = "activity_returned"
REMINDER = "reminder"
SUBMISSIONS_DIGEST = "submissions_digest"
YEAR_END_REMINDER = "year_end_reminder"
WEEKLY_DIGEST = "weekly_digest"
EXPORT_READY = "export_ready"

_SIGN_OFF = "\n\nThis e-mail was sent by the communication skills development tracker. Do not reply to it."

KINDS: dict[str, Kind] = {kind.name: kind for kind in (
    Kind(PASSWORD_RESET, "Reset your password",
         "Dear {name},\n\nSomeone asked to reset the password of your account. If it was you, set a new "
         "password with this link:\n\n{link}\n\nThe link works once, until {valid_until}. If you did not ask, "
         "you can ignore this e-mail: your password has not changed.", ("name", "link", "valid_until")),
    Kind(SET_PASSWORD_LINK, "Set your password",
         "Dear {name},\n\nAn administrator has made a link for you to set the password of your account:"
         "\n\n{link}\n\nThe link works once, until {valid_until}. Then sign in with your e-mail address "
         "and the new password.", ("name", "link", "valid_until")),
    Kind(ACCOUNT_LOCKED, "Signing in to your account is locked",
         "Dear {name},\n\nSomeone typed a wrong password for your account too many times, so signing in "
         "was locked on {locked_at}. To get back in, reset your password:\n\n{reset_link}\n\nor ask an "
         "administrator to unlock it.", ("name", "locked_at", "reset_link")),
    Kind(PASSWORD_CHANGED, "Your password was changed",
         "Dear {name},\n\nThe password of your account was changed on {changed_at}, and you were signed "
         "out everywhere else. If this was not you, tell an administrator at once.", ("name", "changed_at")),
    Kind(SECOND_FACTOR_CHANGED, "Your second factor was changed",
         "Dear {name},\n\nOn {changed_at} {change}. If this was not you, tell an administrator at once.",
         ("name", "changed_at", "change")),
    # To an observer, who may have no account. Never the situation note or anything about a patient.
    Kind(OBSERVATION_REQUEST, "{requester} has asked you to observe them",
         "Dear {name},\n\n{requester} has asked you to observe their communication with patients, families "
         "or colleagues and to give them feedback. After you have watched, open this link to answer a few "
         "short questions (no account or sign-in needed; it works on a phone):\n\n{link}\n\nThe link works "
         "once, until {valid_until}. Please do not forward it: anyone who has it can answer.",
         ("name", "requester", "link", "valid_until")),
    Kind(OBSERVATION_REMINDER, "Reminder: {requester} has asked you to observe them",
         "Dear {name},\n\n{requester} is reminding you of their request to observe them and give them "
         "feedback. Use this new link to answer (the link sent before no longer works):\n\n{link}\n\nThe "
         "link works once, until {valid_until}. Please do not forward it: anyone who has it can answer.",
         ("name", "requester", "link", "valid_until")),
    # An activity is named by its type and date only: its title is the author's free text and may
    # name a patient, and its reflection, evidence and feedback are never sent (README, "Notifications").
    Kind(ACTIVITY_SUBMITTED, "An activity is waiting for your sign-off",
         "Dear {name},\n\n{author} has submitted an activity for you to sign off or return: {activity_type}, "
         "on {occurred_on}.\n\nRead it and decide (you will be asked to sign in):\n\n{link}",
         ("name", "author", "activity_type", "occurred_on", "link")),
    Kind(ACTIVITY_UNMANAGED, "An activity has nobody to sign it off",
         "Dear {name},\n\n{author} has submitted an activity for sign-off, but nobody can sign it off: "
         "they are unmanaged (no line manager who may decide, and no manager's scope over their team). "
         "Give them a line manager or a manager for their team. The activities waiting like this are "
         "listed here (you will be asked to sign in):\n\n{link}", ("name", "author", "link")),
    Kind(ACTIVITY_SIGNED_OFF, "Your activity was signed off",
         "Dear {name},\n\n{decided_by} has signed off your activity: {activity_type}, on {occurred_on}."
         "{feedback_note}\n\nSee it in your portfolio (you will be asked to sign in):\n\n{link}",
         ("name", "decided_by", "activity_type", "occurred_on", "feedback_note", "link")),
    Kind(ACTIVITY_RETURNED, "Your activity was returned with feedback",
         "Dear {name},\n\n{decided_by} has returned your activity to you with feedback: {activity_type}, "
         "on {occurred_on}. Read the feedback, change the activity and submit it again (you will be asked "
         "to sign in):\n\n{link}", ("name", "decided_by", "activity_type", "occurred_on", "link")),
    Kind(REMINDER, "A reminder to log your communication skills development",
         "Dear {name},\n\n{sender} has sent you a reminder: log and submit your communication-skills "
         "development for {year}. See what is left to do on My year (you will be asked to sign in):"
         "\n\n{link}", ("name", "sender", "year", "link")),
    # Digests carry counts only: no author, title or anything typed (notifications/jobs.py).
    Kind(SUBMISSIONS_DIGEST, "Activities waiting for your sign-off: {waiting}",
         "Dear {name},\n\nThis is your daily summary. {waiting_words} waiting for you to sign off or "
         "return. Open your sign-off queue (you will be asked to sign in):\n\n{link}",
         ("name", "waiting", "waiting_words", "link")),
    Kind(YEAR_END_REMINDER, "{days} left to complete your communication skills development",
         "Dear {name},\n\nThe development year {year} ends on {ends_on}, in {days}, and you have not "
         "yet met this year's requirement. See what is left to do on My year (you will be asked to sign "
         "in):\n\n{link}", ("name", "year", "ends_on", "days", "link")),
    Kind(WEEKLY_DIGEST, "Your team this week: {waiting} waiting, {not_started} not started",
         "Dear {name},\n\nThis is your weekly summary for {year}.\n\n{waiting_words} waiting for your "
         "sign-off.\nIn your teams, {not_started_words} not started yet.\n\nSee your team (you will be asked "
         "to sign in):\n\n{link}", ("name", "year", "waiting", "waiting_words", "not_started",
                                      "not_started_words", "link")),
    # Always sent. The link opens the list of the requester's prepared exports, after sign-in.
    Kind(EXPORT_READY, "Your export is ready to download",
         "Dear {name},\n\nThe file you asked for is ready: {export}. Download it here (you will be asked "
         "to sign in; only you can download it):\n\n{link}\n\nIt will be removed on {available_until}.",
         ("name", "export", "link", "available_until")),
)}


@dataclass(frozen=True)
class Message:
    subject: str
    body: str


def check_fields(kind: str, fields: dict) -> None:
    """The fields must be exactly the kind's: nothing missing, nothing more."""
    if kind not in KINDS:
        raise Refused(f"There is no notification of kind {kind!r}.")
    wanted = set(KINDS[kind].fields)
    if set(fields) != wanted:
        raise Refused(f"A {kind} notification takes the fields {', '.join(sorted(wanted))}.")


def message(kind: str, fields: dict) -> Message:
    template = KINDS[kind]
    # A name typed or imported with a line break would break the Subject header (the mail library
    # refuses it, and the message could never be sent): the subject reads it on one line.
    one_line = {name: " ".join(str(value).split()) for name, value in fields.items()}
    return Message(template.subject.format(**one_line), template.body.format(**fields) + _SIGN_OFF)
