"""The counted rows (tracker.figures.counted) follow the reference day as today moves: only the
people whose period or exemption starts or ends in between are counted again, and the counts then
equal those counted afresh, forwards and backwards."""
from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from sqlalchemy import func, select, update

from tests.factories import make_person, make_tree
from tracker import compliance, figures, staff_history
from tracker.appraisal_year import AppraisalYear
from tracker.extensions import db
from tracker.compliance import Status
from tracker.figures import counted, counted_tally, team_tally, verify
from tracker.models import CountedPerson, CountedTally, CountedYear, Exemption, ExemptionReason, Role, TeamTally
from tracker.roster import Roster

DAY = date(2026, 1, 10)
YEAR = AppraisalYear(2025)


def _statuses_by_team(today):
    rows = db.session.execute(compliance.status_query(Roster.of(YEAR, today).people(), YEAR, today, from_scratch=True))
    return Counter((row.team_id, row.status) for row in rows)


def _counted_by_team(today):
    tallies = figures.counted_tallies(YEAR, today)
    return Counter({(team_id, status.value): n for team_id, tally in tallies.by_team.items()
                    for status, n in tally.counts.items() if n})


def test_a_moved_reference_day_recounts_only_those_it_can_change(db_session, clock):
    clock.move_to(DAY)
    tree = make_tree()
    manager = make_person(tree["ward7"], scope=[tree["ward7"]], tier=3, roles=[Role.MANAGER])
    staff = [make_person(tree["ward7"], tier=1, line_manager=manager) for _ in range(4)]
    db.session.flush()
    assert _counted_by_team(DAY) == _statuses_by_team(DAY)
    assert db.session.scalar(select(CountedYear.reference_day)) == DAY

    later = DAY + timedelta(days=6)
    # Known before the day comes: an exemption from later, and a leaver whose last day is in between.
    db.session.add(Exemption(person_id=staff[0].id, reason=ExemptionReason.PARENTAL_LEAVE, reason_detail="",
                             starts_on=DAY + timedelta(days=3), recorded_by_id=manager.id))
    clock.move_to(DAY + timedelta(days=2))
    staff_history.leave(staff[1], DAY + timedelta(days=2))
    db.session.flush()
    assert verify.counted_differences(YEAR) == []  # still counted on DAY: nothing changed then

    assert set(db.session.scalars(counted._changed_between(DAY, later))) == {staff[0].id, staff[1].id}
    clock.move_to(later)
    assert _counted_by_team(later) == _statuses_by_team(later)
    assert db.session.scalar(select(CountedYear.reference_day)) == later
    assert _counted_by_team(later)[(tree["ward7"].id, "exempt")] == 1
    assert verify.counted_differences(YEAR) == []

    # Backwards too (the clock of a test, or a server's clock put right).
    assert _counted_by_team(DAY) == _statuses_by_team(DAY)
    assert _counted_by_team(DAY)[(tree["ward7"].id, "exempt")] == 0


def test_a_year_is_counted_again_after_its_figures_are_rebuilt(db_session, clock):
    from tracker.figures import upkeep

    clock.move_to(DAY)
    tree = make_tree()
    make_person(tree["ward7"], tier=1)
    db.session.flush()
    figures.counted_tallies(YEAR, DAY)
    assert db.session.scalar(select(CountedYear.start_year)) == YEAR.start_year
    upkeep.rebuild_year(YEAR)
    assert db.session.scalar(select(CountedYear.start_year)) is None
    assert _counted_by_team(DAY) == _statuses_by_team(DAY)
    assert verify.tally_differences(YEAR) == []


def _counters_as_kept():
    """The counters as the database holds them, none of this session's waiting deltas written."""
    return Counter({tuple(row[:-1]): row[-1] for row in db.session.execute(
        select(CountedTally.start_year, CountedTally.part, CountedTally.stripe, CountedTally.number,
               CountedTally.staff_group, CountedTally.status, CountedTally.exempt, CountedTally.n)
        .where(CountedTally.n != 0))})


def _counters_from_rows():
    rows = db.session.execute(select(*(CountedPerson.__table__.c[name] for name in counted_tally.RETURNED)))
    return Counter(key for row in rows for key in counted_tally.keys_of(*row))


def test_the_counters_follow_each_commit_and_forget_a_rollback(db_session, clock):
    clock.move_to(DAY)
    tree = make_tree()
    manager = make_person(tree["ward7"], scope=[tree["ward7"]], tier=3, roles=[Role.MANAGER])
    staff = [make_person(tree["ward7"], tier=1, line_manager=manager) for _ in range(3)]
    db.session.commit()
    figures.organisation_tallies(YEAR, DAY, [], every_team_up_to=60, lowest=10)  # counts the year
    db.session.commit()
    before = _counters_as_kept()
    assert before == _counters_from_rows() and before

    # Exempt one person: the hook recounts them; the counters move only when the transaction commits.
    exemption = Exemption(person_id=staff[0].id, reason=ExemptionReason.PARENTAL_LEAVE, reason_detail="",
                          starts_on=DAY - timedelta(days=1), recorded_by_id=manager.id)
    db.session.add(exemption)
    db.session.flush()
    assert _counters_as_kept() == before  # waiting for the commit
    db.session.commit()
    after = _counters_as_kept()
    assert after == _counters_from_rows() and after != before
    assert figures.organisation_tallies(YEAR, DAY, [], every_team_up_to=60, lowest=10).overall[Status.EXEMPT] == 1

    # A change rolled back takes its deltas with it: the next commit writes nothing of it.
    db.session.delete(db.session.get(Exemption, exemption.id))
    db.session.flush()
    db.session.rollback()
    staff_history.leave(staff[1], DAY)
    db.session.commit()
    assert _counters_as_kept() == _counters_from_rows()
    assert figures.organisation_tallies(YEAR, DAY, [], every_team_up_to=60, lowest=10).overall[Status.EXEMPT] == 1


