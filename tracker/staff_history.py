"""A person's time in post: joining, moves, tier, staff-group and line-manager changes, leaving and
rejoining.

Every change is dated and recorded as person periods (tracker.models.history), so the figures of a
day before it stay as they were. A change is dated today or earlier and never inside a closed
year (tracker.organisation.ensure_may_date). The person's own columns always hold today's state:
sign-in, scopes and today's pages read them. Changes through the ORM are counted again by the
session hook (tracker.figures.counted); the set-based statements here recount their people
themselves. Nothing here commits.
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import delete, insert, select, update

from tracker import appraisal_year
from tracker.batching import batches
from tracker.extensions import db
from tracker.figures import counted
from tracker.models import SINCE_EVER, OrganisationUnit, Person, PersonPeriod, StaffGroup
from tracker.models.people import new_session_token
from tracker.organisation import ensure_may_date, ensure_unit_open
from tracker.refusal import Refused


def start_in_post(person: Person, on: date = SINCE_EVER) -> PersonPeriod:
    """Record `person` (flushed, with today's team, tier, staff group and line manager) as in post from `on`."""
    period = PersonPeriod(person_id=person.id, starts_on=on, team_id=person.team_id, tier=person.tier,
                          staff_group=person.staff_group, line_manager_id=person.line_manager_id)
    db.session.add(period)
    return period


def periods_of(person: Person) -> list[PersonPeriod]:
    return list(db.session.scalars(
        select(PersonPeriod).where(PersonPeriod.person_id == person.id).order_by(PersonPeriod.starts_on)))


def _split_at(person: Person, on: date) -> list[PersonPeriod]:
    """Make `on` the first day of a period if a period covers it; return the periods from `on` on."""
    periods = periods_of(person)
    for period in periods:
        if period.starts_on < on and (period.ends_on is None or period.ends_on >= on):
            later = PersonPeriod(person_id=person.id, starts_on=on, ends_on=period.ends_on,
                                 team_id=period.team_id, tier=period.tier, staff_group=period.staff_group,
                                 line_manager_id=period.line_manager_id)
            period.ends_on = on - timedelta(days=1)
            db.session.add(later)
            periods.append(later)
    return [p for p in periods if p.starts_on >= on]


# change(line_manager=...) default: the line manager stays (None means "no line manager").
UNCHANGED = object()


def change(person: Person, on: date, *, team: OrganisationUnit | None = None, tier: int | None = None,
           staff_group: StaffGroup | None = None, line_manager: Person | None | object = UNCHANGED) -> None:
    """From `on`, `person` is in `team`, at `tier`, in `staff_group`, with `line_manager` (whichever
    are given; line_manager=None: nobody)."""
    ensure_may_date(on)
    ensure_unit_open(team, "team")
    values = {"team_id": team.id if team else None, "tier": tier, "staff_group": staff_group}
    values = {name: value for name, value in values.items() if value is not None}
    if values and not person.active:
        raise Refused("This person has left; rejoin them first.")
    if line_manager is not UNCHANGED:
        # A leaver has no period from `on`, so only today's value changes for them.
        values["line_manager_id"] = line_manager.id if line_manager is not None else None
    if not values:
        return
    for period in _split_at(person, on):
        for name, value in values.items():
            setattr(period, name, value)
    for name, value in values.items():
        setattr(person, name, value)


def leave(person: Person, on: date) -> None:
    """`person` is no longer in post from `on` (their leaving date): they stop counting from that
    day, cannot sign in, and every session of theirs ends. Their history stays."""
    ensure_may_date(on)
    later = _split_at(person, on)
    db.session.flush()
    if later:
        db.session.execute(delete(PersonPeriod).where(PersonPeriod.id.in_([p.id for p in later])))
        counted.recount_people([person.id])
    person.active = False
    person.rotate_session_token()


def rejoin(person: Person, on: date, *, team: OrganisationUnit | None = None, tier: int | None = None,
           staff_group: StaffGroup | None = None) -> None:
    """`person`, who had left, is in post again from `on` (with today's team, tier and staff
    group unless others are given)."""
    ensure_may_date(on)
    ensure_unit_open(team or person.team, "team")
    if person.active:
        raise Refused("This person is already in post.")
    last = db.session.scalar(
        select(PersonPeriod.ends_on).where(PersonPeriod.person_id == person.id)
        .order_by(PersonPeriod.starts_on.desc()).limit(1))
    if last is not None and last >= on:
        raise Refused({"on": "Choose a day after they left."})
    person.team_id = team.id if team else person.team_id
    person.tier = tier or person.tier
    person.staff_group = staff_group or person.staff_group
    person.active = True
    start_in_post(person, on)


def in_post_today(person: Person) -> PersonPeriod | None:
    """The period that holds today (None when the person is not in post)."""
    today = appraisal_year.today()
    return db.session.scalar(
        select(PersonPeriod).where(PersonPeriod.person_id == person.id, PersonPeriod.starts_on <= today,
                                   (PersonPeriod.ends_on.is_(None)) | (PersonPeriod.ends_on >= today)))


# --- many people at once (the staff import): the same rules, set-based ------------------------

_CHUNK = 500  # ids per IN list: well under every database's bound-parameter limit



def start_many_in_post(people: list[dict], on: date) -> None:
    """start_in_post for many: each of `people` (person_id, team_id, tier, staff_group and optionally
    line_manager_id) in post from `on`."""
    ensure_may_date(on)
    if people:
        db.session.execute(insert(PersonPeriod), [{"line_manager_id": None, **p, "starts_on": on} for p in people])
        counted.recount_people([p["person_id"] for p in people])


_DATED = ("team_id", "tier", "staff_group", "line_manager_id")


def _periods_from(person_ids: list[int], on: date) -> list:
    """The periods (id, person_id, starts_on, ends_on and the dated values) of these people that
    hold on `on` or start after it."""
    found = []
    for ids in batches(person_ids, _CHUNK):
        found += db.session.execute(select(
            PersonPeriod.id, PersonPeriod.person_id, PersonPeriod.starts_on, PersonPeriod.ends_on,
            *[getattr(PersonPeriod, name) for name in _DATED]).where(
            PersonPeriod.person_id.in_(ids), (PersonPeriod.ends_on.is_(None)) | (PersonPeriod.ends_on >= on)))
    return found


def _by_keys(rows: list[dict]) -> list[list[dict]]:
    """Rows grouped by the columns they set (one executemany per group)."""
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    return list(groups.values())


def change_many(changes: dict[int, dict], on: date) -> None:
    """change() for many active people: person id -> whichever of {team_id, tier, staff_group,
    line_manager_id} they hold from `on`."""
    ensure_may_date(on)
    if not changes:
        return
    ends, updates, added = [], [], []
    for period in _periods_from(list(changes), on):
        values = changes[period.person_id]
        if period.starts_on < on:
            ends.append({"id": period.id, "ends_on": on - timedelta(days=1)})
            kept = {name: getattr(period, name) for name in _DATED}
            added.append({"person_id": period.person_id, "starts_on": on, "ends_on": period.ends_on,
                          **kept, **values})
        else:
            updates.append({"id": period.id, **values})
    db.session.flush()
    for rows in [ends, *_by_keys(updates)]:
        if rows:
            db.session.execute(update(PersonPeriod), rows)
    if added:
        db.session.execute(insert(PersonPeriod), added)
    for rows in _by_keys([{"id": person_id, **values} for person_id, values in changes.items()]):
        db.session.execute(update(Person), rows)
    counted.recount_people(changes)


def leave_many(person_ids: list[int], on: date) -> None:
    """leave() for many: none of these people is in post from `on`; every session of theirs ends."""
    ensure_may_date(on)
    if not person_ids:
        return
    ends, later = [], []
    for period in _periods_from(person_ids, on):
        if period.starts_on < on:
            ends.append({"id": period.id, "ends_on": on - timedelta(days=1)})
        else:
            later.append(period.id)
    db.session.flush()
    if ends:
        db.session.execute(update(PersonPeriod), ends)
    for ids in batches(later, _CHUNK):
        db.session.execute(delete(PersonPeriod).where(PersonPeriod.id.in_(ids)))
    db.session.execute(update(Person), [{"id": person_id, "active": False, "session_token": new_session_token()}
                                        for person_id in person_ids])
    counted.recount_people(person_ids)
