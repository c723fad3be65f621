"""The decider: who signs off or returns an activity (part of tracker.access).

One decider per activity (product.md): the author's line manager when they may decide, else the
manager whose scope names the unit nearest above the author's team (lowest id among equals); never
the author. Python for one (decider_of), SQL for many (decider_id), held equal by a unit test; the
queue, the decision page and the sign-off UPDATE all read it from here.
"""
from __future__ import annotations

import functools
from sqlalchemy import ColumnElement, Select, and_, case, exists, func, or_, select, union
from sqlalchemy.orm import aliased

from tracker.access import (
    ORGANISATION_WIDE_ROLES,
    _in_scope,
    _one_or_404,
    _shown_to_others,
    is_organisation_wide,
    units_under,
)
from tracker.counting import live_activity
from tracker.extensions import db
from tracker.roster import Roster
from tracker.models import Activity, ActivityStatus, ManagerScope, Person, PersonRole, Role, UnitClosure


def may_decide_as_line_manager(person: Person) -> bool:
    """Line managers decide unless they have left or hold only organisation-wide roles (an
    education lead or admin without the manager role reports on everyone and signs off nobody)."""
    return bool(person.active) and (Role.MANAGER in person.roles or not person.roles & ORGANISATION_WIDE_ROLES)


def decider_of(activity: Activity) -> Person | None:
    """Who signs off or returns the activity, or None when nobody can (an "unmanaged" activity)."""
    return decider_for(activity.owner)


def decider_for(author: Person) -> Person | None:
    """Who signs off or returns `author`'s activities (the rule depends on the author alone)."""
    line_manager = author.line_manager
    if line_manager is not None and line_manager.id != author.id and may_decide_as_line_manager(line_manager):
        return line_manager
    # Up the tree by parent, not through the closure table that decider_id() reads, so the
    # agreement test compares two readings of the organisation.
    unit = author.team
    while unit is not None:
        scopes = db.session.scalars(select(ManagerScope).where(ManagerScope.unit_id == unit.id))
        managers = [scope.person for scope in scopes
                    if scope.person_id != author.id and scope.person.active and Role.MANAGER in scope.person.roles]
        if managers:
            return min(managers, key=lambda manager: manager.id)
        unit = unit.parent
    return None


def _holds(person, *roles: Role) -> ColumnElement[bool]:
    return exists().where(PersonRole.person_id == person.id, PersonRole.role.in_(roles))


def decider_id(author) -> ColumnElement[int]:
    """decider_of() as SQL: the decider's id for the `author` row (Person or an alias of it), or NULL."""
    line_manager = aliased(Person)
    deciding_line_manager = (
        select(line_manager.id)
        .where(line_manager.id == author.line_manager_id, line_manager.id != author.id,
               line_manager.active.is_(True),
               or_(_holds(line_manager, Role.MANAGER), ~_holds(line_manager, *ORGANISATION_WIDE_ROLES)))
        .correlate(author).scalar_subquery()
    )
    manager = aliased(Person)
    nearest_scope_manager = (
        select(manager.id)
        .join(ManagerScope, ManagerScope.person_id == manager.id)
        .join(UnitClosure, UnitClosure.ancestor_id == ManagerScope.unit_id)
        .where(UnitClosure.descendant_id == author.team_id, UnitClosure.current(), manager.id != author.id,
               manager.active.is_(True), _holds(manager, Role.MANAGER))
        .order_by(UnitClosure.depth, manager.id).limit(1)
        .correlate(author).scalar_subquery()
    )
    return func.coalesce(deciding_line_manager, nearest_scope_manager)


def decides_for_line_reports(person: Person) -> bool:
    """A line manager who may decide, with someone active reporting to them or a leaver's
    submission still waiting: they sign off for their reports even without the manager role."""
    if not may_decide_as_line_manager(person):
        return False
    waiting = exists().where(Activity.owner_id == Person.id, Activity.status == ActivityStatus.SUBMITTED,
                             live_activity())
    return bool(db.session.scalar(select(exists().where(
        Person.line_manager_id == person.id, Person.id != person.id, or_(Person.active.is_(True), waiting)))))


def _people_decided_by(viewer: Person) -> Select:
    """Ids of the people whose activities the viewer decides on: decider_id() == viewer, worked
    out for the viewer's reports and teams as sets rather than person by person (the sign-off
    queue's count is on every manager's page; per person it cost 47 ms of a 10,551-person
    directorate's dashboard on PostgreSQL). The agreement test holds the two equal."""
    return _people_decided_by_id(viewer.id, may_decide_as_line_manager(viewer),
                                 bool(viewer.active) and Role.MANAGER in viewer.roles)


