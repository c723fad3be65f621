"""The annual rule: each tier, each status, exemptions, year boundaries and leap years, and the
per-person answer (My year) agreeing with the SQL answer for many people (dashboards)."""
from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.factories import make_activity, make_activity_type, make_person, make_tree
from tests.rule_by_hand import progress_by_hand
from tracker import figures
from tracker.appraisal_year import AppraisalYear, year_containing
from tracker.compliance import (
    Status,
    behaviour_evidence,
    load_rules,
    missing,
    progress_of,
    status_query,
)
from tracker.extensions import db
from tracker.framework_import import import_framework
from tracker.models import ActivityStatus, Behaviour, Exemption, ExemptionReason, Person
from tracker.portfolio.years import days_left
from tracker.year_closing import open_years

SIGNED, SUBMITTED, DRAFT, RETURNED = (ActivityStatus.SIGNED_OFF, ActivityStatus.SUBMITTED,
                                      ActivityStatus.DRAFT, ActivityStatus.RETURNED)
Y2024 = AppraisalYear(2024)  # 1 April 2024 to 31 March 2025
DURING = date(2024, 10, 1)
AFTER = date(2025, 4, 1)

FRAMEWORK = {
    "code": "rule-test", "version": "1", "title": "Framework for rule tests", "short_title": "Rule tests",
    "domains": [
        {"code": "A", "title": "Core", "subjects": [
            {"number": 1, "title": "Everyone", "behaviours": [
                {"code": f"1.{i}", "text": f"Everyone behaviour {i}", "tiers": [1, 2, 3]} for i in range(1, 7)]},
            {"number": 2, "title": "Contact", "behaviours": [
                {"code": f"2.{i}", "text": f"Contact behaviour {i}", "tiers": [2, 3]} for i in range(1, 4)]},
        ]},
        {"code": "B", "title": "Enabling", "subjects": [
            {"number": 3, "title": "Leading", "leadership": True, "behaviours": [
                {"code": f"3.{i}", "text": f"Leadership behaviour {i}", "tiers": [3]} for i in range(1, 3)]},
        ]},
    ],
}


@pytest.fixture
def world(db_session):
    import_framework(FRAMEWORK)
    db.session.flush()
    behaviours = {b.code: b for b in db.session.scalars(select(Behaviour))}
    tree = make_tree()
    return {
        "b": behaviours,
        "team": tree["ward7"],
        "observed": make_activity_type("observed", experiential=True),
        "elearning": make_activity_type("elearning", experiential=False),
    }


def person(world, tier):
    return make_person(world["team"], tier=tier)


def log(world, owner, *codes, on=DURING, minutes=60, status=SIGNED, experiential=True):
    activity_type = world["observed"] if experiential else world["elearning"]
    return make_activity(owner, activity_type, occurred_on=on, minutes=minutes, status=status,
                         behaviours=[world["b"][c] for c in codes])


def status(owner, year=Y2024, today=DURING):
    return progress_of(owner, year, today).status


def needs(owner, year=Y2024, today=DURING):
    progress = progress_of(owner, year, today)
    return missing(progress, load_rules(year)[owner.tier])


# --- tier 1: one experiential activity, two behaviours ------------------------------------


def test_tier1_nobody_has_done_anything_is_not_started(world):
    me = person(world, 1)
    assert status(me) == Status.NOT_STARTED
    assert needs(me) == ["1 more experiential activity", "2 more behaviours"]


def test_tier1_a_draft_alone_counts_for_nothing(world):
    # A draft is its author's alone: it must not show as "in progress" on anyone's dashboard.
    me = person(world, 1)
    log(world, me, "1.1", "1.2", status=DRAFT)
    assert status(me) == Status.NOT_STARTED


def test_tier1_submitted_work_that_would_meet_the_rule_is_awaiting_sign_off(world):
    me = person(world, 1)
    log(world, me, "1.1", "1.2", status=SUBMITTED)
    assert status(me) == Status.AWAITING_SIGN_OFF
    assert "awaiting sign-off of 1 activity" in needs(me)


def test_tier1_one_signed_off_activity_with_two_behaviours_is_complete(world):
    me = person(world, 1)
    log(world, me, "1.1", "1.2")
    assert status(me) == Status.COMPLETE
    assert needs(me) == []


def test_tier1_one_behaviour_short_is_in_progress_and_says_so(world):
    me = person(world, 1)
    log(world, me, "1.1")
    assert status(me) == Status.IN_PROGRESS
    assert needs(me) == ["1 more behaviour"]


