"""The annual rule: a person's status for an appraisal year.

One definition, two speeds. `progress_query()` builds the per-person figures in SQL
(activities, hours, behaviours, exemption) for any set of people; `decide_status()` turns
one person's figures into a status in Python, and `status_case()` is the same decision
as a SQL CASE so that dashboards can GROUP BY status. Both read the same `Rule`s, and
tests hold the two equal over the whole demo organisation.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Select, and_, bindparam, case, distinct, func, literal, or_, select

from tracker.appraisal_year import AppraisalYear
from tracker.counting import counted_in_year, exempt_on, live_in_year
from tracker.durations import minutes_to_hours, more_text
from tracker.extensions import db
from tracker.framework_years import (behaviour_of_line, evidenced_behaviour, framework_id_of, leadership_lines_in,
                                     lines_in)
from tracker.models import (DEFAULT_AMBER_BAND, DEFAULT_RULES, Activity, ActivityStatus, ActivityType, ComplianceTarget,
                            Person, RequirementRule, activity_behaviour)
from tracker.models._types import LabelledEnum
from tracker.plurals import noun, plural
from tracker.roster import Roster, reference_day  # noqa: F401 (reference_day: the exemption day too)


class Status(LabelledEnum):
    """A person's standing for a year; the labels are the status words of the product brief, exactly."""

    NOT_STARTED = ("not_started", "not started")
    IN_PROGRESS = ("in_progress", "in progress")
    AWAITING_SIGN_OFF = ("awaiting_sign_off", "awaiting sign-off")
    COMPLETE = ("complete", "complete")
    EXEMPT = ("exempt", "exempt")
    OVERDUE = ("overdue", "overdue")


@dataclass(frozen=True)
class Rule:
    tier: int
    min_experiential_activities: int
    min_hours: Decimal
    min_behaviours: int
    needs_leadership_behaviour: bool


def load_rules(year: AppraisalYear, session=None) -> dict[int, Rule]:
    """The rule of each tier in `year`: the row with the latest `from_year` not after it (a year
    before every row takes the earliest), else the product's defaults. One small query."""
    rules = {tier: Rule(tier=tier, **values) for tier, values in DEFAULT_RULES.items()}
    rows = (session or db.session).scalars(select(RequirementRule).order_by(RequirementRule.from_year)).all()
    for tier in {row.tier for row in rows}:
        of_tier = [row for row in rows if row.tier == tier]
        in_force = [row for row in of_tier if row.from_year <= year.start_year] or of_tier[:1]
        rules[tier] = rule_from_row(in_force[-1])
    return rules


def rule_from_row(row: RequirementRule) -> Rule:
    return Rule(
        tier=row.tier,
        min_experiential_activities=row.min_experiential_activities,
        min_hours=Decimal(row.min_hours),
        min_behaviours=row.min_behaviours,
        needs_leadership_behaviour=row.needs_leadership_behaviour,
    )


class Target(int):
    """A compliance target in percent that also carries the width of its amber band: it reads and
    sums as the plain number wherever a page shows or draws the target."""

    amber_band: int

    def __new__(cls, percent: int, amber_band: int = DEFAULT_AMBER_BAND):
        target = super().__new__(cls, percent)
        target.amber_band = amber_band
        return target


def load_target(year: AppraisalYear, default_percent: int) -> Target:
    """The target in force in `year` (rows apply from their year on, like the rules), else the
    deployment's COMPLIANCE_TARGET with the default amber band."""
    rows = db.session.scalars(select(ComplianceTarget).order_by(ComplianceTarget.from_year)).all()
    in_force = [row for row in rows if row.from_year <= year.start_year] or rows[:1]
    if not in_force:
        return Target(default_percent)
    return Target(in_force[-1].percent, in_force[-1].amber_band)


@dataclass(frozen=True)
class Counts:
    """What counts toward the rule, for one set of activity statuses."""

    activities: int
    minutes: int
    behaviours: int
    leadership: bool

    @property
    def hours(self) -> Decimal:
        return minutes_to_hours(self.minutes)


@dataclass(frozen=True)
class Progress:
    person_id: int
    tier: int
    logged: int  # any activity this year but drafts (a draft is its author's alone)
    signed_off: Counts
    with_pending: Counts  # signed off plus submitted
    pending_activities: int
    exempt: bool
    year_ended: bool
    status: Status | None = None


