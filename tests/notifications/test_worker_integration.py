"""A real Celery worker on Redis delivers outbox e-mails to a real SMTP server, once."""

import time

import pytest
import redis
from sqlalchemy import select

from qpmusic.enums import OutboxStatus
from qpmusic.extensions import db
from qpmusic.notifications.models import OutboxMessage
from qpmusic.notifications.services import queue_email
from qpmusic.notifications.tasks import deliver_email
from tests.services import REDIS_URL

pytestmark = pytest.mark.integration


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
