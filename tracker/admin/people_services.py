"""What an admin does to people: create, edit (a change of team, tier or staff group is dated
history), grant and remove roles, deactivate and reactivate. Every change is checked field by
field first, so a refusal names each field and nothing is half written; nothing here commits."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, or_, select

from tracker import appraisal_year, staff_history
from tracker.audit import record
from tracker.auth.services import create_person, email_problem, normalise_email
from tracker.extensions import db
from tracker.input_guard import record_id
from tracker.models import TIERS, OrganisationUnit, Person, PersonRole, Role, StaffGroup
from tracker.organisation import ensure_may_date
from tracker.refusal import Refused

ERASED = "This person has been erased: nothing of theirs can be changed."
LAST_ADMIN_ROLE = ("You are the only active admin, so you cannot remove your own admin role. "
                   "Give someone else the admin role first.")
LAST_ADMIN_DEACTIVATE = ("You are the only active admin, so you cannot deactivate yourself. "
                         "Give someone else the admin role first.")
# The history kept with dates (tracker/staff_history.py), by form field.
DATED_FIELDS = ("team", "tier", "staff_group")


@dataclass
class Details:
    """A person's details as typed on the create or edit form."""

    name: str = ""
    email: str = ""
    employee_number: str = ""
    job_title: str = ""
    staff_group: str = ""
    tier: str = ""
    team: str = ""
    line_manager: str = ""  # their email address or employee number; blank for none
    roles: set[str] = field(default_factory=set)


@dataclass
class Checked:
    """Details that passed every check, as the values to store."""

    name: str
    email: str
    employee_number: str | None
    job_title: str
    staff_group: StaffGroup
    tier: int
    team: OrganisationUnit
    line_manager: Person | None
    roles: set[Role]


def _line_manager(typed: str, person: Person | None) -> tuple[Person | None, str | None]:
    typed = (typed or "").strip()
    if not typed:
        return None, None
    manager = db.session.scalar(select(Person).where(
        or_(Person.email == normalise_email(typed), Person.employee_number == typed)).limit(1))
    if manager is None:
        return None, "No one in the tracker has that email address or employee number."
    if person is not None and manager.id == person.line_manager_id:
        return manager, None  # unchanged: their other details can be saved even if the manager has left
    if not manager.active:
        return None, f"{manager.name} has left, so cannot be a line manager."
    if person is not None and manager.id == person.id:
        return None, "A person cannot be their own line manager."
    if person is not None and _reports_to(manager, person):
        return None, f"{manager.name} reports to {person.name}, directly or through others, so cannot be their line manager."
    return manager, None


def _reports_to(manager: Person, person: Person) -> bool:
    """Whether `manager`'s chain of line managers reaches `person` (which would make a cycle)."""
    seen, current = set(), manager.line_manager_id
    while current is not None and current not in seen:
        if current == person.id:
            return True
        seen.add(current)
        current = db.session.scalar(select(Person.line_manager_id).where(Person.id == current))
    return False


def check(details: Details, person: Person | None = None) -> Checked:
    """The details as values to store, or Refused naming every field that is wrong."""
    errors = {}
    name = (details.name or "").strip()
    if not name:
        errors["name"] = "Enter the person's full name"
    elif len(name) > 200:
        errors["name"] = "The name must be 200 characters or fewer"
    email = normalise_email(details.email)
    problem = email_problem(email, person) if email else "Enter the person's email address"
    if problem:
        errors["email"] = problem
    number = (details.employee_number or "").strip() or None
    if number and len(number) > 20:
        errors["employee_number"] = "The employee number must be 20 characters or fewer"
    elif number:
        taken = select(func.count(Person.id)).where(Person.employee_number == number)
        if person is not None:
            taken = taken.where(Person.id != person.id)
        if db.session.scalar(taken):
            errors["employee_number"] = f"Someone else has the employee number {number}."
    job_title = (details.job_title or "").strip()
    if len(job_title) > 200:
        errors["job_title"] = "The job title must be 200 characters or fewer"
    staff_group = next((g for g in StaffGroup if g.value == details.staff_group), None)
    if staff_group is None:
        errors["staff_group"] = "Choose a staff group"
    tier = int(details.tier) if (details.tier or "").strip() in {str(t) for t in TIERS} else None
    if tier is None:
        errors["tier"] = "Choose a tier from 1 to 3"
    team = db.session.get(OrganisationUnit, record_id(details.team)) if record_id(details.team) else None
    if team is None:
        errors["team"] = "Choose a team"
    manager, problem = _line_manager(details.line_manager, person)
    if problem:
        errors["line_manager"] = problem
    roles = {r for r in Role if r.value in details.roles}
    if errors:
        raise Refused(errors)
    return Checked(name, email, number, job_title, staff_group, tier, team, manager, roles)


def create(actor: Person, details: Details, in_post_from: date | None) -> Person:
    """A new person, in post from `in_post_from` (today or earlier, never in a closed year)."""
    errors = {}
    try:
        checked = check(details)
    except Refused as refused:
        errors.update(refused.errors)
    if in_post_from is None:
        errors["in_post_from"] = "Enter the date they start in post"
    else:
        try:
            ensure_may_date(in_post_from, field="in_post_from")
        except Refused as refused:
            errors.update(refused.errors)
    if errors:
        raise Refused(errors)
    person = create_person(email=checked.email, name=checked.name, team=checked.team, tier=checked.tier,
                           staff_group=checked.staff_group, job_title=checked.job_title, roles=checked.roles,
                           employee_number=checked.employee_number, line_manager=checked.line_manager,
                           in_post_from=in_post_from)
    record(actor, "person.created", person=person, in_post_from=in_post_from.isoformat(),
           team_id=person.team_id, tier=person.tier, staff_group=person.staff_group.value,
           roles=sorted(r.value for r in checked.roles))
    for role in sorted(checked.roles, key=lambda r: r.value):
        record(actor, "role.granted", person=person, role=role.value)
    return person


