"""Settings, read from ``QPMUSIC_*`` environment variables over the embedded defaults."""

import os
from pathlib import Path

INSECURE_SECRET = "dev-only-insecure-secret"  # noqa: S105 - the embedded default, refused in production

# Every setting a deployment may change: name → (default, description). README's table mirrors this.
SETTINGS = {
    "ENV": ("embedded", "embedded (make run), testing or production"),
    "SECRET_KEY": (INSECURE_SECRET, "signs sessions and links; production refuses the default"),
    "DATABASE_URL": ("", "SQLAlchemy URL; empty means SQLite at instance/qpmusic.sqlite"),
    "BROKER_URL": ("", "Celery broker; empty runs tasks eagerly in-process"),
    "CELERY_QUEUE": ("qpmusic", "queue the web app sends tasks to and the worker reads"),
    "MAIL_BACKEND": ("file", "file (written under instance/mail) or smtp"),
    "MAIL_SERVER": ("localhost", "SMTP host"),
    "MAIL_PORT": ("25", "SMTP port"),
    "MAIL_USERNAME": ("", "SMTP user"),
    "MAIL_PASSWORD": ("", "SMTP password"),
    "MAIL_USE_TLS": ("false", "STARTTLS to the SMTP server"),
    "MAIL_USE_SSL": ("false", "SMTP over TLS"),
    "MAIL_FROM": ("QuattroPole Music Prize <musicprize@quattropole.org>", "sender address"),
    "MAIL_MAX_ATTEMPTS": ("6", "delivery attempts before a message is marked failed"),
    "MAIL_RETRY_BACKOFF": ("30", "seconds before the first retry; doubles each attempt"),
    "RATELIMIT_STORAGE_URI": ("memory://", "Flask-Limiter storage, e.g. redis://redis:6379/1"),
    "RATELIMIT_LOGIN": ("5 per minute", "login, registration and reset attempts per address"),
    "BASE_URL": ("http://127.0.0.1:5000", "absolute address used in e-mailed links"),
    "TOKEN_MAX_AGE": ("86400", "seconds an e-mailed verification or reset link stays valid"),
    "INVITATION_MAX_AGE": ("1209600", "seconds a staff invitation link stays valid"),
    "MEDIA_ROOT": ("", "folder for uploaded media; empty means instance/media"),
    "MEDIA_LIMIT_AUDIO": ("1073741824", "largest audio file in bytes (1 GB)"),
    "MEDIA_LIMIT_VIDEO": ("4294967296", "largest video file in bytes (4 GB)"),
    "MEDIA_LIMIT_DOCUMENT": ("52428800", "largest document (PDF) in bytes (50 MB)"),
    "MEDIA_LIMIT_IMAGE": ("20971520", "largest image in bytes (20 MB)"),
    "MEDIA_LIMIT_APPLICATION": (
        "8589934592",
        "all files of one application together, bytes (8 GB)",
    ),
    "UPLOAD_EXPIRY_HOURS": ("24", "hours an unfinished resumable upload is kept"),
    "MEDIA_GRANT_SECONDS": (
        "15",
        "seconds a granted stream is remembered, so a player's seeks skip the access query",
    ),
    "MEDIA_ACCEL_PREFIX": (
        "",
        "internal location for X-Accel-Redirect (nginx); empty streams through the app",
    ),
    "MEDIA_RETENTION_MONTHS": (
        "12",
        "months after an edition's publication when files of non-finalists are deleted",
    ),
    "BIND": ("0.0.0.0:8000", "address gunicorn listens on (qpmusic/gunicorn_conf.py)"),
    "WEB_WORKERS": ("", "gunicorn processes; empty: two per CPU core plus one"),
    "WEB_THREADS": ("8", "threads per gunicorn process (uploads and streams hold one each)"),
    "LOG_FORMAT": ("", "json (one object per line) or text; empty: json in production"),
    "SECURE_COOKIES": ("", "force Secure cookies; on by default in production"),
    "TRUSTED_PROXIES": (
        "0",
        "proxies in front (1 behind a TLS proxy) whose X-Forwarded-* is trusted",
    ),
}


def setting(name: str) -> str:
    return os.environ.get(f"QPMUSIC_{name}", SETTINGS[name][0])