def test_tier1_non_experiential_activities_are_logged_but_do_not_count(world):
    me = person(world, 1)
    log(world, me, "1.1", "1.2", experiential=False)
    assert status(me) == Status.IN_PROGRESS
    assert needs(me) == ["1 more experiential activity", "2 more behaviours"]


def test_returned_and_deleted_activities_do_not_count(world):
    me = person(world, 1)
    log(world, me, "1.1", "1.2", status=RETURNED)
    deleted = log(world, me, "1.3", "1.4")
    deleted.deleted_at = deleted.created_at
    db.session.flush()
    assert status(me) == Status.IN_PROGRESS
    assert needs(me) == ["1 more experiential activity", "2 more behaviours"]


# --- tier 2: two activities, three hours, four behaviours ---------------------------------


def test_tier2_two_hours_is_an_hour_short(world):
    me = person(world, 2)
    log(world, me, "1.1", "1.2", minutes=60)
    log(world, me, "2.1", "2.2", minutes=60)
    assert status(me) == Status.IN_PROGRESS
    assert needs(me) == ["1 more hour of experiential activity"]


def test_tier2_exactly_three_hours_two_activities_four_behaviours_is_complete(world):
    me = person(world, 2)
    log(world, me, "1.1", "1.2", minutes=90)
    log(world, me, "2.1", "2.2", minutes=90)
    assert status(me) == Status.COMPLETE


def test_tier2_the_same_behaviour_twice_counts_once(world):
    me = person(world, 2)
    log(world, me, "1.1", "1.2", minutes=120)
    log(world, me, "1.1", "1.2", "1.3", minutes=120)
    assert status(me) == Status.IN_PROGRESS
    assert needs(me) == ["1 more behaviour"]


def test_tier2_pending_hours_make_it_awaiting_sign_off(world):
    me = person(world, 2)
    log(world, me, "1.1", "1.2", minutes=60)
    log(world, me, "2.1", "2.2", minutes=150, status=SUBMITTED)
    assert status(me) == Status.AWAITING_SIGN_OFF
    assert needs(me) == ["1 more experiential activity", "2 more hours of experiential activity",
                         "2 more behaviours", "awaiting sign-off of 1 activity"]


def test_tier2_half_hours_are_shown_in_hours_and_minutes(world):
    me = person(world, 2)
    log(world, me, "1.1", "1.2", minutes=45)
    log(world, me, "2.1", "2.2", minutes=45)
    assert needs(me) == ["1 hour 30 minutes more of experiential activity"]


# --- tier 3: two activities, six hours, six behaviours, one from a leadership subject -----


def test_tier3_needs_a_leadership_behaviour(world):
    me = person(world, 3)
    log(world, me, "1.1", "1.2", "1.3", minutes=180)
    log(world, me, "2.1", "2.2", "2.3", minutes=180)
    assert status(me) == Status.IN_PROGRESS
    assert needs(me) == ["1 behaviour from a leadership subject"]


def test_tier3_with_a_leadership_behaviour_is_complete(world):
    me = person(world, 3)
    log(world, me, "1.1", "1.2", "1.3", minutes=180)
    log(world, me, "2.1", "2.2", "3.1", minutes=180)
    assert status(me) == Status.COMPLETE


def test_tier3_leadership_awaiting_sign_off_is_awaiting_sign_off(world):
    me = person(world, 3)
    log(world, me, "1.1", "1.2", "1.3", minutes=180)
    log(world, me, "2.1", "2.2", minutes=180)
    log(world, me, "3.1", minutes=30, status=SUBMITTED)
    assert status(me) == Status.AWAITING_SIGN_OFF


# --- when the year ends, and exemptions ---------------------------------------------------


def test_incomplete_after_the_year_ends_is_overdue_complete_stays_complete(world):
    late, done = person(world, 1), person(world, 1)
    log(world, late, "1.1")
    log(world, done, "1.1", "1.2")
    assert status(late, today=AFTER) == Status.OVERDUE
    assert status(done, today=AFTER) == Status.COMPLETE


def test_not_started_and_awaiting_sign_off_also_become_overdue(world):
    idle, waiting = person(world, 1), person(world, 1)
    log(world, waiting, "1.1", "1.2", status=SUBMITTED)
    assert status(idle, today=AFTER) == Status.OVERDUE
    assert status(waiting, today=AFTER) == Status.OVERDUE


