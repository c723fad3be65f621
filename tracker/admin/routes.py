"""Admin: the people in the organisation, and the activities nobody can decide on.
(Import and editing come with their own issue.)"""
from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from flask_login import current_user

from tracker import access
from tracker.extensions import db
from tracker.models import Activity, Person

bp = Blueprint("admin", __name__, url_prefix="/admin")

PAGE_SIZE = 50


@bp.route("/people")
def people():
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    query = access.visible_people(current_user)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(
        query.options(joinedload(Person.team)).order_by(Person.name, Person.id)
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    return render_template("admin/people.html", people=rows, total=total, page=min(page, pages), pages=pages)


@bp.route("/unmanaged")
def unmanaged():
    """Submitted activities with no decider: the organisation's records need a line manager or a scope."""
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    query = access.unmanaged_activities(current_user)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    activities = db.session.scalars(
        query.options(joinedload(Activity.owner).joinedload(Person.team))
        .order_by(Activity.submitted_at.asc().nulls_first(), Activity.id)
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    return render_template("admin/unmanaged.html", activities=activities, total=total, page=min(page, pages),
                           pages=pages)
