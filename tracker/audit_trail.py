"""Reading the audit trail: filters, pages newest first (keyset, so the millionth row costs what
the first does), each event in plain words, and the filtered rows for the CSV export."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Iterator
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, func, or_, select, text
from sqlalchemy.orm import aliased

from tracker.audit_words import action_words, detail_words
from tracker.extensions import db
from tracker.models import AuditEvent, AuditSubject, Person
from tracker.paging import PAGE_SIZE

LONDON = ZoneInfo("Europe/London")
# Who an event names when nobody was signed in: the command line, a scheduled job, the sign-in page.
NOBODY = "No one signed in"
# A subject whose mapping was erased: the row stays, the person can no longer be named.
ERASED = "Erased person"
PERSON_SEARCH_MAX = 200


@dataclass(frozen=True)
class TrailFilters:
    person: str = ""  # part of a name or e-mail address: who acted, or whom the event was about
    action: str = ""
    from_day: date | None = None  # days in Europe/London, both included
    to_day: date | None = None

    def args(self) -> dict[str, str]:
        """The filters as the page's query string, for links that keep them (paging, export)."""
        args = {}
        if self.person:
            args["person"] = self.person
        if self.action:
            args["action"] = self.action
        for name, day in (("from_day", self.from_day), ("to_day", self.to_day)):
            if day is not None:
                args.update({f"{name}-day": str(day.day), f"{name}-month": str(day.month),
                             f"{name}-year": str(day.year)})
        return args


def _contains(column, text_: str):
    escaped = text_.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(f"%{escaped.lower()}%", escape="\\")


def subjects_matching(person: str) -> Select:
    """Subject ids of the people whose name or e-mail address contains the text."""
    return (select(AuditSubject.subject_id).join(Person, Person.id == AuditSubject.person_id)
            .where(or_(_contains(Person.name, person), _contains(Person.email, person))))


def people_matching(person: str) -> list[str]:
    """Names of the people the search finds (shown so the admin knows whom the list covers)."""
    return db.session.scalars(
        select(Person.name).join(AuditSubject, AuditSubject.person_id == Person.id)
        .where(or_(_contains(Person.name, person), _contains(Person.email, person)))
        .order_by(Person.name).limit(PERSON_SEARCH_MAX)).all()


def london_midnight(day: date) -> datetime:
    """The start of a day in Europe/London, in UTC (how times are stored)."""
    return datetime.combine(day, time(0), tzinfo=LONDON).astimezone(UTC)


def filtered(filters: TrailFilters) -> Select:
    """The events the filters keep (not yet ordered)."""
    query = select(AuditEvent)
    if filters.person:
        subjects = subjects_matching(filters.person)
        query = query.where(or_(AuditEvent.actor_subject_id.in_(subjects), AuditEvent.about_subject_id.in_(subjects)))
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.from_day is not None:
        query = query.where(AuditEvent.occurred_at >= london_midnight(filters.from_day))
    if filters.to_day is not None:
        query = query.where(AuditEvent.occurred_at < london_midnight(filters.to_day + timedelta(days=1)))
    return query


def actions_present() -> list[str]:
    """Every action the trail holds, in order: a skip scan over the action index (one probe per
    distinct action, not a read of every row)."""
    return list(db.session.scalars(text(
        "WITH RECURSIVE present(action) AS ("
        " SELECT MIN(action) FROM audit_event"
        " UNION ALL"
        " SELECT (SELECT MIN(action) FROM audit_event WHERE action > present.action)"
        " FROM present WHERE present.action IS NOT NULL)"
        " SELECT action FROM present WHERE action IS NOT NULL")))


# --- one event as shown ----------------------------------------------------------------------


@dataclass(frozen=True)
class EventLine:
    id: int
    when: datetime  # Europe/London
    who: str
    who_subject: str | None
    action: str
    what: str
    about: str
    about_subject: str | None
    activity_id: int | None
    address: str
    details: str


def _named(subject_id: str | None, name: str | None, nobody: str) -> str:
    if subject_id is None:
        return nobody
    return name if name is not None else ERASED


