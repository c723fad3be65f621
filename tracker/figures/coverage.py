"""Behaviour coverage: of the people a behaviour applies to, how many evidenced it this year.

A year's coverage lists the behaviours of that year's framework, with their tiers there; evidence
given under another version counts as that framework's behaviour of the same line.
A behaviour few people evidence is a gap; the dashboards suggest courses that teach it.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, and_, func, literal, select
from sqlalchemy.orm import aliased

from tracker import compliance
from tracker.appraisal_year import AppraisalYear, current_year
from tracker.counting import exempt_on, live_in_year
from tracker.extensions import db
from tracker.figures.kept_lines import kept_pairs
from tracker.figures.kept_progress import being_rebuilt
from tracker.roster import Roster
from tracker.framework_years import evidenced_behaviour, framework_id_of, framework_of, lines_in
from tracker.models import (
    Activity,
    ActivityStatus,
    ActivityType,
    Behaviour,
    BehaviourTier,
    Course,
    Domain,
    Subject,
    activity_behaviour,
    course_behaviour,
)

# A behaviour evidenced by fewer than this share of the people it applies to is a gap.
RARE_BEHAVIOUR_PERCENT = 30


@dataclass
class Coverage:
    behaviour_id: int
    code: str
    text: str
    subject: str
    tiers: list[int]
    expected: int  # people of the tiers it applies to
    evidenced: int  # of those, how many evidenced it this year

    @property
    def percent(self) -> float | None:
        # The compliance figures' rule (to a tenth, halves up), so every percent rounds alike.
        return compliance.percent_of(self.evidenced, self.expected)

    @property
    def is_gap(self) -> bool:
        return self.percent is not None and self.percent < RARE_BEHAVIOUR_PERCENT


def coverage_query(people: Select, year: AppraisalYear, today: date, group_units=None,
                   activity_type_id: int | None = None, from_scratch: bool = False) -> Select:
    """Per behaviour (and per unit of `group_units`, if given): people expected and people who
    evidenced it in a signed-off experiential activity this year. Exempt people are left out."""
    framework_id = framework_id_of(year)
    framework_id = framework_id if framework_id is not None else -1
    chosen = people.order_by(None).subquery("chosen")
    scope = select(chosen.c.id.label("person_id"), chosen.c.tier.label("tier")).where(
        ~exempt_on(compliance.reference_day(year, today), chosen.c.id))
    if group_units is not None:
        closure = Roster.of(year, today).closure()
        scope = scope.join(closure, closure.c.descendant_id == chosen.c.team_id).where(
            closure.c.ancestor_id.in_(list(group_units))).add_columns(closure.c.ancestor_id.label("unit_id"))
    else:
        scope = scope.add_columns(literal(0).label("unit_id"))
    # Read three times below (expected, evidence, the join). SQLite works it out once as a CTE
    # (105 against 192 ms at 10,551 people); PostgreSQL plans it far better inlined (107 ms, and
    # 1.9 s materialised, its row count unknown to the joins after it).
    persons = scope.cte("persons").prefix_with("NOT MATERIALIZED", dialect="postgresql")

    # People per unit and tier, then matched to the behaviours of each tier (joining every person
    # to their tier's behaviours made 198,000 rows to group at 10,551 people).
    by_tier = (
        select(persons.c.unit_id, persons.c.tier, func.count().label("n"))
        .group_by(persons.c.unit_id, persons.c.tier)
        .subquery("by_tier")
    )
    expected = (
        select(by_tier.c.unit_id, BehaviourTier.behaviour_id, func.sum(by_tier.c.n).label("n"))
        .join(by_tier, by_tier.c.tier == BehaviourTier.tier)
        .group_by(by_tier.c.unit_id, BehaviourTier.behaviour_id)
        .subquery("expected")
    )
    evidence_conditions = [live_in_year(year), Activity.status == ActivityStatus.SIGNED_OFF,
                           ActivityType.experiential.is_(True)]
    if activity_type_id is not None:
        evidence_conditions.append(Activity.type_id == activity_type_id)
    # Evidence under any version counts as the year's behaviour of its line, once per person: kept
    # per person and year (kept_lines), read from the activities for one activity type or while the
    # year's kept figures wait for a rebuild.
    if activity_type_id is None and not from_scratch and not being_rebuilt(year):
        return _coverage(persons, kept_pairs(year, select(persons.c.person_id)).subquery("pairs"),
                         expected, framework_id)
    evidenced_behaviour_ = evidenced_behaviour()
    pairs = (
        select(Activity.owner_id.label("person_id"), evidenced_behaviour_.lineage_id.label("line"))
        .join(ActivityType, ActivityType.id == Activity.type_id)
        .join(activity_behaviour, activity_behaviour.c.activity_id == Activity.id)
        .join(evidenced_behaviour_, evidenced_behaviour_.id == activity_behaviour.c.behaviour_id)
        .where(*evidence_conditions, Activity.owner_id.in_(select(persons.c.person_id)),
               evidenced_behaviour_.lineage_id.in_(lines_in(framework_id)))
        .distinct()
        .subquery("pairs")
    )
    return _coverage(persons, pairs, expected, framework_id)


def _coverage(persons, pairs, expected, framework_id: int) -> Select:
    """Per behaviour (and unit): people expected and people with a (person_id, line) pair of it."""
    # People per unit, tier and line first, then those few hundred rows matched to the year's
    # behaviour and its tiers: matching each (person, line) pair cost two index lookups a pair
    # (56,000 at 10,551 people). A line is one behaviour of the framework, so the sums are the counts.
    by_line = (
        select(persons.c.unit_id, persons.c.tier, pairs.c.line, func.count().label("n"))
        .select_from(pairs)
        .join(persons, persons.c.person_id == pairs.c.person_id)
        .group_by(persons.c.unit_id, persons.c.tier, pairs.c.line)
        .subquery("by_line")
    )
    counted = aliased(Behaviour, name="counted")
    evidenced = (
        select(by_line.c.unit_id, counted.id.label("behaviour_id"), func.sum(by_line.c.n).label("n"))
        .join(counted, and_(counted.framework_id == framework_id, counted.lineage_id == by_line.c.line))
        .join(BehaviourTier, and_(BehaviourTier.behaviour_id == counted.id, BehaviourTier.tier == by_line.c.tier))
        .group_by(by_line.c.unit_id, counted.id)
        .subquery("evidenced")
    )
    return (
        select(expected.c.unit_id, Behaviour.id.label("behaviour_id"), expected.c.n.label("expected"),
               func.coalesce(evidenced.c.n, 0).label("evidenced"))
        .join(expected, expected.c.behaviour_id == Behaviour.id)
        .outerjoin(evidenced, and_(evidenced.c.behaviour_id == Behaviour.id,
                                   evidenced.c.unit_id == expected.c.unit_id))
        .where(Behaviour.framework_id == framework_id)
    )


def framework_behaviours(year: AppraisalYear | None = None) -> list[tuple]:
    """(id, code, text, subject title, tiers) of `year`'s framework (the current year's when None),
    in framework order."""
    framework = framework_of(year or current_year())
    if framework is None:
        return []
    tiers = defaultdict(list)
    for behaviour_id, tier in db.session.execute(
        select(BehaviourTier.behaviour_id, BehaviourTier.tier)
        .join(Behaviour, Behaviour.id == BehaviourTier.behaviour_id)
        .where(Behaviour.framework_id == framework.id).order_by(BehaviourTier.tier)
    ):
        tiers[behaviour_id].append(tier)
    rows = db.session.execute(
        select(Behaviour.id, Behaviour.code, Behaviour.text, Subject.title)
        .join(Subject, Subject.id == Behaviour.subject_id)
        .join(Domain, Domain.id == Subject.domain_id)
        .where(Behaviour.framework_id == framework.id)
        .order_by(Domain.position, Subject.position, Behaviour.position, Behaviour.id)
    )
    return [(bid, code, text, subject, tiers[bid]) for bid, code, text, subject in rows]


def behaviour_coverage(people: Select, year: AppraisalYear, today: date,
                       activity_type_id: int | None = None) -> list[Coverage]:
    """Coverage of every behaviour of the year's framework, in framework order."""
    found = {row.behaviour_id: row for row in db.session.execute(
        coverage_query(people, year, today, activity_type_id=activity_type_id))}
    result = []
    for bid, code, text, subject, tiers in framework_behaviours(year):
        row = found.get(bid)
        result.append(Coverage(bid, code, text, subject, tiers, row.expected if row else 0,
                               row.evidenced if row else 0))
    return result


