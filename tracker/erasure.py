"""Erasing a person: what they wrote and uploaded goes; closed years keep their figures.

The person's row stays, anonymous ("Erased person": no name, e-mail address, employee number,
job title or password, no roles or scopes, never in post in an open year), because closed years
must read the same for ever (README "History that never changes"). In a closed year their
activities stay as anonymous counts: date, type, course, duration, behaviours, the sign-off and
whether an observer answered about it (Activity.observed), with no title, reflection, feedback,
observers' feedback or evidence. Everything in the open years (activities,
exemptions, time in post) and every evidence file is removed. The audit trail keeps its rows, which
then read "Erased person" (tracker.audit.forget_subject).

Services never commit: the caller commits, then removes `Erased.files` from disk.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import delete, or_, select, update

from tracker import audit
from tracker.extensions import db
from tracker.figures import counted, upkeep
from tracker.models import (Activity, EvidenceFile, Exemption, LeadershipAction, ManagerScope, Notice, Notification,
                            NotificationPreference, ObservationRequest, ObservedBehaviour, Person, PersonIdentity, PersonPeriod, PersonRole, Role,
                            SetPasswordLink, TypedCopy, activity_behaviour)
from tracker.models._types import utcnow
from tracker.observation import mail as observation_mail
from tracker.refusal import Refused
from tracker.year_closing import first_open_day

ERASED_NAME = "Erased person"
# Kept activities of a closed year still appear in lists of others' work (a manager's decisions).
ERASED_TITLE = "Activity of an erased person"

ALREADY_ERASED = "This person has already been erased."
NOT_YOURSELF = "You cannot erase yourself."
ACTIVE_ADMIN = "An active admin cannot be erased. Take away their admin role or deactivate them first."


@dataclass
class Erased:
    activities_removed: int = 0
    activities_kept: int = 0
    files: list[str] = field(default_factory=list)  # stored names, removed from disk after the commit


def refusal(actor: Person | None, person: Person) -> str | None:
    """Why `actor` may not erase `person` (None: they may). The command line acts as nobody."""
    if person.erased_at is not None:
        return ALREADY_ERASED
    if actor is not None and actor.id == person.id:
        return NOT_YOURSELF
    if person.active and Role.ADMIN in person.roles:
        return ACTIVE_ADMIN
    return None


def erase(actor: Person | None, person: Person, today: date) -> Erased:
    """Erase `person` (see the module's description); audited by subject id only."""
    message = refusal(actor, person)
    if message:
        raise Refused(message)
    opening = first_open_day(today)
    erased = _remove_activities(person, opening)
    _leave_the_open_years(person, opening)
    _anonymise(person)
    audit.record(actor, "person.erased", person=person, activities_removed=erased.activities_removed,
                 activities_kept=erased.activities_kept, files_removed=len(erased.files))
    audit.forget_subject(person.id)  # after the record: its own event reads "Erased person" too
    return erased


def _remove_activities(person: Person, opening: date) -> Erased:
    owned = select(Activity.id).where(Activity.owner_id == person.id)
    files = list(db.session.scalars(select(EvidenceFile.stored_name).where(EvidenceFile.activity_id.in_(owned))))
    db.session.execute(delete(EvidenceFile).where(EvidenceFile.activity_id.in_(owned)))
    # Observers' feedback is about the person and names the observer: it goes with every activity, kept or not
    # (a kept activity's `observed` stays, so the closed year's count of observed practice does not change).
    requests = select(ObservationRequest.id).where(ObservationRequest.activity_id.in_(owned))
    db.session.execute(delete(ObservedBehaviour).where(ObservedBehaviour.request_id.in_(requests)))
    db.session.execute(delete(ObservationRequest).where(ObservationRequest.activity_id.in_(owned)))
    gone = list(db.session.scalars(owned.where(or_(Activity.deleted_at.is_not(None), Activity.occurred_on >= opening))))
    if gone:
        db.session.execute(delete(activity_behaviour).where(activity_behaviour.c.activity_id.in_(gone)))
        db.session.execute(delete(Activity).where(Activity.id.in_(gone)))
        upkeep.refresh_person(person.id)
    kept = db.session.execute(
        update(Activity).where(Activity.owner_id == person.id)
        .values(title=ERASED_TITLE, reflection={}, reflection_model=None, feedback=None, manager_may_read=False)
        .execution_options(synchronize_session=False)).rowcount
    return Erased(len(gone), kept, files)


def _leave_the_open_years(person: Person, opening: date) -> None:
    """Not in post, exempt or leading anything in an open year; closed years keep their rows, without words."""
    db.session.execute(delete(PersonPeriod).where(PersonPeriod.person_id == person.id, PersonPeriod.starts_on >= opening))
    db.session.execute(update(PersonPeriod).where(
        PersonPeriod.person_id == person.id, or_(PersonPeriod.ends_on.is_(None), PersonPeriod.ends_on >= opening))
        .values(ends_on=opening - timedelta(days=1)))
    db.session.execute(delete(Exemption).where(Exemption.person_id == person.id, Exemption.starts_on >= opening))
    db.session.execute(update(Exemption).where(Exemption.person_id == person.id).values(reason_detail=""))
    counted.recount_people([person.id])  # the statements above went round the session's hook
    db.session.execute(delete(LeadershipAction).where(LeadershipAction.manager_id == person.id,
                                                      LeadershipAction.occurred_on >= opening))
    db.session.execute(update(LeadershipAction).where(LeadershipAction.manager_id == person.id).values(note=""))
    db.session.execute(delete(Notice).where(Notice.person_id == person.id))
    db.session.execute(delete(SetPasswordLink).where(SetPasswordLink.person_id == person.id))
    db.session.execute(delete(TypedCopy).where(TypedCopy.person_id == person.id))  # unsaved typed text
    db.session.execute(delete(Notification).where(Notification.person_id == person.id))
    db.session.execute(delete(NotificationPreference).where(NotificationPreference.person_id == person.id))
    db.session.execute(delete(Notification).where(observation_mail.of_requester(person.id)))  # to their observers


def _anonymise(person: Person) -> None:
    db.session.execute(delete(PersonRole).where(PersonRole.person_id == person.id))
    db.session.execute(delete(ManagerScope).where(ManagerScope.person_id == person.id))
    # Their account at the organisation's identity provider: erased, nobody signs in as them again.
    db.session.execute(delete(PersonIdentity).where(PersonIdentity.person_id == person.id))
    person.name = ERASED_NAME
    person.email = None
    person.employee_number = None
    person.job_title = ""
    person.password_hash = None
    person.line_manager_id = None
    person.active = False
    person.rotate_session_token()
    person.erased_at = utcnow()
    db.session.flush()
    db.session.expire_all()  # bulk writes above: reload what any caller holds