def meets(rule: Rule, counts: Counts) -> bool:
    return (
        counts.activities >= rule.min_experiential_activities
        and Decimal(counts.minutes) >= rule.min_hours * 60
        and counts.behaviours >= rule.min_behaviours
        and (counts.leadership or not rule.needs_leadership_behaviour)
    )


def decide_status(progress: Progress, rule: Rule) -> Status:
    if meets(rule, progress.signed_off):
        return Status.COMPLETE
    if progress.exempt:
        return Status.EXEMPT
    if progress.year_ended:
        return Status.OVERDUE
    if meets(rule, progress.with_pending):
        return Status.AWAITING_SIGN_OFF
    if progress.logged:
        return Status.IN_PROGRESS
    return Status.NOT_STARTED


# --- SQL ------------------------------------------------------------------------------

_COUNTED = (ActivityStatus.SIGNED_OFF,)
_COUNTED_WITH_PENDING = (ActivityStatus.SIGNED_OFF, ActivityStatus.SUBMITTED)


def progress_query(people: Select, year: AppraisalYear, today: date) -> Select:
    """One row per person of `people` (a people selection, tracker.roster), with the figures the rule reads.

    Columns: person_id, team_id, staff_group, tier (as the selection has them), logged,
    pending_activities, then for signed-off (s_) and signed-off-plus-submitted (p_): activities,
    minutes, behaviours, leadership; and exempt. Two grouped subqueries (activities, behaviours)
    so the behaviour join cannot inflate counts.
    """
    person_ids = people.order_by(None).subquery("people")
    owners = select(person_ids.c.id)
    per_activity = activity_figures(owners, year).subquery("per_activity")
    per_behaviour = behaviour_figures(owners, year, framework_id_of(year)).subquery("per_behaviour")

    exempt = exempt_on(reference_day(year, today), person_ids.c.id)

    return (
        select(
            person_ids.c.id.label("person_id"),
            person_ids.c.team_id.label("team_id"),
            person_ids.c.staff_group.label("staff_group"),
            person_ids.c.tier.label("tier"),
            func.coalesce(per_activity.c.logged, 0).label("logged"),
            func.coalesce(per_activity.c.pending, 0).label("pending_activities"),
            func.coalesce(per_activity.c.s_activities, 0).label("s_activities"),
            func.coalesce(per_activity.c.s_minutes, 0).label("s_minutes"),
            func.coalesce(per_behaviour.c.s_behaviours, 0).label("s_behaviours"),
            func.coalesce(per_behaviour.c.s_leadership, 0).label("s_leadership"),
            func.coalesce(per_activity.c.p_activities, 0).label("p_activities"),
            func.coalesce(per_activity.c.p_minutes, 0).label("p_minutes"),
            func.coalesce(per_behaviour.c.p_behaviours, 0).label("p_behaviours"),
            func.coalesce(per_behaviour.c.p_leadership, 0).label("p_leadership"),
            case((exempt, 1), else_=0).label("exempt"),
            per_activity.c.last_on.label("last_activity_on"),
        )
        .select_from(person_ids)
        .outerjoin(per_activity, per_activity.c.owner_id == person_ids.c.id)
        .outerjoin(per_behaviour, per_behaviour.c.owner_id == person_ids.c.id)
    )


def _sum_if(condition, value):
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


def activity_figures(owners: Select, year: AppraisalYear) -> Select:
    """(owner_id, logged, pending, s_/p_activities, s_/p_minutes, last_on) of the activities of
    `owners` (a select of person ids) that count in `year`, one row per owner with any."""
    experiential = ActivityType.experiential.is_(True)
    signed = Activity.status.in_(_COUNTED)
    pending_or_signed = Activity.status.in_(_COUNTED_WITH_PENDING)
    return (
        select(
            Activity.owner_id.label("owner_id"),
            func.count(Activity.id).label("logged"),
            _sum_if(Activity.status == ActivityStatus.SUBMITTED, 1).label("pending"),
            _sum_if(and_(signed, experiential), 1).label("s_activities"),
            _sum_if(and_(signed, experiential), Activity.duration_minutes).label("s_minutes"),
            _sum_if(and_(pending_or_signed, experiential), 1).label("p_activities"),
            _sum_if(and_(pending_or_signed, experiential), Activity.duration_minutes).label("p_minutes"),
            func.max(Activity.occurred_on).label("last_on"),
        )
        .join(ActivityType, ActivityType.id == Activity.type_id)
        .where(counted_in_year(year), Activity.owner_id.in_(owners))
        .group_by(Activity.owner_id)
    )


