"""Changes to the organisation tree, keeping the closure table in step."""
from __future__ import annotations

from sqlalchemy import insert, select

from tracker.extensions import db
from tracker.models import OrganisationUnit, UnitClosure, UnitKind


def add_unit(name: str, kind: UnitKind, parent: OrganisationUnit | None = None) -> OrganisationUnit:
    """Create a unit under `parent` with its closure rows. The caller commits."""
    unit = OrganisationUnit(name=name, kind=kind, parent_id=parent.id if parent else None)
    db.session.add(unit)
    db.session.flush()
    rows = [{"ancestor_id": unit.id, "descendant_id": unit.id, "depth": 0}]
    if parent is not None:
        for ancestor_id, depth in db.session.execute(
            select(UnitClosure.ancestor_id, UnitClosure.depth).where(UnitClosure.descendant_id == parent.id)
        ):
            rows.append({"ancestor_id": ancestor_id, "descendant_id": unit.id, "depth": depth + 1})
    db.session.execute(insert(UnitClosure), rows)
    return unit


def closure_rows(parent_of: dict[int, int | None]) -> list[dict]:
    """All closure rows for a whole tree given child -> parent ids (for bulk loads)."""
    rows = []
    for unit_id in parent_of:
        depth, node = 0, unit_id
        while node is not None:
            rows.append({"ancestor_id": node, "descendant_id": unit_id, "depth": depth})
            node, depth = parent_of[node], depth + 1
    return rows


def organisation_root() -> OrganisationUnit | None:
    return db.session.scalar(
        select(OrganisationUnit).where(OrganisationUnit.parent_id.is_(None)).order_by(OrganisationUnit.id)
    )
