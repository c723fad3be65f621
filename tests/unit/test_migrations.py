"""Upgrading an empty database from zero gives exactly the models' schema."""
from __future__ import annotations

import os
import re
from contextlib import contextmanager

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import Enum, inspect

import config
from tests.support import scratch_database
from tracker import create_app
from tracker.extensions import db

MIGRATIONS = os.path.join(os.path.dirname(__file__), "..", "..", "migrations")


@contextmanager
def app_on(database_url: str):
    """An application context on the empty database `database_url`, taken back to base after."""

    class Cfg(config.TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_url

    app = create_app(Cfg)
    with app.app_context():
        yield app
        downgrade(directory=MIGRATIONS, revision="base")
        db.engine.dispose()


def add_ann(conn, now) -> None:
    """The trust and one person in it, Ann (id 1), as raw rows any revision since 0001 holds."""
    from sqlalchemy import text

    conn.execute(text("INSERT INTO organisation_unit (id, name, kind, created_at) VALUES (1, 'Trust', 'organisation', :now)"),
                 dict(now=now))
    conn.execute(text("INSERT INTO person (id, email, name, job_title, staff_group, tier, team_id, active, "
                      "session_token, created_at) VALUES (1, 'a@example.org', 'Ann', '', 'Students', 1, 1, "
                      "true, 't', :now)"), dict(now=now))


@pytest.fixture
def empty_database_url(tmp_path):
    """A brand-new empty database: a SQLite file, or a fresh schema-less PostgreSQL database."""
    with scratch_database("migr", tmp_path / "migrations.db") as url:
        yield url


def test_upgrade_from_zero_matches_the_models(empty_database_url):
    with app_on(empty_database_url):
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
        assert diff == [], diff
        assert "activity" in inspect(db.engine).get_table_names()
        downgrade(directory=MIGRATIONS, revision="base")
        assert "activity" not in inspect(db.engine).get_table_names()
        db.engine.dispose()


def _enums_in_migrations() -> dict[str, list[str]]:
    """{enum name: values} of every sa.Enum the migrations create, read from their source."""
    found = {}
    versions = os.path.join(MIGRATIONS, "versions")
    for name in sorted(os.listdir(versions)):
        if name.endswith(".py"):
            with open(os.path.join(versions, name), encoding="utf-8") as handle:
                for args, enum_name in re.findall(r"sa\.Enum\(([^)]*?)name='(\w+)'", handle.read()):
                    found[enum_name] = re.findall(r"'([^']*)'", args)
    return found


def test_enum_columns_store_the_values_the_migrations_wrote(app):
    # Enum columns hold plain strings with no database constraint, so nothing else would notice a
    # member whose stored value changed: the rows already written would no longer load.
    in_models = {
        column.type.name: list(column.type.enums)
        for table in db.metadata.tables.values() for column in table.columns
        if isinstance(column.type, Enum)
    }
    assert in_models and in_models == _enums_in_migrations()


def test_upgrading_a_database_with_rules_keeps_them_for_every_year(empty_database_url):
    """0002 gives each rule a first year: what a database held applies from the start, so no
    year's figures change on upgrade; downgrading keeps the latest rule of each tier."""
    from datetime import datetime, timezone

    from sqlalchemy import text

    from tracker import compliance
    from tracker.appraisal_year import AppraisalYear

    class Cfg(config.TestingConfig):
        SQLALCHEMY_DATABASE_URI = empty_database_url

    app = create_app(Cfg)
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="0001")
        now = datetime(2025, 1, 1, tzinfo=timezone.utc)
        with db.engine.begin() as conn:
            for tier, activities, hours, behaviours, leadership in ((1, 1, 0, 3, False), (2, 2, 4.5, 5, False),
                                                                     (3, 3, 7, 6, True)):
                conn.execute(text("INSERT INTO requirement_rule VALUES (:t, :a, :h, :b, :l, :u)"),
                             dict(t=tier, a=activities, h=hours, b=behaviours, l=leadership, u=now))
        upgrade(directory=MIGRATIONS)
        for year in (AppraisalYear(2019), AppraisalYear(2025), AppraisalYear(2030)):
            rules = compliance.load_rules(year)
            assert (rules[1].min_behaviours, rules[2].min_hours, rules[3].min_experiential_activities) == (3, 4.5, 3)
        db.session.remove()
        downgrade(directory=MIGRATIONS, revision="0001")
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT tier, min_behaviours FROM requirement_rule ORDER BY tier")).all() == [
                (1, 3), (2, 5), (3, 6)]


