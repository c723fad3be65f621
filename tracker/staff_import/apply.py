"""Carry out a staff import plan in the caller's transaction: new teams, new people, updates,
moves and leavers (dated with the extract's date, through tracker.staff_history), one audit
event. Set-based: a few statements per thousand people, never one per row. Nothing commits."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update

from tracker import audit
from tracker.batching import batches
from tracker.extensions import db
from tracker.models import OrganisationUnit, Person, UnitKind
from tracker.organisation import add_unit
from tracker.refusal import Refused
from tracker.staff_history import change_many, leave_many, rejoin, start_many_in_post
from tracker.staff_import.plan import Plan

APPLIED = "import.applied"
_CHUNK = 500


@dataclass(frozen=True)
class Applied:
    created: int
    updated: int
    unchanged: int
    deactivated: int
    teams_created: int
    without_email: int


def apply_plan(plan: Plan, actor=None, new_teams_parent: OrganisationUnit | None = None) -> Applied:
    """Write the plan; Refused (and nothing written) when it has invalid rows or new teams and no parent."""
    if not plan.ready:
        raise Refused({"file": f"The file has {len(plan.invalid)} invalid "
                               f"{'row' if len(plan.invalid) == 1 else 'rows'}: correct them and upload it again."})
    if plan.new_teams and new_teams_parent is None:
        raise Refused({"parent": "Choose the unit the new teams go under."})
    on = plan.options.extract_date
    teams = {key: _new_team(key, new_teams_parent, on).id for key in plan.new_teams}
    ids = _create(plan, teams, on)
    if any("manager" in u.values for u in plan.updates) or any(e.manager for e in plan.creates):
        ids = _employee_ids() | ids  # line managers are named by employee number
    _update(plan, teams, ids, on)
    _managers_of_new_people(plan, ids, on)
    for chunk in batches(plan.adopted, _CHUNK):
        db.session.execute(update(Person).where(Person.id.in_(chunk)).values(from_import=True))
    leave_many([leaver.person_id for leaver in plan.leavers], on)
    result = Applied(len(plan.creates), len(plan.updates), plan.unchanged, len(plan.leavers), len(teams),
                     plan.without_email)
    audit.record(actor, APPLIED, extract_date=on.isoformat(), whole_organisation=plan.options.whole_organisation,
                 **result.__dict__)
    return result



def _new_team(key: tuple[str, str], parent: OrganisationUnit, on) -> OrganisationUnit:
    code, name = key
    unit = add_unit(name, UnitKind.TEAM, parent, on=on)
    unit.code = code or None
    return unit


def _create(plan: Plan, teams: dict, on) -> dict[str, int]:
    """Insert the new people and start them in post on the extract's date: employee number -> id."""
    if not plan.creates:
        return {}
    db.session.execute(Person.__table__.insert(), [{
        "employee_number": e.employee_number, "email": e.email, "name": e.name, "job_title": e.job_title or "",
        "staff_group": e.staff_group, "tier": e.tier, "team_id": e.unit_id if e.unit_id is not None else teams[e.new_team],
        "active": True, "from_import": True,
    } for e in plan.creates])
    ids: dict[str, int] = {}
    for chunk in batches([e.employee_number for e in plan.creates], _CHUNK):
        ids.update(db.session.execute(select(Person.employee_number, Person.id)
                                      .where(Person.employee_number.in_(chunk))).all())
    start_many_in_post([{"person_id": ids[e.employee_number], "team_id": e.unit_id or teams.get(e.new_team),
                         "tier": e.tier, "staff_group": e.staff_group} for e in plan.creates], on)
    return ids


def _manager_id(ref, ids: dict[str, int]) -> int | None:
    kind, value = ref
    if kind == "id":
        return value
    return ids.get(value)


def _employee_ids() -> dict[str, int]:
    return dict(db.session.execute(select(Person.employee_number, Person.id)
                                   .where(Person.employee_number.is_not(None))).all())


def _update(plan: Plan, teams: dict, ids: dict[str, int], on) -> None:
    plain, emails, dated, rejoining = [], [], {}, []
    current = _dated_now([u.person_id for u in plan.updates if {"team", "tier", "staff_group"} & set(u.values)])
    for change in plan.updates:
        values = change.values
        row = {"id": change.person_id}
        row.update({key: values[key] for key in ("name", "job_title") if key in values})
        if "manager" in values and values.get("rejoin"):
            row["line_manager_id"] = _manager_id(values["manager"], ids)  # rejoin() starts a period with it
        elif "manager" in values:
            dated.setdefault(change.person_id, {})["line_manager_id"] = _manager_id(values["manager"], ids)
        if len(row) > 1:
            plain.append(row)
        if "email" in values:
            emails.append({"id": change.person_id, "email": values["email"]})
        if values.get("rejoin"):
            rejoining.append(change)
        elif change.person_id in current:
            team = values.get("team", current[change.person_id]["team_id"])
            dated.setdefault(change.person_id, {}).update({**current[change.person_id], **{
                key: values[key] for key in ("tier", "staff_group") if key in values},
                "team_id": teams.get(team, team)})
    for group in _same_keys(plain):
        db.session.execute(update(Person), group)
    if emails:  # two steps, so that two people swapping addresses never collide
        db.session.execute(update(Person), [{"id": e["id"], "email": None} for e in emails])
        db.session.execute(update(Person), emails)
    change_many(dated, on)
    for change in rejoining:
        person = db.session.get(Person, change.person_id)
        team = change.values.get("team")
        rejoin(person, on, team=db.session.get(OrganisationUnit, teams.get(team, team)) if team else None,
               tier=change.values.get("tier"), staff_group=change.values.get("staff_group"))


def _same_keys(rows: list[dict]) -> list[list[dict]]:
    """Rows grouped by the columns they set (one executemany per group)."""
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    return list(groups.values())


def _dated_now(person_ids: list[int]) -> dict[int, dict]:
    found = {}
    for chunk in batches(person_ids, _CHUNK):
        for row in db.session.execute(select(Person.id, Person.team_id, Person.tier, Person.staff_group)
                                      .where(Person.id.in_(chunk))):
            found[row.id] = {"team_id": row.team_id, "tier": row.tier, "staff_group": row.staff_group}
    return found


def _managers_of_new_people(plan: Plan, ids: dict[str, int], on) -> None:
    """New people's line managers, once every new person has an id (one may manage another);
    their first period, which starts on `on`, carries it too."""
    change_many({ids[e.employee_number]: {"line_manager_id": _manager_id(e.manager, ids)}
                 for e in plan.creates if e.manager is not None}, on)
