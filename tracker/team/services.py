"""What managers change: sign-off decisions, exemptions, leadership actions and reminders.

Functions here validate, write and add the audit entry; they know nothing of requests and
never commit (the view does, once). Nothing is written into an appraisal year once it has
closed (tracker.year_closing).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from tracker import access, appraisal_year, compliance
from tracker.compliance import Status
from tracker.roster import Roster
from tracker.refusal import Refused
from tracker.appraisal_year import AppraisalYear
from tracker.audit import record
from tracker.counting import live_activity, undo_window
from tracker.extensions import db
from tracker.figures import upkeep
from tracker.notifications import activity_mail, preferences
from tracker.models import (
    Activity,
    ActivityStatus,
    Exemption,
    ExemptionReason,
    LeadershipAction,
    LeadershipActionKind,
    Notice,
    OrganisationUnit,
    Person,
)
from tracker.year_closing import closed_message, closed_message_for, ensure_open, first_open_day, is_closed

FEEDBACK_MAX = 2000
NOTE_MAX = 1000
DETAIL_MAX = 300
# An exemption with an end date covers a year or two at most; one with no end date yet is
# open-ended and listed for review until it is ended.
LONGEST_EXEMPTION_DAYS = 2 * 366


class InvalidInput(Refused):
    """Field name -> message, for the form to show."""


class AlreadyDecided(Exception):
    """Someone else signed off or returned the activity first."""


SIGN_OFF = "sign_off"
RETURN = "return"


def decide(manager: Person, activity: Activity, decision: str, feedback: str = "", *, today: date) -> None:
    """Sign off or return a submitted activity, while its year is open.

    One conditional UPDATE ... WHERE status = 'submitted' (and the manager's scope, and the open
    years): when two managers act at once the database lets exactly one row change, and the other is told.
    """
    ensure_open(activity.occurred_on, today)
    feedback = (feedback or "").strip()
    if decision not in (SIGN_OFF, RETURN):
        raise InvalidInput({"feedback": "Choose to sign off or return the activity"})
    if decision == RETURN and not feedback:
        raise InvalidInput({"feedback": "Enter feedback so they know what to change"})
    if len(feedback) > FEEDBACK_MAX:
        raise InvalidInput({"feedback": f"Feedback must be {FEEDBACK_MAX} characters or fewer"})
    new_status = ActivityStatus.SIGNED_OFF if decision == SIGN_OFF else ActivityStatus.RETURNED
    now = appraisal_year.now()
    result = db.session.execute(
        update(Activity)
        .where(Activity.id == activity.id, Activity.status == ActivityStatus.SUBMITTED, access.may_decide(manager),
               Activity.occurred_on >= first_open_day(today))
        .values(status=new_status, decided_by_id=manager.id, decided_at=now, feedback=feedback or None,
                updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        ensure_open(activity.occurred_on, today)  # the year closed at midnight while this was checked
        raise AlreadyDecided()
    upkeep.refresh(activity.owner_id, activity.occurred_on)
    record(manager, "activity.signed_off" if decision == SIGN_OFF else "activity.returned",
           person=activity.owner_id, activity=activity.id)
    activity_mail.decided(activity, new_status, manager, now, with_feedback=bool(feedback))


DECIDED = (ActivityStatus.SIGNED_OFF, ActivityStatus.RETURNED)


def undo_decision(decider: Person, activity: Activity, *, today: date) -> ActivityStatus:
    """Put an activity the decider signed off or returned back to submitted, as it was before:
    only by the decider, within the undo window, while its year is open. One conditional UPDATE,
    so a second undo, the author's change or the window closing meanwhile leaves nothing half done.
    Returns the decision undone."""
    ensure_open(activity.occurred_on, today)
    decision = activity.status
    minutes = int(undo_window().total_seconds() // 60)
    if decision not in DECIDED:
        raise Refused("This activity is not signed off or returned, so there is no decision to undo")
    now = appraisal_year.now()
    result = db.session.execute(
        update(Activity)
        .where(Activity.id == activity.id, Activity.decided_by_id == decider.id, Activity.status == decision,
               Activity.decided_at > now - undo_window(), live_activity(),
               Activity.occurred_on >= first_open_day(today))
        .values(status=ActivityStatus.SUBMITTED, decided_by_id=None, decided_at=None, feedback=None,
                updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        ensure_open(activity.occurred_on, today)
        raise Refused(f"A decision can be undone only within {minutes} minutes of making it, "
                      "so this one can no longer be undone")
    upkeep.refresh(activity.owner_id, activity.occurred_on)
    record(decider, "activity.decision_undone", person=activity.owner_id, activity=activity.id,
           decision=decision.value)
    activity_mail.decision_undone(activity.id)
    return decision


class NotAllWaiting(Exception):
    """Some of the activities chosen for signing off together are no longer waiting."""


def sign_off_together(manager: Person, activities: list[Activity], *, today: date) -> int:
    """Sign off several submitted activities at once, by the same rules as one decision: all of
    them or none (one UPDATE whose row count must be all of them; the view rolls back otherwise).
    Each is audited as its own sign-off."""
    ids = sorted({activity.id for activity in activities})
    if not ids:
        raise Refused("Select at least one activity to sign off")
    now = appraisal_year.now()
    result = db.session.execute(
        update(Activity)
        .where(Activity.id.in_(ids), Activity.status == ActivityStatus.SUBMITTED, access.may_decide(manager),
               Activity.occurred_on >= first_open_day(today))
        .values(status=ActivityStatus.SIGNED_OFF, decided_by_id=manager.id, decided_at=now, feedback=None,
                updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != len(ids):
        raise NotAllWaiting()
    preferences.load_for({activity.owner_id for activity in activities})  # one query, not one per author
    for owner_id, occurred_on in {(a.owner_id, upkeep.year_of(a.occurred_on).starts_on) for a in activities}:
        upkeep.refresh(owner_id, occurred_on)
    for activity in activities:
        record(manager, "activity.signed_off", person=activity.owner_id, activity=activity.id,
               signed_off_together=len(ids))
        activity_mail.decided(activity, ActivityStatus.SIGNED_OFF, manager, now, with_feedback=False)
    return len(ids)


def why_not_waiting(activity: Activity, today: date) -> str | None:
    """Why an activity the manager decides on can no longer be signed off now (None: it can). One
    withdrawn or deleted since is not among them (access.withdrawn_from counts those)."""
    if activity.status in DECIDED:
        return "already signed off" if activity.status == ActivityStatus.SIGNED_OFF else "already returned"
    return "its appraisal year has closed" if closed_message_for(activity.occurred_on, today) else None


def read_reflection(viewer: Person, activity: Activity) -> dict:
    """The reflection text, written to the audit trail whenever it is not the reader's own."""
    if not access.may_read_reflection(viewer, activity):
        raise PermissionError("reflection is private")
    if activity.owner_id != viewer.id:
        record(viewer, "reflection.viewed", person=activity.owner_id, activity=activity.id)
    return activity.reflection or {}