def _teams():
    """Each team's kept row: (not started, in progress, awaiting sign-off, complete, exempt, place)."""
    t = TeamTally
    return {row[0]: tuple(row[1:]) for row in db.session.execute(
        select(t.team_id, t.not_started, t.in_progress, t.awaiting_sign_off, t.complete, t.exempt, t.place)
        .where(t.start_year == YEAR.start_year))}


def test_each_teams_tally_and_place_follow_its_counters_at_each_commit(db_session, clock):
    """The lowest teams and the units' sums are read from kept team rows (tracker.figures.team_tally):
    a team's row moves with its counters in the same commit, a team whose last person goes loses
    its row, and `flask figures verify` finds a row that has drifted."""
    clock.move_to(DAY)
    tree = make_tree()
    manager = make_person(tree["ward7"], scope=[tree["cancer"]], tier=3, roles=[Role.MANAGER])
    make_person(tree["ward7"], tier=1, line_manager=manager)
    clinic = make_person(tree["clinic"], tier=1, line_manager=manager)
    db.session.commit()
    figures.organisation_tallies(YEAR, DAY, [], every_team_up_to=60, lowest=10)  # counts the year
    db.session.commit()
    assert _teams() == {tree["ward7"].id: (2, 0, 0, 0, 0, 0), tree["clinic"].id: (1, 0, 0, 0, 0, 0)}

    # Everyone in the clinic exempt: nobody is expected there, so it goes after every percent.
    db.session.add(Exemption(person_id=clinic.id, reason=ExemptionReason.PARENTAL_LEAVE, reason_detail="",
                             starts_on=DAY - timedelta(days=1), recorded_by_id=manager.id))
    db.session.commit()
    assert _teams() == {tree["ward7"].id: (2, 0, 0, 0, 0, 0),
                        tree["clinic"].id: (0, 0, 0, 0, 1, team_tally.NOBODY_EXPECTED)}

    staff_history.leave(clinic, DAY - timedelta(days=1))
    db.session.commit()
    assert _teams() == {tree["ward7"].id: (2, 0, 0, 0, 0, 0)}
    assert verify.team_differences(YEAR) == []

    db.session.execute(update(TeamTally).values(place=500, in_progress=TeamTally.in_progress + 1))
    assert [(d.figure, d.kept, d.computed) for d in verify.team_differences(YEAR)] == [
        (f"team {tree['ward7'].id} in_progress", 1, 0), (f"team {tree['ward7'].id} place", 500, 0)]


def test_thousands_of_changed_counters_are_written_in_statements_each_databases_takes(db_session):
    """A staff import can move thousands of people between teams at once: more counters than one
    statement may carry parameters for (SQLite 32,766, PostgreSQL 65,535; 8 a counter)."""
    rows = [(YEAR.start_year, person_id, 100_000 + person_id, "Administrative and clerical", 1 + person_id % 3,
             "in_progress", 0, None) for person_id in range(1, 9_001)]
    counted_tally.note(db.session, [], rows)
    counted_tally.settle(db.session)
    teams = db.session.scalar(select(func.count()).select_from(CountedTally)
                              .where(CountedTally.part == counted_tally.TEAMS, CountedTally.n == 1))
    assert teams == 9_000
    assert db.session.scalar(select(func.sum(CountedTally.n)).where(CountedTally.part == counted_tally.MONTHS)) == 9_000


def test_the_percent_sql_ranks_by_is_the_one_python_shows(db_session):
    """The lowest teams are ranked in SQL (compliance.percent_tenths_sql) and shown by Python
    (compliance.percent_of): the same tenth for every count up to 80, halves up (1 of 16 is 6.3)."""
    from sqlalchemy import literal, union_all

    pairs = [(complete, expected) for expected in range(1, 81) for complete in range(expected + 1)]
    tenths = []
    for start in range(0, len(pairs), 400):  # SQLite takes up to 500 selects in one UNION
        counts = union_all(*(select(literal(c).label("complete"), literal(e).label("expected"))
                             for c, e in pairs[start:start + 400])).subquery("counts")
        tenths += db.session.execute(select(counts.c.complete, counts.c.expected,
                                            compliance.percent_tenths_sql(counts.c.complete, counts.c.expected))).all()
    assert {(c, e): t / 10 for c, e, t in tenths} == {(c, e): compliance.percent_of(c, e) for c, e in pairs}
    assert compliance.percent_of(1, 16) == 6.3 and compliance.percent_of(0, 0) is None
