"""`flask data purge`: what the tracker keeps no longer than it must.

- People who left more than RETENTION_YEARS ago (their last day in post before the cut-off, no
  time in post since) are erased (tracker.erasure).
- Evidence files of activities deleted more than EVIDENCE_GRACE_DAYS ago are removed (until then
  the activity's deletion may still be looked into; a deleted activity counts nowhere).

The counts go to the audit trail ("data.purged") unless it is a dry run. Services never commit:
the caller commits, then removes `Purged.files` from disk.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import delete, exists, select

from tracker import audit, erasure
from tracker.extensions import db
from tracker.models import Activity, EvidenceFile, Person, PersonPeriod


@dataclass
class Purged:
    people_erased: int = 0
    evidence_files_removed: int = 0
    files: list[str] = field(default_factory=list)  # stored names, removed from disk after the commit


def retention_cut_off(today: date, years: int) -> date:
    """People whose last day in post is before this day are kept no longer."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February in a year that has none
        return today.replace(year=today.year - years, day=28)


def leavers_past_retention(today: date, years: int) -> list[Person]:
    """People not erased, not in post, whose every day in post ended before the cut-off."""
    cut_off = retention_cut_off(today, years)
    periods = PersonPeriod.person_id == Person.id
    recent = exists().where(periods, (PersonPeriod.ends_on.is_(None)) | (PersonPeriod.ends_on >= cut_off))
    return list(db.session.scalars(
        select(Person).where(Person.erased_at.is_(None), Person.active.is_(False), exists().where(periods), ~recent)
        .order_by(Person.id)))


def evidence_past_grace(today: date, grace_days: int):
    """Evidence files of activities deleted before the grace period that ends today."""
    deleted_before = datetime.combine(today - timedelta(days=grace_days), time.min, tzinfo=UTC)
    return (select(EvidenceFile).join(Activity, Activity.id == EvidenceFile.activity_id)
            .where(Activity.deleted_at.is_not(None), Activity.deleted_at < deleted_before))


def purge(today: date, *, years: int, grace_days: int, dry_run: bool = False) -> Purged:
    """Apply the retention setting and the evidence grace period (or, as a dry run, count only)."""
    leavers = leavers_past_retention(today, years)
    expired = list(db.session.scalars(evidence_past_grace(today, grace_days)))
    purged = Purged(len(leavers), len(expired), [f.stored_name for f in expired])
    if dry_run:
        return Purged(purged.people_erased, purged.evidence_files_removed)
    if expired:
        db.session.execute(delete(EvidenceFile).where(EvidenceFile.id.in_([f.id for f in expired])))
    for person in leavers:
        purged.files += erasure.erase(None, person, today).files
    audit.record(None, "data.purged", people_erased=purged.people_erased,
                 evidence_files_removed=purged.evidence_files_removed,
                 person_files_removed=len(purged.files) - purged.evidence_files_removed,
                 retention_years=years, evidence_grace_days=grace_days)
    return purged
