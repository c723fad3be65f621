"""What the tracker holds today that an import is compared with, read in a few set-based queries."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import OrganisationUnit, Person, PersonRole, Role


@dataclass
class Known:
    """Person by employee number (as a row), who holds the admin role, e-mail -> employee number,
    and units by code and by lower-cased name."""

    people: dict[str, object] = field(default_factory=dict)
    by_id: dict[int, object] = field(default_factory=dict)
    admins: set[int] = field(default_factory=set)
    email_owner: dict[str, str | None] = field(default_factory=dict)  # e-mail -> employee number
    unit_by_code: dict[str, int] = field(default_factory=dict)
    units_by_name: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    unit_names: dict[int, str] = field(default_factory=dict)


def load() -> Known:
    known = Known()
    rows = db.session.execute(select(
        Person.id, Person.employee_number, Person.email, Person.name, Person.job_title, Person.staff_group,
        Person.tier, Person.team_id, Person.line_manager_id, Person.active, Person.from_import))
    for row in rows:
        known.by_id[row.id] = row
        if row.employee_number:
            known.people[row.employee_number] = row
        if row.email:
            known.email_owner[row.email] = row.employee_number
    known.admins = set(db.session.scalars(select(PersonRole.person_id).where(PersonRole.role == Role.ADMIN)))
    for unit_id, name, code in db.session.execute(
            select(OrganisationUnit.id, OrganisationUnit.name, OrganisationUnit.code)
            .where(OrganisationUnit.is_open())):  # nobody is placed in a closed unit
        known.unit_names[unit_id] = name
        known.units_by_name[name.strip().lower()].append(unit_id)
        if code:
            known.unit_by_code[code.strip().lower()] = unit_id
    return known


def count_people() -> int:
    return db.session.scalar(select(func.count()).select_from(Person))