def behaviour_coverage_by_unit(people: Select, year: AppraisalYear, today: date, unit_ids,
                               activity_type_id: int | None = None) -> dict[int, dict[int, Coverage]]:
    """unit id -> behaviour id -> Coverage, for everyone beneath each unit."""
    behaviours = {b[0]: b for b in framework_behaviours(year)}
    result: dict[int, dict[int, Coverage]] = {u: {} for u in unit_ids}
    for row in db.session.execute(coverage_query(people, year, today, group_units=unit_ids,
                                                 activity_type_id=activity_type_id)):
        bid, code, text, subject, tiers = behaviours[row.behaviour_id]
        result[row.unit_id][bid] = Coverage(bid, code, text, subject, tiers, row.expected, row.evidenced)
    return result


def lowest_first(coverage: list[Coverage]) -> list[Coverage]:
    return sorted(coverage, key=lambda c: (c.percent is None, c.percent or 0, c.code))


# A "rarely evidenced" list names at most this many, then says how many more the table marks as gaps.
RARELY_EVIDENCED_SHOWN = 6


@dataclass
class RarelyEvidenced:
    """The gaps of a coverage table, lowest first: the few a list names and how many it leaves out."""

    shown: list[Coverage]
    more: int

    @property
    def total(self) -> int:
        return len(self.shown) + self.more


def rarely_evidenced(coverage: list[Coverage], shown: int = RARELY_EVIDENCED_SHOWN) -> RarelyEvidenced:
    """The same rule (Coverage.is_gap) and the same figures as the table the list sits above."""
    gaps = [c for c in lowest_first(coverage) if c.is_gap]
    return RarelyEvidenced(gaps[:shown], len(gaps[shown:]))


def courses_for_behaviours(behaviour_ids, limit: int = 5):
    """Catalogue courses that teach the most of the given behaviours, for suggestions."""
    ids = list(behaviour_ids)
    if not ids:
        return []
    return db.session.execute(
        select(Course.id, Course.title, Course.provider, Course.format, Course.url,
               func.count(course_behaviour.c.behaviour_id).label("matches"))
        .join(course_behaviour, course_behaviour.c.course_id == Course.id)
        .where(course_behaviour.c.behaviour_id.in_(ids), Course.retired.is_(False))
        .group_by(Course.id, Course.title, Course.provider, Course.format, Course.url)
        .order_by(func.count(course_behaviour.c.behaviour_id).desc(), Course.experiential.desc(), Course.title)
        .limit(limit)
    ).all()
