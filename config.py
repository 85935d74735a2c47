"""Configuration: embedded SQLite by default, PostgreSQL when DATABASE_URL is set."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("CRM_INSTANCE_DIR", BASE_DIR / "instance"))


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{INSTANCE_DIR / 'crm.sqlite3'}"
    # Hosting panels hand out "postgres://" or "postgresql://"; we always talk psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def engine_options(url: str) -> dict:
    options: dict = {"pool_pre_ping": True}
    if url.startswith("postgresql"):
        # JIT compilation costs more than it saves on the report queries (measured: ~65 ms each).
        options["connect_args"] = {"options": "-c jit=off"}
    return options


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in instance/."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two gunicorn workers starting together must not write two different keys.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def _int_env(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


class Config:
    SECRET_KEY: str | None = None  # filled in by load() so importing config never writes files
    SQLALCHEMY_DATABASE_URI = ""
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}

    # Babel: Simplified Chinese is the default; English on request.
    BABEL_DEFAULT_LOCALE = "zh_Hans_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")

    # Every asset is served by the app (government intranets have no internet).
    BOOTSTRAP_SERVE_LOCAL = True
    BOOTSTRAP_BOOTSWATCH_THEME = None

    WTF_CSRF_TIME_LIMIT = 8 * 3600  # a liaison may type a visit for a long time
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    PERMANENT_SESSION_LIFETIME = 12 * 3600
    # Server-side session limits (crm.auth.session): idle time and time since login.
    SESSION_IDLE_MINUTES = _int_env("SESSION_IDLE_MINUTES", 30)
    SESSION_MAX_HOURS = _int_env("SESSION_MAX_HOURS", 12)

    MAX_CONTENT_LENGTH = _int_env("MAX_UPLOAD_MB", 10) * 1024 * 1024
    # Imported spreadsheets (crm.spreadsheet_guard): data rows and columns per sheet, and how
    # large an .xlsx may grow when unzipped. A file over them is refused before it is parsed.
    IMPORT_MAX_ROWS = _int_env("IMPORT_MAX_ROWS", 50_000)
    IMPORT_MAX_COLUMNS = _int_env("IMPORT_MAX_COLUMNS", 200)
    IMPORT_MAX_UNPACKED_MB = _int_env("IMPORT_MAX_UNPACKED_MB", 200)

    # Login throttling: failures counted within the window, per account and per address.
    LOGIN_WINDOW_MINUTES = 15
    LOGIN_MAX_FAILURES_PER_ACCOUNT = 5
    LOGIN_MAX_FAILURES_PER_ADDRESS = 20
    PASSWORD_MIN_LENGTH = 10
    # 等保 2.0 password rules, off by default (crm.auth.password_policy): days before a password
    # must be changed (0 = never), and how many earlier passwords may not come back (0 = none).
    PASSWORD_MAX_AGE_DAYS = _int_env("PASSWORD_MAX_AGE_DAYS", 0)
    PASSWORD_HISTORY = _int_env("PASSWORD_HISTORY", 0)
    # Accounts with no login for this many days are listed by `crm accounts inactive`; with
    # ACCOUNT_INACTIVE_DEACTIVATE=1 the scheduled job deactivates them (audited).
    ACCOUNT_INACTIVE_DAYS = _int_env("ACCOUNT_INACTIVE_DAYS", 90)
    ACCOUNT_INACTIVE_DEACTIVATE = os.environ.get("ACCOUNT_INACTIVE_DEACTIVATE", "0") == "1"

    # Flask-Limiter: memory:// is per process; use redis:// under several gunicorn workers.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    PUBLIC_SUBMIT_RATE_LIMIT = os.environ.get("PUBLIC_SUBMIT_RATE_LIMIT", "5 per hour")
    PUBLIC_LOOKUP_RATE_LIMIT = os.environ.get("PUBLIC_LOOKUP_RATE_LIMIT", "10 per hour")
    # Reverse proxies in front of the app whose X-Forwarded-For / -Proto are trusted (0: none;
    # 1 for the documented nginx -> gunicorn). Every limit and log uses the address it yields.
    PROXY_FIX_X_FOR = _int_env("PROXY_FIX_X_FOR", 0)
    PROXY_FIX_X_PROTO = _int_env("PROXY_FIX_X_PROTO", 0)
    PUBLIC_SUBMIT_MAX_BYTES = 64 * 1024  # the public form's body: 2,000 characters and a few fields
    # The lost-link lookup (/track): wrong answers per tracking number that lock it, and for how long.
    TRACKING_LOOKUP_MAX_FAILURES = _int_env("TRACKING_LOOKUP_MAX_FAILURES", 5)
    TRACKING_LOOKUP_WINDOW_HOURS = _int_env("TRACKING_LOOKUP_WINDOW_HOURS", 24)
    #: The commission's phone number, given to enterprises whose tracking number is locked.
    COMMISSION_PHONE = os.environ.get("COMMISSION_PHONE", "")
    #: Who signs urge notices (催办单), printed on the notice.
    URGE_ISSUER = os.environ.get("URGE_ISSUER", "区人民政府办公室")

    # Coverage: a pair owes a visit for a quarter when active and listed on at least this many days.
    COVERAGE_MIN_DAYS = _int_env("COVERAGE_MIN_DAYS", 30)
    # Coverage results kept per worker between writes (crm.data_cache); 0 switches it off.
    DATA_CACHE_SIZE = _int_env("DATA_CACHE_SIZE", 16)
    BUSINESS_TIMEZONE = "Asia/Shanghai"

    # Outgoing mail and webhook for notifications (delivered by `flask crm tick`).
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = _int_env("MAIL_PORT", 25)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "0") == "1"
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "crm@localhost")
    NOTIFY_WEBHOOK_URL = os.environ.get("NOTIFY_WEBHOOK_URL", "")
    #: When set, `crm tick` appends the day's audit anchor here once a day (crm.audit.anchor);
    #: best a file on another machine (a mounted share) the database administrator cannot edit.
    AUDIT_ANCHOR_FILE = os.environ.get("AUDIT_ANCHOR_FILE", "")
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    #: "production" turns on the start-up checks of crm.production (e.g. a real PUBLIC_BASE_URL).
    ENV = os.environ.get("ENV", "development")

    PAGE_SIZE = 50

    # Integration API: per-token rate limit and the largest JSON body accepted.
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "300 per minute")
    API_MAX_BODY_BYTES = 256 * 1024

    @classmethod
    def load(cls) -> "type[Config]":
        cls.SQLALCHEMY_DATABASE_URI = _database_url()
        cls.SECRET_KEY = _secret_key()
        cls.SQLALCHEMY_ENGINE_OPTIONS = engine_options(cls.SQLALCHEMY_DATABASE_URI)
        return cls


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "test-only-secret"  # tests never touch instance/
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    WTF_CSRF_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    PUBLIC_SUBMIT_RATE_LIMIT = "5 per hour"

    @classmethod
    def load(cls) -> "type[Config]":
        return cls
