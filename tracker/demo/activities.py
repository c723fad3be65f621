"""Demo activities as rows: each planned activity gets a type, a course or a title, a date, a reflection
and the timestamps of its submission and decision.
"""
from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

from tracker import activity_codes
from tracker.appraisal_year import AppraisalYear
from tracker.models import ActivityStatus
from tracker.portfolio.reflection import MODELS as REFLECTION_MODELS

from .organisation import StaffMember
from .plans import LONGEST, PlannedActivity, Planner
from .reference import Reference
from .wording import DEBRIEF_EVENTS, FEEDBACK, SCHWARTZ_THEMES, SENTENCES, SHADOWING, TITLE_TEMPLATES, TOPICS
from .workforce import NON_CLINICAL, REVALIDATING

# The prompts the portfolio's form asks, so demo reflections show on every page.
REFLECTION_KEYS = {model: tuple(prompt.key for prompt in spec.prompts) for model, spec in REFLECTION_MODELS.items()}


class ActivityWriter:
    """Builds the rows of activity and activity_behaviour, with ids from `next_activity_id`."""

    def __init__(self, rng: random.Random, reference: Reference, planner: Planner, years: list[AppraisalYear],
                 today: date, next_activity_id: int):
        self.rng = rng
        self.reference = reference
        self.planner = planner
        self.years = years
        self.today = today
        self.next_activity_id = next_activity_id
        self.activities: list[dict] = []
        self.links: list[dict] = []
        self.code_of = {behaviour_id: code for code, behaviour_id in reference.behaviour_by_code.items()}

    def write_in_batches(self, members: list[StaffMember], people_per_batch: int) -> Iterator[None]:
        """Makes the rows of `people_per_batch` people at a time into `activities` and `links`,
        yielding after each batch for the caller to write them (they are cleared before the next)."""
        for start in range(0, len(members), people_per_batch):
            self.activities, self.links = [], []
            for person in members[start:start + people_per_batch]:
                plans = self.planner.plans_for(person)
                for year in self.years:
                    for plan in plans.get(year, []):
                        self._write(person, year, plan)
            yield

    def _write(self, person: StaffMember, year: AppraisalYear, plan: PlannedActivity) -> None:
        rng = self.rng
        last_day = min(year.ends_on, self.today)
        span = (last_day - year.starts_on).days
        fraction = plan.when if plan.when is not None else rng.random()
        occurred = year.starts_on + timedelta(days=round(span * fraction))

        type_code = plan.type_code or self._pick_type(person, plan.experiential)
        if plan.course_code:
            course = self.reference.courses.get(plan.course_code)
        else:
            course = self._pick_course(type_code, plan.behaviours)
        topic = rng.choice(TOPICS[person.tier] if rng.random() < 0.7 else TOPICS[max(1, person.tier - 1)])
        minutes = plan.minutes
        if course is not None:
            title = course["title"]
            if course["minutes"] and not plan.experiential:
                minutes = min(LONGEST, max(30, course["minutes"]))
        else:
            title = plan.title or self._title(type_code, topic)
        model = rng.choices(list(REFLECTION_KEYS), (5, 3, 3 if person.staff_group in REVALIDATING else 0))[0]
        reflection = {key: self._sentences(key, topic) for key in REFLECTION_KEYS[model]}

        created = datetime.combine(occurred, time(9), tzinfo=UTC) + timedelta(minutes=rng.randint(0, 540))
        submitted = decided = None
        decided_by = None
        feedback = None
        if plan.status != ActivityStatus.DRAFT:
            submitted = created + timedelta(days=rng.randint(0, 10), minutes=rng.randint(10, 120))
            if submitted.date() > self.today:
                submitted = created + timedelta(minutes=rng.randint(10, 60))
        if plan.status in (ActivityStatus.SIGNED_OFF, ActivityStatus.RETURNED):
            decided = submitted + timedelta(days=rng.randint(0, 14), minutes=rng.randint(30, 300))
            if decided.date() > self.today:
                decided = submitted + timedelta(minutes=rng.randint(5, 60))
            decided_by = person.line_manager_id
        if plan.status == ActivityStatus.RETURNED:
            feedback = plan.feedback or rng.choice(FEEDBACK)
        activity_id = self.next_activity_id
        self.next_activity_id += 1
        self.activities.append({
            "id": activity_id, "owner_id": person.id, "occurred_on": occurred, "title": title[:200],
            "type_id": self.reference.type_ids[type_code], "duration_minutes": minutes,
            "course_id": course["id"] if course else None, "reflection_model": model, "reflection": reflection,
            "manager_may_read": rng.random() < 0.6, "status": plan.status, "submitted_at": submitted,
            "decided_by_id": decided_by, "decided_at": decided, "feedback": feedback, "deleted_at": None,
            "created_at": created, "updated_at": decided or submitted or created,
            "behaviour_codes": activity_codes.codes_of(self.code_of[b] for b in plan.behaviours),
        })
        # The behaviours are the plan's own, so the person's status comes out as planned.
        for behaviour_id in plan.behaviours:
            self.links.append({"activity_id": activity_id, "behaviour_id": behaviour_id})

    def _pick_type(self, person: StaffMember, experiential: bool) -> str:
        reference = self.reference
        weights = (reference.experiential_weights if experiential or not reference.other_weights
                   else reference.other_weights)
        codes = [c for c in weights if not (c == "clinical_supervision" and person.staff_group in NON_CLINICAL)]
        return self.rng.choices(codes, [weights[c] for c in codes])[0]

    def _pick_course(self, type_code: str, behaviours: list[int]) -> dict | None:
        """Sometimes a catalogue course of the right kind that covers a behaviour the activity evidences."""
        rng = self.rng
        if type_code in ("workshop_with_practice", "simulation_role_play") and rng.random() < 0.5:
            wanted = True
        elif type_code in ("e_learning", "lecture_conference") and rng.random() < 0.6:
            wanted = False
        else:
            return None
        options = [c for c in self.reference.courses.values()
                   if c["experiential"] == wanted and (type_code != "e_learning" or c["format"] == "e-learning")
                   and any(b in c["behaviours"] for b in behaviours)]
        return rng.choice(options) if options else None

    def _title(self, type_code: str, topic: str) -> str:
        rng = self.rng
        template = rng.choice(TITLE_TEMPLATES.get(type_code, ("{topic}",)))
        title = template.format(topic=topic, event=rng.choice(DEBRIEF_EVENTS), theme=rng.choice(SCHWARTZ_THEMES),
                                shadow=rng.choice(SHADOWING))
        return title[0].upper() + title[1:]

    def _sentences(self, key: str, topic: str) -> str:
        options = SENTENCES[key]
        picked = self.rng.sample(options, self.rng.randint(1, min(2, len(options))))
        return " ".join(s.format(topic=topic) for s in picked)
