"""Changes to the organisation tree, keeping the dated closure table and unit periods in step.

A move or rename takes effect on a day: the rows that held until then end the day before and new
rows start on it, so figures of earlier days (closed years above all) keep the tree of their time.
Every change is one set of writes in the caller's transaction; the caller commits.
"""
from __future__ import annotations

from datetime import date, timedelta

from flask import current_app
from sqlalchemy import delete, func, insert, or_, select, update

from tracker import appraisal_year
from tracker.extensions import db
from tracker.models import SINCE_EVER, OrganisationUnit, PersonPeriod, UnitClosure, UnitKind, UnitPeriod
from tracker.refusal import Refused
from tracker.templating import long_date
from tracker.year_closing import ensure_open


def ensure_may_date(on: date, field: str = "on") -> None:
    """A change to the organisation is dated today or earlier, and never inside a closed year."""
    today = appraisal_year.today()
    if on > today:
        raise Refused({field: "The date must be today or in the past."})
    ensure_open(on, today, field=field)


def ensure_unit_open(unit: OrganisationUnit | None, field: str) -> None:
    """Nothing and nobody goes into a closed unit: it is not in today's tree."""
    if unit is not None and unit.closed_on is not None:
        raise Refused({field: f"{unit.name} closed on {long_date(unit.closed_on)}; choose an open unit."})


def add_unit(name: str, kind: UnitKind, parent: OrganisationUnit | None = None,
             on: date = SINCE_EVER) -> OrganisationUnit:
    """Create a unit under `parent`, in the tree from `on` (by default as if always there)."""
    if parent is not None:
        ensure_unit_open(parent, "parent")
        _ensure_in_place_by(parent, on)
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


def _last_placed(unit_ids) -> date | None:
    """The latest day on which any of these units took its place in today's tree."""
    return db.session.scalar(select(func.max(UnitClosure.starts_on))
                             .where(UnitClosure.descendant_id.in_(unit_ids), UnitClosure.current()))


def _ensure_in_place_by(parent: OrganisationUnit, on: date) -> None:
    """A unit goes under `parent` from `on` only if `parent` stood where it stands today on that day."""
    placed = _last_placed([parent.id])
    if placed is not None and placed > on:
        raise Refused({"on": f"{parent.name} has been where it is only since {long_date(placed)}; "
                             "choose that day or later."})


def _ensure_unchanged_after(unit_ids, on: date) -> None:
    """Rows that started after `on` cannot end the day before it: refuse instead."""
    placed = _last_placed(unit_ids)
    if placed is not None and placed > on:
        raise Refused({"on": f"The tree around this unit changed on {long_date(placed)}; choose that day or later."})


def _current_period(unit: OrganisationUnit, on: date) -> UnitPeriod:
    """Today's period of the unit, when it began on or before `on` (a change cannot go before it)."""
    period = db.session.scalar(
        select(UnitPeriod).where(UnitPeriod.unit_id == unit.id, UnitPeriod.ends_on.is_(None)))
    if period.starts_on > on:
        raise Refused("This unit changed after that date already; choose a later date.", field="on")
    return period


def _period_from(unit: OrganisationUnit, on: date) -> UnitPeriod:
    """The unit's period that starts on `on`: today's, when it began that day (a second change on
    one day amends it), else a copy of it while today's ends the day before."""
    period = _current_period(unit, on)
    if period.starts_on == on:
        return period
    period.ends_on = on - timedelta(days=1)
    later = UnitPeriod(unit_id=unit.id, starts_on=on, name=period.name, parent_id=period.parent_id)
    db.session.add(later)
    return later


def _end_closure_rows(condition, on: date) -> None:
    """Today's closure rows matching `condition` hold until the day before `on`; those that began
    on `on` itself never held on any day and go."""
    db.session.execute(delete(UnitClosure).where(condition, UnitClosure.current(), UnitClosure.starts_on >= on))
    db.session.execute(update(UnitClosure).where(condition, UnitClosure.current())
                       .values(ends_on=on - timedelta(days=1)))


def rename_unit(unit: OrganisationUnit, name: str, on: date) -> None:
    """Give `unit` a new name from `on`; earlier days keep the old one."""
    ensure_may_date(on)
    name = (name or "").strip()
    if not name:
        raise Refused("Enter the unit's name.", field="name")
    _period_from(unit, on).name = name
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
    ensure_unit_open(new_parent, "parent")
    _ensure_in_place_by(new_parent, on)
    _ensure_unchanged_after(list(subtree), on)
    old_ancestors = [a for a, _ in _ancestors(unit.id) if a != unit.id]
    _period_from(unit, on).parent_id = new_parent.id
    _end_closure_rows(UnitClosure.ancestor_id.in_(old_ancestors) & UnitClosure.descendant_id.in_(list(subtree)), on)
    rows = [{"ancestor_id": ancestor_id, "descendant_id": descendant_id, "starts_on": on,
             "depth": above + 1 + below}
            for ancestor_id, above in _ancestors(new_parent.id)
            for descendant_id, below in subtree.items()]
    db.session.execute(insert(UnitClosure), rows)
    unit.parent_id = new_parent.id


def close_unit(unit: OrganisationUnit, on: date) -> None:
    """Close `unit` from `on`: its period and closure rows end the day before, so it leaves today's
    tree and lists but stays in the figures of earlier days.

    Refused while anybody is in it on or after `on`, or a unit beneath it is still open then: the
    tree of every later day must hold everyone somewhere.
    """
    ensure_may_date(on)
    if unit.closed_on is not None:
        raise Refused("This unit is already closed.")
    if unit.parent_id is None:
        raise Refused("The organisation itself cannot be closed.")
    people = db.session.scalar(select(func.count(func.distinct(PersonPeriod.person_id))).where(
        PersonPeriod.team_id == unit.id, or_(PersonPeriod.ends_on.is_(None), PersonPeriod.ends_on >= on)))
    if people:
        who = "1 person is" if people == 1 else f"{people} people are"
        raise Refused(f"{unit.name} cannot close: {who} in it on or after that date. Move them to another team first.")
    beneath = db.session.scalar(select(func.count()).select_from(UnitClosure).where(
        UnitClosure.ancestor_id == unit.id, UnitClosure.depth > 0,
        or_(UnitClosure.ends_on.is_(None), UnitClosure.ends_on >= on)))
    if beneath:
        raise Refused(f"{unit.name} cannot close while units beneath it are open. Close or move them first.")
    _ensure_unchanged_after([unit.id], on)
    period = _current_period(unit, on)
    if period.starts_on == on:  # added and closed the same day: it never held
        db.session.delete(period)
    else:
        period.ends_on = on - timedelta(days=1)
    _end_closure_rows(UnitClosure.descendant_id == unit.id, on)
    unit.closed_on = on


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


def organisation_name() -> str:
    """The organisation's name as pages and printouts give it: the configured name, else the top unit's."""
    root = organisation_root()
    return current_app.config.get("ORGANISATION_NAME") or (root.name if root else "")