def test_31_march_is_the_last_day_and_1_april_the_first_day_of_the_next_year(world):
    me = person(world, 1)
    log(world, me, "1.1", "1.2", on=date(2025, 3, 31))
    assert year_containing(date(2025, 3, 31)) == Y2024
    assert year_containing(date(2025, 4, 1)) == AppraisalYear(2025)
    assert status(me, Y2024, today=date(2025, 3, 31)) == Status.COMPLETE
    assert status(me, AppraisalYear(2025), today=date(2025, 4, 1)) == Status.NOT_STARTED


def test_an_activity_on_1_april_belongs_to_the_new_year_only(world):
    me = person(world, 1)
    log(world, me, "1.1", "1.2", on=date(2025, 4, 1))
    assert status(me, Y2024, today=date(2025, 4, 1)) == Status.OVERDUE
    assert status(me, AppraisalYear(2025), today=date(2025, 4, 1)) == Status.COMPLETE


def test_the_year_is_not_overdue_on_its_last_day(world):
    me = person(world, 1)
    assert status(me, today=date(2025, 3, 31)) == Status.NOT_STARTED
    assert status(me, today=date(2025, 4, 1)) == Status.OVERDUE


def exempt(owner, starts_on, ends_on):
    db.session.add(Exemption(person_id=owner.id, reason=ExemptionReason.PARENTAL_LEAVE,
                             starts_on=starts_on, ends_on=ends_on))
    db.session.flush()


@pytest.mark.parametrize("tier", [1, 2, 3])
def test_an_exemption_covering_today_makes_any_tier_exempt(world, tier):
    me = person(world, tier)
    log(world, me, "1.1", status=DRAFT)
    exempt(me, date(2024, 9, 1), date(2025, 6, 30))
    assert status(me) == Status.EXEMPT
    assert needs(me) == []


def test_an_exemption_that_has_ended_no_longer_applies(world):
    me = person(world, 1)
    exempt(me, date(2024, 5, 1), date(2024, 8, 31))
    assert status(me) == Status.NOT_STARTED


def test_an_exemption_not_yet_started_does_not_apply(world):
    me = person(world, 1)
    exempt(me, date(2024, 12, 1), date(2025, 2, 28))
    assert status(me) == Status.NOT_STARTED


def test_an_exemption_to_the_last_day_turns_overdue_into_exempt(world):
    me = person(world, 1)
    exempt(me, date(2025, 1, 1), date(2025, 3, 31))
    assert status(me, today=AFTER) == Status.EXEMPT
    covered_up_to_30_march = person(world, 1)
    exempt(covered_up_to_30_march, date(2025, 1, 1), date(2025, 3, 30))
    assert status(covered_up_to_30_march, today=AFTER) == Status.OVERDUE


def test_complete_beats_exempt(world):
    me = person(world, 1)
    log(world, me, "1.1", "1.2")
    exempt(me, date(2024, 9, 1), date(2025, 6, 30))
    assert status(me) == Status.COMPLETE


# --- leap years ---------------------------------------------------------------------------


def test_29_february_is_inside_the_year_and_counts(world):
    me = person(world, 1)
    leap_year = AppraisalYear(2023)  # 1 April 2023 to 31 March 2024
    log(world, me, "1.1", "1.2", on=date(2024, 2, 29))
    assert leap_year.contains(date(2024, 2, 29))
    assert status(me, leap_year, today=date(2024, 3, 1)) == Status.COMPLETE


def test_days_left_counts_29_february():
    assert days_left(AppraisalYear(2023), date(2024, 2, 28)) == 32
    assert days_left(AppraisalYear(2022), date(2023, 2, 28)) == 31
    assert days_left(Y2024, date(2025, 3, 30)) == 1
    assert days_left(Y2024, date(2025, 3, 31)) == 0
    assert days_left(Y2024, AFTER) == 0


def test_a_year_starting_in_march_ends_on_29_february_in_a_leap_year():
    assert AppraisalYear(2023, start_month=3).ends_on == date(2024, 2, 29)
    assert AppraisalYear(2022, start_month=3).ends_on == date(2023, 2, 28)
    assert year_containing(date(2024, 2, 29), start_month=3) == AppraisalYear(2023, 3)
    assert year_containing(date(2024, 3, 1), start_month=3) == AppraisalYear(2024, 3)


