"""What the catalogue's courses and the library's resources have in common: an education lead adds,
changes, retires and restores them, and every such write leaves one audit entry of the same form."""
from __future__ import annotations

from tracker.audit import record
from tracker.extensions import db
from tracker.models import Course, Resource

# Audit actions read "<where>.<what>_<change>", and the detail names the row as "<what>_id".
_AUDIT_NAMES = {Course: ("catalogue", "course"), Resource: ("library", "resource")}


def _recorded(actor, entry: Course | Resource, change: str, **detail) -> Course | Resource:
    db.session.flush()  # a new entry has its id only once flushed, and the audit entry names it
    where, what = _AUDIT_NAMES[type(entry)]
    record(actor, f"{where}.{what}_{change}", **{f"{what}_id": entry.id}, **detail)
    return entry


def entry_added(actor, entry: Course | Resource) -> Course | Resource:
    db.session.add(entry)
    return _recorded(actor, entry, "added", title=entry.title)


def entry_updated(actor, entry: Course | Resource) -> Course | Resource:
    return _recorded(actor, entry, "updated", title=entry.title)


def set_retired(actor, entry: Course | Resource, retired: bool) -> Course | Resource:
    """Retire an entry (staff no longer see it) or restore it."""
    entry.retired = retired
    return _recorded(actor, entry, "retired" if retired else "restored")