def test_upgrading_the_demo_data_to_a_framework_per_year_keeps_every_figure(empty_database_url):
    """0003 names the current framework as every year's (a row from the start) and ties behaviour
    versions together by code: the demo data read the same after a downgrade and upgrade again."""
    from datetime import date

    from sqlalchemy import text

    from tracker import compliance, figures
    from tracker.appraisal_year import AppraisalYear
    from tracker.demo import load_demo
    from tracker.framework_years import framework_of
    from tracker.roster import Roster

    class Cfg(config.TestingConfig):
        SQLALCHEMY_DATABASE_URI = empty_database_url

    today = date(2025, 10, 15)
    years = (AppraisalYear(2024), AppraisalYear(2025))

    def everyone(year):
        return Roster.of(year, today).people()

    def every_figure():
        return [(db.session.execute(compliance.status_query(everyone(year), year, today)).all(),
                 figures.behaviour_coverage(everyone(year), year, today),
                 figures.monthly_compliance_years(everyone, [year], today)) for year in years]

    app = create_app(Cfg)
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        load_demo(staff=60, years=2, seed=2026, today=today)
        db.session.commit()
        db.session.remove()
        # Going below 0004 forgets people's history (everyone active is in post since ever), so
        # start from that state: what this test holds is the framework migration's round trip.
        downgrade(directory=MIGRATIONS, revision="0003")
        upgrade(directory=MIGRATIONS)
        before = every_figure()
        framework = framework_of(years[0]).id
        db.session.remove()
        downgrade(directory=MIGRATIONS, revision="0002")
        assert "year_framework" not in inspect(db.engine).get_table_names()
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT from_year, framework_id FROM year_framework")).all() == [(0, framework)]
            assert conn.execute(text("SELECT count(*) FROM behaviour WHERE lineage_id IS NULL OR lineage_id != id")
                                ).scalar() == 0
        assert every_figure() == before
        db.session.remove()
        downgrade(directory=MIGRATIONS, revision="base")
        db.engine.dispose()


def test_set_password_links_arrive_beside_the_people_already_there(empty_database_url):
    """0005 adds the set-password links' table to a database holding people; going back removes
    only that table."""
    from datetime import datetime, timezone

    from sqlalchemy import text

    with app_on(empty_database_url):
        upgrade(directory=MIGRATIONS, revision="0008")
        now = datetime(2026, 1, 5, tzinfo=timezone.utc)
        with db.engine.begin() as conn:
            add_ann(conn, now)
        upgrade(directory=MIGRATIONS, revision="0009")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO set_password_link (person_id, token_hash, created_at, expires_at, created_by_id) "
                              "VALUES (1, 'h', :now, :now, 1)"), dict(now=now))
            assert conn.execute(text("SELECT person_id FROM set_password_link")).scalar() == 1
        downgrade(directory=MIGRATIONS, revision="0008")
        assert "set_password_link" not in inspect(db.engine).get_table_names()
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT name FROM person")).all() == [("Ann",)]


def test_line_managers_by_date_arrive_filled_from_the_people_already_there(empty_database_url):
    """0012 gives each person period its person's line manager (the only one the database knew);
    going back removes only that column."""
    from datetime import datetime, timezone

    from sqlalchemy import text

    with app_on(empty_database_url):
        upgrade(directory=MIGRATIONS, revision="0010")
        now = datetime(2026, 1, 5, tzinfo=timezone.utc)
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO organisation_unit (id, name, kind, created_at) VALUES (1, 'Trust', 'organisation', :now)"),
                         dict(now=now))
            for person_id, name, manager_id in ((1, "Bea Boss", None), (2, "Ann Nurse", 1)):
                conn.execute(text("INSERT INTO person (id, email, name, job_title, staff_group, tier, team_id, active, "
                                  "session_token, created_at, line_manager_id) VALUES (:id, :email, :name, '', "
                                  "'Students', 1, 1, true, :token, :now, :manager)"),
                             dict(id=person_id, email=f"p{person_id}@example.org", name=name, token=f"t{person_id}",
                                  now=now, manager=manager_id))
            for period_id, person_id, starts_on, ends_on in ((1, 1, "1900-01-01", None), (2, 2, "1900-01-01", "2025-03-31"),
                                                             (3, 2, "2025-04-01", None)):
                conn.execute(text("INSERT INTO person_period (id, person_id, starts_on, ends_on, team_id, tier, "
                                  "staff_group) VALUES (:id, :person, :starts, :ends, 1, 1, 'Students')"),
                             dict(id=period_id, person=person_id, starts=starts_on, ends=ends_on))
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT id, line_manager_id FROM person_period ORDER BY id")).all() == [
                (1, None), (2, 1), (3, 1)]
        downgrade(directory=MIGRATIONS, revision="0010")
        assert "line_manager_id" not in {c["name"] for c in inspect(db.engine).get_columns("person_period")}
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM person_period")).scalar() == 3


