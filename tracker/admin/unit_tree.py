"""Today's unit tree as the Teams pages show it: every open unit with its kind, how many people
are in it, and its managers, in three queries whatever the size of the organisation."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Select, case, func, select

from tracker.extensions import db
from tracker.models import ManagerScope, OrganisationUnit, Person, UnitClosure, UnitKind

# Levels open when the page loads: the organisation, so its directorates show, folded.
LEVELS_OPEN = 1
SEARCH_LIMIT = 50


@dataclass
class Node:
    id: int
    name: str
    kind: UnitKind
    parent_id: int | None
    depth: int = 0
    people: int = 0  # in the unit and every unit beneath it, today
    people_here: int = 0  # in the unit itself
    managers: list[str] = field(default_factory=list)
    children: list["Node"] = field(default_factory=list)

    @property
    def is_open_by_default(self) -> bool:
        return self.depth < LEVELS_OPEN


@dataclass
class Tree:
    roots: list[Node]
    by_id: dict[int, Node]

    def path(self, node: Node) -> list[Node]:
        """The units above `node`, the top first."""
        trail = []
        while node.parent_id in self.by_id:
            node = self.by_id[node.parent_id]
            trail.append(node)
        return trail[::-1]

    def path_text(self, node: Node) -> str:
        return " › ".join(n.name for n in [*self.path(node), node])

    def in_order(self) -> list[Node]:
        """Every unit, each after its parent (depth first, by name)."""
        ordered, stack = [], list(reversed(self.roots))
        while stack:
            node = stack.pop()
            ordered.append(node)
            stack.extend(reversed(node.children))
        return ordered


def people_counts(unit_ids: Select) -> dict[int, tuple[int, int]]:
    """unit id -> (people in it and beneath it, people in it itself), today: one GROUP BY."""
    rows = db.session.execute(
        select(UnitClosure.ancestor_id, func.count(Person.id),
               func.coalesce(func.sum(case((UnitClosure.depth == 0, 1), else_=0)), 0))
        .join(Person, Person.team_id == UnitClosure.descendant_id)
        .where(UnitClosure.current(), Person.active.is_(True), UnitClosure.ancestor_id.in_(unit_ids))
        .group_by(UnitClosure.ancestor_id))
    return {unit_id: (total, here) for unit_id, total, here in rows}


def managers_of(unit_ids: Select) -> dict[int, list[str]]:
    """unit id -> the names of the people with manager scope over it."""
    names = defaultdict(list)
    for unit_id, name in db.session.execute(
            select(ManagerScope.unit_id, Person.name).join(Person, Person.id == ManagerScope.person_id)
            .where(ManagerScope.unit_id.in_(unit_ids)).order_by(Person.name)):
        names[unit_id].append(name)
    return names


def todays_tree(units: Select) -> Tree:
    """The tree of the given open units (an access scope, e.g. access.administered_units)."""
    ids = units.with_only_columns(OrganisationUnit.id).order_by(None)
    rows = db.session.execute(units.with_only_columns(
        OrganisationUnit.id, OrganisationUnit.name, OrganisationUnit.kind, OrganisationUnit.parent_id)
        .order_by(func.lower(OrganisationUnit.name), OrganisationUnit.id))
    by_id = {row.id: Node(row.id, row.name, row.kind, row.parent_id) for row in rows}
    counts, managers = people_counts(ids), managers_of(ids)
    roots = []
    for node in by_id.values():
        node.people, node.people_here = counts.get(node.id, (0, 0))
        node.managers = managers.get(node.id, [])
        parent = by_id.get(node.parent_id)
        (parent.children if parent else roots).append(node)
    tree = Tree(roots, by_id)
    for node in tree.in_order():
        parent = by_id.get(node.parent_id)
        node.depth = parent.depth + 1 if parent else 0
    return tree


def search(units: Select, text: str) -> tuple[list[int], int]:
    """Ids of the units whose name holds `text` (any case), the first SEARCH_LIMIT by name, and
    how many match in all."""
    matching = units.where(func.lower(OrganisationUnit.name).contains(text.lower(), autoescape=True))
    total = db.session.scalar(matching.with_only_columns(func.count()).order_by(None))
    ids = db.session.scalars(matching.with_only_columns(OrganisationUnit.id)
                             .order_by(func.lower(OrganisationUnit.name), OrganisationUnit.id).limit(SEARCH_LIMIT))
    return list(ids), total


def around(units: Select, unit_id: int) -> Tree:
    """The tree of one unit's ancestors and everything beneath it (for the unit's own page)."""
    beneath = select(UnitClosure.descendant_id).where(UnitClosure.ancestor_id == unit_id, UnitClosure.current())
    above = select(UnitClosure.ancestor_id).where(UnitClosure.descendant_id == unit_id, UnitClosure.current())
    return todays_tree(units.where(OrganisationUnit.id.in_(beneath.union(above))))
