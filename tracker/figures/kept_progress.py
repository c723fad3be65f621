"""The rule's figures for many people read from the kept table (tracker.figures.upkeep) rather
than computed from their activities: the same columns as compliance.progress_query(), so the same
status CASE decides on them, with the roster of the year's reference day, its exemptions and today
applied now. A page costs about the number of people in its scope, whatever their activities."""
from __future__ import annotations

import functools
from datetime import date

from flask import has_request_context, request
from sqlalchemy import Select, and_, bindparam, case, func, select

from tracker.appraisal_year import AppraisalYear, start_month
from tracker.counting import exempt_on
from tracker.extensions import db
from tracker.models import FiguresRebuild, PersonPeriod, PersonYearFigures
from tracker.roster import Roster, reference_day

_COUNTED = ("logged", "pending_activities", "s_activities", "s_minutes", "s_behaviours", "s_leadership",
            "p_activities", "p_minutes", "p_behaviours", "p_leadership")


def kept_progress_query(people: Select, year: AppraisalYear, today: date,
                        with_completion_month: bool = False) -> Select:
    """compliance.progress_query()'s rows, from the kept figures (a person without a row has
    nothing counted in the year); with the kept month of completion at the person's tier when asked."""
    person_ids = people.order_by(None).subquery("people")
    kept = PersonYearFigures
    return (
        select(
            person_ids.c.id.label("person_id"),
            person_ids.c.team_id.label("team_id"),
            person_ids.c.staff_group.label("staff_group"),
            person_ids.c.tier.label("tier"),
            *[func.coalesce(getattr(kept, name), 0).label(name) for name in _COUNTED],
            case((exempt_on(reference_day(year, today), person_ids.c.id), 1), else_=0).label("exempt"),
            kept.last_activity_on.label("last_activity_on"),
            *([completion_month(kept, person_ids.c.tier).label("complete_month")] if with_completion_month else []),
        )
        .select_from(person_ids)
        .outerjoin(kept, and_(kept.person_id == person_ids.c.id, kept.start_year == year.start_year))
    )


def kept_row_of(person_id: int, year: AppraisalYear, today: date):
    """kept_progress_query()'s row for one person in post on the year's reference day (None when
    they were not), from statements built once per year and day: My year and the person pages ask
    on every request, and building them was a twentieth of My year's Python."""
    in_post, figures = _one_person(year, reference_day(year, today))
    values = {"person_id": person_id}
    return db.session.execute(figures, values).one() if db.session.scalar(in_post, values) else None


@functools.lru_cache(maxsize=64)
def _one_person(year: AppraisalYear, day: date) -> tuple[Select, Select]:
    then = Roster(day).people().where(PersonPeriod.person_id == bindparam("person_id"))
    return then.with_only_columns(func.count()), kept_progress_query(then, year, day)


def completion_month(kept, tier):
    """SQL: the kept month (0 the year's first) in which the person met the rule of `tier`."""
    return case(*[(tier == t, getattr(kept, f"complete_month_{t}")) for t in (1, 2, 3)])


def kept_for(year: AppraisalYear) -> bool:
    """Whether the kept figures hold `year`: they are kept for the organisation's appraisal years
    (not a year drawn with another start month) and not while a rebuild waits."""
    return year.start_month == start_month() and not being_rebuilt(year)


def being_rebuilt(year: AppraisalYear) -> bool:
    """The year's kept figures wait for a rebuild after a rule or framework change: read it from
    the activities meanwhile. Asked once per request (a page asks for every figure it draws)."""
    if not has_request_context():
        return year.start_year in _marked()
    marked = getattr(request, _CACHED, None)
    if marked is None:
        marked = _marked()
        setattr(request, _CACHED, marked)
    return year.start_year in marked


def forget_marks() -> None:
    """A mark was added or cleared in this request: ask again."""
    if has_request_context():
        setattr(request, _CACHED, None)


_CACHED = "figures_being_rebuilt"  # on the request itself: one request's answer is never another's


def _marked() -> set[int]:
    return set(db.session.scalars(select(FiguresRebuild.start_year)))