def test_exemptions_may_be_open_ended_after_upgrading_a_database_holding_them(empty_database_url):
    """0011 lets an exemption have no end date: the exemptions already there keep their dates;
    going back, an open-ended one gets the furthest end there is, so it still covers every later day."""
    from datetime import date, datetime, timezone

    from sqlalchemy import text

    with app_on(empty_database_url):
        upgrade(directory=MIGRATIONS, revision="0010")
        now = datetime(2026, 1, 5, tzinfo=timezone.utc)
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO organisation_unit (id, name, kind, created_at) VALUES (1, 'Trust', 'organisation', :now)"),
                         dict(now=now))
            conn.execute(text("INSERT INTO person (id, email, name, job_title, staff_group, tier, team_id, active, "
                              "session_token, created_at, from_import) VALUES (1, 'a@example.org', 'Ann', '', 'Students', "
                              "1, 1, true, 't', :now, false)"), dict(now=now))
            conn.execute(text("INSERT INTO exemption (id, person_id, reason, reason_detail, starts_on, ends_on, created_at) "
                              "VALUES (1, 1, 'parental_leave', '', :starts, :ends, :now)"),
                         dict(starts=date(2025, 9, 1), ends=date(2026, 3, 31), now=now))
        upgrade(directory=MIGRATIONS)
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO exemption (id, person_id, reason, reason_detail, starts_on, ends_on, created_at) "
                              "VALUES (2, 1, 'secondment', '', :starts, NULL, :now)"),
                         dict(starts=date(2026, 6, 1), now=now))
            rows = conn.execute(text("SELECT id, starts_on, ends_on FROM exemption ORDER BY id")).all()
        assert [(i, str(s), e and str(e)) for i, s, e in rows] == [(1, "2025-09-01", "2026-03-31"),
                                                                   (2, "2026-06-01", None)]
        downgrade(directory=MIGRATIONS, revision="0010")
        with db.engine.connect() as conn:
            ends = conn.execute(text("SELECT ends_on FROM exemption ORDER BY id")).scalars().all()
        assert [str(end) for end in ends] == ["2026-03-31", "9999-12-31"]


def test_activities_gain_a_creation_key_unique_per_owner_after_upgrading_a_database_holding_them(empty_database_url):
    """0016 adds the key of the form that created an activity: the activities already there have
    none (any number of them may), and one owner cannot hold the same key twice; going back keeps them."""
    from datetime import date, datetime, timezone

    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    class Cfg(config.TestingConfig):
        SQLALCHEMY_DATABASE_URI = empty_database_url

    app = create_app(Cfg)
    insert = text("INSERT INTO activity (id, owner_id, occurred_on, title, type_id, duration_minutes, reflection, "
                  "manager_may_read, status, created_at, updated_at{key}) VALUES (:id, :owner, :day, 'Debrief', 1, 60, "
                  "'{{}}', false, 'draft', :now, :now{value})")
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="0012")
        now = datetime(2026, 1, 5, tzinfo=timezone.utc)
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO organisation_unit (id, name, kind, created_at) VALUES (1, 'Trust', 'organisation', :now)"),
                         dict(now=now))
            for person_id in (1, 2):
                conn.execute(text("INSERT INTO person (id, email, name, job_title, staff_group, tier, team_id, active, "
                                  "session_token, created_at, from_import) VALUES (:id, :email, 'Ann', '', 'Students', "
                                  "1, 1, true, :token, :now, false)"),
                             dict(id=person_id, email=f"p{person_id}@example.org", token=f"t{person_id}", now=now))
            conn.execute(text("INSERT INTO activity_type (id, code, label, experiential, description, position) "
                              "VALUES (1, 'debrief', 'Debrief', true, '', 0)"))
            for activity_id in (1, 2):
                conn.execute(text(insert.text.format(key="", value="")),
                             dict(id=activity_id, owner=1, day=date(2025, 9, 1), now=now))
        upgrade(directory=MIGRATIONS)
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT id, creation_key FROM activity ORDER BY id")).all() == [(1, None), (2, None)]
            for activity_id, owner in ((3, 1), (4, 2)):  # the same key for two owners is no clash
                conn.execute(text(insert.text.format(key=", creation_key", value=", 'same-key'")),
                             dict(id=activity_id, owner=owner, day=date(2025, 9, 2), now=now))
        with pytest.raises(IntegrityError):
            with db.engine.begin() as conn:
                conn.execute(text(insert.text.format(key=", creation_key", value=", 'same-key'")),
                             dict(id=5, owner=1, day=date(2025, 9, 3), now=now))
        downgrade(directory=MIGRATIONS, revision="0012")
        assert "creation_key" not in {c["name"] for c in inspect(db.engine).get_columns("activity")}
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM activity")).scalar() == 4
        downgrade(directory=MIGRATIONS, revision="base")
        db.engine.dispose()


