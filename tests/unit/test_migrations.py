"""Upgrading an empty database from zero gives exactly the models' schema."""
from __future__ import annotations

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

import config
from tests.support import scratch_database
from tracker import create_app
from tracker.extensions import db

MIGRATIONS = os.path.join(os.path.dirname(__file__), "..", "..", "migrations")


@pytest.fixture
def empty_database_url(tmp_path):
    """A brand-new empty database: a SQLite file, or a fresh schema-less PostgreSQL database."""
    with scratch_database("migr", tmp_path / "migrations.db") as url:
        yield url


def test_upgrade_from_zero_matches_the_models(empty_database_url):
    class Cfg(config.TestingConfig):
        SQLALCHEMY_DATABASE_URI = empty_database_url

    app = create_app(Cfg)
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
        assert diff == [], diff
        assert "activity" in inspect(db.engine).get_table_names()
        downgrade(directory=MIGRATIONS, revision="base")
        assert "activity" not in inspect(db.engine).get_table_names()
        db.engine.dispose()
