"""The framework page: the current framework by tier, what each tier's annual requirement asks,
and for each behaviour how many courses develop it and whether the viewer has shown it this year."""
from __future__ import annotations

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import selectinload

from tracker import access
from tracker.appraisal_year import AppraisalYear, current_year
from tracker.counting import live_in_year
from tracker.durations import hours_text
from tracker.plurals import noun, plural
from tracker.extensions import db
from tracker.framework_years import behaviour_of_line, current_framework, evidenced_behaviour, framework_id_of
from tracker.models import Activity, Behaviour, Course, Domain, Framework, Subject, activity_behaviour, course_behaviour

TIER_DESCRIPTIONS = {
    1: "everyone",
    2: "people who have regular contact with patients or the public",
    3: "people with high autonomy, specialists and leaders",
}


def framework_outline() -> Framework | None:
    """The current year's framework with its domains, subjects and behaviours loaded (a fixed
    number of queries)."""
    return db.session.scalar(
        select(Framework).where(Framework.id == framework_id_of(current_year())).options(
            selectinload(Framework.domains).selectinload(Domain.subjects).selectinload(Subject.behaviours)
        )
    )


def behaviours_at_tier(outline: Framework, tier: int | None):
    """(domains with their subjects and the behaviours that apply at the tier, subjects left out).

    Every behaviour when tier is None."""
    shown, left_out = [], []
    for domain in outline.domains:
        subjects = []
        for subject in domain.subjects:
            behaviours = [b for b in subject.behaviours if tier is None or tier in b.tiers]
            if behaviours:
                subjects.append((subject, behaviours))
            else:
                left_out.append(subject)
        if subjects:
            shown.append((domain, subjects))
    return shown, left_out


def current_behaviour_choices() -> list[tuple[Subject, list[Behaviour]]]:
    """The current framework's behaviours grouped by subject, in framework order."""
    framework = framework_outline()
    if framework is None:
        return []
    return [(subject, list(subject.behaviours)) for d in framework.domains for subject in d.subjects]


def behaviour_by_code(code: str) -> Behaviour | None:
    framework = current_framework()
    if framework is None or not code:
        return None
    return db.session.scalar(select(Behaviour).where(Behaviour.framework_id == framework.id, Behaviour.code == code))


def course_counts_by_behaviour(viewer) -> dict[int, int]:
    """How many courses the viewer can see develop each behaviour (one GROUP BY)."""
    courses = access.visible_courses(viewer).where(Course.retired.is_(False)).with_only_columns(Course.id)
    rows = db.session.execute(
        select(course_behaviour.c.behaviour_id, func.count())
        .where(course_behaviour.c.course_id.in_(courses))
        .group_by(course_behaviour.c.behaviour_id)
    )
    return dict(rows.all())


def evidenced_behaviour_ids(person, year: AppraisalYear) -> set[int]:
    """Behaviours in the person's own activities this appraisal year, whatever their status, as
    the year's framework has them."""
    own = access.own_activities(person).with_only_columns(Activity.id).where(live_in_year(year))
    evidenced = evidenced_behaviour()
    lines = set(db.session.scalars(
        select(distinct(evidenced.lineage_id))
        .select_from(activity_behaviour)
        .join(evidenced, evidenced.id == activity_behaviour.c.behaviour_id)
        .where(activity_behaviour.c.activity_id.in_(own))
    ))
    return {behaviour_id for line, behaviour_id in behaviour_of_line(framework_id_of(year)).items() if line in lines}


def describe_rule(rule) -> list[str]:
    """A tier's annual requirement as short phrases, e.g. "at least 3 hours in all"."""
    n = rule.min_experiential_activities
    parts = [f"{n} experiential {noun(n, 'activity', 'activities')}"]
    if rule.min_hours:
        parts.append(f"at least {hours_text(rule.min_hours)} in all")
    n = rule.min_behaviours
    behaviours = f"covering at least {plural(n, 'behaviour')}"
    if rule.needs_leadership_behaviour:
        behaviours += ", one of them from a leadership subject"
    parts.append(behaviours)
    return parts