def test_people_already_there_are_not_erased_after_0017(empty_database_url):
    """0017 adds person.erased_at to a database holding people: none of them is erased; going back
    removes only that column."""
    from datetime import datetime, timezone

    from sqlalchemy import text

    with app_on(empty_database_url):
        upgrade(directory=MIGRATIONS, revision="0012")
        now = datetime(2026, 1, 5, tzinfo=timezone.utc)
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO organisation_unit (id, name, kind, created_at) VALUES (1, 'Trust', 'organisation', :now)"),
                         dict(now=now))
            conn.execute(text("INSERT INTO person (id, email, name, job_title, staff_group, tier, team_id, active, "
                              "session_token, created_at) VALUES (1, 'ann@example.org', 'Ann Nurse', '', 'Students', 1, 1, "
                              "true, 't1', :now)"), dict(now=now))
        upgrade(directory=MIGRATIONS, revision="0017")
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT name, erased_at FROM person")).all() == [("Ann Nurse", None)]
        downgrade(directory=MIGRATIONS, revision="0012")
        assert "erased_at" not in {c["name"] for c in inspect(db.engine).get_columns("person")}
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT name FROM person")).all() == [("Ann Nurse",)]


def test_sessions_arrive_beside_the_people_already_there(empty_database_url):
    """0019 adds the sessions' table to a database holding people (their sessions are rows of
    their own, removed with them); going back removes only that table."""
    from datetime import datetime, timezone

    from sqlalchemy import text

    with app_on(empty_database_url):
        upgrade(directory=MIGRATIONS, revision="0012")
        now = datetime(2026, 1, 5, tzinfo=timezone.utc)
        with db.engine.begin() as conn:
            add_ann(conn, now)
        upgrade(directory=MIGRATIONS, revision="0019")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO user_session (key_hash, person_id, generation, created_at, last_seen_at, "
                              "user_agent) VALUES ('h', 1, 'g', :now, :now, '')"), dict(now=now))
            assert conn.execute(text("SELECT person_id FROM user_session")).scalar() == 1
        downgrade(directory=MIGRATIONS, revision="0012")
        assert "user_session" not in inspect(db.engine).get_table_names()
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT name FROM person")).all() == [("Ann",)]


def test_identities_arrive_beside_the_people_already_there(empty_database_url):
    """0028 adds the single sign-on links to a database holding people; one subject of one provider
    names one person; going back removes only that table."""
    from datetime import datetime, timezone

    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    with app_on(empty_database_url):
        upgrade(directory=MIGRATIONS, revision="0023")
        now = datetime(2026, 1, 5, tzinfo=timezone.utc)
        with db.engine.begin() as conn:
            add_ann(conn, now)
        upgrade(directory=MIGRATIONS, revision="0028")
        link = text("INSERT INTO person_identity (provider, subject, person_id, linked_at) "
                    "VALUES ('https://idp.example', 's1', 1, :now)")
        with db.engine.begin() as conn:
            conn.execute(link, dict(now=now))
            assert conn.execute(text("SELECT person_id FROM person_identity")).scalar() == 1
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            conn.execute(link, dict(now=now))
        downgrade(directory=MIGRATIONS, revision="0023")
        assert "person_identity" not in inspect(db.engine).get_table_names()
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT name FROM person")).all() == [("Ann",)]


