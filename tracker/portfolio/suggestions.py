"""What would cover the behaviours of my tier that I have not evidenced yet this year.

Courses: the smallest set of catalogue courses that covers every missing behaviour any course
can cover comes first (most new behaviours first within it), then the other useful courses.
Only courses with practice in them are offered, because only experiential activities count.
Activity types: the experiential types people in my team have most often used to evidence
those behaviours (counted in SQL, no names), falling back to the vocabulary's own order.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import combinations

from sqlalchemy import bindparam, distinct, func, select
from sqlalchemy.orm import selectinload

from tracker.appraisal_year import AppraisalYear
from tracker.counting import live_between
from tracker.extensions import db
from tracker.models import (
    Activity,
    ActivityStatus,
    ActivityType,
    Behaviour,
    Course,
    Person,
    activity_behaviour,
    course_behaviour,
)

# Exact search for the smallest cover stays cheap up to this many candidate courses.
EXACT_SEARCH_LIMIT = 16
TYPES_SHOWN = 3


@dataclass(frozen=True)
class CourseOption:
    id: int
    title: str
    behaviour_ids: frozenset[int]
    experiential: bool = True
    hours: Decimal | None = None


@dataclass(frozen=True)
class CourseSuggestion:
    course: CourseOption
    covers: frozenset[int]  # the missing behaviours this course covers
    in_smallest_set: bool


def _preference(option: CourseOption):
    # Between courses that cover the same: ones with practice, then shorter, then by title.
    return (not option.experiential, option.hours if option.hours is not None else Decimal(10_000), option.title, option.id)


def _drop_dominated(candidates: list[CourseOption], missing: set[int]) -> list[CourseOption]:
    """Leave out a course when another covers everything it covers (and is preferred on a tie)."""
    kept = []
    ordered = sorted(candidates, key=_preference)
    for i, option in enumerate(ordered):
        cover = option.behaviour_ids & missing
        dominated = any(
            cover < (other.behaviour_ids & missing) or (cover == (other.behaviour_ids & missing) and j < i)
            for j, other in enumerate(ordered) if other is not option
        )
        if not dominated:
            kept.append(option)
    return kept


def _greedy_cover(target: set[int], candidates: list[CourseOption]) -> list[CourseOption]:
    chosen, left = [], set(target)
    pool = sorted(candidates, key=_preference)
    while left:
        best = max(pool, key=lambda o: len(o.behaviour_ids & left))
        if not best.behaviour_ids & left:
            break
        chosen.append(best)
        left -= best.behaviour_ids
        pool.remove(best)
    return chosen


def smallest_cover(target: set[int], candidates: list[CourseOption]) -> list[CourseOption]:
    """Fewest courses that together cover `target` (every element must be coverable)."""
    candidates = _drop_dominated(candidates, target)
    if len(candidates) > EXACT_SEARCH_LIMIT:
        return _greedy_cover(target, candidates)
    for size in range(1, len(candidates) + 1):
        covers = [
            combo for combo in combinations(candidates, size)
            if set().union(*(o.behaviour_ids for o in combo)) >= target
        ]
        if covers:
            best = min(covers, key=lambda combo: sorted(_preference(o) for o in combo))
            return _greedy_cover(target, list(best))  # greedy order: most new behaviours first
    return []


def rank_courses(missing: set[int], courses: list[CourseOption]) -> list[CourseSuggestion]:
    useful = [c for c in courses if c.behaviour_ids & missing]
    if not useful:
        return []
    coverable = set().union(*(c.behaviour_ids & missing for c in useful))
    best = smallest_cover(coverable, useful)
    best_ids = {c.id for c in best}
    rest = sorted(
        (c for c in useful if c.id not in best_ids),
        key=lambda c: (-len(c.behaviour_ids & missing), _preference(c)),
    )
    return [CourseSuggestion(c, frozenset(c.behaviour_ids & missing), True) for c in best] + [
        CourseSuggestion(c, frozenset(c.behaviour_ids & missing), False) for c in rest
    ]


# --- from the database -----------------------------------------------------------------


@dataclass
class Suggestions:
    missing: list[Behaviour] = field(default_factory=list)
    courses: list[tuple[Course, CourseSuggestion]] = field(default_factory=list)
    activity_types: list[ActivityType] = field(default_factory=list)


def suggest(tier_behaviours: list[Behaviour], evidenced_ids, year: AppraisalYear, today: date,
            team_id: int | None = None) -> Suggestions:
    """Suggestions for the tier behaviours not in `evidenced_ids` (signed off or awaiting sign-off).
    Activity types are ranked by what people in `team_id` used: counts only, never who."""
    missing = [b for b in tier_behaviours if b.id not in evidenced_ids]
    if not missing:
        return Suggestions()
    missing_ids = {b.id for b in missing}

    courses_statement, types_statement = _statements(teamless=team_id is None)
    values = {"missing": sorted(missing_ids), "team_id": team_id, "since": year.previous().starts_on, "today": today}
    courses = db.session.scalars(courses_statement, values).all()
    by_id = {c.id: c for c in courses}
    options = [
        CourseOption(c.id, c.title, frozenset(b.id for b in c.behaviours), c.experiential, c.duration_hours)
        for c in courses
    ]
    ranked = [(by_id[s.course.id], s) for s in rank_courses(missing_ids, options)]
    types = db.session.scalars(types_statement, values).all()
    return Suggestions(missing=missing, courses=ranked, activity_types=list(types))


@functools.lru_cache(maxsize=2)
def _statements(teamless: bool):
    """The courses and activity types statements of suggest(), built once (the missing behaviours,
    team and dates their parameters): My year asks on every request."""
    missing = bindparam("missing", expanding=True)
    courses = (
        select(Course)
        .where(
            Course.retired.is_(False),
            Course.experiential.is_(True),
            Course.id.in_(select(course_behaviour.c.course_id).where(course_behaviour.c.behaviour_id.in_(missing))),
        )
        .options(selectinload(Course.behaviours))
    )
    # The team's signed-off activities over this year and last, counted per type. Kept to one
    # team so the count stays small at any organisation size (a whole trust took 0.2 s).
    team = Person.team_id.is_(None) if teamless else Person.team_id == bindparam("team_id")
    uses = (
        select(Activity.type_id, func.count(distinct(Activity.id)).label("uses"))
        .join(activity_behaviour, activity_behaviour.c.activity_id == Activity.id)
        .where(
            Activity.owner_id.in_(select(Person.id).where(team)),
            activity_behaviour.c.behaviour_id.in_(missing),
            Activity.status == ActivityStatus.SIGNED_OFF,
            live_between(bindparam("since"), bindparam("today")),
        )
        .group_by(Activity.type_id)
        .subquery()
    )
    types = (
        select(ActivityType)
        .outerjoin(uses, uses.c.type_id == ActivityType.id)
        .where(ActivityType.experiential.is_(True))
        .order_by(func.coalesce(uses.c.uses, 0).desc(), ActivityType.position, ActivityType.id)
        .limit(TYPES_SHOWN)
    )
    return courses, types
