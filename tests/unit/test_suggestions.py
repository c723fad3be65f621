"""Suggestion ranking: the fewest courses that cover the most missing behaviours come first."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from tests.factories import make_activity, make_person, make_tree
from tracker.extensions import db
from tracker.models import ActivityType, Course
from tracker.portfolio.behaviours import tier_behaviours
from tracker.portfolio.suggestions import EXACT_SEARCH_LIMIT, CourseOption, rank_courses, smallest_cover, suggest
from tracker.reference import load_reference_data


def course(id_, behaviours, *, experiential=True, hours=None, title=None):
    return CourseOption(id_, title or f"Course {id_}", frozenset(behaviours), experiential,
                        Decimal(hours) if hours is not None else None)


def ids(suggestions):
    return [s.course.id for s in suggestions]


def test_nothing_missing_means_no_suggestions():
    assert rank_courses(set(), [course(1, {1, 2})]) == []


def test_courses_covering_nothing_missing_are_left_out():
    ranked = rank_courses({5}, [course(1, {1, 2}), course(2, {5})])
    assert ids(ranked) == [2]


def test_one_course_covering_everything_comes_first_alone():
    ranked = rank_courses({1, 2, 3}, [course(1, {1}), course(2, {1, 2, 3}), course(3, {2, 3})])
    assert ids(ranked)[0] == 2
    assert [s.in_smallest_set for s in ranked] == [True, False, False]
    assert ranked[0].covers == {1, 2, 3}


def test_the_smallest_set_beats_the_greedy_choice():
    # Greedy takes the biggest course first (A) and then needs B and C as well: three courses.
    # B and C alone cover all six.
    a, b, c = course(1, {1, 2, 3, 4}, title="A"), course(2, {1, 2, 5}, title="B"), course(3, {3, 4, 6}, title="C")
    ranked = rank_courses({1, 2, 3, 4, 5, 6}, [a, b, c])
    best = [s for s in ranked if s.in_smallest_set]
    assert {s.course.id for s in best} == {2, 3}
    assert ids(ranked)[-1] == 1 and not ranked[-1].in_smallest_set


def test_within_the_smallest_set_the_course_adding_most_comes_first():
    ranked = rank_courses({1, 2, 3, 4, 5}, [course(1, {5}), course(2, {1, 2, 3, 4})])
    assert ids(ranked) == [2, 1]
    assert all(s.in_smallest_set for s in ranked)


def test_behaviours_no_course_covers_do_not_stop_a_cover():
    ranked = rank_courses({1, 2, 99}, [course(1, {1, 2})])
    assert ids(ranked) == [1] and ranked[0].in_smallest_set and ranked[0].covers == {1, 2}


def test_between_equal_courses_practice_then_shorter_then_title_wins():
    ranked = rank_courses({1}, [course(1, {1}, experiential=False, title="A"), course(2, {1}, hours=6, title="B"),
                                course(3, {1}, hours=3, title="C")])
    assert ids(ranked)[0] == 3
    assert ids(ranked)[1:] == [2, 1]


def test_the_rest_are_ordered_by_how_many_missing_behaviours_they_cover():
    ranked = rank_courses({1, 2, 3, 4}, [course(1, {1, 2, 3, 4}), course(2, {1}), course(3, {1, 2, 3}), course(4, {2, 3})])
    assert ids(ranked) == [1, 3, 4, 2]


def test_big_catalogues_still_cover_everything_coverable():
    many = [course(i, {i, i + 1}) for i in range(1, EXACT_SEARCH_LIMIT * 2, 2)]
    target = set().union(*(c.behaviour_ids for c in many))
    chosen = smallest_cover(target, many)
    assert set().union(*(c.behaviour_ids for c in chosen)) == target
    assert len(chosen) == len(many)  # disjoint courses: every one is needed


# --- against the database ---------------------------------------------------------------

def test_suggest_offers_live_courses_with_practice_and_the_types_colleagues_use(db_session, today, this_year, in_year):
    load_reference_data()
    tree = make_tree()
    me = make_person(tree["ward7"], tier=1)
    colleague = make_person(tree["ward7"], tier=1)
    behaviours = tier_behaviours(1)
    by_code = {b.code: b for b in behaviours}
    debrief = db.session.scalar(select(ActivityType).where(ActivityType.code == "team_debrief"))
    # A team-mate's signed-off debrief showed 1.3, which I am missing: debriefs rank first.
    make_activity(colleague, debrief, occurred_on=in_year, behaviours=[by_code["1.3"]])
    # Another team's shadowing counts for nothing here.
    elsewhere = make_person(tree["theatres"], tier=1)
    shadowing = db.session.scalar(select(ActivityType).where(ActivityType.code == "shadowing"))
    for _ in range(3):
        make_activity(elsewhere, shadowing, occurred_on=in_year, behaviours=[by_code["1.3"]])
    retired = db.session.scalar(select(Course).where(Course.code == "care-certificate-standard-6"))
    retired.retired = True
    db.session.flush()

    result = suggest(behaviours, {by_code["2.2"].id}, this_year, today, me.team_id)

    assert by_code["2.2"] not in result.missing and by_code["1.3"] in result.missing
    titles = [c.title for c, _ in result.courses]
    assert titles and all(c.experiential and not c.retired for c, _ in result.courses)
    assert "SAGE & THYME Online workshop" not in titles  # no practice: would not count
    assert retired.title not in titles
    assert result.courses[0][1].in_smallest_set
    assert result.activity_types[0].code == "team_debrief"
    assert "shadowing" not in [t.code for t in result.activity_types]
    assert all(t.experiential for t in result.activity_types)


def test_suggest_is_empty_when_every_behaviour_is_evidenced(db_session, today, this_year):
    load_reference_data()
    behaviours = tier_behaviours(1)
    result = suggest(behaviours, {b.id for b in behaviours}, this_year, today, None)
    assert result.missing == [] and result.courses == [] and result.activity_types == []