def test_the_notification_outbox_arrives_beside_the_people_already_there(empty_database_url):
    """0027 adds the outbox to a database holding people; a row to one of them is queued and its
    key is unique; going back removes only that table."""
    from datetime import datetime, timezone

    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    with app_on(empty_database_url):
        upgrade(directory=MIGRATIONS, revision="0028")
        now = datetime(2026, 11, 30, tzinfo=timezone.utc)
        with db.engine.begin() as conn:
            add_ann(conn, now)
        upgrade(directory=MIGRATIONS, revision="0027")
        row = ("INSERT INTO notification (kind, person_id, address, fields, idempotency_key, status, attempts, "
               "next_attempt_at, created_at, updated_at) VALUES ('password_changed', 1, 'a@example.org', '{}', 'k', "
               "'queued', 0, :now, :now, :now)")
        with db.engine.begin() as conn:
            conn.execute(text(row), dict(now=now))
        with pytest.raises(IntegrityError):
            with db.engine.begin() as conn:
                conn.execute(text(row), dict(now=now))
        downgrade(directory=MIGRATIONS, revision="0028")
        assert "notification" not in inspect(db.engine).get_table_names()
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT name FROM person")).all() == [("Ann",)]


def test_observation_requests_arrive_beside_the_activities_already_there(empty_database_url):
    """0029 adds observed practice to a database holding people and activities; going back
    removes only its two tables."""
    from datetime import datetime, timezone

    from sqlalchemy import text

    with app_on(empty_database_url):
        upgrade(directory=MIGRATIONS, revision="0027")
        now = datetime(2026, 1, 5, tzinfo=timezone.utc)
        with db.engine.begin() as conn:
            add_ann(conn, now)
            conn.execute(text("INSERT INTO activity_type (id, code, label, experiential, description, position) "
                              "VALUES (1, 'obs', 'Observed', true, '', 0)"))
            conn.execute(text("INSERT INTO activity (id, owner_id, occurred_on, title, type_id, duration_minutes, "
                              "reflection, manager_may_read, status, created_at, updated_at) VALUES (1, 1, '2026-01-04', "
                              "'Talk', 1, 30, '{}', false, 'draft', :now, :now)"), dict(now=now))
        upgrade(directory=MIGRATIONS, revision="0029")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO observation_request (activity_id, requester_id, observer_name, observer_email, "
                              "situation_note, token_hash, status, created_at, expires_at) VALUES (1, 1, 'Obi', "
                              "'obi@nhs.net', '', 'h', 'sent', :now, :now)"), dict(now=now))
            assert conn.execute(text("SELECT reminded FROM observation_request")).scalar() in (0, False)
        downgrade(directory=MIGRATIONS, revision="0027")
        assert "observation_request" not in inspect(db.engine).get_table_names()
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT title FROM activity")).all() == [("Talk",)]


def test_notification_settings_arrive_beside_the_people_already_there(empty_database_url):
    """0030 adds notification settings to a database holding people: they keep the defaults (no
    row), one row per person at most; going back removes only that table."""
    from datetime import datetime, timezone

    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    with app_on(empty_database_url):
        upgrade(directory=MIGRATIONS, revision="0029")
        now = datetime(2026, 11, 30, tzinfo=timezone.utc)
        with db.engine.begin() as conn:
            add_ann(conn, now)
        upgrade(directory=MIGRATIONS, revision="0030")
        row = ("INSERT INTO notification_preference (person_id, submissions, decisions, reminders, year_end_reminders, "
               "weekly_digest, updated_at) VALUES (1, 'daily_digest', true, false, true, true, :now)")
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM notification_preference")).scalar() == 0
            conn.execute(text(row), dict(now=now))
        with pytest.raises(IntegrityError):
            with db.engine.begin() as conn:
                conn.execute(text(row), dict(now=now))
        downgrade(directory=MIGRATIONS, revision="0029")
        assert "notification_preference" not in inspect(db.engine).get_table_names()
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT name FROM person")).all() == [("Ann",)]