def exemption_errors(*, reason: ExemptionReason, detail: str, starts_on: date, ends_on: date | None) -> dict:
    """What is wrong with an exemption's reason and dates (no end: open-ended), field by field."""
    errors = {}
    if reason == ExemptionReason.OTHER and not detail:
        errors["reason_detail"] = "Describe the reason for the exemption"
    if len(detail) > DETAIL_MAX:
        errors["reason_detail"] = f"The reason must be {DETAIL_MAX} characters or fewer"
    if ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = "The end date must be the same as or after the start date"
    elif ends_on is not None and (ends_on - starts_on).days > LONGEST_EXEMPTION_DAYS:
        errors["ends_on"] = "An exemption can last 2 years at most"
    return errors


NOT_FOR_ONESELF = "You cannot record or change your own exemption: your manager does"


def ensure_not_oneself(manager: Person, person_id: int) -> None:
    """Nobody exempts themselves, whoever calls (the views' scope, access.managed_others, has
    already answered "not found")."""
    if person_id == manager.id:
        raise InvalidInput({"form": NOT_FOR_ONESELF})


def record_exemption(manager: Person, person: Person, *, reason: ExemptionReason, detail: str,
                     starts_on: date, ends_on: date | None, today: date) -> Exemption:
    """Record an exemption; without an end date it is open-ended, to be reviewed and ended later."""
    ensure_not_oneself(manager, person.id)
    detail = (detail or "").strip()
    errors = {}
    closed = closed_message_for(starts_on, today)
    if closed:
        errors["starts_on"] = closed
    errors.update(exemption_errors(reason=reason, detail=detail, starts_on=starts_on, ends_on=ends_on))
    if errors:
        raise InvalidInput(errors)
    exemption = Exemption(person_id=person.id, reason=reason, reason_detail=detail, starts_on=starts_on,
                          ends_on=ends_on, recorded_by_id=manager.id)
    db.session.add(exemption)
    db.session.flush()
    record(manager, "exemption.recorded", person=person, reason=reason.value,
           starts_on=starts_on.isoformat(), ends_on=ends_on.isoformat() if ends_on else None,
           exemption_id=exemption.id)
    return exemption


def leadership_action_errors(manager: Person, *, kind: LeadershipActionKind, occurred_on: date,
                             hours: Decimal | None, unit_id: int | None, note: str, today: date) -> dict:
    """What is wrong with a leadership action as entered, field by field (nothing in a closed year)."""
    errors = {}
    if occurred_on > today:
        errors["occurred_on"] = "The date must be today or in the past"
    elif closed := closed_message_for(occurred_on, today):
        errors["occurred_on"] = closed
    if kind == LeadershipActionKind.PROTECTED_TIME and not hours:
        errors["hours"] = "Enter the hours of protected learning time given"
    if hours is not None and not Decimal(0) < hours <= Decimal(10000):
        errors["hours"] = "Hours must be more than 0 and at most 10,000"
    if len(note) > NOTE_MAX:
        errors["note"] = f"The note must be {NOTE_MAX} characters or fewer"
    if unit_id is not None:
        in_scope = db.session.scalar(access.managed_units(manager).where(OrganisationUnit.id == unit_id)
                                     .with_only_columns(OrganisationUnit.id))
        if in_scope is None:
            errors["unit"] = "Choose one of your teams"
    return errors


