"""The organisation as it stood on one day: who was in post, in which team, at which tier and in
which staff group, and the unit tree with the names of the time.

Every figure for an appraisal year reads the roster of the year's reference day (its last day once
it has ended, today while it runs), for the numerator and the denominator alike, so a move, tier
change, leaver or renamed unit recorded later never changes a closed year.

A *people selection* is a select with the columns id, team_id, tier and staff_group (one row per
person in post): `Roster.people()` makes one, access narrows it to a viewer's scope, the filters
narrow it further, and the figures read its columns by name.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property

from sqlalchemy import Select, Subquery, func, select

from tracker.appraisal_year import AppraisalYear
from tracker.extensions import db
from tracker.models import OrganisationUnit, Person, PersonPeriod, UnitClosure, UnitKind, UnitPeriod, in_force


def ids_of(people: Select) -> Select:
    """The person ids of a people selection (for IN clauses)."""
    return people.with_only_columns(people.selected_columns.id).order_by(None)


def reference_day(year: AppraisalYear, today: date) -> date:
    """The day a year's figures are judged on: today during the year, its last day once ended."""
    return min(today, year.ends_on)


@dataclass(frozen=True)
class UnitOfTheDay:
    """A unit as it was on the roster's day (its name then)."""

    id: int
    name: str
    kind: UnitKind
    parent_id: int | None


# Above this many ids, units() filters every unit of the day in Python rather than sending an IN list.
MANY_UNITS = 200


@dataclass(frozen=True)
class Roster:
    day: date

    @classmethod
    def of(cls, year: AppraisalYear, today: date) -> "Roster":
        return cls(reference_day(year, today))

    # --- people ---------------------------------------------------------------------

    def people(self) -> Select:
        """Everyone in post on the day (a people selection)."""
        return select(PersonPeriod.person_id.label("id"), PersonPeriod.team_id, PersonPeriod.tier,
                      PersonPeriod.staff_group).where(in_force(PersonPeriod, self.day))

    def in_units(self, people: Select, unit_ids) -> Select:
        """`people` narrowed to those whose team lay under any of `unit_ids` on the day."""
        return people.where(people.selected_columns.team_id.in_(self.units_under(unit_ids)))

    def person(self, person: Person) -> Select:
        """One person as a people selection: as they were on the day, or as they are today when
        they were not in post then (their own pages still show their year)."""
        then = self.people().where(PersonPeriod.person_id == person.id)
        if db.session.scalar(then.with_only_columns(func.count())):
            return then
        return select(Person.id, Person.team_id, Person.tier, Person.staff_group).where(Person.id == person.id)

    # --- the unit tree ----------------------------------------------------------------

    def units_under(self, unit_ids) -> Select:
        """Ids of the given units and every unit beneath them on the day."""
        return select(UnitClosure.descendant_id).where(
            UnitClosure.ancestor_id.in_(unit_ids), in_force(UnitClosure, self.day))

    def closure(self) -> Subquery:
        """(ancestor_id, descendant_id, depth) of the day's tree."""
        return (select(UnitClosure.ancestor_id, UnitClosure.descendant_id, UnitClosure.depth)
                .where(in_force(UnitClosure, self.day)).subquery("closure_then"))

    def beneath(self, unit_ids) -> dict[int, int]:
        """unit id -> which of `unit_ids` it lay under on the day (itself included)."""
        rows = db.session.execute(
            select(UnitClosure.descendant_id, UnitClosure.ancestor_id)
            .where(UnitClosure.ancestor_id.in_(list(unit_ids)), in_force(UnitClosure, self.day)))
        return {descendant: ancestor for descendant, ancestor in rows}

    def unit_names(self) -> Subquery:
        """(unit_id, name, parent_id) of every unit that existed on the day."""
        return (select(UnitPeriod.unit_id, UnitPeriod.name, UnitPeriod.parent_id)
                .where(in_force(UnitPeriod, self.day)).subquery("units_then"))

    @cached_property
    def every_unit(self) -> list[UnitOfTheDay]:
        """Every unit of the day, by name (read once per roster: a few thousand rows at most)."""
        return self._units_where()

    def above_another(self, unit_ids) -> set[int]:
        """Those of `unit_ids` with another of them beneath on the day, from the day's parents
        (thousands of ids in an IN list cost more to compile than to run)."""
        wanted = set(unit_ids)
        parent = {unit.id: unit.parent_id for unit in self.every_unit}
        above: set[int] = set()
        for unit_id in wanted:
            ancestor = parent.get(unit_id)
            for _ in range(len(parent)):  # a tree: never more steps than units
                if ancestor is None:
                    break
                if ancestor in wanted:
                    above.add(ancestor)
                ancestor = parent.get(ancestor)
        return above

    def units(self, unit_ids) -> list[UnitOfTheDay]:
        if not isinstance(unit_ids, Select) and len(unit_ids) > MANY_UNITS:
            wanted = set(unit_ids)
            return [unit for unit in self.every_unit if unit.id in wanted]
        return self._units_where(lambda names: names.c.unit_id.in_(
            unit_ids if isinstance(unit_ids, Select) else list(unit_ids)))

    def _units_where(self, condition=None) -> list[UnitOfTheDay]:
        """Units of the day by name, those `condition(unit_names)` holds for (all when None)."""
        names = self.unit_names()
        query = (select(names.c.unit_id, names.c.name, OrganisationUnit.kind, names.c.parent_id)
                 .join(OrganisationUnit, OrganisationUnit.id == names.c.unit_id).order_by(names.c.name))
        if condition is not None:
            query = query.where(condition(names))
        return [UnitOfTheDay(*row) for row in db.session.execute(query)]

    def as_it_was(self, unit: OrganisationUnit | None):
        """`unit` named as it was on the day (as it is today if it did not exist then)."""
        if unit is None:
            return None
        then = self.units([unit.id])
        return then[0] if then else unit

    def children(self, parent_id: int) -> list[UnitOfTheDay]:
        names = self.unit_names()
        return self.units(select(names.c.unit_id).where(names.c.parent_id == parent_id))

    def directorate_names(self) -> Subquery:
        """team id -> the name (on the day) of the directorate it lay under (as a subquery)."""
        names = self.unit_names()
        closure = self.closure()
        return (
            select(closure.c.descendant_id.label("unit_id"), func.min(names.c.name).label("name"))
            .join(names, names.c.unit_id == closure.c.ancestor_id)
            .join(OrganisationUnit, OrganisationUnit.id == closure.c.ancestor_id)
            .where(OrganisationUnit.kind == UnitKind.DIRECTORATE)
            .group_by(closure.c.descendant_id)
            .subquery("directorates")
        )
