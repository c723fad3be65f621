"""What a person changes in their portfolio: logging, changing and submitting an activity,
withdrawing it from sign-off, deleting it (none of them once its appraisal year has closed); and
the two small writes of the pages around it (dismissing a reminder, the audit entry of someone
else's evidence download).

Nothing here knows about requests. Views pass plain values in, these functions check, write
and add the audit entry, and the view commits once (or rolls back). A refusal is a Refused.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, update

from tracker import access
from tracker.audit import record
from tracker.counting import live_activity
from tracker.extensions import db
from tracker.figures import upkeep
from tracker.models import Activity, ActivityStatus, EvidenceFile, Notice, Person
from tracker.models._types import utcnow
from tracker.notifications import activity_mail
from tracker.portfolio import evidence as evidence_files
from tracker.portfolio import virus_scan
from tracker.portfolio.activity_input import ActivityInput, check_activity, creation_key
from tracker.refusal import Refused
from tracker.year_closing import ensure_open, first_open_day

EDITABLE = (ActivityStatus.DRAFT, ActivityStatus.RETURNED)
CANNOT_CHANGE = "This activity can no longer be changed"
# Its author still sees it as submitted while the decider may undo the decision (counting.undo_window).
BEING_DECIDED = "Your manager is deciding on this activity just now, so it cannot be changed. Try again in a few minutes"


@dataclass
class Saved:
    activity: Activity
    submitted: bool
    stored_files: list[str]  # written now: remove them if the commit fails
    removed_files: list[str]  # to delete from disk once the commit succeeds
    already_saved: bool = False  # the same new-activity form came again: nothing was written


def _holding_key(owner: Person, key: str | None) -> Activity | None:
    """The owner's activity (deleted or not) created by the form with this key, if any."""
    if key is None:
        return None
    return db.session.scalar(select(Activity).where(Activity.owner_id == owner.id, Activity.creation_key == key))


def created_by_form(owner: Person, key: str | None) -> Activity | None:
    """The owner's live activity that the new-activity form with this key created, if any."""
    found = _holding_key(owner, key)
    return found if found is not None and found.deleted_at is None else None


def evidence_held(owner: Person) -> int:
    """Bytes of evidence on the owner's live activities: what their quota counts."""
    return db.session.scalar(
        select(func.coalesce(func.sum(EvidenceFile.size_bytes), 0))
        .join(Activity, Activity.id == EvidenceFile.activity_id)
        .where(Activity.owner_id == owner.id, live_activity())) or 0


