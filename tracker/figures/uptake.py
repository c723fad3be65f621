"""Training uptake: which catalogue courses people logged activities with this year, and by whom."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Select, distinct, func, select

from tracker.appraisal_year import AppraisalYear
from tracker.counting import counted_in_year
from tracker.extensions import db
from tracker.models import Activity, Behaviour, Course, activity_behaviour
from tracker.roster import Roster, ids_of


def course_activity_conditions(people: Select, year: AppraisalYear, activity_type_id: int | None) -> list:
    """SQL: a live activity of the year (not a draft), logged with a course, by a person of
    `people` (a people selection of the year's roster)."""
    conditions = [counted_in_year(year), Activity.course_id.is_not(None), Activity.owner_id.in_(ids_of(people))]
    if activity_type_id is not None:
        conditions.append(Activity.type_id == activity_type_id)
    return conditions


def course_uptake(people: Select, year: AppraisalYear, activity_type_id: int | None = None):
    """Per catalogue course used this year: activities logged with it and distinct people, most used first."""
    return db.session.execute(
        select(Course.id.label("course_id"), Course.code, Course.title, Course.provider, Course.format,
               func.count(Activity.id).label("activities"), func.count(distinct(Activity.owner_id)).label("people"))
        .join(Activity, Activity.course_id == Course.id)
        .where(*course_activity_conditions(people, year, activity_type_id))
        .group_by(Course.id, Course.code, Course.title, Course.provider, Course.format)
        .order_by(func.count(Activity.id).desc(), Course.title)
    ).all()


def course_uptake_by(people: Select, year: AppraisalYear, today: date, by: str,
                     activity_type_id: int | None = None):
    """(course_id, key, activities, people) where key is the staff group or the directorate name
    (as on the year's reference day)."""
    owners = people.order_by(None).subquery("owners")
    if by == "staff_group":
        key = owners.c.staff_group
    elif by == "directorate":
        directorates = Roster.of(year, today).directorate_names()
        key = func.coalesce(directorates.c.name, "No directorate")
    else:
        raise ValueError(by)
    query = (
        select(Activity.course_id, key.label("key"), func.count(Activity.id).label("activities"),
               func.count(distinct(Activity.owner_id)).label("people"))
        .join(owners, owners.c.id == Activity.owner_id)
        .where(*course_activity_conditions(people, year, activity_type_id))
        .group_by(Activity.course_id, key)
        .order_by(Activity.course_id, func.count(Activity.id).desc())
    )
    if by == "directorate":
        query = query.outerjoin(directorates, directorates.c.unit_id == owners.c.team_id)
    return db.session.execute(query).all()


def course_behaviours(people: Select, year: AppraisalYear, activity_type_id: int | None = None):
    """(course_id, behaviour code, activities): which behaviours each course was used to evidence."""
    return db.session.execute(
        select(Activity.course_id, Behaviour.code, func.count(Activity.id).label("activities"))
        .join(activity_behaviour, activity_behaviour.c.activity_id == Activity.id)
        .join(Behaviour, Behaviour.id == activity_behaviour.c.behaviour_id)
        .where(*course_activity_conditions(people, year, activity_type_id))
        .group_by(Activity.course_id, Behaviour.code)
        .order_by(Activity.course_id, func.count(Activity.id).desc(), Behaviour.code)
    ).all()
