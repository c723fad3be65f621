"""Demo exemptions: about 3% of people, some in an earlier year, most in force today.

Each exempted person's `exempt_year` (and a new starter's `new_starter_year`) is set here, so
the activity planner gives them less or nothing to do in that year.
"""
from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from tracker.appraisal_year import AppraisalYear
from tracker.models import ExemptionReason

from .organisation import StaffMember
from .trust import DEMO_ACCOUNTS
from .wording import OTHER_EXEMPTION_DETAILS

REASON_WEIGHTS = {ExemptionReason.LONG_TERM_ABSENCE: 30, ExemptionReason.PARENTAL_LEAVE: 30,
                  ExemptionReason.NEW_STARTER: 20, ExemptionReason.SECONDMENT: 12, ExemptionReason.OTHER: 8}


def exemption_rows(rng: random.Random, members: list[StaffMember], years: list[AppraisalYear], today: date,
                   next_exemption_id: int) -> list[dict]:
    """Rows of the exemption table; never for a demo account, so their status is the one promised."""
    current = years[-1]
    named = {email for email, _ in DEMO_ACCOUNTS}
    candidates = [p for p in members if p.email not in named and p.active]
    chosen = rng.sample(candidates, max(1, round(len(candidates) * 0.03)))
    chosen.sort(key=lambda p: p.id)
    reasons = list(ExemptionReason)
    rows = []
    for person in chosen:
        reason = rng.choices(reasons, [REASON_WEIGHTS[r] for r in reasons])[0]
        past = len(years) > 1 and reason != ExemptionReason.NEW_STARTER and rng.random() < 0.3
        if past:
            year = rng.choice(years[:-1])
            # Covers the end of that year, so the year closes as exempt rather than overdue.
            starts = year.ends_on - timedelta(days=rng.randint(30, 200))
            ends = min(year.ends_on + timedelta(days=rng.randint(0, 120)), today - timedelta(days=1))
        else:
            year = current
            if reason == ExemptionReason.NEW_STARTER:
                starts = max(today - timedelta(days=rng.randint(5, 90)), year.starts_on)
                ends = starts + timedelta(days=rng.choice((90, 180)))
                person.new_starter_year = year
            else:
                starts = today - timedelta(days=rng.randint(14, 200))
                ends = today + timedelta(days=rng.randint(30, 300))
        if ends < today and not past:
            ends = today  # in force today
        person.exempt_year = year
        rows.append({
            "id": next_exemption_id, "person_id": person.id, "reason": reason,
            "reason_detail": rng.choice(OTHER_EXEMPTION_DETAILS) if reason == ExemptionReason.OTHER else "",
            "starts_on": starts, "ends_on": ends, "recorded_by_id": person.line_manager_id,
            "created_at": datetime.combine(min(starts, today), time(10), tzinfo=UTC),
        })
        next_exemption_id += 1
    return rows
