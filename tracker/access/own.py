"""What is the viewer's alone (part of tracker.access): their sessions and their reminders.
Nobody sees or ends another person's; an id that is not theirs is a 404."""
from __future__ import annotations

from flask import abort
from sqlalchemy import Select, select

from tracker.access import _one_or_404
from tracker.models import Notice, Person, UserSession


def own_sessions(viewer: Person) -> Select:
    """The viewer's own sessions that have not ended: nobody sees or ends another person's."""
    return select(UserSession).where(UserSession.person_id == viewer.id, UserSession.ended_at.is_(None))


def own_session_for(viewer: Person, session_id: int, *conditions) -> UserSession:
    if not 0 < session_id < 2 ** 63:
        abort(404)  # names no row, and a database cannot even compare it
    return _one_or_404(own_sessions(viewer).where(UserSession.id == session_id, *conditions))


def own_notices(viewer: Person) -> Select:
    """The viewer's own reminders that they have not dismissed."""
    return select(Notice).where(Notice.person_id == viewer.id, Notice.dismissed_at.is_(None))


def own_notice_for(viewer: Person, notice_id: int) -> Notice:
    return _one_or_404(own_notices(viewer).where(Notice.id == notice_id))
