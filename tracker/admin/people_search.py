"""The admin's people list: search by name, email or employee number, and filters, read from the
address so that a search can be bookmarked and paged through."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, exists, func, or_, select

from tracker import access
from tracker.extensions import db
from tracker.input_guard import record_id
from tracker.models import TIERS, OrganisationUnit, Person, PersonRole, Role, StaffGroup

# Whether people are in post: the filter's values and the words shown.
STATUSES = {"active": "Active", "left": "Left"}


@dataclass(frozen=True)
class PeopleSearch:
    text: str = ""
    unit: OrganisationUnit | None = None
    role: Role | None = None
    tier: int | None = None
    staff_group: StaffGroup | None = None
    status: str = ""

    @classmethod
    def from_args(cls, args) -> "PeopleSearch":
        """The search the address asks for; a value that names nothing is left out, not an error."""
        unit_id = args.get("team")
        tier = args.get("tier", "")
        return cls(
            text=(args.get("q") or "").strip()[:200],
            unit=db.session.get(OrganisationUnit, record_id(unit_id)) if record_id(unit_id) else None,
            role=next((r for r in Role if r.value == args.get("role")), None),
            tier=int(tier) if tier in {str(t) for t in TIERS} else None,
            staff_group=next((g for g in StaffGroup if g.value == args.get("staff_group")), None),
            status=args.get("status") if args.get("status") in STATUSES else "",
        )

    def args(self, **extra) -> dict:
        """The address arguments of this search (only those chosen), with `extra` on top."""
        chosen = {"q": self.text, "team": self.unit.id if self.unit else None,
                  "role": self.role.value if self.role else None, "tier": self.tier,
                  "staff_group": self.staff_group.value if self.staff_group else None, "status": self.status}
        return {**{k: v for k, v in chosen.items() if v}, **extra}

    @property
    def narrowed(self) -> bool:
        return bool(self.args())

    def apply(self, people: Select) -> Select:
        """`people` narrowed to this search."""
        if self.text:
            text = self.text.lower()
            people = people.where(or_(func.lower(Person.name).contains(text, autoescape=True),
                                      Person.email.contains(text, autoescape=True),
                                      func.lower(Person.employee_number).contains(text, autoescape=True)))
        if self.unit is not None:
            people = people.where(Person.team_id.in_(access.units_under([self.unit.id])))
        if self.role is not None:
            people = people.where(exists().where(PersonRole.person_id == Person.id, PersonRole.role == self.role))
        if self.tier is not None:
            people = people.where(Person.tier == self.tier)
        if self.staff_group is not None:
            people = people.where(Person.staff_group == self.staff_group)
        if self.status:
            people = people.where(Person.active.is_(self.status == "active"))
        return people


def units() -> list[OrganisationUnit]:
    """Every open unit, for the team choices (by name): nobody is placed in a closed one."""
    return list(db.session.scalars(select(OrganisationUnit).where(OrganisationUnit.is_open())
                                   .order_by(OrganisationUnit.name, OrganisationUnit.id)))