# Statements kept per process: what shapes them is all in the arguments (the viewer's id and the
# two facts of the rule read from their row), and their values are read as the statement runs.
# Building them again cost about 5 ms of CPU on every manager's page (the menu's queue count),
# and a kept statement also keeps its cache key. A few hundred managers per worker at most.
_KEPT = functools.lru_cache(maxsize=512)


@_KEPT
def _people_decided_by_id(viewer_id: int, as_line_manager: bool, as_scope_manager: bool) -> Select:
    parts = []
    if as_line_manager:  # the line manager decides first, whoever else holds scope
        reports = aliased(Person, name="reports")
        parts.append(select(reports.id).where(reports.line_manager_id == viewer_id, reports.id != viewer_id))
    if as_scope_manager:
        parts.append(_uncovered_people_decided_by(viewer_id))
    if not parts:
        return select(Person.id).where(False)
    people = union(*parts).subquery("decided")
    return select(people.c.id)


def _uncovered_people_decided_by(viewer_id: int) -> Select:
    """People in the viewer's teams whose line manager does not decide and for whom the viewer is
    the nearest scope manager. Nearness depends on the team alone, except that nobody decides
    their own activities: the viewer decides for a team they rank first on, and for the one
    person ranked first on a team where the viewer comes second."""
    viewer_teams = units_under(select(ManagerScope.unit_id).where(ManagerScope.person_id == viewer_id))
    manager = aliased(Person, name="scope_manager")
    held = (select(UnitClosure.descendant_id.label("team_id"), ManagerScope.person_id.label("manager_id"),
                   func.min(UnitClosure.depth).label("depth"))
            .join(ManagerScope, ManagerScope.unit_id == UnitClosure.ancestor_id)
            .join(manager, manager.id == ManagerScope.person_id)
            .where(UnitClosure.descendant_id.in_(viewer_teams), UnitClosure.current(),
                   manager.active.is_(True), _holds(manager, Role.MANAGER))
            .group_by(UnitClosure.descendant_id, ManagerScope.person_id).subquery("held"))
    ranked = select(held.c.team_id, held.c.manager_id, func.row_number().over(
        partition_by=held.c.team_id, order_by=(held.c.depth, held.c.manager_id)).label("place")
    ).subquery("ranked")
    # One row per team the viewer ranks first or second on, with who ranks first: a join, not a
    # correlated EXISTS (SQLite would rank every team again for each person).
    teams = (select(ranked.c.team_id,
                    func.max(case((ranked.c.place == 1, ranked.c.manager_id))).label("first_id"),
                    func.max(case((ranked.c.manager_id == viewer_id, ranked.c.place))).label("viewer_place"))
             .where(ranked.c.place <= 2).group_by(ranked.c.team_id).subquery("teams"))
    author, line_manager = aliased(Person, name="author"), aliased(Person, name="line_manager")
    line_manager_decides = and_(
        line_manager.id != author.id, line_manager.active.is_(True),
        or_(line_manager.id.in_(_holding(Role.MANAGER)), line_manager.id.not_in(_holding(*ORGANISATION_WIDE_ROLES))))
    return (select(author.id)
            .join(teams, teams.c.team_id == author.team_id)
            .outerjoin(line_manager, line_manager.id == author.line_manager_id)
            .where(author.id != viewer_id,
                   or_(teams.c.viewer_place == 1, and_(teams.c.viewer_place == 2, teams.c.first_id == author.id)),
                   or_(line_manager.id.is_(None), ~line_manager_decides)))


def _holding(*roles: Role) -> Select:
    return select(PersonRole.person_id).where(PersonRole.role.in_(roles))


def decides_for_anyone(person: Person) -> bool:
    """Whether anyone's activities go to `person` to decide on (the one rule, decider_id)."""
    return bool(person.active) and bool(db.session.scalar(select(exists(_people_decided_by(person)))))


def may_decide(viewer: Person | None, people: Select | None = None) -> ColumnElement[bool]:
    """The WHERE clause a sign-off UPDATE carries, so the rule is re-checked as it writes (the
    viewer's people, or `people` when given)."""
    people = _people_decided_by(viewer) if people is None else people
    return and_(Activity.owner_id.in_(people), _shown_to_others())


def decided_activities(viewer: Person) -> Select:
    """Activities (submitted or decided) the viewer is the decider for, the people read first:
    MATERIALIZED keeps PostgreSQL from testing every submitted activity of the organisation
    against the decider rule (half the queue count's time at 20,000 staff)."""
    return _decided_activities(_people_decided_by(viewer))


@_KEPT
def _decided_activities(people: Select) -> Select:
    people = people.cte("decided_people").prefix_with("MATERIALIZED", dialect="postgresql")
    return select(Activity).where(may_decide(None, select(people.c.id)))


def sign_off_queue(viewer: Person) -> Select:
    """Activities waiting for the viewer's decision."""
    return _waiting(_people_decided_by(viewer))


@_KEPT
def _waiting(people: Select) -> Select:
    return _decided_activities(people).where(Activity.status == ActivityStatus.SUBMITTED)


