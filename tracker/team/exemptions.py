"""Exemptions after they are recorded: corrected, ended early (a return from leave), deleted when
recorded in error; and the open-ended ones, which managers review until they end them.

History never changes: the days an exemption covers in a closed appraisal year stay covered, and
under the same reason. So an exemption that reaches back into a closed year may only have its end
moved, and only within the open years; one lying wholly in closed years cannot change at all.
Functions here validate, write and audit; they never commit (the view does, once).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, select

from tracker import access
from tracker.audit import record
from tracker.extensions import db
from tracker.models import Exemption, ExemptionReason, Person
from tracker.team.services import InvalidInput, ensure_not_oneself, exemption_errors
from tracker.templating import long_date
from tracker.year_closing import closed_message_for, first_open_day


def _reaches_closed_year(exemption: Exemption, today: date) -> bool:
    return exemption.starts_on < first_open_day(today)


def _wholly_closed(exemption: Exemption, today: date) -> bool:
    return exemption.ends_on is not None and exemption.ends_on < first_open_day(today)


def may_change(exemption: Exemption, today: date) -> bool:
    """Pages offer "Change" only while something of it may still change."""
    return not _wholly_closed(exemption, today)


def may_end_early(exemption: Exemption, today: date) -> bool:
    return exemption.ends_on is None or exemption.ends_on > today


def may_delete(exemption: Exemption, today: date) -> bool:
    return not _reaches_closed_year(exemption, today)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _closed_year_errors(exemption: Exemption, new: dict, today: date) -> dict:
    """Messages for the fields whose change would alter a closed year (see the module's note)."""
    errors = {}
    if _reaches_closed_year(exemption, today):
        message = closed_message_for(exemption.starts_on, today)
        for name in ("reason", "reason_detail", "starts_on"):
            if new[name] != getattr(exemption, name):
                errors[name] = message
    elif new["starts_on"] < first_open_day(today):
        errors["starts_on"] = closed_message_for(new["starts_on"], today)
    old_end, new_end = exemption.ends_on, new["ends_on"]
    if old_end != new_end:
        for end in (old_end, new_end):  # neither the old last day nor the new one may lie in a closed year
            if end is not None and end < first_open_day(today):
                errors["ends_on"] = closed_message_for(end, today)
                break
    return errors


def change_exemption(manager: Person, exemption: Exemption, *, reason: ExemptionReason, detail: str,
                     starts_on: date, ends_on: date | None, today: date) -> dict:
    """Correct an exemption; no end date makes it open-ended. Returns what changed (field -> from, to)."""
    ensure_not_oneself(manager, exemption.person_id)
    detail = (detail or "").strip()
    new = {"reason": reason, "reason_detail": detail, "starts_on": starts_on, "ends_on": ends_on}
    errors = exemption_errors(reason=reason, detail=detail, starts_on=starts_on, ends_on=ends_on)
    errors.update(_closed_year_errors(exemption, new, today))
    if errors:
        raise InvalidInput(errors)
    changed = {name: value for name, value in new.items() if getattr(exemption, name) != value}
    if not changed:
        return {}
    # What the trail keeps: dates and the reason, never the free-text detail (it may say too much).
    shown = {name: {"from": _audit_value(getattr(exemption, name)), "to": _audit_value(value)}
             for name, value in changed.items() if name != "reason_detail"}
    if "reason_detail" in changed:
        shown["reason_detail"] = "changed"
    for name, value in changed.items():
        setattr(exemption, name, value)
    record(manager, "exemption.changed", person=exemption.person_id, exemption_id=exemption.id, **shown)
    return changed


def _audit_value(value):
    if isinstance(value, ExemptionReason):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value


def end_exemption(manager: Person, exemption: Exemption, *, ends_on: date, today: date) -> Exemption:
    """End an exemption early: its last day becomes `ends_on` (someone back from leave)."""
    ensure_not_oneself(manager, exemption.person_id)
    errors = {}
    if ends_on < exemption.starts_on:
        errors["ends_on"] = (f"The last day must be the same as or after the day the exemption started, "
                             f"{long_date(exemption.starts_on)}")
    elif exemption.ends_on is not None and ends_on >= exemption.ends_on:
        errors["ends_on"] = f"The last day must be before {long_date(exemption.ends_on)}, when it ends now"
    elif ends_on < first_open_day(today):
        errors["ends_on"] = closed_message_for(ends_on, today)
    if errors:
        raise InvalidInput(errors)
    old = exemption.ends_on
    exemption.ends_on = ends_on
    record(manager, "exemption.ended", person=exemption.person_id, exemption_id=exemption.id,
           ends_on={"from": _iso(old), "to": _iso(ends_on)})
    return exemption


def delete_exemption(manager: Person, exemption: Exemption, *, today: date) -> Exemption:
    """Delete an exemption recorded in error; the trail keeps what it was."""
    ensure_not_oneself(manager, exemption.person_id)
    if _reaches_closed_year(exemption, today):
        raise InvalidInput({"form": closed_message_for(exemption.starts_on, today)})
    record(manager, "exemption.deleted", person=exemption.person_id, exemption_id=exemption.id,
           reason=exemption.reason.value, starts_on=_iso(exemption.starts_on), ends_on=_iso(exemption.ends_on))
    db.session.delete(exemption)
    return exemption


def open_ended(manager: Person) -> Select:
    """Open-ended exemptions of people in post in the manager's scope: the ones to review."""
    return (access.managed_exemptions(manager).join(Person, Person.id == Exemption.person_id)
            .where(Exemption.ends_on.is_(None), Person.active.is_(True)))


def open_ended_count(manager: Person) -> int:
    return db.session.scalar(open_ended(manager).with_only_columns(func.count()).order_by(None)) or 0


def open_ended_rows(manager: Person) -> list:
    """(Exemption, person's name) rows, longest open first."""
    query = open_ended(manager).add_columns(Person.name.label("person_name"))
    return db.session.execute(query.order_by(Exemption.starts_on, Person.name, Exemption.id)).all()


@dataclass
class ExemptionRow:
    """An exemption on a person's page, with what the manager may do to it there."""
    exemption: Exemption
    may_change: bool = False
    may_end_early: bool = False
    may_delete: bool = False


def rows_of(viewer: Person, person: Person, today: date) -> list[ExemptionRow]:
    """The person's exemptions, latest first. Someone who has since left the viewer's scope (seen
    in an earlier year's figures) is shown read-only: their exemptions are their new manager's.
    So are the viewer's own."""
    found = db.session.scalars(
        select(Exemption).where(Exemption.person_id == person.id)
        .order_by(Exemption.starts_on.desc(), Exemption.id.desc())).all()
    # Their own exemptions are read-only too: nobody changes their own (their manager does).
    in_scope = db.session.scalar(access.managed_others(viewer).with_only_columns(Person.id)
                                 .where(Person.id == person.id)) is not None
    if not in_scope:
        return [ExemptionRow(e) for e in found]
    return [ExemptionRow(e, may_change(e, today), may_end_early(e, today), may_delete(e, today)) for e in found]
