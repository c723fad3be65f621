"""What an admin changes in the organisation tree and in manager scopes, each change audited.

The dated rules (today or earlier, never in a closed year, never a cycle) are
tracker.organisation's; here the form's values become units and people, and each change is
recorded. Nothing here commits: the view's commit_or_show_errors does, once.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import delete, func, or_, select

from tracker import access, audit, organisation
from tracker.extensions import db
from tracker.input_guard import record_id
from tracker.models import ManagerScope, OrganisationUnit, Person, PersonRole, Role, UnitKind
from tracker.refusal import Refused

UNIT_ADDED, UNIT_RENAMED, UNIT_MOVED, UNIT_CLOSED = "unit.added", "unit.renamed", "unit.moved", "unit.closed"
SCOPE_GRANTED, SCOPE_REMOVED = "scope.granted", "scope.removed"
NAME_MAX = 200
# Kinds a unit added beneath another may have (the organisation itself is the one root).
KINDS_BENEATH = (UnitKind.DIRECTORATE, UnitKind.CARE_GROUP, UnitKind.TEAM)


def _name(name: str | None) -> str:
    name = (name or "").strip()
    if not name:
        raise Refused({"name": "Enter the unit's name"})
    if len(name) > NAME_MAX:
        raise Refused({"name": f"The name must be {NAME_MAX} characters or fewer"})
    return name


def add_beneath(actor: Person, parent: OrganisationUnit, name: str, kind: str, on: date) -> OrganisationUnit:
    """A new unit under `parent`, in the tree from `on`."""
    name = _name(name)
    kinds = {k.value: k for k in KINDS_BENEATH}
    if kind not in kinds:
        raise Refused({"kind": "Choose what kind of unit it is"})
    organisation.ensure_may_date(on)
    unit = organisation.add_unit(name, kinds[kind], parent, on=on)
    audit.record(actor, UNIT_ADDED, unit_id=unit.id, name=name, kind=kind, parent_id=parent.id, on=on.isoformat())
    return unit


def rename(actor: Person, unit: OrganisationUnit, name: str, on: date) -> None:
    old = unit.name
    name = _name(name)
    if name == old:
        raise Refused({"name": "Enter a name different from the unit's name now"})
    organisation.rename_unit(unit, name, on)
    audit.record(actor, UNIT_RENAMED, unit_id=unit.id, old_name=old, name=name, on=on.isoformat())


def move(actor: Person, unit: OrganisationUnit, parent_id: str | None, on: date) -> None:
    """Put `unit` under the open unit whose id the form chose (refused when that makes a cycle)."""
    parent = None
    if record_id(parent_id) is not None:
        parent = db.session.scalar(access.administered_units(actor).where(OrganisationUnit.id == record_id(parent_id)))
    if parent is None:
        raise Refused({"parent": "Choose the unit to move it under"})
    if parent.id == unit.parent_id:
        raise Refused({"parent": f"{unit.name} is already under {parent.name}"})
    old_parent_id = unit.parent_id
    organisation.move_unit(unit, parent, on)
    audit.record(actor, UNIT_MOVED, unit_id=unit.id, old_parent_id=old_parent_id, parent_id=parent.id,
                 on=on.isoformat())


def close(actor: Person, unit: OrganisationUnit, on: date) -> list[Person]:
    """Close `unit` from `on` (tracker.organisation.close_unit); the scopes over it end with it,
    as a scope over a unit not in today's tree gives nothing. The managers who lost one."""
    organisation.close_unit(unit, on)
    audit.record(actor, UNIT_CLOSED, unit_id=unit.id, name=unit.name, on=on.isoformat())
    managers = scope_holders(unit)
    for manager in managers:
        audit.record(actor, SCOPE_REMOVED, person=manager, unit_id=unit.id, reason="unit closed")
    db.session.execute(delete(ManagerScope).where(ManagerScope.unit_id == unit.id))
    return managers


def scope_holders(unit: OrganisationUnit) -> list[Person]:
    """The people with manager scope over `unit` itself, by name."""
    return list(db.session.scalars(select(Person).join(ManagerScope, ManagerScope.person_id == Person.id)
                                   .where(ManagerScope.unit_id == unit.id).order_by(Person.name, Person.id)))


def give_scope(actor: Person, unit: OrganisationUnit, who: str) -> Person:
    """Give the person with this email address or employee number manager scope over `unit`,
    and the manager role when they lack it. Effective at once: access reads scopes per request."""
    who = (who or "").strip()
    if not who:
        raise Refused({"person": "Enter the person's email address or employee number"})
    person = db.session.scalar(access.visible_people(actor).where(
        Person.active.is_(True), or_(Person.email == who.lower(), Person.employee_number == who)))
    if person is None:
        raise Refused({"person": "Nobody in post has that email address or employee number"})
    held = db.session.scalar(select(func.count()).select_from(ManagerScope).where(
        ManagerScope.person_id == person.id, ManagerScope.unit_id == unit.id))
    if held:
        raise Refused({"person": f"{person.name} already has manager scope over {unit.name}"})
    role_added = Role.MANAGER not in person.roles
    if role_added:
        person.role_grants.append(PersonRole(role=Role.MANAGER))
    db.session.add(ManagerScope(person_id=person.id, unit_id=unit.id))
    audit.record(actor, SCOPE_GRANTED, person=person, unit_id=unit.id, role_added=role_added)
    return person


def take_scope(actor: Person, scope: ManagerScope) -> None:
    """End a manager's scope over a unit (their manager role stays: roles are the People page's)."""
    audit.record(actor, SCOPE_REMOVED, person=scope.person_id, unit_id=scope.unit_id)
    db.session.delete(scope)
