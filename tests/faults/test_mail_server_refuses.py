"""The mail server refuses: a real worker retries with growing waits, then marks the message
failed; the admin sees it and sends it again once the server accepts."""

import time

import pytest
from sqlalchemy import select

from qpmusic.enums import OutboxStatus, Role
from qpmusic.extensions import db
from qpmusic.notifications.models import OutboxMessage
from qpmusic.notifications.services import queue_email
from tests.conftest import Auth
from tests.factories import UserFactory

pytestmark = pytest.mark.integration

ATTEMPTS = 3


def wait_for_status(message_id, wanted, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.expire_all()
        message = db.session.get(OutboxMessage, message_id)
        if message.status == wanted:
            return message
        time.sleep(0.2)
    raise AssertionError(f"message {message_id} is {message.status}, not {wanted}")


def test_a_refused_message_is_retried_marked_failed_and_resent_by_the_admin(
    broker_app, start_worker, mailbox, queue_name
):
    celery_app = broker_app.extensions["celery"]
    worker = start_worker(QPMUSIC_MAIL_MAX_ATTEMPTS=str(ATTEMPTS), QPMUSIC_MAIL_RETRY_BACKOFF="1")
    worker.wait_ready(celery_app)
    mailbox.refuse = True

    message = queue_email(
        to="mia@example.org",
        language="en",
        template="verify_email",
        context={"name": "Mia", "url": "http://localhost/verify/x"},
    )
    db.session.commit()
    failed = wait_for_status(message.id, OutboxStatus.FAILED)

    assert failed.attempts == ATTEMPTS
    assert "451" in failed.last_error
    assert mailbox.messages == []
    log = worker.log_path.read_text()
    # Celery's own retry, waiting 1 s and then 2 s (the backoff doubles).
    assert log.count("Retry in 1s") == 1
    assert log.count("Retry in 2s") == 1

    admin = UserFactory(email="olga@example.org", role=Role.ADMIN, language="en")
    client = broker_app.test_client()
    Auth(client).login(admin.email)
    page = client.get("/admin/mail").get_data(as_text=True)
    assert f'id="message-{message.id}"' in page
    mailbox.refuse = False
    client.post(f"/admin/mail/{message.id}/resend")

    [sent] = mailbox.wait_for(1)
    worker.wait_idle(celery_app, queue_name)
    assert sent["To"] == "mia@example.org"
    delivered = wait_for_status(message.id, OutboxStatus.SENT)
    assert delivered.attempts == 1
    assert len(mailbox.messages) == 1
    assert db.session.scalar(select(OutboxMessage.status)) == OutboxStatus.SENT
