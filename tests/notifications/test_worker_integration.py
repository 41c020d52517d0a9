"""A real Celery worker on Redis delivers outbox e-mails to a real SMTP server, once."""

import os
import time

import pytest
import redis
from sqlalchemy import select

from qpmusic.enums import OutboxStatus
from qpmusic.extensions import db
from qpmusic.notifications.models import OutboxMessage
from qpmusic.notifications.services import queue_email
from qpmusic.notifications.tasks import deliver_email
from tests.celery_worker import Worker
from tests.conftest import make_app
from tests.services import DATABASE_URL, REDIS_URL

pytestmark = pytest.mark.integration


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
