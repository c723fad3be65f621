"""What each demo person did in each appraisal year, planned so their status comes out as intended.

A plan is a list of `PlannedActivity`: experiential or not, status, behaviours and minutes. The
planner aims at a status (complete, awaiting sign-off, in progress, not started) with odds that
depend on how far through the year today is and how well the person's team does, and checks
its aim with the application's own rule (`compliance.meets`). `activities.py` then gives each
planned activity a type, title, date and reflection.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date

from tracker.appraisal_year import AppraisalYear
from tracker.compliance import Counts, Rule, meets
from tracker.models import ActivityStatus

from .organisation import StaffMember
from .reference import Reference

DURATIONS = (30, 45, 60, 60, 60, 90, 90, 120, 120, 180, 240, 360, 420, 480)  # minutes, weighted
LONGEST = 480  # minutes; nobody logs more than a working day as one activity


@dataclass
class PlannedActivity:
    """One activity to write, before its type, title and dates are chosen."""

    experiential: bool
    status: ActivityStatus
    behaviours: list[int]
    minutes: int
    type_code: str | None = None
    title: str | None = None
    course_code: str | None = None
    when: float | None = None  # fraction of the way through the available days
    feedback: str | None = None


class Planner:
    def __init__(self, rng: random.Random, reference: Reference, years: list[AppraisalYear], today: date,
                 team_factors: dict[int, float]):
        self.rng = rng
        self.reference = reference
        self.years = years
        self.current = years[-1]
        self.today = today
        self.team_factors = team_factors

    def plans_for(self, person: StaffMember) -> dict[AppraisalYear, list[PlannedActivity]]:
        if person.email == "staff@example.org":
            return self._named_staff_plans(person)
        return {year: self._plan(person, year) for year in self.years}

    def _plan(self, person: StaffMember, year: AppraisalYear) -> list[PlannedActivity]:
        rng = self.rng
        rule = self.reference.rules[person.tier]
        # Some teams do better than others, so dashboards show green, amber and red.
        factor = self.team_factors.get(person.team_id, 1.0)
        if person.new_starter_year is not None and year.start_year <= person.new_starter_year.start_year:
            return [] if year != self.current or rng.random() < 0.6 else self._in_progress(person, rule, current=True)
        if year == self.current:
            if not person.active:
                return []
            if person.exempt_year == year:
                return [] if rng.random() < 0.5 else self._in_progress(person, rule, current=True)
            elapsed = self._fraction_of_year(year)
            roll = rng.random()
            p_complete = min(0.9, 0.62 * elapsed * factor)
            p_awaiting = 0.13 * min(1.0, 2 * elapsed)
            p_progress = 0.30
            if roll < p_complete:
                return self._complete(person, rule, current=True)
            if roll < p_complete + p_awaiting:
                return self._awaiting(person, rule)
            if roll < p_complete + p_awaiting + p_progress:
                return self._in_progress(person, rule, current=True)
            return []
        if person.exempt_year == year:
            return [] if rng.random() < 0.5 else self._in_progress(person, rule, current=False)
        if rng.random() < min(0.97, 0.86 * factor):
            return self._complete(person, rule, current=False)
        return self._in_progress(person, rule, current=False)

    def _fraction_of_year(self, year: AppraisalYear) -> float:
        days = (year.ends_on - year.starts_on).days + 1
        return min(1.0, ((self.today - year.starts_on).days + 1) / days)

    def _complete(self, person: StaffMember, rule: Rule, current: bool) -> list[PlannedActivity]:
        """Signed-off experiential activities that meet the rule, plus now and then something else."""
        rng = self.rng
        reference = self.reference
        pool = reference.tier_behaviours[person.tier]
        chosen = rng.sample(pool, min(len(pool), rule.min_behaviours + rng.randint(0, 2)))
        if rule.needs_leadership_behaviour and not any(b in reference.leadership for b in chosen):
            options = [b for b in reference.tier_leadership[person.tier] if b not in chosen]
            if options:
                chosen[0] = rng.choice(options)
        k = max(rule.min_experiential_activities, 1, math.ceil(len(chosen) / 4)) + (rng.random() < 0.3)
        groups = [chosen[i::k] for i in range(k)]
        plans = []
        for group in groups:
            behaviours = list(group) or [rng.choice(chosen or pool)]
            if len(behaviours) < 4 and rng.random() < 0.25:
                extra = rng.choice(pool)
                if extra not in behaviours:
                    behaviours.append(extra)
            plans.append(PlannedActivity(True, ActivityStatus.SIGNED_OFF, behaviours, rng.choice(DURATIONS)))
        _top_up_minutes(plans, int(rule.min_hours * 60))
        plans.extend(self._extras(person, current))
        return plans

    def _awaiting(self, person: StaffMember, rule: Rule) -> list[PlannedActivity]:
        """As complete, but the last ones are still waiting for the manager."""
        plans = self._complete(person, rule, current=True)
        experiential = [p for p in plans if p.experiential]
        for index, plan in enumerate(experiential):
            if index >= rule.min_experiential_activities - 1:
                plan.status = ActivityStatus.SUBMITTED
        return plans

    def _in_progress(self, person: StaffMember, rule: Rule, current: bool) -> list[PlannedActivity]:
        """Some activity that does not (yet) meet the rule, even with pending sign-offs."""
        rng = self.rng
        pool = self.reference.tier_behaviours[person.tier]
        draft, returned, signed_off, submitted = (ActivityStatus.DRAFT, ActivityStatus.RETURNED,
                                                  ActivityStatus.SIGNED_OFF, ActivityStatus.SUBMITTED)
        if current:
            statuses, weights = (draft, returned, signed_off, submitted), (4, 2, 3, 2)
        else:
            statuses, weights = (signed_off, draft, returned, submitted), (6, 2, 1, 1)
        n = rng.randint(0 if not current else 1, max(1, rule.min_experiential_activities))
        plans = [
            PlannedActivity(True, rng.choices(statuses, weights)[0],
                            rng.sample(pool, rng.randint(1, min(3, len(pool)))), rng.choice(DURATIONS))
            for _ in range(n)
        ]
        plans.extend(self._extras(person, current))
        if current and not plans:
            plans.append(PlannedActivity(True, ActivityStatus.DRAFT, [rng.choice(pool)], rng.choice(DURATIONS)))
        counted = (ActivityStatus.SIGNED_OFF, ActivityStatus.SUBMITTED) if current else (ActivityStatus.SIGNED_OFF,)
        while meets(rule, self._counts(plans, counted)):
            plan = next(p for p in reversed(plans) if p.experiential and p.status in counted)
            plan.status = ActivityStatus.DRAFT if current else ActivityStatus.RETURNED
        return plans

    def _extras(self, person: StaffMember, current: bool) -> list[PlannedActivity]:
        """Now and then an e-learning module, some reading or a lecture: logged, not counted."""
        rng = self.rng
        if not self.reference.other_weights or rng.random() >= 0.25:
            return []
        pool = self.reference.tier_behaviours[person.tier]
        status = (rng.choice((ActivityStatus.DRAFT, ActivityStatus.SUBMITTED, ActivityStatus.SIGNED_OFF))
                  if current else ActivityStatus.SIGNED_OFF)
        return [PlannedActivity(False, status, rng.sample(pool, rng.randint(1, 2)), rng.choice((30, 45, 60, 90, 120)))]

    def _counts(self, plans: list[PlannedActivity], statuses) -> Counts:
        """What the rule would count of these plans, the way `compliance` counts stored activities."""
        counted = [p for p in plans if p.experiential and p.status in statuses]
        behaviours = {b for p in counted for b in p.behaviours}
        return Counts(len(counted), sum(p.minutes for p in counted), len(behaviours),
                      any(b in self.reference.leadership for b in behaviours))

    def _named_staff_plans(self, person: StaffMember) -> dict[AppraisalYear, list[PlannedActivity]]:
        """staff@example.org: complete in earlier years; this year one signed off, one returned, one draft."""
        code = self._behaviour_codes(person.tier)
        plans: dict[AppraisalYear, list[PlannedActivity]] = {}
        for year in self.years[:-2]:
            plans[year] = self._complete(person, self.reference.rules[person.tier], current=False)
        if len(self.years) > 1:
            plans[self.years[-2]] = [
                PlannedActivity(True, ActivityStatus.SIGNED_OFF, code("2.2", "2.4", "3.1", "3.2"), 180,
                                type_code="workshop_with_practice", course_code="sage-thyme-foundation", when=0.3),
                PlannedActivity(True, ActivityStatus.SIGNED_OFF, code("1.4", "2.5"), 60, type_code="team_debrief",
                                title="Team debrief after an unexpected death on the ward", when=0.7),
            ]
        plans[self.current] = [
            PlannedActivity(True, ActivityStatus.SIGNED_OFF, code("2.2", "2.4", "3.2"), 90,
                            type_code="observed_practice_feedback",
                            title="Observed practice: explaining a chemotherapy delay", when=0.25),
            PlannedActivity(True, ActivityStatus.RETURNED, code("4.1", "4.3"), 60, type_code="reflective_case_review",
                            title="Case review: supporting a patient after a new diagnosis", when=0.6,
                            feedback="Thank you. Please say what you will do differently next time before I sign "
                                     "this off."),
            PlannedActivity(True, ActivityStatus.DRAFT, code("1.2"), 60, type_code="schwartz_round",
                            title="Schwartz round: The patient I'll never forget", when=0.9),
        ]
        return plans

    def _behaviour_codes(self, tier: int):
        """Behaviour ids by framework code, kept to the tier (a random few when the framework has other codes)."""
        pool = self.reference.tier_behaviours[tier]
        by_code = self.reference.behaviour_by_code

        def code(*codes: str) -> list[int]:
            ids = [by_code[c] for c in codes if by_code.get(c) in pool]
            return ids or self.rng.sample(pool, min(len(codes), len(pool)))

        return code


def _top_up_minutes(plans: list[PlannedActivity], needed: int) -> None:
    """Lengthen (up to a working day each) until the activities add up to the time the rule needs."""
    while sum(p.minutes for p in plans) < needed:
        shortest = min(plans, key=lambda p: p.minutes)
        if shortest.minutes >= LONGEST:
            plans.append(PlannedActivity(True, plans[0].status, list(plans[0].behaviours[:1]), 60))
            continue
        shortest.minutes = min(LONGEST, shortest.minutes + 60)
