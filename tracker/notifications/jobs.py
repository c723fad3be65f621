"""The scheduled e-mails (Celery beat, worker.py): the daily digest of submissions, the year-end
reminders and the managers' weekly digest. Each job reads its recipients and counts in a few
grouped queries, queues one message per recipient under a key that names the day, year or week,
so a job run twice, or by two workers, queues nothing more; nothing here commits. Who receives
what is still decided per message by preferences.wants (in outbox.queue).

Digests carry counts and links only: no author, title or anything a person typed."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Select, distinct, func, select
from sqlalchemy.orm import selectinload

from tracker import access, appraisal_year, compliance
from tracker.auth.account_mail import address_of
from tracker.compliance import Status
from tracker.extensions import db
from tracker.models import NotificationPreference, Person, Role
from tracker.models.notifications import DAILY_DIGEST
from tracker.notifications import messages, outbox
from tracker.plurals import plural
from tracker.roster import Roster
from tracker.templating import long_date

# Days before the year's last day on which the year-end reminder goes (issue 16).
YEAR_END_DAYS = (60, 30, 7)


def _people(ids) -> list[Person]:
    """The recipients (ids, or a select of them: a subquery, not thousands of parameters), each
    with their preferences loaded (wants() then reads no more)."""
    if not isinstance(ids, Select):
        ids = list(ids)
        if not ids:
            return []
    return list(db.session.scalars(
        select(Person).where(Person.id.in_(ids), Person.active.is_(True), Person.erased_at.is_(None))
        .options(selectinload(Person.notification_preference)).order_by(Person.id)))


def _waiting(count: int) -> str:
    return plural(count, "activity is", "activities are")


# --- daily digest of submissions -----------------------------------------------------------------


def submissions_digests(today: date) -> int:
    """One e-mail to each decider who chose the daily digest and has activities waiting: how many
    (their sign-off queue's count). Once per person per day. How many it asked for (a second
    run asks again and finds each already queued)."""
    waiting = access.waiting_by_decider().subquery("waiting")
    counts = dict(db.session.execute(
        select(waiting.c.decider_id, waiting.c.waiting)
        .join(NotificationPreference, NotificationPreference.person_id == waiting.c.decider_id)
        .where(NotificationPreference.submissions == DAILY_DIGEST)).all())
    link = address_of("team.queue")
    queued = 0
    for person in _people(counts):
        row = outbox.queue(messages.SUBMISSIONS_DIGEST, person,
                           key=f"{messages.SUBMISSIONS_DIGEST}:{person.id}:{today.isoformat()}",
                           name=person.name, waiting=str(counts[person.id]),
                           waiting_words=_waiting(counts[person.id]), link=link)
        queued += row is not None
    return queued


# --- year-end reminders ----------------------------------------------------------------------------


def year_end_threshold(days_left: int) -> int | None:
    """The reminder due with `days_left` days to the year's end: the nearest threshold not yet
    passed. A job that missed day 60 and runs on day 58 still sends the 60-day one; on day 29
    only the 30-day one is due, never a late 60-day one."""
    due = [days for days in YEAR_END_DAYS if 0 <= days_left <= days]
    return min(due) if due else None


def year_end_reminders(today: date) -> int:
    """To each person in post, not yet complete and not exempt (the one status rule, one query),
    when the year ends within a threshold: once per person per year per threshold."""
    year = appraisal_year.current_year(today)
    days_left = (year.ends_on - today).days
    threshold = year_end_threshold(days_left)
    if threshold is None:
        return 0
    statuses = compliance.status_query(Roster.of(year, today).people(), year, today).subquery("statuses")
    unfinished = select(statuses.c.person_id).where(
        statuses.c.status.not_in((Status.COMPLETE.value, Status.EXEMPT.value)))
    link = address_of("portfolio.my_year")
    fields = dict(year=year.label, ends_on=long_date(year.ends_on), days=plural(max(days_left, 1), "day"), link=link)
    queued = 0
    for person in _people(unfinished):
        row = outbox.queue(messages.YEAR_END_REMINDER, person,
                           key=f"{messages.YEAR_END_REMINDER}:{person.id}:{year.start_year}:{threshold}",
                           name=person.name, **fields)
        queued += row is not None
    return queued


# --- managers' weekly digest -----------------------------------------------------------------------


def weekly_digests(today: date) -> int:
    """To each manager (or other decider) with activities waiting for them or people in their
    scope not started: the two counts. Once per person per ISO week."""
    year = appraisal_year.current_year(today)
    roster = Roster.of(year, today)
    waiting = dict(db.session.execute(access.waiting_by_decider()).all())
    statuses = compliance.status_query(roster.people(), year, today).subquery("statuses")
    units = access.scope_units_by_manager(roster).subquery("scope_units")
    not_started = dict(db.session.execute(
        select(units.c.manager_id, func.count(distinct(statuses.c.person_id)))
        .join(statuses, statuses.c.team_id == units.c.unit_id)
        .where(statuses.c.status == Status.NOT_STARTED.value)
        .group_by(units.c.manager_id)).all())
    iso = today.isocalendar()
    queued = 0
    for person in _people(set(waiting) | set(not_started)):
        # The team page for managers; the queue for a line manager without the manager role.
        link = address_of("team.dashboard" if Role.MANAGER in person.roles else "team.queue")
        ahead, idle = waiting.get(person.id, 0), not_started.get(person.id, 0)
        row = outbox.queue(messages.WEEKLY_DIGEST, person,
                           key=f"{messages.WEEKLY_DIGEST}:{person.id}:{iso.year}-W{iso.week:02d}",
                           name=person.name, year=year.label, waiting=str(ahead), waiting_words=_waiting(ahead),
                           not_started=str(idle), not_started_words=plural(idle, "person has", "people have"),
                           link=link)
        queued += row is not None
    return queued
