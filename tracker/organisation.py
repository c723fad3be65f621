"""Changes to the organisation tree, keeping the dated closure table and unit periods in step.

A move or rename takes effect on a day: the rows that held until then end the day before and new
rows start on it, so figures of earlier days (closed years above all) keep the tree of their time.
Every change is one set of writes in the caller's transaction; the caller commits.
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import insert, select, update

from tracker import appraisal_year
from tracker.extensions import db
from tracker.models import SINCE_EVER, OrganisationUnit, UnitClosure, UnitKind, UnitPeriod
from tracker.refusal import Refused
from tracker.year_closing import ensure_open


def ensure_may_date(on: date, field: str = "on") -> None:
    """A change to the organisation is dated today or earlier, and never inside a closed year."""
    today = appraisal_year.today()
    if on > today:
        raise Refused({field: "The date must be today or in the past."})
    ensure_open(on, today, field=field)


def add_unit(name: str, kind: UnitKind, parent: OrganisationUnit | None = None,
             on: date = SINCE_EVER) -> OrganisationUnit:
    """Create a unit under `parent`, in the tree from `on` (by default as if always there)."""
    unit = OrganisationUnit(name=name, kind=kind, parent_id=parent.id if parent else None)
    db.session.add(unit)
    db.session.flush()
    db.session.add(UnitPeriod(unit_id=unit.id, starts_on=on, name=name, parent_id=unit.parent_id))
    rows = [{"ancestor_id": unit.id, "descendant_id": unit.id, "depth": 0, "starts_on": on}]
    if parent is not None:
        rows += [{"ancestor_id": ancestor_id, "descendant_id": unit.id, "depth": depth + 1, "starts_on": on}
                 for ancestor_id, depth in _ancestors(parent.id)]
    db.session.execute(insert(UnitClosure), rows)
    return unit


def _ancestors(unit_id: int) -> list[tuple[int, int]]:
    """(ancestor id, depth) of `unit_id` in today's tree, itself included."""
    return list(db.session.execute(
        select(UnitClosure.ancestor_id, UnitClosure.depth)
        .where(UnitClosure.descendant_id == unit_id, UnitClosure.current())
    ))


def _end_current_period(unit: OrganisationUnit, on: date) -> UnitPeriod:
    period = db.session.scalar(
        select(UnitPeriod).where(UnitPeriod.unit_id == unit.id, UnitPeriod.ends_on.is_(None)))
    if period.starts_on >= on:
        raise Refused("This unit changed on or after that date already; choose a later date.", field="on")
    period.ends_on = on - timedelta(days=1)
    return period


def rename_unit(unit: OrganisationUnit, name: str, on: date) -> None:
    """Give `unit` a new name from `on`; earlier days keep the old one."""
    ensure_may_date(on)
    name = (name or "").strip()
    if not name:
        raise Refused("Enter the unit's name.", field="name")
    period = _end_current_period(unit, on)
    db.session.add(UnitPeriod(unit_id=unit.id, starts_on=on, name=name, parent_id=period.parent_id))
    unit.name = name


def move_unit(unit: OrganisationUnit, new_parent: OrganisationUnit, on: date) -> None:
    """Put `unit` (with everything beneath it) under `new_parent` from `on`.

    Refused when `new_parent` is the unit itself or beneath it (a cycle). The closure rows that
    join the moved subtree to its old ancestors end the day before; new ones start on `on`.
    """
    ensure_may_date(on)
    subtree = dict(db.session.execute(
        select(UnitClosure.descendant_id, UnitClosure.depth)
        .where(UnitClosure.ancestor_id == unit.id, UnitClosure.current())
    ).all())
    if new_parent.id in subtree:
        raise Refused("A unit cannot move under itself or a unit beneath it.", field="parent")
    if unit.parent_id == new_parent.id:
        return
    old_ancestors = [a for a, _ in _ancestors(unit.id) if a != unit.id]
    period = _end_current_period(unit, on)
    db.session.add(UnitPeriod(unit_id=unit.id, starts_on=on, name=period.name, parent_id=new_parent.id))
    db.session.execute(
        update(UnitClosure)
        .where(UnitClosure.ancestor_id.in_(old_ancestors), UnitClosure.descendant_id.in_(list(subtree)),
               UnitClosure.current())
        .values(ends_on=on - timedelta(days=1))
    )
    rows = [{"ancestor_id": ancestor_id, "descendant_id": descendant_id, "starts_on": on,
             "depth": above + 1 + below}
            for ancestor_id, above in _ancestors(new_parent.id)
            for descendant_id, below in subtree.items()]
    db.session.execute(insert(UnitClosure), rows)
    unit.parent_id = new_parent.id


def closure_rows(parent_of: dict[int, int | None]) -> list[dict]:
    """All closure rows for a whole tree given child -> parent ids (for bulk loads)."""
    rows = []
    for unit_id in parent_of:
        depth, node = 0, unit_id
        while node is not None:
            rows.append({"ancestor_id": node, "descendant_id": unit_id, "depth": depth, "starts_on": SINCE_EVER})
            node, depth = parent_of[node], depth + 1
    return rows


def organisation_root() -> OrganisationUnit | None:
    return db.session.scalar(
        select(OrganisationUnit).where(OrganisationUnit.parent_id.is_(None)).order_by(OrganisationUnit.id)
    )
