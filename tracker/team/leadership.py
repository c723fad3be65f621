"""Leadership actions after they are recorded: corrected or deleted, by the manager who recorded
them or any manager whose scope covers their unit (tracker.access.leadership_action_for).

Nothing dated in a closed appraisal year changes, and nothing moves into one. Functions here
validate, write and audit; they never commit (the view does, once).
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from tracker.audit import record
from tracker.extensions import db
from tracker.models import LeadershipAction, LeadershipActionKind, Person
from tracker.team.services import InvalidInput, leadership_action_errors
from tracker.year_closing import closed_message_for


def may_change(action: LeadershipAction, today: date) -> bool:
    """Pages offer "Change" and "Delete" only while the action's year is open."""
    return closed_message_for(action.occurred_on, today) is None


def _audit_value(value):
    if isinstance(value, LeadershipActionKind):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.normalize())
    return value


def _snapshot(action: LeadershipAction) -> dict:
    return {"kind": action.kind, "occurred_on": action.occurred_on, "hours": action.hours,
            "unit_id": action.unit_id, "note": action.note}


def change_leadership_action(manager: Person, action: LeadershipAction, *, kind: LeadershipActionKind,
                             occurred_on: date, hours: Decimal | None, unit_id: int | None, note: str,
                             today: date) -> dict:
    """Correct a leadership action. Returns what changed (field -> new value)."""
    note = (note or "").strip()
    errors = leadership_action_errors(manager, kind=kind, occurred_on=occurred_on, hours=hours, unit_id=unit_id,
                                      note=note, today=today)
    if unit_id == action.unit_id:
        errors.pop("unit", None)  # kept as it was: whoever may change the action may keep its team
    if closed := closed_message_for(action.occurred_on, today):
        errors["occurred_on"] = closed
    if errors:
        raise InvalidInput(errors)
    new = {"kind": kind, "occurred_on": occurred_on, "hours": hours, "unit_id": unit_id, "note": note}
    old = _snapshot(action)
    changed = {name: value for name, value in new.items() if old[name] != value}
    if not changed:
        return {}
    for name, value in changed.items():
        setattr(action, name, value)
    record(manager, "leadership_action.changed", leadership_action_id=action.id,
           **{name: {"from": _audit_value(old[name]), "to": _audit_value(value)} for name, value in changed.items()})
    return changed


def delete_leadership_action(manager: Person, action: LeadershipAction, *, today: date) -> LeadershipAction:
    """Delete a leadership action; the trail keeps what it was."""
    if closed := closed_message_for(action.occurred_on, today):
        raise InvalidInput({"form": closed})
    record(manager, "leadership_action.deleted", leadership_action_id=action.id,
           recorded_by_id=action.manager_id,
           **{name: _audit_value(value) for name, value in _snapshot(action).items()})
    db.session.delete(action)
    return action