def save_activity(owner: Person, activity: Activity | None, data: ActivityInput, *, submit: bool,
                  today: date, upload_folder: str, room: evidence_files.Room | None = None,
                  scanner: virus_scan.Scanner | None = None) -> Saved:
    """Create (activity=None) or change one of the owner's activities, as a draft or submitted.
    A new-activity form sent again with the same creation key (a retry after a dropped
    connection) writes nothing and returns the activity it created (already_saved).

    Everything is checked before anything is written (new evidence against `room`: the person's
    quota and the disk's free space), then scanned for viruses by `scanner` when there is one
    (a virus, or no verdict, is a virus_scan.ScanRefused); a refusal leaves the database and the upload folder as
    they were. An activity dated in a closed year stays as it is, even when the new date is
    open: moving it out would change the closed year.
    """
    key = creation_key(data.creation_key) if activity is None else None
    # Found before any check: a retry must not be refused over what its first sending wrote
    # (its own evidence counting towards the quota, say).
    holder = _holding_key(owner, key)
    if holder is not None and holder.deleted_at is None:
        return Saved(holder, submitted=False, stored_files=[], removed_files=[], already_saved=True)
    if activity is not None and activity.status_told not in EDITABLE:
        raise Refused(CANNOT_CHANGE)
    if activity is not None:
        ensure_open(activity.occurred_on, today)
    checked = check_activity(owner, activity, data, submit=submit, today=today)
    if room is not None and checked.files:
        evidence_files.ensure_room(room, upload_folder,
                                   held_bytes=evidence_held(owner) - sum(f.size_bytes for f in checked.remove),
                                   adding_bytes=sum(len(f.content) for f in checked.files))
    if scanner is not None:  # last: the slowest check, and only for files that would otherwise be kept
        for file in checked.files:
            virus_scan.ensure_clean(scanner, file.original_name, file.content)

    created = activity is None
    if created:
        # The key of a since-deleted activity is not used again: the unique index allows it once.
        activity = Activity(owner_id=owner.id, status=ActivityStatus.DRAFT,
                            creation_key=None if holder is not None else key)
        db.session.add(activity)
    activity.occurred_on = checked.occurred_on
    activity.title = checked.title
    activity.type_id = checked.activity_type.id
    activity.activity_type = checked.activity_type
    activity.duration_minutes = checked.minutes
    activity.course = checked.course
    activity.behaviours = checked.behaviours
    activity.reflection_model = checked.reflection_model
    activity.reflection = checked.reflection
    activity.manager_may_read = checked.manager_may_read
    if submit:
        activity.status = ActivityStatus.SUBMITTED
        activity.submitted_at = utcnow()

    removed_files = [f.stored_name for f in checked.remove]
    for evidence in checked.remove:
        activity.evidence_files.remove(evidence)
    stored_files: list[str] = []
    try:
        for file in checked.files:
            stored_name = evidence_files.store(upload_folder, file)
            stored_files.append(stored_name)
            activity.evidence_files.append(EvidenceFile(
                original_name=file.original_name, stored_name=stored_name,
                content_type=file.content_type, size_bytes=len(file.content),
            ))
        db.session.flush()
    except Exception:
        evidence_files.discard(upload_folder, stored_files)
        raise

    record(owner, "activity.created" if created else "activity.changed", person=owner, activity=activity,
           status=activity.status.value, files_added=len(checked.files), files_removed=len(checked.remove))
    if submit:
        decider = access.decider_of(activity)
        record(owner, "activity.submitted", person=owner, activity=activity,
               decider_id=decider.id if decider else None)
        activity_mail.submitted(activity)
    return Saved(activity, submit, stored_files, removed_files)


def _change_own(owner: Person, activity: Activity, today: date, allowed, values: dict, refusal: str) -> None:
    """One guarded UPDATE of the owner's live activity: it happens only while `allowed` holds and
    the activity's year is open, both checked in the WHERE so that a race cannot slip past them;
    otherwise the closed year's message, or `refusal`."""
    ensure_open(activity.occurred_on, today)
    if activity.status_told != activity.status:
        raise Refused(BEING_DECIDED)
    changed = db.session.execute(
        update(Activity)
        .where(Activity.id == activity.id, Activity.owner_id == owner.id, allowed, live_activity(),
               Activity.occurred_on >= first_open_day(today))
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(activity)
    if not changed:
        ensure_open(activity.occurred_on, today)
        raise Refused(refusal)
    upkeep.refresh(activity.owner_id, activity.occurred_on)


def withdraw(owner: Person, activity: Activity, today: date) -> None:
    """Take a submitted activity back to draft (only while nobody has decided on it and its year is open)."""
    _change_own(owner, activity, today, Activity.status == ActivityStatus.SUBMITTED,
                dict(status=ActivityStatus.DRAFT, submitted_at=None, updated_at=utcnow()),
                "Only an activity that is waiting for sign-off can be withdrawn")
    record(owner, "activity.withdrawn", person=owner, activity=activity)


def delete(owner: Person, activity: Activity, today: date) -> None:
    """Soft delete: the row stays (and the audit trail says who deleted it) but nothing counts it."""
    _change_own(owner, activity, today, Activity.status != ActivityStatus.SIGNED_OFF, dict(deleted_at=utcnow()),
                "A signed-off activity is part of your record and cannot be deleted")
    record(owner, "activity.deleted", person=owner, activity=activity, status=activity.status.value)


def note_evidence_download(viewer: Person, file: EvidenceFile) -> bool:
    """Evidence is personal data: a download by anyone but its owner goes in the audit trail."""
    if file.activity.owner_id == viewer.id:
        return False
    record(viewer, "evidence.downloaded", person=file.activity.owner_id, activity=file.activity_id, evidence_id=file.id)
    return True


def dismiss_notice(person: Person, notice: Notice) -> None:
    notice.dismissed_at = utcnow()
