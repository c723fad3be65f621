"""The "Import a framework version" page: an education lead uploads a framework file, sees what it
would add, change and remove compared with the framework of the year it would apply from, then
imports it in one transaction.

Between the preview and the import the file waits on the server under a random token (never a
name or path from the user), and is read and checked again on import.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from tracker import audit
from tracker.appraisal_year import AppraisalYear, start_month
from tracker.framework_changes import VersionChanges, compare
from tracker.extensions import db
from tracker.framework_import import (IMPORTED, FrameworkFileError, ImportResult, check_file, import_framework,
                                      parse_text)
from tracker.framework_years import year_from_choice
from tracker.models import FROM_THE_START, AuditEvent, Framework
from tracker.kept_uploads import KeptUploads
from tracker.refusal import Refused
from tracker.year_closing import closed_message, is_closed

MAX_FILE_BYTES = 1024 * 1024  # a framework of hundreds of behaviours is well under 100 KB
_UPLOADS = KeptUploads("FRAMEWORK_UPLOAD_FOLDER", "framework-uploads", ".json",
                       "The uploaded file has expired or was already imported: upload it again")
keep, kept, forget = _UPLOADS.keep, _UPLOADS.kept, _UPLOADS.forget


@dataclass(frozen=True)
class Preview:
    token: str
    choice: str
    year: AppraisalYear
    code: str
    version: str
    short_title: str
    changes: VersionChanges
    already_loaded: bool


def _year(choice: str, today: date) -> AppraisalYear:
    year = year_from_choice(choice, today)
    if is_closed(year, today):  # never for these choices; the rule is kept here all the same
        raise Refused({"applies_from": closed_message(year)})
    return year


def preview(raw: bytes, choice: str, today: date) -> Preview:
    """What importing the file from the chosen year would change; FrameworkFileError with every
    problem of the file, and nothing kept, when it fails validation."""
    if len(raw) > MAX_FILE_BYTES:
        raise FrameworkFileError([f"(file): larger than {MAX_FILE_BYTES // 1024} KB"])
    year = _year(choice, today)
    data = parse_text(raw)
    previous = check_file(data, year)
    loaded = db.session.scalar(select(Framework.id).where(Framework.code == data["code"],
                                                          Framework.version == data["version"])) is not None
    return Preview(keep(raw), choice, year, data["code"], data["version"], data["short_title"], compare(data, previous),
                   loaded)


def import_kept(actor, token: str, choice: str, today: date) -> ImportResult:
    """Import the kept file from the chosen year (checked again); the caller commits."""
    year = _year(choice, today)
    result = import_framework(parse_text(kept(token)), year, actor=actor, today=today)
    return result


def imported_message(result: ImportResult) -> str:
    fw = result.framework
    name = f"{fw.short_title} version {fw.version}"
    if not result.applied:
        return f"{name} was already loaded and applies from that year: nothing changed"
    return f"{name} imported: it applies from {result.applies_from.label}"


@dataclass(frozen=True)
class Imported:
    when: object
    who: str
    version: str
    applies: str  # in words: "from 2026 to 2027", "for every year"


def imports(limit: int = 10) -> list[Imported]:
    """The latest framework imports, newest first."""
    rows = db.session.execute(
        audit.events_with_actor_name()
        .where(AuditEvent.action == IMPORTED).order_by(AuditEvent.id.desc()).limit(limit)
    ).all()
    result = []
    for event, name in rows:
        detail = event.detail or {}
        from_year = detail.get("from_year")
        applies = ("loaded without applying to a year" if from_year is None else "for every year"
                   if from_year == FROM_THE_START else f"from {AppraisalYear(from_year, start_month()).label}")
        result.append(Imported(event.occurred_at, name or "the command line", detail.get("version", ""), applies))
    return result
