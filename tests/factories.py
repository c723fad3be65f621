"""Small builders for test data. Each flushes, none commits (the test's transaction is rolled back)."""
from __future__ import annotations

import itertools
from datetime import date

from sqlalchemy import insert

from tracker import activity_codes
from tracker.auth.services import hash_password
from tracker.extensions import db
from tracker.figures import upkeep
from tracker.models import (
    Activity,
    ActivityStatus,
    ActivityType,
    ManagerScope,
    OrganisationUnit,
    SINCE_EVER,
    Person,
    PersonPeriod,
    PersonRole,
    Role,
    StaffGroup,
    UnitKind,
    activity_behaviour,
)
from tracker.organisation import add_unit
from tracker.staff_history import start_in_post

PASSWORD = "correct-horse-battery"
_PASSWORD_HASH = None
_seq = itertools.count(1)


def password_hash() -> str:
    global _PASSWORD_HASH
    if _PASSWORD_HASH is None:
        _PASSWORD_HASH = hash_password(PASSWORD)
    return _PASSWORD_HASH


def make_unit(name: str | None = None, kind: UnitKind = UnitKind.TEAM, parent: OrganisationUnit | None = None) -> OrganisationUnit:
    return add_unit(name or f"Unit {next(_seq)}", kind, parent)


def make_tree() -> dict[str, OrganisationUnit]:
    """trust -> (cancer -> ward7, clinic), (surgery -> theatres)."""
    trust = make_unit("Test Trust", UnitKind.ORGANISATION)
    cancer = make_unit("Cancer Services", UnitKind.DIRECTORATE, trust)
    surgery = make_unit("Surgery", UnitKind.DIRECTORATE, trust)
    return {
        "trust": trust,
        "cancer": cancer,
        "surgery": surgery,
        "ward7": make_unit("Ward 7 (Oncology)", UnitKind.TEAM, cancer),
        "clinic": make_unit("Chemotherapy Day Unit", UnitKind.TEAM, cancer),
        "theatres": make_unit("Main Theatres", UnitKind.TEAM, surgery),
    }


def make_person(team: OrganisationUnit, *, email: str | None = None, tier: int = 2, roles=(),
                scope: list[OrganisationUnit] = (), line_manager: Person | None = None, active: bool = True,
                staff_group: StaffGroup = StaffGroup.NURSING_MIDWIFERY, name: str | None = None) -> Person:
    n = next(_seq)
    person = Person(
        email=(email or f"person{n}@example.org").lower(), name=name or f"Person {n}", job_title="Nurse",
        staff_group=staff_group, tier=tier, team_id=team.id, active=active, password_hash=password_hash(),
        line_manager_id=line_manager.id if line_manager else None,
    )
    person.role_grants = [PersonRole(role=Role(r)) for r in roles]
    db.session.add(person)
    db.session.flush()
    if active:
        start_in_post(person)
    for unit in scope:
        db.session.add(ManagerScope(person_id=person.id, unit_id=unit.id))
    db.session.flush()
    return person


def make_activity_type(code: str = "observed", experiential: bool = True) -> ActivityType:
    activity_type = ActivityType(code=f"{code}-{next(_seq)}", label=code.title(), experiential=experiential)
    db.session.add(activity_type)
    db.session.flush()
    return activity_type


def make_activity(owner: Person, activity_type: ActivityType, *, occurred_on: date, minutes: int = 60,
                  status: ActivityStatus = ActivityStatus.SIGNED_OFF, behaviours=(), title: str = "Activity") -> Activity:
    activity = Activity(owner_id=owner.id, occurred_on=occurred_on, title=title, type_id=activity_type.id,
                        duration_minutes=minutes, status=status, reflection={})
    activity.behaviours = list(behaviours)
    db.session.add(activity)
    db.session.flush()
    return activity