def test_activities_gain_observed_from_their_answered_requests_after_0032(empty_database_url):
    """0032 marks an activity observed when a request about it was answered, and no other; going
    back removes only the column."""
    from datetime import datetime, timezone

    from sqlalchemy import text

    with app_on(empty_database_url):
        upgrade(directory=MIGRATIONS, revision="0030")
        now = datetime(2026, 1, 5, tzinfo=timezone.utc)
        with db.engine.begin() as conn:
            add_ann(conn, now)
            conn.execute(text("INSERT INTO activity_type (id, code, label, experiential, description, position) "
                              "VALUES (1, 'obs', 'Observed', true, '', 0)"))
            for activity_id, status in ((1, "answered"), (2, "sent"), (3, "cancelled"), (4, None)):
                conn.execute(text("INSERT INTO activity (id, owner_id, occurred_on, title, type_id, duration_minutes, "
                                  "reflection, manager_may_read, status, created_at, updated_at) VALUES (:id, 1, "
                                  "'2026-01-04', 'Talk', 1, 30, '{}', false, 'signed_off', :now, :now)"),
                             dict(id=activity_id, now=now))
                if status:
                    conn.execute(text("INSERT INTO observation_request (activity_id, requester_id, observer_name, "
                                      "observer_email, situation_note, token_hash, status, created_at, expires_at) "
                                      "VALUES (:id, 1, 'Obi', 'obi@nhs.net', '', :hash, :status, :now, :now)"),
                                 dict(id=activity_id, hash=f"h{activity_id}", status=status, now=now))
        upgrade(directory=MIGRATIONS, revision="0032")
        with db.engine.connect() as conn:
            observed = conn.execute(text("SELECT id, observed FROM activity ORDER BY id")).all()
        assert [(i, bool(o)) for i, o in observed] == [(1, True), (2, False), (3, False), (4, False)]
        downgrade(directory=MIGRATIONS, revision="0030")
        assert "observed" not in {c["name"] for c in inspect(db.engine).get_columns("activity")}
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM observation_request")).scalar() == 3


def test_enum_columns_refuse_strays_after_0034_upgrades_a_database_holding_rows(empty_database_url):
    """0034 adds a CHECK to every enum column of a database holding rows: the rows stay, a value
    no enum has is refused afterwards, and going back removes only the new checks."""
    from datetime import datetime, timezone

    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    class Cfg(config.TestingConfig):
        SQLALCHEMY_DATABASE_URI = empty_database_url

    app = create_app(Cfg)
    now = datetime(2026, 1, 5, tzinfo=timezone.utc)
    stray_status = ("UPDATE activity SET status = 'approved' WHERE id = 1", {})
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="0032")
        with db.engine.begin() as conn:
            add_ann(conn, now)
            conn.execute(text("INSERT INTO person_role (person_id, role) VALUES (1, 'manager')"))
            conn.execute(text("INSERT INTO activity_type (id, code, label, experiential, description, position) "
                              "VALUES (1, 'obs', 'Observed', true, '', 0)"))
            conn.execute(text("INSERT INTO activity (id, owner_id, occurred_on, title, type_id, duration_minutes, "
                              "reflection, reflection_model, manager_may_read, status, created_at, updated_at) VALUES "
                              "(1, 1, '2026-01-04', 'Talk', 1, 30, '{}', NULL, false, 'submitted', :now, :now)"),
                         dict(now=now))
        upgrade(directory=MIGRATIONS, revision="0034")
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT title, status FROM activity")).all() == [("Talk", "submitted")]
            assert conn.execute(text("SELECT role FROM person_role")).all() == [("manager",)]
        for statement in (stray_status[0], "UPDATE person SET staff_group = 'Wizards' WHERE id = 1",
                          "UPDATE organisation_unit SET kind = 'ward' WHERE id = 1",
                          "INSERT INTO person_role (person_id, role) VALUES (1, 'owner')"):
            with pytest.raises(IntegrityError), db.engine.begin() as conn:
                conn.execute(text(statement))
        with db.engine.begin() as conn:  # the checks before 0034 still hold beside the new ones
            with pytest.raises(IntegrityError), conn.begin_nested():
                conn.execute(text("UPDATE person SET tier = 4 WHERE id = 1"))
            conn.execute(text("UPDATE activity SET status = 'signed_off', reflection_model = 'gibbs' WHERE id = 1"))
        downgrade(directory=MIGRATIONS, revision="0032")
        with db.engine.begin() as conn:
            conn.execute(text(stray_status[0]))
            assert conn.execute(text("SELECT status FROM activity")).scalar() == "approved"
        downgrade(directory=MIGRATIONS, revision="base")
        db.engine.dispose()


def test_upgrading_to_0034_names_a_stray_enum_value_instead_of_failing_half_way(empty_database_url):
    from datetime import datetime, timezone

    from sqlalchemy import text

    with app_on(empty_database_url) as app:
        upgrade(directory=MIGRATIONS, revision="0032")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO organisation_unit (id, name, kind, created_at) VALUES (1, 'Trust', 'ward', :now)"),
                         dict(now=datetime(2026, 1, 5, tzinfo=timezone.utc)))
        alembic_config = app.extensions["migrate"].migrate.get_config(MIGRATIONS)
        with pytest.raises(RuntimeError, match=re.escape("organisation_unit.kind holds values that are no member "
                                                         "of its enum: ['ward']")):
            command.upgrade(alembic_config, "0034")  # Flask-Migrate's upgrade would log it and exit
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT kind FROM organisation_unit")).scalar() == "ward"


