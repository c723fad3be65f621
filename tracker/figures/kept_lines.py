"""The behaviour lines each person evidenced in a year, kept beside their figures
(`person_year_line`), so behaviour coverage reads a few rows per person instead of joining every
signed-off activity of everyone in scope to its behaviours (334 of a 10,551-person directorate
dashboard's 481 ms on PostgreSQL).

Kept by the same calls as the figures (tracker.figures.upkeep: each person's refresh, a year's
rebuild) from the same inputs: the person's signed-off experiential activities of the year and the
year's framework, whose lines alone count (evidence of any version counts as its line). A framework
change marks the year for a rebuild, and coverage reads the activities until it is done. Coverage
of one activity type still reads the activities: the kept lines do not say which type gave them.
"""
from __future__ import annotations

from sqlalchemy import Select, TextClause, delete, literal, literal_column, select, text
from sqlalchemy.orm import Session

from tracker.appraisal_year import AppraisalYear
from tracker.counting import live_in_year
from tracker.framework_years import evidenced_behaviour, lines_in
from tracker.models import Activity, ActivityStatus, ActivityType, PersonYearLine, activity_behaviour


def lines_select(owners, year: AppraisalYear, framework_id: int | None) -> Select:
    """(person_id, start_year, line), once each, for the owners (a select of person ids)."""
    evidenced = evidenced_behaviour()
    return (
        select(Activity.owner_id.label("person_id"), literal(year.start_year).label("start_year"),
               evidenced.lineage_id.label("line"))
        .join(ActivityType, ActivityType.id == Activity.type_id)
        .join(activity_behaviour, activity_behaviour.c.activity_id == Activity.id)
        .join(evidenced, evidenced.id == activity_behaviour.c.behaviour_id)
        .where(live_in_year(year), Activity.status == ActivityStatus.SIGNED_OFF, ActivityType.experiential.is_(True),
               Activity.owner_id.in_(owners), evidenced.lineage_id.in_(lines_in(framework_id)))
        .distinct()
    )


def _insert(rows: Select):
    return PersonYearLine.__table__.insert().from_select(["person_id", "start_year", "line"], rows)


_ONE_PERSON: dict[tuple, TextClause] = {}  # compiled once per year and framework (see upkeep._ONE_PERSON)


def _one_person(session: Session, year: AppraisalYear, framework_id: int | None) -> TextClause:
    dialect = session.get_bind().dialect
    key = (dialect.name, year.start_year, year.start_month, framework_id)
    if key not in _ONE_PERSON:
        if len(_ONE_PERSON) > 64:
            _ONE_PERSON.clear()
        statement = _insert(lines_select(select(literal_column(":person_id")), year, framework_id))
        _ONE_PERSON[key] = text(str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True})))
    return _ONE_PERSON[key]


def refresh(session: Session, person_id: int, year: AppraisalYear, framework_id: int | None,
            execution_options: dict) -> None:
    """One person's lines of `year` again (the caller holds the person's lock)."""
    connection = session.connection()
    connection.execute(delete(PersonYearLine).where(PersonYearLine.start_year == year.start_year,
                                                    PersonYearLine.person_id == person_id))
    connection.execute(_one_person(session, year, framework_id), {"person_id": int(person_id)},
                       execution_options=execution_options)


def rebuild_year(connection, year: AppraisalYear, framework_id: int | None, owners: Select) -> None:
    """Every person's lines of `year` again (the figures' rebuild of the year calls this)."""
    connection.execute(delete(PersonYearLine).where(PersonYearLine.start_year == year.start_year))
    connection.execute(_insert(lines_select(owners, year, framework_id)))


def kept_pairs(year: AppraisalYear, person_ids) -> Select:
    """(person_id, line) of the kept lines of `person_ids` (a select of ids), as coverage reads them."""
    return select(PersonYearLine.person_id.label("person_id"), PersonYearLine.line.label("line")).where(
        PersonYearLine.start_year == year.start_year, PersonYearLine.person_id.in_(person_ids))