def sign_off_queue_count(viewer: Person) -> Select:
    """sign_off_queue()'s COUNT (the menu's number on every manager's page)."""
    return _waiting_count(_people_decided_by(viewer))


@_KEPT
def _waiting_count(people: Select) -> Select:
    return _waiting(people).with_only_columns(func.count()).order_by(None)


def waiting_by_decider() -> Select:
    """(decider_id, waiting): sign_off_queue()'s count for every decider at once, one query (the
    digests, notifications/jobs.py)."""
    waiting = (select(decider_id(Person).label("decider_id")).select_from(Activity)
               .join(Person, Person.id == Activity.owner_id)
               .where(Activity.status == ActivityStatus.SUBMITTED, _shown_to_others()).subquery("waiting"))
    return (select(waiting.c.decider_id, func.count().label("waiting"))
            .where(waiting.c.decider_id.is_not(None)).group_by(waiting.c.decider_id))


def scope_units_by_manager(roster: Roster) -> Select:
    """(manager_id, unit_id): managed_staff()'s units for every active manager at once, each unit
    under a scope they hold today, as the tree stood on the roster's day."""
    closure = roster.closure()
    return (select(ManagerScope.person_id.label("manager_id"), closure.c.descendant_id.label("unit_id"))
            .join(closure, closure.c.ancestor_id == ManagerScope.unit_id)
            .join(Person, Person.id == ManagerScope.person_id)
            .where(Person.active.is_(True), _holds(Person, Role.MANAGER)))


def waiting_in_scope(viewer: Person) -> Select:
    """Submitted activities of people in the viewer's scope that another manager decides on (a
    director sees what their ward managers hold only when they ask)."""
    return select(Activity).where(_in_scope(viewer), Activity.status == ActivityStatus.SUBMITTED,
                                  Activity.owner_id.not_in(_people_decided_by(viewer)))


def decision_activity_for(viewer: Person, activity_id: int) -> Activity:
    """An activity the viewer decides on, or 404 (their own included: it goes to their manager)."""
    return _one_or_404(decided_activities(viewer).where(Activity.id == activity_id))


def own_decision_for(viewer: Person, activity_id: int) -> Activity:
    """An activity the viewer signed off or returned (to undo it), or 404 for anyone else."""
    return _one_or_404(select(Activity).where(
        Activity.id == activity_id, Activity.decided_by_id == viewer.id,
        Activity.status.in_((ActivityStatus.SIGNED_OFF, ActivityStatus.RETURNED)), _shown_to_others()))


def withdrawn_from(viewer: Person, activity_ids) -> set[int]:
    """Of `activity_ids`, those of people the viewer decides for that are now drafts again or
    deleted: a page may count them ("withdrawn or deleted by its author"), never show them."""
    return set(db.session.scalars(select(Activity.id).where(
        Activity.id.in_(list(activity_ids)), Activity.owner_id.in_(_people_decided_by(viewer)),
        ~_shown_to_others())))


def recent_decisions(viewer: Person, since) -> Select:
    """The viewer's own decisions made after `since` (those they may still undo), newest first."""
    return (select(Activity)
            .where(Activity.decided_by_id == viewer.id, Activity.decided_at > since,
                   Activity.status.in_((ActivityStatus.SIGNED_OFF, ActivityStatus.RETURNED)), _shown_to_others())
            .order_by(Activity.decided_at.desc(), Activity.id.desc()))


def sign_off_activity_for(viewer: Person, activity_id: int) -> Activity:
    """An activity the viewer decides on, or (to read) one of someone in their scope."""
    return _one_or_404(select(Activity).where(Activity.id == activity_id, or_(may_decide(viewer), _in_scope(viewer))))


def deciders_of(activity_ids) -> dict[int, Person | None]:
    """Activity id -> its decider, for a page of activities (one query)."""
    rows = db.session.execute(
        select(Activity.id, decider_id(Person)).join(Person, Person.id == Activity.owner_id)
        .where(Activity.id.in_(list(activity_ids)))
    ).all()
    people = {p.id: p for p in db.session.scalars(select(Person).where(Person.id.in_({d for _, d in rows if d})))}
    return {activity_id: people.get(decider) for activity_id, decider in rows}


def unmanaged_activities(viewer: Person) -> Select:
    """Submitted activities nobody may decide on, for the admins and education leads to put right
    (they are told of each by e-mail: notifications/activity_mail.py)."""
    if not is_organisation_wide(viewer):
        return select(Activity).where(False)
    return (select(Activity).join(Person, Person.id == Activity.owner_id)
            .where(Activity.status == ActivityStatus.SUBMITTED, live_activity(),
                   decider_id(Person).is_(None),
                   Person.erased_at.is_(None)))  # an erased person's closed year keeps its counts, nothing to put right