def test_prepared_exports_arrive_beside_the_people_already_there(empty_database_url):
    """0031 adds prepared exports to a database holding people; a ready one of theirs is kept with
    its filters; going back removes only that table."""
    from datetime import datetime, timezone

    from sqlalchemy import text

    with app_on(empty_database_url):
        upgrade(directory=MIGRATIONS, revision="0034")
        now = datetime(2026, 11, 30, tzinfo=timezone.utc)
        with db.engine.begin() as conn:
            add_ann(conn, now)
        upgrade(directory=MIGRATIONS, revision="0031")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO prepared_export (requester_id, kind, format, filters, status, estimated_rows, "
                              "rows, size_bytes, stored_name, created_at, ready_at, expires_at) VALUES (1, 'activities', "
                              "'xlsx', '{\"year\": \"all\"}', 'ready', 5000000000, 5000000000, 9, 'f', :now, :now, :now)"),
                         dict(now=now))
            assert conn.execute(text("SELECT rows FROM prepared_export")).scalar() == 5_000_000_000
        downgrade(directory=MIGRATIONS, revision="0034")
        assert "prepared_export" not in inspect(db.engine).get_table_names()
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT name FROM person")).all() == [("Ann",)]


def test_kept_figures_arrive_filled_from_the_activities_already_there(empty_database_url):
    """0033 keeps each person's figures per year: on a database holding the demo trust's activities
    it fills them, every one equal to the rule computed from the activities; going back removes
    only its two tables."""
    from datetime import date

    from sqlalchemy import text

    from tracker.figures import upkeep, verify
    from tracker.demo import load_demo

    with app_on(empty_database_url):
        upgrade(directory=MIGRATIONS)
        load_demo(staff=60, years=2, seed=2026, today=date(2025, 10, 15))
        db.session.commit()
        db.session.remove()
        downgrade(directory=MIGRATIONS, revision="0031")
        assert "person_year_figures" not in inspect(db.engine).get_table_names()
        activities = db.session.execute(text("SELECT count(*) FROM activity")).scalar()
        db.session.remove()
        upgrade(directory=MIGRATIONS, revision="0033")
        years = upkeep.years_with_activities()
        kept = db.session.execute(text("SELECT start_year, count(*), sum(s_activities) FROM person_year_figures "
                                       "GROUP BY start_year ORDER BY start_year")).all()
        assert [row[0] for row in kept] == [year.start_year for year in years] and all(row[2] > 0 for row in kept)
        assert [d for year in years for d in verify.differences(year)] == []
        assert db.session.execute(text("SELECT count(*) FROM activity")).scalar() == activities
        db.session.remove()


def test_0035_gives_the_roster_an_index_holding_its_columns_on_a_database_holding_periods(empty_database_url):
    """0035 widens the person periods' team index to every column the roster reads: the periods
    already there stay, the roster of a day finds the one in force, and going back restores the
    narrow index."""
    from datetime import date, datetime, timezone

    from sqlalchemy import text

    from tracker.roster import Roster

    def team_index():
        return next(index["column_names"] for index in inspect(db.engine).get_indexes("person_period")
                    if index["name"] == "ix_person_period_team")

    with app_on(empty_database_url):
        upgrade(directory=MIGRATIONS, revision="0033")
        with db.engine.begin() as conn:
            add_ann(conn, datetime(2026, 11, 30, tzinfo=timezone.utc))
            for period_id, starts_on, ends_on, tier in ((1, "1900-01-01", "2025-03-31", 1), (2, "2025-04-01", None, 2)):
                conn.execute(text("INSERT INTO person_period (id, person_id, starts_on, ends_on, team_id, tier, "
                                  "staff_group) VALUES (:id, 1, :starts, :ends, 1, :tier, 'Students')"),
                             dict(id=period_id, starts=starts_on, ends=ends_on, tier=tier))
        assert team_index() == ["team_id", "starts_on"]
        upgrade(directory=MIGRATIONS, revision="0035")
        assert team_index() == ["team_id", "starts_on", "ends_on", "person_id", "tier", "staff_group"]
        assert db.session.execute(Roster(date(2025, 3, 31)).people()).all() == [(1, 1, 1, "Students")]
        assert db.session.execute(Roster(date(2025, 4, 1)).people()).all() == [(1, 1, 2, "Students")]
        db.session.remove()
        downgrade(directory=MIGRATIONS, revision="0033")
        assert team_index() == ["team_id", "starts_on"]
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM person_period")).scalar() == 2


