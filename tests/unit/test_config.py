"""Settings come from the environment; production refuses to start without a secret key."""
from __future__ import annotations

import importlib

import pytest

import config


@pytest.fixture
def fresh_config(monkeypatch):
    def _load(**env):
        for key in ("SECRET_KEY", "FLASK_ENV", "DATABASE_URL", "APPRAISAL_YEAR_START_MONTH", "COMPLIANCE_TARGET",
                    "REDIS_URL", "RATELIMIT_STORAGE_URI", "CELERY_BROKER_URL", "TRACKER_WORKERS",
                    "MAIL_PROVIDER", "NOTIFY_API_KEY"):
            monkeypatch.delenv(key, raising=False)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        return importlib.reload(config)

    yield _load
    monkeypatch.undo()
    importlib.reload(config)


def test_production_without_secret_key_refuses_to_start(fresh_config):
    cfg = fresh_config(FLASK_ENV="production")
    with pytest.raises(cfg.ConfigError, match="SECRET_KEY is not set"):
        cfg.from_env()


def test_production_with_secret_key_starts(fresh_config):
    cfg = fresh_config(FLASK_ENV="production", SECRET_KEY="x" * 40, DATABASE_URL="postgres://u:p@db/tracker")
    chosen = cfg.from_env()
    assert chosen.SECRET_KEY == "x" * 40
    assert chosen.SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://u:p@db/tracker"
    assert chosen.SESSION_COOKIE_SECURE is True


def test_development_defaults_to_sqlite_under_instance(fresh_config):
    cfg = fresh_config(FLASK_ENV="development")
    chosen = cfg.from_env()
    assert chosen.SQLALCHEMY_DATABASE_URI.startswith("sqlite:///") and "instance" in chosen.SQLALCHEMY_DATABASE_URI
    assert chosen.APPRAISAL_YEAR_START_MONTH == 4 and chosen.COMPLIANCE_TARGET == 85


@pytest.mark.parametrize("name,value,message", [
    ("APPRAISAL_YEAR_START_MONTH", "13", "between 1 and 12"),
    ("APPRAISAL_YEAR_START_MONTH", "April", "whole number"),
    ("COMPLIANCE_TARGET", "0", "between 1 and 100"),
])
def test_bad_settings_fail_with_a_clear_message(fresh_config, name, value, message):
    # The reload makes a new ConfigError class, so match it by name.
    with pytest.raises(Exception, match=message) as excinfo:
        fresh_config(FLASK_ENV="development", **{name: value})
    assert type(excinfo.value).__name__ == "ConfigError"


def test_unknown_mode_is_refused(fresh_config):
    cfg = fresh_config(FLASK_ENV="staging")
    with pytest.raises(cfg.ConfigError, match="FLASK_ENV must be one of"):
        cfg.from_env()


def test_one_redis_url_serves_the_limits_and_the_job_queue_unless_a_more_specific_one_is_set(fresh_config):
    cfg = fresh_config(FLASK_ENV="production", SECRET_KEY="x" * 40, REDIS_URL="rediss://cache.trust:6380/0")
    assert cfg.Config.RATELIMIT_STORAGE_URI == cfg.Config.CELERY_BROKER_URL == "rediss://cache.trust:6380/0"
    cfg = fresh_config(FLASK_ENV="production", SECRET_KEY="x" * 40, REDIS_URL="redis://shared:6379/0",
                       RATELIMIT_STORAGE_URI="redis://limits:6379/1", CELERY_BROKER_URL="redis://queue:6379/2")
    assert (cfg.Config.RATELIMIT_STORAGE_URI, cfg.Config.CELERY_BROKER_URL) == \
        ("redis://limits:6379/1", "redis://queue:6379/2")
    assert fresh_config(FLASK_ENV="production").Config.RATELIMIT_STORAGE_URI == "memory://"


def test_production_refuses_in_memory_limits_when_several_workers_run(fresh_config):
    # gunicorn.conf.py's on_starting hook sets TRACKER_WORKERS before the workers make the app.
    cfg = fresh_config(FLASK_ENV="production", SECRET_KEY="x" * 40, TRACKER_WORKERS="3")
    with pytest.raises(cfg.ConfigError, match="3 workers would each count sign-in limits alone, in memory. "
                                              "Set REDIS_URL"):
        cfg.from_env()
    assert fresh_config(FLASK_ENV="production", SECRET_KEY="x" * 40, TRACKER_WORKERS="3",
                        REDIS_URL="redis://127.0.0.1:6379/0").from_env().RATELIMIT_STORAGE_URI.startswith("redis://")
    assert fresh_config(FLASK_ENV="production", SECRET_KEY="x" * 40, TRACKER_WORKERS="1").from_env()
    # A laptop's `flask run` with several workers' count in its environment is not production's concern.
    assert fresh_config(FLASK_ENV="development", TRACKER_WORKERS="3").from_env().ENV_NAME == "development"


@pytest.mark.parametrize("env, message", [
    ({"MAIL_PROVIDER": "pigeon"}, "MAIL_PROVIDER must be smtp, notify or log, got 'pigeon'"),
    ({"MAIL_PROVIDER": "notify"}, "MAIL_PROVIDER=notify needs NOTIFY_API_KEY"),
])
def test_a_mail_provider_that_cannot_send_stops_the_start(fresh_config, env, message):
    cfg = fresh_config(FLASK_ENV="production", SECRET_KEY="x" * 40, **env)
    with pytest.raises(cfg.ConfigError, match=message):
        cfg.from_env()
    assert fresh_config(FLASK_ENV="production", SECRET_KEY="x" * 40, MAIL_PROVIDER="smtp").from_env()


def test_postgresql_connections_run_without_jit_with_more_work_mem_and_sqlite_ones_get_no_postgresql_options(app):
    from sqlalchemy import text

    from tracker.extensions import db

    with app.app_context():
        options = app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("connect_args", {}).get("options", "")
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:
                assert conn.execute(text("SHOW jit")).scalar() == "off"
                assert conn.execute(text("SHOW work_mem")).scalar() == f"{app.config['POSTGRES_WORK_MEM_MB']}MB"
        else:
            assert "jit" not in options


def test_options_in_a_postgresql_url_are_kept_beside_jit_off_and_work_mem():
    from tracker import create_app

    url = "postgresql+psycopg://tracker@db.internal/tracker?options=-csearch_path%3Dtracker&sslmode=require"
    app = create_app(type("SchemaSettings", (config.TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["options"] == \
        "-csearch_path=tracker -c jit=off -c work_mem=32MB"
