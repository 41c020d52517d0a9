"""Fixtures: a PostgreSQL-backed app, a real SMTP sink, clients and factories."""

import contextvars
import os
import shutil
import tempfile
import threading
import uuid
from pathlib import Path

os.environ["QPMUSIC_ENV"] = "testing"
os.environ.setdefault("QPMUSIC_INSTANCE_PATH", tempfile.mkdtemp(prefix="qpmusic-instance-"))
for name in ("QPMUSIC_BROKER_URL", "QPMUSIC_DATABASE_URL", "QPMUSIC_SECRET_KEY"):
    os.environ.pop(name, None)

import flask_migrate  # noqa: E402
import pytest  # noqa: E402
import redis  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from sqlalchemy import text  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from qpmusic import create_app  # noqa: E402
from qpmusic.extensions import db, limiter  # noqa: E402
from tests.mail_sink import free_port, start_sink  # noqa: E402
from tests.services import DATABASE_URL, REDIS_URL, missing_services  # noqa: E402

PASSWORD = "Klangfarbe-2026!"


def pytest_sessionstart(session):
    problems = missing_services()
    if problems:
        lines = "\n".join(f"  - {p}" for p in problems)
        pytest.exit(
            "The test suite runs against real services and cannot start:\n"
            f"{lines}\n"
            "Start PostgreSQL (127.0.0.1:5432, database 'test') and Redis (127.0.0.1:6379), "
            "or point QPMUSIC_TEST_DATABASE_URL / QPMUSIC_TEST_REDIS_URL at them.",
            returncode=3,
        )


@pytest.fixture(scope="session")
def smtp():
    controller, sink = start_sink()
    yield sink, controller.port
    controller.stop()


@pytest.fixture(scope="session")
def test_config(smtp, tmp_path_factory):
    _, port = smtp
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": DATABASE_URL,
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
        "MAIL_USE_TLS": False,
        "MAIL_TIMEOUT": 5,
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_FAST": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        "MEDIA_ROOT": str(tmp_path_factory.mktemp("media")),
        "BASE_URL": "http://localhost",
    }


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context (own ``g``, own session), as in production.

    Without this, requests would share the test's app context, and with it Flask-Login's
    cached user and the test's database session.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


def make_app(config: dict):
    app = create_app(config)
    app.test_client_class = IsolatedClient
    return app


def reset_schema() -> None:
    """Drop everything and build the schema the way production does: by migrating."""
    with db.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    flask_migrate.upgrade()


@pytest.fixture(scope="session")
def app(test_config):
    app = make_app(test_config)
    with app.app_context():
        reset_schema()
    return app


@pytest.fixture(autouse=True)
def clean_state(request, app, smtp):
    """Every test starts with empty tables, an empty mailbox and fresh rate limits."""
    with app.app_context():
        tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        with db.engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        limiter.reset()
    smtp[0].clear()
    ctx = app.app_context()
    ctx.push()
    yield
    db.session.remove()
    ctx.pop()


@pytest.fixture
def mailbox(smtp):
    return smtp[0]


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def csrf_app(test_config):
    """The same app with CSRF protection on, as in production."""
    return make_app({**test_config, "WTF_CSRF_ENABLED": True})


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, email, password=PASSWORD, **extra):
        return self.client.post("/login", data={"email": email, "password": password, **extra})

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def live_server(test_config):
    """The app as in production (CSRF on) served by a real HTTP server in a thread."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    app = make_app({**test_config, "WTF_CSRF_ENABLED": True, "BASE_URL": base_url})
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base_url
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def queue_name():
    """A queue no other run reads, emptied afterwards."""
    name = f"qpmusic-test-{uuid.uuid4().hex[:10]}"
    yield name
    redis.Redis.from_url(REDIS_URL).delete(name)


# One Playwright driver for the whole run: a second sync_playwright() in the same thread while
# the first is alive fails, so every browser test (tests/e2e and elsewhere) shares this one.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium_path():
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium package.")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


# A real Celery worker on Redis (tests/celery_worker.py), for tests whose behaviour depends on it.
@pytest.fixture
def worker_env(smtp, queue_name, monkeypatch):
    values = {
        "QPMUSIC_ENV": "testing",
        "QPMUSIC_DATABASE_URL": DATABASE_URL,
        "QPMUSIC_BROKER_URL": REDIS_URL,
        "QPMUSIC_CELERY_QUEUE": queue_name,
        "QPMUSIC_MAIL_BACKEND": "smtp",
        "QPMUSIC_MAIL_SERVER": "127.0.0.1",
        "QPMUSIC_MAIL_PORT": str(smtp[1]),
        "QPMUSIC_BASE_URL": "http://localhost",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return {**os.environ, **values}


@pytest.fixture
def broker_app(worker_env, test_config):
    """The web side with a real broker: tasks go to Redis instead of running in-process."""
    app = make_app({k: v for k, v in test_config.items() if not k.startswith("MAIL_")})
    assert not app.extensions["celery"].conf.task_always_eager
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def start_worker(worker_env, queue_name, tmp_path):
    """Starts real worker processes (``extra_env`` for settings of their own); stopped after."""
    from tests.celery_worker import Worker

    workers = []

    def start(**extra_env):
        log_path = tmp_path / f"worker{len(workers)}.log"
        worker = Worker({**worker_env, **extra_env}, queue_name, log_path)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()