def build_directorate(name: str, teams: int, people: int, email: str, trust, activity_type, behaviours,
                      day: date) -> Person:
    """A directorate of `teams` teams and `people` people under one manager, each with one activity on
    `day` (statuses and tiers in turn, three behaviours each), written in bulk for size tests."""
    directorate = make_unit(name, UnitKind.DIRECTORATE, trust)
    units = [make_unit(f"{name} team {i}", UnitKind.TEAM, directorate) for i in range(teams)]
    manager = make_person(units[0], email=email, tier=3, roles=["manager"], scope=[directorate])
    # Bulk inserts that let the database number the rows (so PostgreSQL's sequences stay right).
    person_ids = db.session.scalars(insert(Person).returning(Person.id, sort_by_parameter_order=True), [
        {"email": f"{email.split('@')[0]}-{i}@example.org", "name": f"Person {i:04d}",
         "staff_group": list(StaffGroup)[i % 9], "tier": 1 + i % 3, "team_id": units[i % teams].id,
         "line_manager_id": manager.id, "password_hash": password_hash(), "active": True, "session_token": f"t{email}{i}"}
        for i in range(people)
    ]).all()
    # In post since ever, so that the year's roster (which every figure reads) holds them.
    db.session.execute(insert(PersonPeriod), [
        {"person_id": person_ids[i], "starts_on": SINCE_EVER, "team_id": units[i % teams].id, "tier": 1 + i % 3,
         "staff_group": list(StaffGroup)[i % 9], "line_manager_id": manager.id}
        for i in range(people)
    ])
    statuses = list(ActivityStatus)
    activity_ids = db.session.scalars(insert(Activity).returning(Activity.id, sort_by_parameter_order=True), [
        {"owner_id": person_ids[i], "occurred_on": day, "title": "Practice", "type_id": activity_type.id,
         "duration_minutes": 90, "status": statuses[i % 4], "reflection": {}, "manager_may_read": False}
        for i in range(people)
    ]).all()
    db.session.execute(insert(activity_behaviour), [
        {"activity_id": activity_ids[i], "behaviour_id": behaviours[(i + k) % len(behaviours)].id}
        for i in range(people) for k in range(3)
    ])
    activity_codes.fill(activity_ids)
    upkeep.rebuild_year(upkeep.year_of(day))  # bulk writes bypass the session's upkeep, as the demo load's do
    return manager


def make_cancer_managers(tree: dict):
    """The managers the sign-off tests share: a director over Cancer Services, and the ward and
    clinic managers beneath, whose line manager the director is."""
    director = make_person(tree["cancer"], email="director@example.org", tier=3, roles=["manager"],
                           scope=[tree["cancer"]], name="Dina Director")
    ward_manager = make_person(tree["ward7"], email="manager@example.org", tier=3, roles=["manager"],
                               scope=[tree["ward7"]], line_manager=director, name="Wyn Wardmanager")
    clinic_manager = make_person(tree["clinic"], email="clinic@example.org", tier=3, roles=["manager"],
                                 scope=[tree["clinic"]], line_manager=director, name="Cleo Clinicmanager")
    return director, ward_manager, clinic_manager



def make_prepared_export(requester: Person, upload_folder: str, content: bytes = b"\xef\xbb\xbfActivity id\r\n"):
    """A prepared export that is ready: its row, and its file where the download looks for it."""
    import secrets
    from datetime import UTC, datetime, timedelta
    from pathlib import Path

    from tracker.models import PreparedExport
    from tracker.models.prepared_exports import READY
    from tracker.reports.prepared import FOLDER

    now = datetime.now(UTC)
    export = PreparedExport(requester_id=requester.id, kind="activities", format="csv", filters={"year": "all"},
                            status=READY, estimated_rows=0, rows=0, size_bytes=len(content),
                            stored_name=secrets.token_hex(16), file_name="activities-all-years.csv", created_at=now,
                            ready_at=now, expires_at=now + timedelta(days=7))
    folder = Path(upload_folder) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{export.stored_name}.csv").write_bytes(content)
    db.session.add(export)
    db.session.flush()
    return export
