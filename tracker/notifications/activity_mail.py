"""The e-mails about activities: a submission to its decider (or, with none, to the education
leads, else the admins), a decision to its author, a manager's reminder to each person reminded. Each is queued in the
caller's transaction (notifications.outbox), so a change rolled back sends nothing; nothing here
commits. Links need sign-in.

An activity is named by its type and date, never its title: the title is the author's free text
and may name a patient. Reflection, evidence and feedback are never sent; the e-mail says where to
read them."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker import access
from tracker.auth.account_mail import address_of
from tracker.counting import undo_window
from tracker.extensions import db
from tracker.models import Activity, ActivityStatus, Person, PersonRole, Role
from tracker.notifications import messages, outbox
from tracker.templating import long_date

# The author hears of a decision only once it can no longer be undone (counting.undo_window). The
# message is queued with the decision, in its transaction, but due only when the window has
# closed, and an undo takes it back in the undo's own transaction: the outbox's due time is the
# wait, so there is no sweep and no "told" column. The minute more keeps a worker whose clock runs
# a little ahead of the web server's from sending while an undo may still succeed.
TOLD_MARGIN = timedelta(minutes=1)


def _moment(at: datetime) -> str:
    """The same words for a moment read back from SQLite (naive UTC) as for the one written."""
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC).isoformat()


def _about(activity: Activity) -> dict:
    return {"activity_type": activity.activity_type.label, "occurred_on": long_date(activity.occurred_on)}


def _holders_of(role: Role) -> list[Person]:
    return list(db.session.scalars(select(Person).join(PersonRole, PersonRole.person_id == Person.id)
                                   .where(PersonRole.role == role, Person.active.is_(True)).order_by(Person.id)))


def unmanaged_told() -> list[Person]:
    """Who hears of a submission nobody can decide on: the education leads, or the admins when
    the organisation has no education lead."""
    return _holders_of(Role.EDUCATION_LEAD) or _holders_of(Role.ADMIN)


def submitted(activity: Activity) -> None:
    """To the activity's decider; with none, to the education leads (or the admins), saying the
    author is unmanaged. Once per submission (an activity withdrawn or returned and submitted
    again is a new one). A decider who chose the daily digest hears of it there (jobs.py)."""
    author = activity.owner
    key = f"{activity.id}:{_moment(activity.submitted_at)}"
    decider = access.decider_of(activity)
    if decider is not None:
        outbox.queue(messages.ACTIVITY_SUBMITTED, decider, key=f"{messages.ACTIVITY_SUBMITTED}:{key}",
                     name=decider.name, author=author.name, **_about(activity),
                     link=address_of("team.activity", activity_id=activity.id))
        return
    link = address_of("admin.unmanaged")
    for told in unmanaged_told():
        outbox.queue(messages.ACTIVITY_UNMANAGED, told, key=f"{messages.ACTIVITY_UNMANAGED}:{key}:{told.id}",
                     name=told.name, author=author.name, link=link)


def _decision_key(activity_id: int, submitted_at: datetime | None) -> str:
    # One decision stands on a submission at a time (an undo takes its message back first), so the
    # submission names it; a later submission (after a return) has its own.
    return f"decision:{activity_id}:{_moment(submitted_at) if submitted_at else 'never'}"


def decided(activity: Activity, status: ActivityStatus, decided_by: Person, decided_at: datetime,
            *, with_feedback: bool) -> None:
    """To the author, due when the decision's undo window has closed."""
    author = activity.owner
    fields = dict(name=author.name, decided_by=decided_by.name, **_about(activity),
                  link=address_of("portfolio.activity", activity_id=activity.id))
    if status == ActivityStatus.SIGNED_OFF:
        kind = messages.ACTIVITY_SIGNED_OFF
        fields["feedback_note"] = " They left feedback for you: read it on the activity's page." if with_feedback else ""
    else:
        kind = messages.ACTIVITY_RETURNED
    outbox.queue(kind, author, key=_decision_key(activity.id, activity.submitted_at),
                 not_before=decided_at + undo_window() + TOLD_MARGIN, **fields)


def decision_undone(activity_id: int) -> None:
    """The decision was undone within its window: its message, not yet due, is taken back."""
    # Read here, not from the caller's copy: an undo may act on an activity read before a change.
    submitted_at = db.session.scalar(select(Activity.submitted_at).where(Activity.id == activity_id))
    outbox.withdraw(_decision_key(activity_id, submitted_at))


def reminded(sender: Person, notices: list[tuple[int, int]], year_label: str) -> None:
    """One e-mail per reminder notice (notice id, person id) just written."""
    # Their notification settings with them: queue() reads each person's, asking nothing more.
    people = {person.id: person for person in db.session.scalars(
        select(Person).where(Person.id.in_({person_id for _, person_id in notices}))
        .options(selectinload(Person.notification_preference)))}
    link = address_of("portfolio.my_year")
    for notice_id, person_id in notices:
        person = people[person_id]
        outbox.queue(messages.REMINDER, person, key=f"{messages.REMINDER}:{notice_id}", name=person.name,
                     sender=sender.name, year=year_label, link=link)
