"""The decider rule, two ways: access.decider_of (Python, walking up the tree by parent) and
access.decider_id (SQL, through the closure table) name the same person for every activity, and
the queues, the sign-off UPDATE's WHERE and the unmanaged list follow from that one answer."""
from __future__ import annotations

import random
from datetime import date

import pytest
from sqlalchemy import select

from tests.factories import make_activity, make_activity_type, make_person, make_unit
from tracker import access
from tracker.extensions import db
from tracker.models import Activity, ActivityStatus, Person, PersonRole, Role, UnitKind

DAY = date(2026, 5, 12)
ROLE_MIXES = [(), (), (), ("manager",), ("manager",), ("education_lead",), ("admin",),
              ("manager", "education_lead"), ("manager", "admin")]


def build_organisation(seed: int) -> list[Activity]:
    """An organisation of uneven depth with every awkward arrangement the rule must survive: managers
    sharing a unit, scopes with and without the role, leavers, education leads and admins as line
    managers, people who are their own line manager, teams nobody covers."""
    rng = random.Random(seed)
    trust = make_unit(f"Trust {seed}", UnitKind.ORGANISATION)
    units = [trust]
    for d in range(3):
        directorate = make_unit(f"Directorate {seed}-{d}", UnitKind.DIRECTORATE, trust)
        units.append(directorate)
        parents = [directorate]
        if d != 1:  # one directorate has care groups between it and its teams
            parents = [make_unit(f"Care group {seed}-{d}-{g}", UnitKind.CARE_GROUP, directorate) for g in range(2)]
            units.extend(parents)
        units.extend(make_unit(f"Team {seed}-{d}-{t}", UnitKind.TEAM, rng.choice(parents)) for t in range(4))
    teams = [u for u in units if u.kind == UnitKind.TEAM]
    # Nobody holds scope over the trust or the last directorate's units, so some teams are uncovered.
    last = units.index(next(u for u in units if u.name == f"Directorate {seed}-2"))
    scopable = units[1:last]
    people: list[Person] = []
    for _ in range(45):
        roles = rng.choice(ROLE_MIXES)
        # Scope without the manager role happens in imported data; it must not make a decider.
        scope = rng.sample(scopable, rng.choice((0, 1, 1, 2))) if roles or rng.random() < 0.2 else []
        line_manager = rng.choice(people) if people and rng.random() < 0.7 else None
        people.append(make_person(rng.choice(teams), roles=roles, scope=scope, line_manager=line_manager,
                                  active=rng.random() > 0.15))
    for person in rng.sample(people, 3):
        person.line_manager_id = person.id
    db.session.flush()
    activity_type = make_activity_type()
    return [make_activity(p, activity_type, occurred_on=DAY, status=ActivityStatus.SUBMITTED) for p in people]


def sql_deciders() -> dict[int, int | None]:
    return dict(db.session.execute(
        select(Activity.id, access.decider_id(Person)).join(Person, Person.id == Activity.owner_id)).all())


def ids(query) -> set[int]:
    return set(db.session.scalars(query.with_only_columns(Activity.id)))


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_python_and_sql_name_the_same_decider(db_session, seed):
    activities = build_organisation(seed)
    python = {a.id: (d.id if (d := access.decider_of(a)) else None) for a in activities}
    sql = sql_deciders()
    assert {a.id: sql[a.id] for a in activities} == python
    assert any(d is None for d in python.values()) and any(d is not None for d in python.values())
    for activity in activities:
        assert python[activity.id] != activity.owner_id  # never the author


@pytest.mark.parametrize("seed", [5, 6])
def test_queues_and_the_update_clause_follow_the_one_decider(db_session, seed):
    activities = build_organisation(seed)
    decider = {a.id: (d.id if (d := access.decider_of(a)) else None) for a in activities}
    for viewer in db.session.scalars(select(Person)).all():
        mine = {a_id for a_id, d in decider.items() if d == viewer.id}
        assert ids(access.sign_off_queue(viewer)) == mine, viewer
        assert ids(select(Activity).where(access.may_decide(viewer))) == mine, viewer
        if mine:
            assert access.can(viewer, "sign_off"), viewer
        waiting = ids(access.waiting_in_scope(viewer))
        assert not waiting & mine
    admin = make_person(activities[0].owner.team, roles=["admin"])
    assert ids(access.unmanaged_activities(admin)) == {a_id for a_id, d in decider.items() if d is None}


def test_managers_of_the_same_unit_go_by_lowest_id(db_session):
    trust = make_unit("Trust", UnitKind.ORGANISATION)
    directorate = make_unit("Directorate", UnitKind.DIRECTORATE, trust)
    team = make_unit("Team", UnitKind.TEAM, directorate)
    make_person(trust, roles=["manager"], scope=[trust])  # further away: never chosen
    first = make_person(directorate, roles=["manager"], scope=[directorate])
    make_person(directorate, roles=["manager"], scope=[directorate])
    author = make_person(team)
    activity = make_activity(author, make_activity_type(), occurred_on=DAY, status=ActivityStatus.SUBMITTED)
    assert access.decider_of(activity).id == first.id
    assert sql_deciders()[activity.id] == first.id


def test_a_kept_queue_statement_follows_changes_to_the_manager_and_their_people(db_session):
    """The queue's statements are kept per process by the viewer's id and the two facts of the rule
    read from their row (access/decider.py): a change to either, or to the people, shows at once."""
    trust = make_unit("Trust", UnitKind.ORGANISATION)
    team = make_unit("Team", UnitKind.TEAM, trust)
    manager = make_person(team, roles=["manager"], scope=[team])
    report = make_person(team, line_manager=manager)
    other = make_person(team)  # no line manager: the nearest scope manager decides
    kind = make_activity_type()
    waiting = {p.id: make_activity(p, kind, occurred_on=DAY, status=ActivityStatus.SUBMITTED).id
               for p in (report, other)}

    def queue() -> set[int]:
        assert db.session.scalar(access.sign_off_queue_count(manager)) == len(ids(access.sign_off_queue(manager)))
        return ids(access.sign_off_queue(manager))

    assert queue() == set(waiting.values())
    manager.role_grants = [PersonRole(role=Role.ADMIN)]  # organisation-wide only: decides for nobody
    db.session.flush()
    db.session.expire(manager)
    assert queue() == set()
    manager.role_grants = [PersonRole(role=Role.MANAGER)]
    db.session.flush()
    db.session.expire(manager)
    assert queue() == set(waiting.values())
    second = make_person(team, roles=["manager"])
    report.line_manager_id = second.id  # the report's new line manager decides for them
    db.session.flush()
    assert queue() == {waiting[other.id]}