def behaviour_figures(owners: Select, year: AppraisalYear, framework_id: int | None) -> Select:
    """(owner_id, s_/p_behaviours, s_/p_leadership) of `owners` in `year`, counted as the year's
    framework (`framework_id`) has them: once per line, whatever version was evidenced, and not at
    all when the year's framework lacks the line. Apart from activity_figures() so that the
    behaviour join cannot inflate the counts."""
    signed = Activity.status.in_(_COUNTED)
    evidenced = evidenced_behaviour()
    leadership = evidenced.lineage_id.in_(leadership_lines_in(framework_id))
    return (
        select(
            Activity.owner_id.label("owner_id"),
            func.count(distinct(case((signed, evidenced.lineage_id)))).label("s_behaviours"),
            func.count(distinct(evidenced.lineage_id)).label("p_behaviours"),
            func.max(case((and_(signed, leadership), 1), else_=0)).label("s_leadership"),
            func.max(case((leadership, 1), else_=0)).label("p_leadership"),
        )
        .join(ActivityType, ActivityType.id == Activity.type_id)
        .join(activity_behaviour, activity_behaviour.c.activity_id == Activity.id)
        .join(evidenced, evidenced.id == activity_behaviour.c.behaviour_id)
        .where(
            live_in_year(year),
            ActivityType.experiential.is_(True),
            Activity.status.in_(_COUNTED_WITH_PENDING),
            Activity.owner_id.in_(owners),
            evidenced.lineage_id.in_(lines_in(framework_id)),
        )
        .group_by(Activity.owner_id)
    )


def behaviour_evidence(person_id: int, year: AppraisalYear) -> dict[int, bool]:
    """The behaviours the rule counts for one person: id of the behaviour in the year's framework
    -> True once signed off, False while only awaiting sign-off. Same filters and joins as
    progress_query(), so its sizes equal that query's s_behaviours and p_behaviours (a test holds
    them equal)."""
    framework_id = framework_id_of(year)
    rows = db.session.execute(_evidence_statement(year, framework_id), {"person_id": person_id}).all()
    behaviour_ids = behaviour_of_line(framework_id)
    return {behaviour_ids[line]: bool(signed_off) for line, signed_off in rows}


@functools.lru_cache(maxsize=64)
def _evidence_statement(year: AppraisalYear, framework_id: int) -> Select:
    """Built once per year and framework, the person a parameter (building it cost My year 2 ms)."""
    evidenced = evidenced_behaviour()
    return (select(evidenced.lineage_id, func.max(case((Activity.status.in_(_COUNTED), 1), else_=0)))
            .select_from(activity_behaviour)
            .join(evidenced, evidenced.id == activity_behaviour.c.behaviour_id)
            .join(Activity, Activity.id == activity_behaviour.c.activity_id)
            .join(ActivityType, ActivityType.id == Activity.type_id)
            .where(live_in_year(year), ActivityType.experiential.is_(True), Activity.status.in_(_COUNTED_WITH_PENDING),
                   Activity.owner_id == bindparam("person_id"), evidenced.lineage_id.in_(lines_in(framework_id)))
            .group_by(evidenced.lineage_id))


def meets_sql(rule: Rule, cols, prefix: str):
    c = lambda name: cols[f"{prefix}_{name}"]  # noqa: E731
    parts = [
        c("activities") >= rule.min_experiential_activities,
        c("minutes") >= int(rule.min_hours * 60),
        c("behaviours") >= rule.min_behaviours,
    ]
    if rule.needs_leadership_behaviour:
        parts.append(c("leadership") == 1)
    return and_(*parts)


def meets_by_tier(rules: dict[int, Rule], cols, prefix: str):
    """SQL: the person's tier rule is met by the `prefix`_ columns ("s" signed off, "p" with pending)."""
    return or_(*[and_(cols["tier"] == tier, meets_sql(rule, cols, prefix)) for tier, rule in rules.items()])


def status_case(progress, rules: dict[int, Rule], year: AppraisalYear, today: date):
    """decide_status() as SQL, over the columns of a progress_query() subquery."""
    cols = progress.c
    ended = year.has_ended(today)
    whens = [(meets_by_tier(rules, cols, "s"), literal(Status.COMPLETE.value)),
             (cols["exempt"] == 1, literal(Status.EXEMPT.value))]
    if ended:
        return case(*whens, else_=literal(Status.OVERDUE.value))
    whens += [
        (meets_by_tier(rules, cols, "p"), literal(Status.AWAITING_SIGN_OFF.value)),
        (cols["logged"] > 0, literal(Status.IN_PROGRESS.value)),
    ]
    return case(*whens, else_=literal(Status.NOT_STARTED.value))