def test_0036_indexes_activities_by_decider_on_a_database_holding_a_decision(empty_database_url):
    """0036 adds the index the undo window's lookup reads; the decision already there is found
    through it, and going back removes only the index."""
    from datetime import datetime, timezone

    from sqlalchemy import text

    def indexes():
        return {index["name"]: index["column_names"] for index in inspect(db.engine).get_indexes("activity")}

    with app_on(empty_database_url):
        upgrade(directory=MIGRATIONS, revision="0035")
        now = datetime(2026, 11, 30, 9, tzinfo=timezone.utc)
        with db.engine.begin() as conn:
            add_ann(conn, now)
            conn.execute(text("INSERT INTO activity_type (id, code, label, experiential, description, position) "
                              "VALUES (1, 'obs', 'Observed', true, '', 0)"))
            conn.execute(text("INSERT INTO activity (id, owner_id, occurred_on, title, type_id, duration_minutes, "
                              "reflection, manager_may_read, status, decided_by_id, decided_at, created_at, updated_at, "
                              "observed) VALUES (1, 1, '2026-11-02', 'Talk', 1, 30, '{}', false, 'signed_off', 1, :now, "
                              ":now, :now, false)"), dict(now=now))
        assert "ix_activity_decided_by" not in indexes()
        upgrade(directory=MIGRATIONS, revision="0036")
        assert indexes()["ix_activity_decided_by"] == ["decided_by_id", "decided_at"]
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT id FROM activity WHERE decided_by_id = 1 AND decided_at >= :since"),
                                dict(since=now)).scalars().all() == [1]
        downgrade(directory=MIGRATIONS, revision="0035")
        assert "ix_activity_decided_by" not in indexes()
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT title FROM activity")).scalars().all() == ["Talk"]


def test_0041_fills_each_activitys_behaviour_codes_as_the_application_keeps_them(empty_database_url):
    """The demo writes each activity's codes as tracker.activity_codes makes them; going back below
    0041 and up again, the migration fills the same cells from the links (in the same order)."""
    from datetime import date

    from sqlalchemy import text

    from tracker.demo import load_demo

    codes = "SELECT id, behaviour_codes FROM activity ORDER BY id"
    with app_on(empty_database_url):
        upgrade(directory=MIGRATIONS)
        load_demo(staff=60, years=1, seed=41, today=date(2026, 11, 30))
        db.session.commit()
        with db.engine.connect() as conn:
            kept = conn.execute(text(codes)).all()
        assert sum(1 for _, cell in kept if cell and "; " in cell) > 10  # several codes, to be put in order
        db.session.remove()
        downgrade(directory=MIGRATIONS, revision="0040")
        assert "behaviour_codes" not in {c["name"] for c in inspect(db.engine).get_columns("activity")}
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as conn:
            assert conn.execute(text(codes)).all() == kept
        db.session.remove()


def test_0043_tallies_each_team_as_the_application_keeps_it(empty_database_url):
    """The demo's counted year tallies and places its teams as tracker.figures.team_tally keeps
    them; going back below 0043 and up again, the migration fills the same rows."""
    from datetime import date

    from sqlalchemy import text

    from tracker.appraisal_year import year_containing
    from tracker.demo import load_demo
    from tracker.figures import counted

    today = date(2026, 11, 30)
    places = ("SELECT start_year, team_id, place, not_started, in_progress, awaiting_sign_off, complete, exempt "
              "FROM team_tally ORDER BY start_year, team_id")
    with app_on(empty_database_url):
        upgrade(directory=MIGRATIONS)
        load_demo(staff=120, years=1, seed=43, today=today)
        counted.count_year(year_containing(today), today)
        db.session.commit()
        with db.engine.connect() as conn:
            kept = conn.execute(text(places)).all()
        assert len({row.place for row in kept}) > 3  # teams in several places, not one
        assert all(sum(row[3:]) for row in kept) and sum(row.complete for row in kept) > 10
        db.session.remove()
        downgrade(directory=MIGRATIONS, revision="0042")
        assert "team_tally" not in inspect(db.engine).get_table_names()
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as conn:
            assert conn.execute(text(places)).all() == kept
        db.session.remove()