def _active_admins_besides(person: Person) -> int:
    return db.session.scalar(
        select(func.count(Person.id)).join(PersonRole, PersonRole.person_id == Person.id)
        .where(PersonRole.role == Role.ADMIN, Person.active.is_(True), Person.id != person.id))


def edit(actor: Person, person: Person, details: Details, on: date | None) -> dict:
    """Change `person` to `details`; a new team, tier or staff group holds from `on`. The changes
    made, {field: [old, new]} (empty when nothing changed)."""
    if person.erased_at is not None:
        raise Refused(ERASED)
    errors = {}
    try:
        checked = check(details, person)
    except Refused as refused:
        errors.update(refused.errors)
        checked = None
    dated = {}
    if checked is not None:
        dated = {name: value for name, value, now in (
            ("team", checked.team, person.team), ("tier", checked.tier, person.tier),
            ("staff_group", checked.staff_group, person.staff_group)) if value != now}
        if Role.ADMIN in person.roles and Role.ADMIN not in checked.roles and person.id == actor.id \
                and not _active_admins_besides(person):
            errors["roles"] = LAST_ADMIN_ROLE
    if dated and on is None:
        errors["on"] = "Enter the date the change applies from"
    elif dated:
        try:
            ensure_may_date(on)
        except Refused as refused:
            errors.update(refused.errors)
        if not person.active:
            errors["form"] = "This person has left. Reactivate them before changing their team, tier or staff group."
    if errors:
        raise Refused(errors)
    return _apply(actor, person, checked, dated, on)


# What identifies a person: the audit trail says that it changed, never what it was or became.
IDENTIFYING = ("name", "email", "employee_number")


def _apply(actor: Person, person: Person, checked: Checked, dated: dict, on: date | None) -> dict:
    changes = {}
    plain = {"name": checked.name, "email": checked.email, "employee_number": checked.employee_number,
             "job_title": checked.job_title}
    for name, value in plain.items():
        if getattr(person, name) != value:
            changes[name] = [getattr(person, name), value]
            setattr(person, name, value)
    manager_id = checked.line_manager.id if checked.line_manager else None
    if person.line_manager_id != manager_id:
        # Dated like a move (from the move's day when there is one, else today), so closed years keep theirs.
        changes["line_manager_id"] = [person.line_manager_id, manager_id]
        staff_history.change(person, on if dated else appraisal_year.today(), line_manager=checked.line_manager)
    if dated:
        before = {"team_id": person.team_id, "tier": person.tier, "staff_group": person.staff_group.value}
        staff_history.change(person, on, **dated)
        after = {"team_id": person.team_id, "tier": person.tier, "staff_group": person.staff_group.value}
        changes.update({name: [before[name], after[name]] for name in before if before[name] != after[name]})
    if changes:
        # Names, addresses and numbers would outlive an erasure in the append-only trail: only "changed".
        recorded = {name: "changed" if name in IDENTIFYING else change for name, change in changes.items()}
        record(actor, "person.changed", person=person, changes=recorded,
               **({"from": on.isoformat()} if dated else {}))
    _set_roles(actor, person, checked.roles)
    return changes


def _set_roles(actor: Person, person: Person, roles: set[Role]) -> None:
    """Grant and remove roles. Removing the manager role leaves the person's scopes as they are
    (they are given and taken on "Teams"); their sessions end, as on any change of role."""
    held = person.roles
    if held == roles:
        return
    for grant in [g for g in person.role_grants if g.role not in roles]:
        person.role_grants.remove(grant)
        record(actor, "role.removed", person=person, role=grant.role.value)
    for role in sorted(roles - held, key=lambda r: r.value):
        person.role_grants.append(PersonRole(role=role))
        record(actor, "role.granted", person=person, role=role.value)
    person.rotate_session_token()


def _stint_start(person: Person) -> date | None:
    """The first day of the person's present time in post (periods run on without a gap)."""
    periods = staff_history.periods_of(person)
    if not periods:
        return None
    start = periods[-1]
    for earlier in reversed(periods[:-1]):
        if earlier.ends_on is None or (start.starts_on - earlier.ends_on).days != 1:
            break
        start = earlier
    return start.starts_on


def deactivate(actor: Person, person: Person, on: date | None) -> None:
    """`person` leaves: not in post from `on`, cannot sign in, every session ended."""
    if not person.active:
        raise Refused("This person has already left.")
    if person.id == actor.id and Role.ADMIN in person.roles and not _active_admins_besides(person):
        raise Refused(LAST_ADMIN_DEACTIVATE)
    if on is None:
        raise Refused({"on": "Enter the leaving date"})
    started = _stint_start(person)
    if started is not None and on <= started:
        raise Refused({"on": f"The leaving date must be after they started, on {started:%-d %B %Y}."})
    staff_history.leave(person, on)
    record(actor, "person.deactivated", person=person, left_on=on.isoformat())


def reactivate(actor: Person, person: Person, on: date | None) -> None:
    """`person`, who had left, is in post again from `on`, in the team, tier and staff group they had."""
    if person.erased_at is not None:
        raise Refused(ERASED)
    if on is None:
        raise Refused({"on": "Enter the date they are back in post"})
    staff_history.rejoin(person, on)
    record(actor, "person.reactivated", person=person, back_on=on.isoformat())