def flag(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


class ConfigError(RuntimeError):
    """The configuration cannot run safely."""


def load_config(instance_path: str, overrides: dict | None = None) -> dict:
    """Build the Flask config mapping for the chosen environment."""
    env = setting("ENV")
    instance = Path(instance_path)
    database_url = setting("DATABASE_URL") or f"sqlite:///{instance / 'qpmusic.sqlite'}"
    broker_url = setting("BROKER_URL")
    production = env == "production"
    secure_cookies = flag(setting("SECURE_COOKIES") or str(production))
    config = {
        "QPMUSIC_ENV": env,
        "SECRET_KEY": setting("SECRET_KEY"),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "BASE_URL": setting("BASE_URL").rstrip("/"),
        "TOKEN_MAX_AGE": int(setting("TOKEN_MAX_AGE")),
        "INVITATION_MAX_AGE": int(setting("INVITATION_MAX_AGE")),
        "MEDIA_ROOT": setting("MEDIA_ROOT") or str(instance / "media"),
        "MEDIA_LIMITS": {
            kind: int(setting(f"MEDIA_LIMIT_{kind.upper()}"))
            for kind in ("audio", "video", "document", "image", "application")
        },
        "UPLOAD_EXPIRY_HOURS": int(setting("UPLOAD_EXPIRY_HOURS")),
        "MEDIA_ACCEL_PREFIX": setting("MEDIA_ACCEL_PREFIX"),
        "MEDIA_GRANT_SECONDS": float(setting("MEDIA_GRANT_SECONDS")),
        "MEDIA_RETENTION_MONTHS": int(setting("MEDIA_RETENTION_MONTHS")),
        "CELERY": {
            "broker_url": broker_url or "memory://",
            "task_always_eager": not broker_url,
            "task_default_queue": setting("CELERY_QUEUE"),
            "task_ignore_result": True,
            "task_acks_late": True,
            "task_reject_on_worker_lost": True,
            "worker_prefetch_multiplier": 1,
            "broker_connection_retry_on_startup": True,
            "timezone": "Europe/Luxembourg",
            "beat_schedule": {
                # Picks up e-mails whose task never reached the broker (it was down).
                "sweep-outbox": {
                    "task": "qpmusic.notifications.tasks.sweep_outbox",
                    "schedule": 60.0,
                },
                # The clock ends a call; this moves its edition on to "closed".
                "close-ended-calls": {
                    "task": "qpmusic.editions.tasks.close_ended_calls",
                    "schedule": 60.0,
                },
                # Files whose processing task never reached the broker, or whose run died.
                "sweep-media": {
                    "task": "qpmusic.media.tasks.sweep_media",
                    "schedule": 300.0,
                },
                # Unfinished resumable uploads past their expiry, with their bytes.
                "expire-uploads": {
                    "task": "qpmusic.media.cleanup.expire_uploads",
                    "schedule": 3600.0,
                },
                # Reminders go out at most an hour after they fall due.
                "deadline-reminders": {
                    "task": "qpmusic.applications.tasks.send_reminders",
                    "schedule": 3600.0,
                },
                # Jurors hear 3 days and 1 day before their round closes, at most an hour late.
                "jury-reminders": {
                    "task": "qpmusic.jury.tasks.send_jury_reminders",
                    "schedule": 3600.0,
                },
                # Files of non-finalists past MEDIA_RETENTION_MONTHS after publication.
                "media-retention": {
                    "task": "qpmusic.privacy.tasks.apply_media_retention",
                    "schedule": 86400.0,
                },
            },
        },
        "MAIL_BACKEND": setting("MAIL_BACKEND"),
        "MAIL_FILE_PATH": str(instance / "mail"),
        "MAIL_SERVER": setting("MAIL_SERVER"),
        "MAIL_PORT": int(setting("MAIL_PORT")),
        "MAIL_USERNAME": setting("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": setting("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": flag(setting("MAIL_USE_TLS")),
        "MAIL_USE_SSL": flag(setting("MAIL_USE_SSL")),
        "MAIL_TIMEOUT": 30,
        "MAIL_DEFAULT_SENDER": setting("MAIL_FROM"),
        "MAIL_MAX_ATTEMPTS": int(setting("MAIL_MAX_ATTEMPTS")),
        "MAIL_RETRY_BACKOFF": int(setting("MAIL_RETRY_BACKOFF")),
        "RATELIMIT_STORAGE_URI": setting("RATELIMIT_STORAGE_URI"),
        "RATELIMIT_LOGIN": setting("RATELIMIT_LOGIN"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "BABEL_DEFAULT_LOCALE": "de",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Luxembourg",
        "LANGUAGES": ("de", "fr", "en"),
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        "WTF_CSRF_TIME_LIMIT": None,
        "PASSWORD_HASH_FAST": env == "testing",
        "TRUSTED_PROXIES": int(setting("TRUSTED_PROXIES")),
        "LOG_FORMAT": setting("LOG_FORMAT") or ("json" if production else "text"),
    }
    config.update(overrides or {})
    if production:
        check_production(config)
    return config


def check_production(config: dict) -> None:
    """Refuse to serve real people with settings meant for a laptop."""
    secret = config["SECRET_KEY"]
    if not secret or secret == INSECURE_SECRET or len(secret) < 32:
        raise ConfigError(
            "QPMUSIC_SECRET_KEY must be set to a random value of at least 32 characters in "
            'production, e.g. python -c "import secrets; print(secrets.token_urlsafe(48))"'
        )
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        raise ConfigError("QPMUSIC_DATABASE_URL must point to PostgreSQL in production.")
