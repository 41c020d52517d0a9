"""The admin's mail page: failed and interrupted messages are shown and can be sent again."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from qpmusic.audit.models import AuditEvent
from qpmusic.celery_app import bound_task
from qpmusic.enums import OutboxStatus, Role
from qpmusic.extensions import db
from qpmusic.notifications.models import OutboxMessage
from qpmusic.notifications.services import queue_email
from qpmusic.notifications.tasks import deliver_email
from qpmusic.timestamps import utcnow
from tests.factories import UserFactory

CONTEXT = {"name": "Mia", "url": "http://localhost/verify/abc"}


@pytest.fixture
def admin(auth):
    user = UserFactory(email="olga@example.org", name="Olga Office", role=Role.ADMIN, language="en")
    auth.login(user.email)
    return user


def failed_message(app, mailbox, to="mia@example.org") -> OutboxMessage:
    """A message the mail server refused on every attempt."""
    mailbox.refuse = True
    message = queue_email(to=to, language="en", template="verify_email", context=CONTEXT)
    db.session.commit()
    for _ in range(app.config["MAIL_MAX_ATTEMPTS"] - 1):
        bound_task(deliver_email).apply(args=[message.id])
    mailbox.refuse = False
    db.session.refresh(message)
    assert message.status == OutboxStatus.FAILED
    return message


def test_a_failed_message_is_shown_to_the_admin_with_its_error(app, mailbox, admin, client):
    message = failed_message(app, mailbox)

    page = client.get("/admin/mail").get_data(as_text=True)

    assert f'id="message-{message.id}"' in page
    assert "mia@example.org" in page
    assert "451" in page  # the mail server's refusal, as it answered
    assert '<dd id="count-failed">1</dd>' in page


def test_the_admin_sends_a_failed_message_again_and_it_arrives_once(app, mailbox, admin, client):
    message = failed_message(app, mailbox)

    response = client.post(f"/admin/mail/{message.id}/resend", follow_redirects=True)

    assert "is on its way again" in response.get_data(as_text=True)
    [sent] = mailbox.wait_for(1)
    assert sent["To"] == "mia@example.org"
    db.session.refresh(message)
    assert (message.status, message.attempts) == (OutboxStatus.SENT, 1)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "mail.resend"))
    assert (event.actor_id, event.target_id) == (admin.id, message.id)
    assert event.before == {"status": "failed", "attempts": app.config["MAIL_MAX_ATTEMPTS"]}

    again = client.post(f"/admin/mail/{message.id}/resend", follow_redirects=True)
    assert "not waiting to be resent" in again.get_data(as_text=True)
    assert len(mailbox.messages) == 1


def test_sending_all_failed_messages_again_leaves_delivered_ones_alone(app, mailbox, admin, client):
    first = failed_message(app, mailbox, to="mia@example.org")
    second = failed_message(app, mailbox, to="luc@example.org")
    delivered = queue_email(
        to="ana@example.org", language="en", template="verify_email", context=CONTEXT
    )
    db.session.commit()
    mailbox.wait_for(1)

    response = client.post("/admin/mail/resend-failed", follow_redirects=True)

    assert "2 messages are on their way again" in response.get_data(as_text=True)
    assert sorted(m["To"] for m in mailbox.wait_for(3)) == [
        "ana@example.org",
        "luc@example.org",
        "mia@example.org",
    ]
    for message in (first, second, delivered):
        db.session.refresh(message)
        assert message.status == OutboxStatus.SENT


def test_a_message_interrupted_while_sending_waits_for_a_person(app, mailbox, admin, client):
    message = queue_email(to="mia@example.org", language="en", template="verify_email", context={})
    message.status = OutboxStatus.SENDING  # claimed by a worker that was then killed
    message.attempts = 1
    db.session.flush()
    db.session.commit()
    message.claimed_at = utcnow() - timedelta(minutes=5)
    db.session.commit()

    recent = client.get("/admin/mail").get_data(as_text=True)
    assert f'id="message-{message.id}"' not in recent  # a worker may still be on it
    refused = client.post(f"/admin/mail/{message.id}/resend", follow_redirects=True)
    assert "not waiting to be resent" in refused.get_data(as_text=True)

    message.claimed_at = utcnow() - timedelta(minutes=20)
    db.session.commit()
    stuck = client.get("/admin/mail").get_data(as_text=True)
    assert "Interrupted while sending" in stuck
    assert f'id="message-{message.id}"' in stuck

    client.post(f"/admin/mail/{message.id}/resend")
    db.session.refresh(message)
    assert message.status == OutboxStatus.SENT
    assert len(mailbox.wait_for(1)) == 1


def test_the_mail_page_is_for_admins_only(client, auth):
    coordinator = UserFactory(role=Role.COORDINATOR)
    auth.login(coordinator.email)
    assert client.get("/admin/mail").status_code == 403
    assert client.post("/admin/mail/resend-failed").status_code == 403
