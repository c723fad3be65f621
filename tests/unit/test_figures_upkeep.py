"""`flask figures verify` and `flask figures rebuild` on the known organisation
(tests/conftest.py known_org): verify finds a kept figure that differs from the rule and says
whose; rebuild puts it right."""
from __future__ import annotations

from sqlalchemy import select, update

from tracker.extensions import db
from tracker.models import PersonYearFigures


def test_verify_finds_a_drifted_figure_and_rebuild_puts_it_right(app, known_org, clock):
    clock.move_to(known_org["day"])
    runner = app.test_cli_runner()
    clean = runner.invoke(args=["figures", "verify"])
    assert clean.exit_code == 0, clean.output
    assert "Every kept figure equals the rule, and every counted row the people counted afresh." in clean.output and "Checking 2025 to 2026" in clean.output

    gus = known_org["people"]["clinic"]
    db.session.execute(update(PersonYearFigures).where(PersonYearFigures.person_id == gus.id,
                                                       PersonYearFigures.start_year == 2025)
                       .values(s_minutes=60, complete_month_2=None))
    drifted = runner.invoke(args=["figures", "verify", "--year", "2025"])
    assert drifted.exit_code == 1
    assert f"person {gus.id}, year 2025: s_minutes kept 60, rule gives 240" in drifted.output
    assert f"person {gus.id}, year 2025: complete_month_2 kept None, rule gives 4" in drifted.output

    rebuilt = runner.invoke(args=["figures", "rebuild", "--year", "2025"])
    assert rebuilt.exit_code == 0 and "Rebuilt 1 year." in rebuilt.output
    assert runner.invoke(args=["figures", "verify"]).exit_code == 0


def test_verify_finds_drifted_behaviour_codes_and_the_whole_rebuild_sets_them_again(app, known_org, clock):
    from tracker.models import Activity

    clock.move_to(known_org["day"])
    runner = app.test_cli_runner()
    clean = runner.invoke(args=["figures", "verify"])
    assert clean.exit_code == 0 and "Every activity's behaviour codes equal its behaviours." in clean.output
    activity = db.session.scalars(select(Activity).where(Activity.behaviour_codes.is_not(None))
                                  .order_by(Activity.id)).first()
    right = activity.behaviour_codes
    db.session.execute(update(Activity).where(Activity.id == activity.id).values(behaviour_codes="9.9"))
    drifted = runner.invoke(args=["figures", "verify"])
    assert drifted.exit_code == 1
    assert f"activity {activity.id}: behaviour codes kept '9.9', its behaviours give {right!r}" in drifted.output
    rebuilt = runner.invoke(args=["figures", "rebuild"])
    assert rebuilt.exit_code == 0 and "Set the behaviour codes of" in rebuilt.output
    assert runner.invoke(args=["figures", "verify"]).exit_code == 0


def test_a_framework_applied_to_a_year_marks_it_until_rebuilt(app, known_org, clock):
    """A version applied from this year on changes which behaviours count in it: the year is marked,
    read from the activities meanwhile, and rebuilt equal to the rule; last year is left alone."""
    from tests.framework_versions import newer_version
    from tracker import compliance
    from tracker.appraisal_year import AppraisalYear
    from tracker.figures import upkeep, verify
    from tracker.framework_import import import_framework
    from tracker.roster import Roster

    clock.move_to(known_org["day"])
    this_year = known_org["year"]
    import_framework(newer_version(), this_year, today=known_org["day"])
    assert upkeep.marked_years() == [this_year.start_year]
    people = Roster.of(this_year, known_org["day"]).people()
    assert (db.session.execute(compliance.status_query(people, this_year, known_org["day"])).all()
            == db.session.execute(compliance.status_query(people, this_year, known_org["day"], from_scratch=True)).all())
    assert verify.differences(AppraisalYear(2024)) == []
    assert app.test_cli_runner().invoke(args=["figures", "rebuild", "--marked"]).exit_code == 0
    assert upkeep.marked_years() == [] and verify.differences(this_year) == []


def test_a_year_rebuild_never_plans_nested_loops_on_stale_statistics(app, known_org, clock):
    """With PostgreSQL believing the tables hold a row each (a bulk load before ANALYZE, a restore),
    the rebuild's statement planned as usual is nested loops (minutes on a few hundred people in CI);
    the rebuild plans it with hash joins, restores the setting after, and still equals the rule."""
    import pytest
    from sqlalchemy import select, text

    from tracker.appraisal_year import AppraisalYear
    from tracker.figures import upkeep
    from tracker.models import Activity

    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's planner: runs on the PostgreSQL pass")
    clock.move_to(known_org["day"])
    for table in ("activity", "activity_behaviour", "activity_type", "behaviour", "person_year_figures"):
        # In the test's transaction, so rolled back with it (pg_class is the planner's row count).
        connection.execute(text("UPDATE pg_class SET reltuples = 1, relpages = 1 WHERE relname = :t"), {"t": table})
    year = AppraisalYear(2025)
    framework_id, rules = upkeep._inputs(db.session, year)
    statement = upkeep._upsert(db.session, upkeep.figures_select(select(Activity.owner_id).distinct(), year,
                                                                 framework_id, rules))
    sql = "EXPLAIN " + str(statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))

    def plan() -> str:
        return "\n".join(row[0] for row in connection.execute(text(sql)))

    assert "Nested Loop" in plan()
    with upkeep._hash_joins(connection):
        assert "Nested Loop" not in plan()
    assert connection.scalar(text("SHOW enable_nestloop")) == "on"
    upkeep.rebuild_year(year)
    assert connection.scalar(text("SHOW enable_nestloop")) == "on"
    runner = app.test_cli_runner()
    assert runner.invoke(args=["figures", "verify", "--year", "2025"]).exit_code == 0