def record_leadership_action(manager: Person, *, kind: LeadershipActionKind, occurred_on: date,
                             hours: Decimal | None, unit_id: int | None, note: str, today: date) -> LeadershipAction:
    note = (note or "").strip()
    errors = leadership_action_errors(manager, kind=kind, occurred_on=occurred_on, hours=hours, unit_id=unit_id,
                                      note=note, today=today)
    if errors:
        raise InvalidInput(errors)
    action = LeadershipAction(manager_id=manager.id, unit_id=unit_id, kind=kind, occurred_on=occurred_on,
                              hours=hours, note=note)
    db.session.add(action)
    db.session.flush()
    record(manager, "leadership_action.recorded", kind=kind.value, occurred_on=occurred_on.isoformat(),
           leadership_action_id=action.id)
    return action


def reminder_text(sender: Person, year: AppraisalYear) -> str:
    return (f"{sender.name} has sent you a reminder: log and submit your communication-skills "
            f"development for {year.label}.")


# Whom a reminder is for: people who still have something to do this year.
NEEDS_TO_ACT = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.OVERDUE)
LEFT_OUT_BECAUSE = {Status.COMPLETE: "complete", Status.EXEMPT: "exempt",
                    Status.AWAITING_SIGN_OFF: "waiting for sign-off, with nothing more to do"}


@dataclass
class ReminderPlan:
    to_remind: list[tuple[int, str]]  # (id, name), by name
    left_out: dict[str, int]  # reason -> how many

    @property
    def ids(self) -> list[int]:
        return [person_id for person_id, _ in self.to_remind]


def reminder_plan(sender: Person, person_ids: list[int], year: AppraisalYear, today: date) -> ReminderPlan:
    """Of `person_ids` (in the sender's scope), who a reminder for `year` would go to: only people
    who still need to act, never the sender; and how many are left out for each reason."""
    people = access.managed_staff(sender, Roster.of(year, today))
    people = people.where(people.selected_columns.id.in_(set(person_ids)))
    statuses = compliance.status_query(people, year, today).subquery("statuses")
    rows = db.session.execute(
        select(Person.id, Person.name, statuses.c.status).join(statuses, statuses.c.person_id == Person.id)
        .order_by(Person.name, Person.id)).all()
    to_remind, left_out = [], Counter()
    for person_id, name, status in rows:
        status = Status(status)
        if person_id == sender.id:
            left_out["you"] += 1
        elif status in NEEDS_TO_ACT:
            to_remind.append((person_id, name))
        else:
            left_out[LEFT_OUT_BECAUSE[status]] += 1
    return ReminderPlan(to_remind, dict(left_out))


def send_reminders(sender: Person, person_ids: list[int], year: AppraisalYear, today: date) -> tuple[int, int]:
    """An in-app notice and an e-mail to each person, at most one a day each. Returns (sent,
    already reminded).

    The ids must all be people in the sender's scope (the view has checked); a person who had
    a reminder today is skipped by the unique (person, day) constraint, not by a read first,
    so two managers pressing at once still send one. Never to the sender: nobody reminds
    themselves (reminder_plan leaves them out; this holds for any caller).
    """
    ids = sorted(set(person_ids) - {sender.id})
    if is_closed(year, today):  # it asks them to log into the year, which is no longer possible
        raise InvalidInput({"person_id": closed_message(year)})
    if not ids:
        raise InvalidInput({"person_id": "Select at least one person to remind"})
    message = reminder_text(sender, year)
    rows = [{"person_id": pid, "sent_by_id": sender.id, "sent_on": today, "message": message,
             "created_at": datetime.now(UTC)} for pid in ids]
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # RETURNING says exactly who got one (rowcount is not reliable for ON CONFLICT on every driver).
    reminded = db.session.execute(
        insert(Notice).values(rows).on_conflict_do_nothing(index_elements=["person_id", "sent_on"])
        .returning(Notice.id, Notice.person_id)
    ).all()
    sent = len(reminded)
    activity_mail.reminded(sender, [(notice_id, person_id) for notice_id, person_id in reminded], year.label)
    record(sender, "reminder.sent", sent=sent, already_reminded=len(ids) - sent, people=ids[:500])
    return sent, len(ids) - sent


def people_in_scope(manager: Person, person_ids: list[int]) -> list[int]:
    """The ids among `person_ids` that are in the manager's scope (active people only)."""
    if not person_ids:
        return []
    return list(db.session.scalars(
        access.managed_people(manager).with_only_columns(Person.id)
        .where(Person.id.in_(person_ids), Person.active.is_(True))
    ))


def queue_count(viewer) -> int:
    """The number in the "Sign-off queue" menu item: one COUNT query."""
    return db.session.scalar(access.sign_off_queue_count(viewer)) or 0
