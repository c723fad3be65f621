"""Settings, read from the environment. One class per mode; `from_env()` picks one."""
from __future__ import annotations

import json
import os
import re
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


def _scanner_env(name: str) -> str:
    """clamd's address (tcp://HOST:PORT or unix:///PATH), or "" for no virus scanning."""
    raw = (os.environ.get(name) or "").strip()
    if raw and not re.fullmatch(r"tcp://[^/:]+:\d{1,5}/?|unix:///\S+", raw):
        raise ConfigError(f"{name} must be tcp://HOST:PORT or unix:///PATH (clamd's address), got {raw!r}")
    return raw
def _flag_env(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    return raw.lower() in {"1", "true", "yes", "on"}


# One GOV.UK Notify template per kind of notification (tracker/notifications/messages.py).
NOTIFICATION_KINDS = ("password_reset", "set_password_link", "account_locked", "password_changed",
                      "second_factor_changed", "observation_request", "observation_reminder",
                      "activity_submitted", "activity_unmanaged", "activity_signed_off", "activity_returned", "reminder",
                      "submissions_digest", "year_end_reminder", "weekly_digest",
                      "export_ready")


def _notify_templates() -> dict[str, str]:
    return {kind: os.environ.get(f"NOTIFY_TEMPLATE_{kind.upper()}", "") for kind in NOTIFICATION_KINDS}



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


PASSWORD_SIGN_IN_MODES = ("on", "off", "admins")
# What each provider's settings may say (OIDC_PROVIDERS' keys; the one-provider settings are OIDC_<KEY>).
OIDC_KEYS = ("name", "issuer", "client_id", "client_secret", "scopes", "email_claim", "tenant", "domains")
_LOOPBACK = re.compile(r"http://(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(/|$)")


def _list(value) -> list[str]:
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    return [str(v).strip().lower() for v in (value or []) if str(v).strip()]


def oidc_provider(raw: dict, where: str) -> dict:
    """One OpenID Connect provider's settings, checked, with the defaults filled in. `slug` is the
    provider's part of the tracker's addresses (the redirect URI to register names it)."""
    unknown = set(raw) - set(OIDC_KEYS) - {"slug"}
    if unknown:
        raise ConfigError(f"{where}: unknown setting(s) {', '.join(sorted(unknown))}; known: {', '.join(OIDC_KEYS)}")
    missing = [key for key in ("name", "issuer", "client_id", "client_secret") if not str(raw.get(key) or "").strip()]
    if missing:
        raise ConfigError(f"{where}: set {', '.join(missing)} (see \"Single sign-on\" in the README)")
    issuer = str(raw["issuer"]).strip().rstrip("/")
    if issuer.endswith("/.well-known/openid-configuration"):
        issuer = issuer[: -len("/.well-known/openid-configuration")]
    # The provider's keys come from its issuer: only https (or this machine, for a test provider).
    if not (issuer.startswith("https://") or _LOOPBACK.match(issuer)):
        raise ConfigError(f"{where}: the issuer must be an https:// address, got {issuer!r}")
    name = str(raw["name"]).strip()
    slug = str(raw.get("slug") or re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-"))
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,39}", slug):
        raise ConfigError(f"{where}: the name {name!r} gives no usable address part; add a slug of letters and digits")
    scopes = " ".join(_list(raw.get("scopes") or "openid email profile"))
    if "openid" not in scopes.split():
        raise ConfigError(f"{where}: the scopes must include openid, got {scopes!r}")
    return {"name": name, "slug": slug, "issuer": issuer, "client_id": str(raw["client_id"]).strip(),
            "client_secret": str(raw["client_secret"]), "scopes": scopes,
            "email_claim": str(raw.get("email_claim") or "email").strip(),
            "tenant": str(raw.get("tenant") or "").strip(), "domains": _list(raw.get("domains"))}


def oidc_providers_from(environ) -> tuple[dict, ...]:
    """The providers: OIDC_PROVIDERS (a JSON list, one object a provider, keys as OIDC_KEYS) or the one
    provider OIDC_NAME, OIDC_ISSUER, OIDC_CLIENT_ID, … name; none when neither is set."""
    listed = environ.get("OIDC_PROVIDERS", "").strip()
    if listed:
        try:
            raws = json.loads(listed)
        except ValueError as error:
            raise ConfigError(f"OIDC_PROVIDERS must be a JSON list of objects: {error}") from None
        if not isinstance(raws, list) or not all(isinstance(raw, dict) for raw in raws):
            raise ConfigError("OIDC_PROVIDERS must be a JSON list of objects, one a provider")
        providers = tuple(oidc_provider(raw, f"OIDC_PROVIDERS[{n}]") for n, raw in enumerate(raws))
    elif environ.get("OIDC_ISSUER"):
        raw = {key: environ.get(f"OIDC_{key.upper()}", "") for key in OIDC_KEYS}
        providers = (oidc_provider({k: v for k, v in raw.items() if v}, "OIDC_*"),)
    else:
        return ()
    slugs = [p["slug"] for p in providers]
    if len(set(slugs)) != len(slugs):
        raise ConfigError("OIDC_PROVIDERS: two providers have the same name; give each its own slug")
    return providers


def password_sign_in_from(environ) -> str:
    """PASSWORD_SIGN_IN, or "" for the default (tracker/auth/sso.py: on without a provider, admins with one)."""
    mode = environ.get("PASSWORD_SIGN_IN", "").strip().lower()
    if mode and mode not in PASSWORD_SIGN_IN_MODES:
        raise ConfigError(f"PASSWORD_SIGN_IN must be on, off or admins, got {mode!r}")
    return mode


class Config:
    ENV_NAME = "production"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = _database_url()
    # hide_parameters: an error's message (and so the log line) never repeats the values a form sent.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True, "hide_parameters": True}
    APPRAISAL_YEAR_START_MONTH = _int_env("APPRAISAL_YEAR_START_MONTH", 4, 1, 12)
    COMPLIANCE_TARGET = _int_env("COMPLIANCE_TARGET", 85, 1, 100)
    ORGANISATION_NAME = os.environ.get("ORGANISATION_NAME", "")
    # An organisation that holds the Frutiger licence puts the files in tracker/static/fonts/.
    NHS_FONT_SELF_HOSTED = os.environ.get("NHS_FONT_SELF_HOSTED", "").lower() in {"1", "true", "yes"}
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER") or str(INSTANCE_DIR / "uploads")
    # An export estimated to hold more rows than this is prepared by a worker and e-mailed, not
    # streamed at once; a prepared file is kept this many days (README, "Prepared exports").
    EXPORT_STREAM_MAX_ROWS = _int_env("EXPORT_STREAM_MAX_ROWS", 100_000, 0, 100_000_000)
    PREPARED_EXPORT_DAYS = _int_env("PREPARED_EXPORT_DAYS", 7, 1, 90)
    # How much lower than the pages an export's file is written (a nice value added to its thread,
    # tracker/low_priority.py); 0 writes it at the pages' priority.
    EXPORT_NICENESS = _int_env("EXPORT_NICENESS", 10, 0, 19)
    # Memory for each sort or hash of a PostgreSQL query, in megabytes (tracker/extensions.py says why).
    POSTGRES_WORK_MEM_MB = _int_env("POSTGRES_WORK_MEM_MB", 32, 1, 4096)
    # Evidence each person may keep in all, and the space the upload folder's disk always keeps free.
    EVIDENCE_QUOTA_MB = _int_env("EVIDENCE_QUOTA_MB", 200, 1, 1_000_000)
    EVIDENCE_MIN_FREE_MB = _int_env("EVIDENCE_MIN_FREE_MB", 500, 0, 100_000_000)
    # ClamAV's daemon that scans every evidence upload before it is kept; "" scans nothing (README, "Virus scanning").
    EVIDENCE_SCANNER = _scanner_env("EVIDENCE_SCANNER")
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
    # One Redis for everything shared between workers and instances (sign-in limits, locks, the job
    # queue); a more specific setting wins. Production uses rediss:// when Redis is on another host.
    REDIS_URL = os.environ.get("REDIS_URL") or ""
    # Sign-in limits (tracker/auth/guard.py): in memory each worker counts alone, so several workers
    # or instances need Redis to count together.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or REDIS_URL or "memory://"
    # The job queue's broker, for the Celery workers to come.
    CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or REDIS_URL
    SIGN_IN_LIMITS_PER_ACCOUNT = os.environ.get("SIGN_IN_LIMITS_PER_ACCOUNT") or \
        "5 per minute; 8 per 10 minutes; 10 per hour; 20 per day"
    SIGN_IN_LIMITS_PER_ADDRESS = os.environ.get("SIGN_IN_LIMITS_PER_ADDRESS") or \
        "10 per minute; 50 per hour; 200 per day"
    SIGN_IN_LOCK_AFTER = _int_env("SIGN_IN_LOCK_AFTER", 10, 3, 100)
    # Limits on use (tracker/use_limits.py), per person (a visitor: per client address), in
    # Flask-Limiter's limit strings: every request of a signed-in person, and the costly functions.
    LIMITS_PER_PERSON = os.environ.get("LIMITS_PER_PERSON") or "300 per minute"
    LIMITS_ON_EXPORTS = os.environ.get("LIMITS_ON_EXPORTS") or "20 per minute; 200 per hour"
    LIMITS_ON_REPORTS = os.environ.get("LIMITS_ON_REPORTS") or "30 per minute"
    LIMITS_ON_WRITES = os.environ.get("LIMITS_ON_WRITES") or "60 per minute"
    LIMITS_ON_IMPORTS = os.environ.get("LIMITS_ON_IMPORTS") or "10 per minute; 50 per hour"
    LIMITS_ON_PASSWORD_LINKS = os.environ.get("LIMITS_ON_PASSWORD_LINKS") or "30 per minute"
    # Single sign-on (tracker/auth/sso.py; "Single sign-on" in the README).
    OIDC_PROVIDERS = oidc_providers_from(os.environ)
    PASSWORD_SIGN_IN = password_sign_in_from(os.environ)
    # MFA done at the provider (the ID token's amr says "mfa", or its acr is one of OIDC_MFA_ACR_VALUES)
    # stands for the tracker's second factor, only when the organisation says so.
    OIDC_MFA_TRUSTED = os.environ.get("OIDC_MFA_TRUSTED", "").lower() in {"1", "true", "yes"}
    OIDC_MFA_ACR_VALUES = tuple(_list(os.environ.get("OIDC_MFA_ACR_VALUES", "")))
    # ID tokens' times (exp, iat) are accepted this many seconds either side of this server's clock.
    OIDC_CLOCK_SKEW_SECONDS = _int_env("OIDC_CLOCK_SKEW_SECONDS", 120, 0, 600)
    # E-mail domains whose unknown people are added at their first sign-in (as staff on the
    # organisation's top unit, listed for the admin); none: nobody is ever added that way.
    OIDC_CREATE_FOR_DOMAINS = tuple(_list(os.environ.get("OIDC_CREATE_FOR_DOMAINS", "")))
    # Who an unknown person is told to ask ("Your organisation account is not set up …; ask …").
    OIDC_ACCOUNT_HELP = os.environ.get("OIDC_ACCOUNT_HELP") or "your line manager or the tracker's administrator"
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
    NOTIFICATIONS_IN_PROCESS = _flag_env("NOTIFICATIONS_IN_PROCESS", False)
    NOTIFICATIONS_DRAIN_SECONDS = _int_env("NOTIFICATIONS_DRAIN_SECONDS", 30, 1, 3600)
    NOTIFICATIONS_RETRY_SECONDS = _int_env("NOTIFICATIONS_RETRY_SECONDS", 60, 0, 86400)
    NOTIFICATIONS_MAX_ATTEMPTS = _int_env("NOTIFICATIONS_MAX_ATTEMPTS", 8, 1, 100)
    NOTIFICATIONS_SENDING_TIMEOUT_SECONDS = _int_env("NOTIFICATIONS_SENDING_TIMEOUT_SECONDS", 600, 30, 86400)
    # The observer's feedback link (opened and answered without signing in), per client address.
    LIMITS_ON_OBSERVER_LINKS = os.environ.get("LIMITS_ON_OBSERVER_LINKS") or "20 per minute; 100 per hour"
    # Observed practice: the e-mail domains an observer may be asked at (and any subdomain of them).
    OBSERVER_EMAIL_DOMAINS = os.environ.get("OBSERVER_EMAIL_DOMAINS") or "nhs.net,nhs.uk"
    TESTING = False

    @classmethod
    def validate(cls) -> None:
        if not cls.SECRET_KEY:
            raise ConfigError(
                "SECRET_KEY is not set. Set it to a long random value, for example "
                "`export SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')`. "
                "Only FLASK_ENV=development or testing runs without one."
            )
        if cls.ENV_NAME == "production":
            # gunicorn.conf.py says how many workers it starts (WEB_CONCURRENCY or the CPU count).
            refuse_lone_counts(cls.RATELIMIT_STORAGE_URI, _int_env(WORKERS_ENV, 1, 1, 1000))
        if cls.MAIL_PROVIDER not in ("smtp", "notify", "log"):
            raise ConfigError(f"MAIL_PROVIDER must be smtp, notify or log, got {cls.MAIL_PROVIDER!r}")
        if cls.MAIL_PROVIDER == "notify" and not cls.NOTIFY_API_KEY:
            raise ConfigError("MAIL_PROVIDER=notify needs NOTIFY_API_KEY (the key from GOV.UK Notify's API integration page)")


WORKERS_ENV = "TRACKER_WORKERS"


def refuse_lone_counts(storage_uri: str, workers: int) -> None:
    """Sign-in limits kept in memory count per worker: with several workers a guesser gets the
    allowance once per worker, so production refuses to start that way."""
    if workers > 1 and storage_uri.startswith("memory"):
        raise ConfigError(
            f"{workers} workers would each count sign-in limits alone, in memory. Set REDIS_URL "
            "(or RATELIMIT_STORAGE_URI) to a Redis every worker and instance shares, for example "
            "redis://127.0.0.1:6379/0, or run one worker (WEB_CONCURRENCY=1)."
        )


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
    # A developer's REDIS_URL does not reach the tests: each test that needs Redis starts its own.
    REDIS_URL = ""
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or "memory://"
    WTF_CSRF_ENABLED = True
    # The link checker visits public addresses only; tests reach their own server through this.
    # Only a testing app reads it (hub/link_address.allow_list).
    LINK_CHECK_ALLOW = frozenset({"127.0.0.1"})
    # The walk of every page, the route matrix and the input fuzz send thousands of requests as one
    # person within a minute: no test meets a limit on use by accident. The tests of those limits
    # set the production numbers (Config's) themselves.
    LIMITS_PER_PERSON = LIMITS_ON_EXPORTS = LIMITS_ON_REPORTS = LIMITS_ON_WRITES = LIMITS_ON_IMPORTS = \
        LIMITS_ON_PASSWORD_LINKS = LIMITS_ON_OBSERVER_LINKS = "100000 per minute"
    # Tests send the outbox themselves (sender.drain) or name their own broker; none reaches a shared Redis.
    MAIL_PROVIDER = "log"
    CELERY_BROKER_URL = "memory://"
    NOTIFICATIONS_IN_PROCESS = False
    # The suite's workers share two cores with Chromium: an export thread at nice 10 waited for them
    # and made the export tests half as slow again. Its own test lowers a thread by hand.
    EXPORT_NICENESS = 0


_MODES = {"production": Config, "development": DevelopmentConfig, "testing": TestingConfig}


def from_env() -> type[Config]:
    mode = os.environ.get("FLASK_ENV", "production")
    if mode not in _MODES:
        raise ConfigError(f"FLASK_ENV must be one of {', '.join(_MODES)}, got {mode!r}")
    cls = _MODES[mode]
    cls.validate()
    return cls
