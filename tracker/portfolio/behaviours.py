"""The framework behaviours a person can evidence, and their grouping by subject on the pages."""
from __future__ import annotations

import functools
from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import contains_eager

from tracker.appraisal_year import AppraisalYear, current_year
from tracker.extensions import db
from tracker.framework_years import framework_id_of
from tracker.models import Activity, Behaviour, BehaviourTier, Domain, Person, Subject


def tier_behaviours(tier: int, year: AppraisalYear | None = None) -> list[Behaviour]:
    """The behaviours of `year`'s framework (the current year's, which new activities are mapped
    to, when None) that apply to `tier`, in framework order."""
    framework_id = framework_id_of(year or current_year())
    return list(db.session.scalars(_tier_behaviours_statement(),
                                   {"framework_id": framework_id, "tier": tier}).unique())


@functools.cache
def _tier_behaviours_statement():
    """Built once, the framework and tier its parameters: every portfolio page asks for them."""
    return (select(Behaviour)
            .join(Behaviour.subject)
            .join(Subject.domain)
            .join(BehaviourTier, BehaviourTier.behaviour_id == Behaviour.id)
            .where(Behaviour.framework_id == bindparam("framework_id"), BehaviourTier.tier == bindparam("tier"))
            .options(contains_eager(Behaviour.subject).contains_eager(Subject.domain))
            .order_by(Domain.position, Subject.position, Behaviour.position))


def allowed_behaviours(person: Person, activity: Activity | None = None) -> list[Behaviour]:
    """What the form offers and accepts: my tier's behaviours in the current framework, plus any
    the activity already has (an earlier framework version keeps its mapping)."""
    behaviours = tier_behaviours(person.tier)
    known = {b.id for b in behaviours}
    if activity is not None:
        behaviours += [b for b in activity.behaviours if b.id not in known]
    return behaviours


@dataclass
class SubjectGroup:
    subject: Subject
    behaviours: list[Behaviour]
    open: bool = False

    @property
    def domain(self) -> Domain:
        return self.subject.domain


def group_by_subject(behaviours: list[Behaviour], first_subjects=(), open_ids=()) -> list[SubjectGroup]:
    """Behaviours grouped by subject; subjects named in `first_subjects` (numbers) come first."""
    groups: OrderedDict[int, SubjectGroup] = OrderedDict()
    for behaviour in behaviours:
        group = groups.setdefault(behaviour.subject_id, SubjectGroup(behaviour.subject, []))
        group.behaviours.append(behaviour)
    ordered = list(groups.values())
    first = [g for g in ordered if g.subject.number in first_subjects]
    first_ids = {id(g) for g in first}
    ordered = first + [g for g in ordered if id(g) not in first_ids]
    for group in ordered:
        group.open = group.subject.number in first_subjects or any(b.id in open_ids for b in group.behaviours)
    return ordered
