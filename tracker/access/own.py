"""What is the viewer's alone (part of tracker.access): their sessions, their reminders and the
exports prepared for them. Nobody sees, ends or downloads another person's, whatever their roles
(another education lead included); an id that is not theirs is a 404."""
from __future__ import annotations

from flask import abort
from sqlalchemy import Select, select

from tracker.access import _one_or_404
from tracker.models import Notice, Person, PreparedExport, UserSession


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


def own_prepared_exports(viewer: Person) -> Select:
    """The exports prepared at the viewer's own request, newest first."""
    return (select(PreparedExport).where(PreparedExport.requester_id == viewer.id)
            .order_by(PreparedExport.created_at.desc(), PreparedExport.id.desc()))


def own_prepared_export_for(viewer: Person, export_id: int, *conditions) -> PreparedExport:
    if not 0 < export_id < 2 ** 63:
        abort(404)
    return _one_or_404(own_prepared_exports(viewer).where(PreparedExport.id == export_id, *conditions))
