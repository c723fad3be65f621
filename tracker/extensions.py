"""Extensions are created once here and bound to the app in create_app()."""
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase

# Named constraints let Alembic alter and drop them on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()


def _sqlite_pragmas(engine) -> None:
    """Foreign keys on, and let SQLAlchemy own transactions so SAVEPOINTs work (pysqlite quirk)."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN")


def _postgresql_options(app) -> None:
    """Turn PostgreSQL's JIT compiler off for the tracker's connections: the planner's estimates
    for the correlated decider and status subqueries pass its threshold on pages that run in tens
    of milliseconds, and compiling then costs more than the query (measured on the 20,000-staff
    demo: the team dashboard's sign-off queue count took 45 ms with JIT, 17 ms without).

    And give each sort and hash POSTGRES_WORK_MEM_MB (32 unless set; PostgreSQL's default is 4MB):
    at 100,000 staff the status cube and the monthly series spilled to disk at 4MB and took 226 and
    334 ms; with 32MB they hash in memory, 134 and 231 ms. A sync worker runs one query at a time, so
    a few workers per core cost a few hundred megabytes at most."""
    uri = str(app.config.get("SQLALCHEMY_DATABASE_URI", ""))
    if not uri.startswith("postgresql"):
        return
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    connect_args = dict(options.get("connect_args") or {})
    # connect_args replaces the URL's own `options` (e.g. ?options=-csearch_path%3Dtracker): keep both.
    from_url = make_url(uri).query.get("options", "")
    work_mem = f"{int(app.config.get('POSTGRES_WORK_MEM_MB') or 32)}MB"
    connect_args["options"] = " ".join(filter(None, [from_url, connect_args.get("options", ""), "-c jit=off",
                                                     f"-c work_mem={work_mem}"]))
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**options, "connect_args": connect_args}


def init_app(app):
    _postgresql_options(app)
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            _sqlite_pragmas(db.engine)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to see that page."
    login_manager.login_message_category = "info"