def status_query(people: Select, year: AppraisalYear, today: date, rules: dict[int, Rule] | None = None,
                 from_scratch: bool = False) -> Select:
    """Every figure of progress_query() plus a `status` column, one row per person: read from the
    kept figures (tracker.figures.upkeep), or computed from the activities when asked, while the
    year's kept figures wait for a rebuild, or for a year drawn with another start month."""
    from tracker.figures import kept_progress  # the figures package reads this module

    rules = rules or load_rules(year)
    if from_scratch or not kept_progress.kept_for(year):
        progress = progress_query(people, year, today).subquery("progress")
    else:
        progress = kept_progress.kept_progress_query(people, year, today).subquery("progress")
    return select(progress, status_case(progress, rules, year, today).label("status"))


def compliance_percent(counts: dict[Status, int]) -> float | None:
    """complete / (people - exempt), or None when nobody is expected to do anything."""
    return percent_of(counts[Status.COMPLETE], sum(counts.values()) - counts[Status.EXEMPT])


def percent_of(complete: int, expected: int) -> float | None:
    """complete / expected to a tenth, halves up, in whole numbers: SQL ranks by the same (below)."""
    return (2000 * complete + expected) // (2 * expected) / 10 if expected > 0 else None


def percent_tenths_sql(complete, expected):
    """SQL: percent_of() in tenths (NULL when nobody is expected), from integer columns."""
    return case((expected > 0, (2000 * complete + expected) // (2 * expected)), else_=None)  # // : whole numbers


def rag(percent: float | None, target: int) -> str:
    """green at or above target, amber within the target's amber band below it (15 points unless
    set), red below that."""
    if percent is None:
        return "none"
    if percent >= target:
        return "green"
    if percent >= target - getattr(target, "amber_band", DEFAULT_AMBER_BAND):
        return "amber"
    return "red"


def progress_from_row(row, year: AppraisalYear, today: date) -> Progress:
    return Progress(
        person_id=row.person_id,
        tier=row.tier,
        logged=row.logged,
        signed_off=Counts(row.s_activities, int(row.s_minutes), row.s_behaviours, bool(row.s_leadership)),
        with_pending=Counts(row.p_activities, int(row.p_minutes), row.p_behaviours, bool(row.p_leadership)),
        pending_activities=row.pending_activities,
        exempt=bool(row.exempt),
        year_ended=year.has_ended(today),
    )


def progress_of(person: Person, year: AppraisalYear, today: date, rules: dict[int, Rule] | None = None) -> Progress:
    """One person's figures (kept, as the dashboards read them; from the activities while a rebuild
    waits) and status for a year, decided in Python with their tier on the reference day."""
    from tracker.figures import kept_progress  # the figures package reads this module
    rules, kept = rules or load_rules(year), kept_progress.kept_for(year)
    row = kept_progress.kept_row_of(person.id, year, today) if kept else None
    if row is None:  # not kept, or not in post on the day (their own pages still show their year)
        figures = kept_progress.kept_progress_query if kept else progress_query
        row = db.session.execute(figures(Roster.of(year, today).person(person), year, today)).one()
    progress = progress_from_row(row, year, today)
    return Progress(**{**progress.__dict__, "status": decide_status(progress, rules[progress.tier])})


def missing(progress: Progress, rule: Rule) -> list[str]:
    """What is still needed, in plain words, e.g. "1 more experiential activity"."""
    if progress.status in (Status.COMPLETE, Status.EXEMPT):
        return []
    done = progress.signed_off
    needs = []
    more = rule.min_experiential_activities - done.activities
    if more > 0:
        needs.append(f"{more} more experiential {noun(more, 'activity', 'activities')}")
    short = math.ceil(rule.min_hours * 60) - done.minutes  # the rule compares minutes with hours × 60
    if short > 0:
        needs.append(f"{more_text(short)} of experiential activity")
    more = rule.min_behaviours - done.behaviours
    if more > 0:
        needs.append(f"{more} more {noun(more, 'behaviour')}")
    if rule.needs_leadership_behaviour and not done.leadership:
        needs.append("1 behaviour from a leadership subject")
    if progress.pending_activities:
        needs.append(f"awaiting sign-off of {plural(progress.pending_activities, 'activity', 'activities')}")
    return needs
