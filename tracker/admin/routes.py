"""Admin: the activities nobody can decide on; the people pages are in tracker/admin/people.py,
registered on the same blueprint."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from flask_login import current_user

from tracker import access
from tracker.extensions import db
from tracker.models import Activity, Person
from tracker.paging import Page, page_of

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _page(query) -> tuple[int, Page]:
    """How many rows the query has, and the page of them the address asks for."""
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    return total, page_of(request.args.get("page", 1, type=int), total)


@bp.route("/unmanaged")
def unmanaged():
    """Submitted activities with no decider: the organisation's records need a line manager or a
    scope. Education leads see it too: they are the ones e-mailed of each (ENDPOINT_PERMISSIONS)."""
    query = access.unmanaged_activities(current_user)
    total, page = _page(query)
    activities = db.session.scalars(page.rows(
        query.options(joinedload(Activity.owner).joinedload(Person.team))
        .order_by(Activity.submitted_at.asc().nulls_first(), Activity.id)
    )).all()
    return render_template("admin/unmanaged.html", activities=activities, total=total, page=page.number,
                           pages=page.count, is_admin=access.can(current_user, "admin"))


from tracker.admin import people  # noqa: E402,F401  (its views register on bp)
# The Teams pages register on this blueprint (imported last: they import `bp` from here).
from tracker.admin import teams  # noqa: E402,F401
from tracker.admin import staff_import  # noqa: E402,F401  (the "Import staff" pages, on this blueprint)
# The audit trail's pages register on this blueprint.
from tracker.admin import audit_trail  # noqa: E402,F401
from tracker.admin import erase  # noqa: E402,F401  (erasing a person, on this blueprint)
# MFA: resetting a person's second factor registers on this blueprint.
from tracker.admin import second_factor  # noqa: E402,F401
