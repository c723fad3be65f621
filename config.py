"""Settings, read from the environment. One class per mode; `from_env()` picks one."""
from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message says which and how to fix it."""


def _int_env(name: str, default: int, lo: int, hi: int) -> int:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if not lo <= value <= hi:
        raise ConfigError(f"{name} must be between {lo} and {hi}, got {value}")
    return value


def _flag_env(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    return raw.lower() in {"1", "true", "yes", "on"}


# One GOV.UK Notify template per kind of notification (tracker/notifications/messages.py).
NOTIFICATION_KINDS = ("password_reset", "set_password_link", "account_locked", "password_changed",
                      "second_factor_changed")


def _notify_templates() -> dict[str, str]:
    return {kind: os.environ.get(f"NOTIFY_TEMPLATE_{kind.upper()}", "") for kind in NOTIFICATION_KINDS}


def _broker_url() -> str:
    # REDIS_URL is the deployment's one Redis when it has one; the broker shares it unless told otherwise.
    return os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def normalise_database_url(url: str) -> str:
    # Heroku-style URLs say postgres://; SQLAlchemy wants an explicit driver.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _database_url() -> str:
    return normalise_database_url(
        os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'tracker.db'}"
    )


class Config:
    ENV_NAME = "production"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    APPRAISAL_YEAR_START_MONTH = _int_env("APPRAISAL_YEAR_START_MONTH", 4, 1, 12)
    COMPLIANCE_TARGET = _int_env("COMPLIANCE_TARGET", 85, 1, 100)
    ORGANISATION_NAME = os.environ.get("ORGANISATION_NAME", "")
    # An organisation that holds the Frutiger licence puts the files in tracker/static/fonts/.
    NHS_FONT_SELF_HOSTED = os.environ.get("NHS_FONT_SELF_HOSTED", "").lower() in {"1", "true", "yes"}
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER") or str(INSTANCE_DIR / "uploads")
    # Evidence each person may keep in all, and the space the upload folder's disk always keeps free.
    EVIDENCE_QUOTA_MB = _int_env("EVIDENCE_QUOTA_MB", 200, 1, 1_000_000)
    EVIDENCE_MIN_FREE_MB = _int_env("EVIDENCE_MIN_FREE_MB", 500, 0, 100_000_000)
    # How long a manager may undo a sign-off decision; the author is told once it has passed.
    UNDO_DECISION_MINUTES = _int_env("UNDO_DECISION_MINUTES", 10, 1, 60)
    # `flask data purge`: evidence of a deleted activity goes after this many days; people who
    # left go (erased) this many years after their last day in post.
    EVIDENCE_GRACE_DAYS = _int_env("EVIDENCE_GRACE_DAYS", 30, 0, 3650)
    RETENTION_YEARS = _int_env("RETENTION_YEARS", 6, 1, 100)
    # MFA: managers need a second factor too when the organisation says so (admins and leads always do).
    MFA_FOR_MANAGERS = os.environ.get("MFA_FOR_MANAGERS", "").lower() in {"1", "true", "yes"}
    MAX_CONTENT_LENGTH = 60 * 1024 * 1024
    # A session ends after this long without a request, and this long after signing in in any case.
    SESSION_IDLE_MINUTES = _int_env("SESSION_IDLE_MINUTES", 30, 5, 24 * 60)
    SESSION_ABSOLUTE_HOURS = _int_env("SESSION_ABSOLUTE_HOURS", 12, 1, 7 * 24)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    # The __Host- prefix makes browsers refuse the cookie unless it is Secure, for this host only, path /.
    SESSION_COOKIE_NAME = "__Host-session"
    SESSION_COOKIE_PATH = "/"
    HSTS_SECONDS = _int_env("HSTS_SECONDS", 31_536_000, 0, 63_072_000)
    # How many proxies in front of the app set X-Forwarded-For/-Proto/-Host (0: none is trusted).
    PROXY_FIX_HOPS = _int_env("PROXY_FIX_HOPS", 0, 0, 5)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    WTF_CSRF_TIME_LIMIT = None  # a long form on a busy ward must not expire mid-entry
    # Sign-in limits (tracker/auth/guard.py): Redis, e.g. redis://127.0.0.1:6379/0, when several
    # workers or instances run, so that they count together.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or "memory://"
    SIGN_IN_LIMITS_PER_ACCOUNT = os.environ.get("SIGN_IN_LIMITS_PER_ACCOUNT") or \
        "5 per minute; 8 per 10 minutes; 10 per hour; 20 per day"
    SIGN_IN_LIMITS_PER_ADDRESS = os.environ.get("SIGN_IN_LIMITS_PER_ADDRESS") or \
        "10 per minute; 50 per hour; 200 per day"
    SIGN_IN_LOCK_AFTER = _int_env("SIGN_IN_LOCK_AFTER", 10, 3, 100)
    # "Forgotten your password?": requests per typed address (whether or not it exists) and per client address.
    PASSWORD_RESET_LIMITS_PER_ACCOUNT = os.environ.get("PASSWORD_RESET_LIMITS_PER_ACCOUNT") or \
        "3 per hour; 6 per day"
    PASSWORD_RESET_LIMITS_PER_ADDRESS = os.environ.get("PASSWORD_RESET_LIMITS_PER_ADDRESS") or \
        "10 per hour; 50 per day"
    # Notifications (tracker/notifications/; README "Notifications").
    MAIL_PROVIDER = os.environ.get("MAIL_PROVIDER") or "log"
    MAIL_FROM = os.environ.get("MAIL_FROM") or "tracker@localhost"
    # The tracker's address as people reach it, for links in e-mails queued outside a request.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL") or "http://127.0.0.1:5000"
    SMTP_HOST = os.environ.get("SMTP_HOST") or "127.0.0.1"
    SMTP_PORT = _int_env("SMTP_PORT", 25, 1, 65535)
    SMTP_USERNAME = os.environ.get("SMTP_USERNAME", "")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
    SMTP_STARTTLS = _flag_env("SMTP_STARTTLS", False)
    SMTP_TIMEOUT_SECONDS = _int_env("SMTP_TIMEOUT_SECONDS", 30, 1, 600)
    NOTIFY_API_KEY = os.environ.get("NOTIFY_API_KEY", "")
    NOTIFY_BASE_URL = os.environ.get("NOTIFY_BASE_URL") or "https://api.notifications.service.gov.uk"
    NOTIFY_TEMPLATES = _notify_templates()
    CELERY_BROKER_URL = _broker_url()
    NOTIFICATIONS_IN_PROCESS = _flag_env("NOTIFICATIONS_IN_PROCESS", False)
    NOTIFICATIONS_DRAIN_SECONDS = _int_env("NOTIFICATIONS_DRAIN_SECONDS", 30, 1, 3600)
    NOTIFICATIONS_RETRY_SECONDS = _int_env("NOTIFICATIONS_RETRY_SECONDS", 60, 0, 86400)
    NOTIFICATIONS_MAX_ATTEMPTS = _int_env("NOTIFICATIONS_MAX_ATTEMPTS", 8, 1, 100)
    NOTIFICATIONS_SENDING_TIMEOUT_SECONDS = _int_env("NOTIFICATIONS_SENDING_TIMEOUT_SECONDS", 600, 30, 86400)
    TESTING = False

    @classmethod
    def validate(cls) -> None:
        if not cls.SECRET_KEY:
            raise ConfigError(
                "SECRET_KEY is not set. Set it to a long random value, for example "
                "`export SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')`. "
                "Only FLASK_ENV=development or testing runs without one."
            )
        if cls.MAIL_PROVIDER not in ("smtp", "notify", "log"):
            raise ConfigError(f"MAIL_PROVIDER must be smtp, notify or log, got {cls.MAIL_PROVIDER!r}")
        if cls.MAIL_PROVIDER == "notify" and not cls.NOTIFY_API_KEY:
            raise ConfigError("MAIL_PROVIDER=notify needs NOTIFY_API_KEY (the key from GOV.UK Notify's API integration page)")


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-not-secret"
    SESSION_COOKIE_SECURE = False
    SESSION_COOKIE_NAME = "session"  # plain http on a laptop: a __Host- cookie needs https
    HSTS_SECONDS = 0
    REMEMBER_COOKIE_SECURE = False
    # `make run` sends its mail itself, after each request's commit: no Redis, no worker needed.
    NOTIFICATIONS_IN_PROCESS = _flag_env("NOTIFICATIONS_IN_PROCESS", True)


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-not-secret"
    SQLALCHEMY_DATABASE_URI = normalise_database_url(os.environ.get("TEST_DATABASE_URL") or "sqlite://")
    SESSION_COOKIE_SECURE = False
    SESSION_COOKIE_NAME = "session"
    HSTS_SECONDS = 0
    REMEMBER_COOKIE_SECURE = False
    WTF_CSRF_ENABLED = True
    # The link checker visits public addresses only; tests reach their own server through this.
    # Only a testing app reads it (hub/link_address.allow_list).
    LINK_CHECK_ALLOW = frozenset({"127.0.0.1"})
    # Tests send the outbox themselves (sender.drain) or name their own broker; none reaches a shared Redis.
    MAIL_PROVIDER = "log"
    CELERY_BROKER_URL = "memory://"
    NOTIFICATIONS_IN_PROCESS = False


_MODES = {"production": Config, "development": DevelopmentConfig, "testing": TestingConfig}


def from_env() -> type[Config]:
    mode = os.environ.get("FLASK_ENV", "production")
    if mode not in _MODES:
        raise ConfigError(f"FLASK_ENV must be one of {', '.join(_MODES)}, got {mode!r}")
    cls = _MODES[mode]
    cls.validate()
    return cls
