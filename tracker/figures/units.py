"""The organisation units figures are grouped by, read from the closure table."""
from __future__ import annotations

from sqlalchemy import Subquery, func, select

from tracker.extensions import db
from tracker.models import OrganisationUnit, UnitClosure, UnitKind


def child_units(parent_id: int) -> list[OrganisationUnit]:
    return list(db.session.scalars(
        select(OrganisationUnit).where(OrganisationUnit.parent_id == parent_id).order_by(OrganisationUnit.name)
    ))


def units_beneath(unit_ids) -> dict[int, int]:
    """team/unit id -> which of `unit_ids` it lies under (itself included)."""
    rows = db.session.execute(
        select(UnitClosure.descendant_id, UnitClosure.ancestor_id).where(UnitClosure.ancestor_id.in_(list(unit_ids)))
    )
    return {descendant: ancestor for descendant, ancestor in rows}


def directorate_names() -> Subquery:
    """team id -> the name of the directorate above it (as a subquery)."""
    directorate = OrganisationUnit.__table__.alias("directorate")
    return (
        select(UnitClosure.descendant_id.label("unit_id"), func.min(directorate.c.name).label("name"))
        .join(directorate, directorate.c.id == UnitClosure.ancestor_id)
        .where(directorate.c.kind == UnitKind.DIRECTORATE.value)
        .group_by(UnitClosure.descendant_id)
        .subquery("directorates")
    )
