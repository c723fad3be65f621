"""What the loaded framework and catalogue offer the demo: behaviours per tier, rules, activity types, courses.

Read once before anything is made up, so demo activities only use what this database holds
(an organisation's own framework or vocabulary works as well as the shipped one).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from tracker.compliance import Rule, load_rules
from tracker.extensions import db
from tracker.framework_import import current_framework
from tracker.models import ActivityType, Behaviour, BehaviourTier, Course, Subject, course_behaviour

# How often each type is picked, among the types that exist; others get a small weight.
EXPERIENTIAL_WEIGHTS = {
    "observed_practice_feedback": 14, "simulation_role_play": 10, "reflective_case_review": 12,
    "clinical_supervision": 10, "peer_supervision": 8, "coaching_mentoring": 8, "team_debrief": 12,
    "schwartz_round": 8, "peer_observation": 6, "shadowing": 6, "workshop_with_practice": 10,
}
OTHER_WEIGHTS = {"e_learning": 60, "reading_self_study": 25, "lecture_conference": 15}


@dataclass
class Reference:
    rules: dict[int, Rule]
    tier_behaviours: dict[int, list[int]] = field(default_factory=lambda: {1: [], 2: [], 3: []})
    tier_leadership: dict[int, list[int]] = field(default_factory=lambda: {1: [], 2: [], 3: []})
    behaviour_by_code: dict[str, int] = field(default_factory=dict)
    leadership: set[int] = field(default_factory=set)
    type_ids: dict[str, int] = field(default_factory=dict)
    experiential_weights: dict[str, int] = field(default_factory=dict)
    other_weights: dict[str, int] = field(default_factory=dict)
    # By course code: id, title, format, experiential, behaviours (ids) and minutes.
    courses: dict[str, dict] = field(default_factory=dict)


def read_reference(year) -> Reference:
    """What the demo draws on, with the rules in force in `year` (the rules a new installation starts with)."""
    reference = Reference(rules=load_rules(year))
    _read_behaviours(reference)
    _read_activity_types(reference)
    _read_courses(reference)
    return reference


def _read_behaviours(reference: Reference) -> None:
    framework = current_framework()
    rows = db.session.execute(
        select(Behaviour.id, Behaviour.code, BehaviourTier.tier, Subject.is_leadership)
        .join(BehaviourTier, BehaviourTier.behaviour_id == Behaviour.id)
        .join(Subject, Subject.id == Behaviour.subject_id)
        .where(Behaviour.framework_id == framework.id)
        .order_by(Behaviour.id, BehaviourTier.tier)
    ).all()
    for behaviour_id, code, tier, leadership in rows:
        reference.behaviour_by_code[code] = behaviour_id
        if tier in reference.tier_behaviours:
            reference.tier_behaviours[tier].append(behaviour_id)
            if leadership:
                reference.tier_leadership[tier].append(behaviour_id)
    reference.leadership = {b for ids in reference.tier_leadership.values() for b in ids}


def _read_activity_types(reference: Reference) -> None:
    experiential_types: dict[str, bool] = {}
    for type_id, code, experiential in db.session.execute(
        select(ActivityType.id, ActivityType.code, ActivityType.experiential)
        .order_by(ActivityType.position, ActivityType.id)
    ):
        reference.type_ids[code] = type_id
        experiential_types[code] = experiential
    # Weights only for the types that exist, so an organisation's own vocabulary still works.
    reference.experiential_weights = {c: w for c, w in EXPERIENTIAL_WEIGHTS.items()
                                      if experiential_types.get(c) is True}
    reference.other_weights = {c: w for c, w in OTHER_WEIGHTS.items() if experiential_types.get(c) is False}
    for code, experiential in experiential_types.items():
        (reference.experiential_weights if experiential else reference.other_weights).setdefault(code, 3)
    if not reference.experiential_weights:
        raise RuntimeError("No experiential activity types are loaded; cannot build demo activities.")


def _read_courses(reference: Reference) -> None:
    course_behaviours: dict[int, list[int]] = {}
    for course_id, behaviour_id in db.session.execute(
        select(course_behaviour.c.course_id, course_behaviour.c.behaviour_id)
        .order_by(course_behaviour.c.course_id, course_behaviour.c.behaviour_id)
    ):
        course_behaviours.setdefault(course_id, []).append(behaviour_id)
    for course in db.session.scalars(select(Course).where(Course.retired.is_(False)).order_by(Course.code)):
        reference.courses[course.code] = {
            "id": course.id, "title": course.title, "format": course.format,
            "experiential": course.experiential, "behaviours": course_behaviours.get(course.id, []),
            "minutes": int(course.duration_hours * 60) if course.duration_hours else None,
        }
