"""Training uptake: which catalogue courses people logged activities with this year, and by whom."""
from __future__ import annotations

from sqlalchemy import Select, distinct, func, select

from tracker.appraisal_year import AppraisalYear
from tracker.counting import live_in_year
from tracker.extensions import db
from tracker.figures.status import active
from tracker.figures.units import directorate_names
from tracker.models import Activity, Behaviour, Course, Person, activity_behaviour


def course_activity_conditions(people: Select, year: AppraisalYear, activity_type_id: int | None) -> list:
    """SQL: a live activity of the year, logged with a course, by an active person of `people`."""
    conditions = [live_in_year(year), Activity.course_id.is_not(None),
                  Activity.owner_id.in_(active(people).with_only_columns(Person.id).order_by(None))]
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


def course_uptake_by(people: Select, year: AppraisalYear, by: str, activity_type_id: int | None = None):
    """(course_id, key, activities, people) where key is the staff group or the directorate name."""
    if by == "staff_group":
        key = Person.staff_group
        query = select(Activity.course_id, key.label("key"))
    elif by == "directorate":
        directorates = directorate_names()
        key = func.coalesce(directorates.c.name, "No directorate")
        query = select(Activity.course_id, key.label("key"))
    else:
        raise ValueError(by)
    query = (
        query.add_columns(func.count(Activity.id).label("activities"),
                          func.count(distinct(Activity.owner_id)).label("people"))
        .join(Person, Person.id == Activity.owner_id)
        .where(*course_activity_conditions(people, year, activity_type_id))
        .group_by(Activity.course_id, key)
        .order_by(Activity.course_id, func.count(Activity.id).desc())
    )
    if by == "directorate":
        query = query.outerjoin(directorates, directorates.c.unit_id == Person.team_id)
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
