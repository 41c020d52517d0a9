"""A real Celery worker on Redis delivers outbox e-mails to a real SMTP server, once."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from sqlalchemy import select

from qpmusic.enums import OutboxStatus
from qpmusic.extensions import db
from qpmusic.notifications.models import OutboxMessage
from qpmusic.notifications.services import queue_email
from qpmusic.notifications.tasks import deliver_email
from tests.conftest import make_app
from tests.services import DATABASE_URL, REDIS_URL

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def queue_name():
    name = f"qpmusic-test-{uuid.uuid4().hex[:10]}"
    yield name
    redis.Redis.from_url(REDIS_URL).delete(name)


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


class Worker:
    def __init__(self, env, queue, log_path):
        self.name = f"{queue}@localhost"
        self.log_path = log_path
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "worker",
                "worker",
                "--loglevel=INFO",
                "--concurrency=2",
                "-Q",
                queue,
                "-n",
                self.name,
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=env,
            stdout=log_path.open("w"),
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, celery_app, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"worker exited:\n{self.log_path.read_text()}")
            if celery_app.control.ping(destination=[self.name], timeout=0.5):
                return
        raise AssertionError(f"worker not ready:\n{self.log_path.read_text()}")

    def wait_idle(self, celery_app, queue, timeout=30):
        """Until the queue is empty and the worker holds no task."""
        client = redis.Redis.from_url(REDIS_URL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if client.llen(queue) == 0:
                inspect = celery_app.control.inspect(destination=[self.name], timeout=1)
                active, reserved = inspect.active() or {}, inspect.reserved() or {}
                if active and not any(active.values()) and not any(reserved.values()):
                    return
            time.sleep(0.2)
        raise AssertionError(f"worker still busy:\n{self.log_path.read_text()}")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def start_worker(worker_env, queue_name, tmp_path):
    workers = []

    def start():
        worker = Worker(worker_env, queue_name, tmp_path / f"worker{len(workers)}.log")
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def queue_verification(to="mia@example.org"):
    message = queue_email(
        to=to,
        language="fr",
        template="verify_email",
        context={"name": "Mia", "url": "http://localhost/verify/x"},
    )
    db.session.commit()
    return message.id


def test_worker_delivers_exactly_once_also_when_the_task_runs_twice(
    broker_app, start_worker, mailbox, queue_name
):
    celery_app = broker_app.extensions["celery"]
    worker = start_worker()
    worker.wait_ready(celery_app)

    message_id = queue_verification()
    [sent] = mailbox.wait_for(1)
    task = celery_app.tasks[deliver_email.name]
    task.delay(message_id)
    task.delay(message_id)
    worker.wait_idle(celery_app, queue_name)

    assert len(mailbox.messages) == 1
    assert sent["To"] == "mia@example.org"
    assert sent["Content-Language"] == "fr"
    message = db.session.get(OutboxMessage, message_id)
    assert (message.status, message.attempts) == (OutboxStatus.SENT, 1)
    assert worker.log_path.read_text().count("'skipped'") == 2


def test_a_message_written_while_no_worker_runs_is_delivered_when_one_starts(
    broker_app, start_worker, mailbox, queue_name
):
    celery_app = broker_app.extensions["celery"]
    message_id = queue_verification()
    time.sleep(1)
    assert mailbox.messages == []
    assert redis.Redis.from_url(REDIS_URL).llen(queue_name) == 1

    worker = start_worker()
    worker.wait_ready(celery_app)
    mailbox.wait_for(1)
    worker.wait_idle(celery_app, queue_name)

    assert len(mailbox.messages) == 1
    status = db.session.scalar(select(OutboxMessage.status).where(OutboxMessage.id == message_id))
    assert status == OutboxStatus.SENT