def test_a_march_year_counts_an_activity_on_29_february_and_not_on_1_march(world):
    me = person(world, 1)
    log(world, me, "1.1", "1.2", on=date(2024, 2, 29))
    log(world, me, "1.3", "1.4", on=date(2024, 3, 1), status=SUBMITTED)
    march_year = AppraisalYear(2023, start_month=3)
    assert status(me, march_year, today=date(2024, 2, 29)) == Status.COMPLETE
    progress = progress_of(me, march_year, date(2024, 2, 29))
    assert progress.pending_activities == 0 and progress.signed_off.behaviours == 2


# --- which years are still open for logging -----------------------------------------------


def test_last_year_stays_open_for_a_month_after_it_ends(app, db_session):
    assert open_years(date(2025, 4, 1)) == [Y2024, AppraisalYear(2025)]
    assert open_years(date(2025, 4, 30)) == [Y2024, AppraisalYear(2025)]
    assert open_years(date(2025, 5, 1)) == [AppraisalYear(2025)]
    assert open_years(date(2025, 3, 31)) == [Y2024]


# --- one rule, two speeds: the per-person and the SQL answers agree ------------------------


def _random_people(world, n, seed):
    rng = random.Random(seed)
    codes = sorted(world["b"])
    statuses = [SIGNED, SIGNED, SUBMITTED, DRAFT, RETURNED]
    people = []
    for i in range(n):
        owner = person(world, rng.choice([1, 2, 3]))
        people.append(owner)
        for _ in range(rng.randint(0, 4)):
            day = Y2024.starts_on + timedelta(days=rng.randint(-30, 395))  # some fall outside the year
            activity = log(world, owner, *rng.sample(codes, rng.randint(0, 4)), on=day,
                           minutes=rng.choice([0, 30, 60, 90, 180, 240]), status=rng.choice(statuses),
                           experiential=rng.random() < 0.8)
            if rng.random() < 0.1:
                activity.deleted_at = activity.created_at
        if rng.random() < 0.15:
            start = Y2024.starts_on + timedelta(days=rng.randint(0, 300))
            exempt(owner, start, start + timedelta(days=rng.randint(10, 200)))
    db.session.flush()
    return people


@pytest.mark.parametrize("today", [DURING, date(2025, 3, 31), AFTER])
def test_per_person_and_sql_answers_agree_for_many_people(world, today):
    people = _random_people(world, 60, seed=today.toordinal())
    rules = load_rules(Y2024)
    by_hand = progress_by_hand(Y2024, today, rules)  # the oracle: counted in Python from the rows
    everyone = select(Person).where(Person.id.in_([p.id for p in people]))
    rows = {row.person_id: row for row in db.session.execute(status_query(everyone, Y2024, today))}
    seen = set()
    for owner in people:
        want = by_hand[owner.id]
        one = progress_of(owner, Y2024, today)
        row = rows[owner.id]
        assert one == want, owner.id
        assert row.status == want.status.value, owner.id
        assert (row.s_activities, row.s_minutes, row.s_behaviours, bool(row.s_leadership)) == (
            want.signed_off.activities, want.signed_off.minutes, want.signed_off.behaviours, want.signed_off.leadership)
        assert (row.p_activities, row.p_minutes, row.p_behaviours, bool(row.p_leadership)) == (
            want.with_pending.activities, want.with_pending.minutes, want.with_pending.behaviours,
            want.with_pending.leadership)
        evidence = behaviour_evidence(owner.id, Y2024)
        assert len(evidence) == want.with_pending.behaviours
        assert sum(evidence.values()) == want.signed_off.behaviours
        seen.add(want.status)
    counts = figures.roll_up(figures.status_cube(everyone, Y2024, today)).counts
    assert sum(counts.values()) == len(people)
    for value in Status:
        assert counts[value] == sum(1 for owner in people if by_hand[owner.id].status == value), value
    assert len(seen) >= 3  # the random mix really exercised several statuses


def test_a_year_drawn_with_another_start_month_is_decided_from_its_own_activities(world):
    """The kept figures hold the organisation's April years: the status query of a March year must
    not read them (2 March 2024 is in April 2023's year, not in March 2023's)."""
    me = person(world, 1)
    log(world, me, "1.1", "1.2", on=date(2024, 3, 2))
    db.session.flush()
    me_only = select(Person).where(Person.id == me.id)
    march_year, april_year, today = AppraisalYear(2023, start_month=3), AppraisalYear(2023), date(2024, 3, 2)
    by_query = lambda year: db.session.execute(status_query(me_only, year, today)).one().status  # noqa: E731
    assert by_query(april_year) == status(me, april_year, today) == Status.COMPLETE
    assert by_query(march_year) == status(me, march_year, today) == Status.OVERDUE  # ended 29 February