def london_time(moment: datetime) -> datetime:
    # SQLite hands times back without their zone; they were stored in UTC.
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LONDON)


def with_names(query: Select) -> Select:
    """The events query (AuditEvent rows) with the actor's and the subject's names added, through
    the subject mapping: (AuditEvent, actor's name, subject's name) rows, in the query's order."""
    actor_map, about_map = aliased(AuditSubject), aliased(AuditSubject)
    actor, about = aliased(Person), aliased(Person)
    return (query.add_columns(actor.name, about.name)
            .outerjoin(actor_map, actor_map.subject_id == AuditEvent.actor_subject_id)
            .outerjoin(actor, actor.id == actor_map.person_id)
            .outerjoin(about_map, about_map.subject_id == AuditEvent.about_subject_id)
            .outerjoin(about, about.id == about_map.person_id))


def line_of(event: AuditEvent, actor_name: str | None, about_name: str | None) -> EventLine:
    return EventLine(
        id=event.id, when=london_time(event.occurred_at),
        who=_named(event.actor_subject_id, actor_name, NOBODY), who_subject=event.actor_subject_id,
        action=event.action, what=action_words(event.action),
        about=_named(event.about_subject_id, about_name, ""), about_subject=event.about_subject_id,
        activity_id=event.activity_id, address=event.client_address or "", details=detail_words(event.detail),
    )


# --- pages, newest first -----------------------------------------------------------------------


@dataclass
class TrailPage:
    lines: list[EventLine] = field(default_factory=list)
    newer: int | None = None  # the event id the "Newer events" link starts after
    older: int | None = None  # the event id the "Older events" link starts before


def _newest_first(query: Select) -> Select:
    return query.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())


def _beyond(cursor: AuditEvent, older: bool):
    """Events older (or newer) than the cursor event, in the list's order (time, then id). Written
    as a range on the time (which the time index answers) narrowed by the tie-break on the id."""
    at, key = cursor.occurred_at, cursor.id
    if older:
        return and_(AuditEvent.occurred_at <= at, or_(AuditEvent.occurred_at < at, AuditEvent.id < key))
    return and_(AuditEvent.occurred_at >= at, or_(AuditEvent.occurred_at > at, AuditEvent.id > key))


def page_of_trail(filters: TrailFilters, *, before: int | None = None, after: int | None = None) -> TrailPage:
    """One page of the filtered trail: the newest events, or those just older than `before`, or just
    newer than `after` (a cursor naming no event reads as the newest page)."""
    before = db.session.get(AuditEvent, before) if before is not None else None
    after = db.session.get(AuditEvent, after) if after is not None else None
    query = filtered(filters)
    if after is not None:
        query = query.where(_beyond(after, older=False)).order_by(AuditEvent.occurred_at, AuditEvent.id)
    else:
        if before is not None:
            query = query.where(_beyond(before, older=True))
        query = _newest_first(query)
    rows = db.session.execute(with_names(query.limit(PAGE_SIZE + 1))).all()
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    if after is not None:
        rows.reverse()
    lines = [line_of(*row) for row in rows]
    page = TrailPage(lines)
    if lines:
        # Coming back from older pages (after), older events exist; going on from newer ones
        # (before), newer events exist; otherwise only a row past the page says there are more.
        page.older = lines[-1].id if (after is not None or more) else None
        page.newer = lines[0].id if (before is not None if after is None else more) else None
    return page


def rows_for_export(filters: TrailFilters) -> Iterator[tuple]:
    """Every filtered event, newest first, as CSV rows (see EXPORT_COLUMNS in tracker/admin/audit_trail.py)."""
    query = with_names(_newest_first(filtered(filters)))
    for event, actor_name, about_name in db.session.execute(query.execution_options(yield_per=1000)):
        line = line_of(event, actor_name, about_name)
        yield (line.when.strftime("%Y-%m-%d %H:%M:%S"), line.who, line.who_subject, line.what, line.action,
               line.about, line.about_subject, line.activity_id, line.address, line.details)
