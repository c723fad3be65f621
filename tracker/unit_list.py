"""Every unit of the organisation as the report filter lists it, kept in the process until a unit
is added, renamed or removed.

The filter offers every unit, and a system has thousands: reading and ordering them (2,653 at
100,000 staff) took 6 ms of every report page, a third of what the organisation report grows by
from 20,000 to 100,000 staff. A unit changes rarely, so each change writes a new random token
(`unit_list_version`, in the flush that changes the unit) and a page reads only the token. The
token is random, never counted up: a rolled-back change's token never comes back, so a list kept
under it is never taken for another. Without the row (a database fresh from its migrations, before
any unit changed) nothing is kept: the units are read every time.
"""
from __future__ import annotations

import secrets

from sqlalchemy import String, case, event, select, type_coerce
from sqlalchemy.orm import Session, attributes

from tracker.extensions import db
from tracker.models import OrganisationUnit, UnitKind, UnitListVersion

_ROW = 1
_kept: dict[str, tuple] = {}  # token -> the units as (id, name, kind), the latest only


def new_token() -> str:
    return secrets.token_hex(16)


def kind_order():
    """SQL: the organisation first, then directorates, care groups and teams (UnitKind's order)."""
    return case({kind: i for i, kind in enumerate(UnitKind)}, value=OrganisationUnit.kind)


def every_unit() -> tuple:
    """Every unit as (id, name, kind as stored), organisation first, then by kind and name."""
    token = db.session.scalar(select(UnitListVersion.token).where(UnitListVersion.id == _ROW))
    units = _kept.get(token) if token is not None else None
    if units is None:
        # Plain tuples through the connection (not the ORM), the kind as its stored text.
        units = tuple(map(tuple, db.session.connection().execute(
            select(OrganisationUnit.id, OrganisationUnit.name, type_coerce(OrganisationUnit.kind, String))
            .order_by(kind_order(), OrganisationUnit.name))))
        if token is not None:
            _kept.clear()
            _kept[token] = units
    return units


def changed(session: Session) -> None:
    """A new token, in this transaction: for writes that bypass the session's units (bulk loads)."""
    version = session.get(UnitListVersion, _ROW)
    if version is None:
        session.add(UnitListVersion(id=_ROW, token=new_token()))
    else:
        version.token = new_token()


def _note_changed_units(session: Session, flush_context, instances) -> None:
    for unit in (*session.new, *session.deleted, *session.dirty):
        if not isinstance(unit, OrganisationUnit):
            continue
        state = attributes.instance_state(unit)
        if unit in session.dirty and not any(state.attrs[name].history.has_changes() for name in ("name", "kind")):
            continue
        changed(session)
        return


def keep_up_to_date(session_class) -> None:
    """Register the hook once on the application's session class."""
    if not event.contains(session_class, "before_flush", _note_changed_units):
        event.listen(session_class, "before_flush", _note_changed_units)
