"""The outbox: written with the change, sent after commit, retried, never sent twice."""

from datetime import timedelta

from sqlalchemy import select

from qpmusic.celery_app import bound_task
from qpmusic.enums import OutboxStatus
from qpmusic.extensions import db
from qpmusic.notifications.models import OutboxMessage
from qpmusic.notifications.services import queue_email
from qpmusic.notifications.tasks import deliver_email, sweep_outbox
from qpmusic.timestamps import utcnow
from tests.mail_sink import html_of, text_of

CONTEXT = {"name": "Mia", "url": "http://localhost/verify/abc"}


def queue(language="de"):
    return queue_email(
        to="mia@example.org", language=language, template="verify_email", context=CONTEXT
    )


def test_a_queued_message_is_sent_only_after_the_commit(mailbox):
    message = queue()
    assert message.id is not None
    assert mailbox.messages == []

    db.session.commit()

    [sent] = mailbox.wait_for(1)
    assert sent["To"] == "mia@example.org"
    db.session.refresh(message)
    assert message.status == OutboxStatus.SENT
    assert message.attempts == 1
    assert message.sent_at is not None


def test_a_rolled_back_change_sends_nothing(mailbox):
    queue()
    db.session.rollback()

    assert db.session.scalar(select(OutboxMessage)) is None
    db.session.commit()
    assert mailbox.messages == []


def test_every_message_has_a_text_and_an_html_part_in_the_recipients_language(mailbox):
    queue(language="fr")
    db.session.commit()

    [sent] = mailbox.wait_for(1)
    assert sent["Content-Language"] == "fr"
    assert "Bonjour Mia," in text_of(sent)
    assert '<html lang="fr">' in html_of(sent)
    assert "http://localhost/verify/abc" in html_of(sent)


def test_running_the_task_again_does_not_send_twice(mailbox):
    message = queue()
    db.session.commit()
    mailbox.wait_for(1)

    assert bound_task(deliver_email).apply(args=[message.id]).get() == "skipped"
    assert bound_task(deliver_email).apply(args=[message.id]).get() == "skipped"

    assert len(mailbox.messages) == 1
    db.session.refresh(message)
    assert message.attempts == 1


def test_a_refusing_mail_server_leaves_the_message_for_a_retry(app, mailbox):
    mailbox.refuse = True
    message = queue()
    db.session.commit()

    db.session.refresh(message)
    assert message.status == OutboxStatus.PENDING
    assert message.attempts == 1
    assert "451" in message.last_error
    assert message.next_attempt_at is not None

    mailbox.refuse = False
    assert bound_task(deliver_email).apply(args=[message.id]).get() == "sent"
    db.session.refresh(message)
    assert (message.status, message.attempts) == (OutboxStatus.SENT, 2)
    assert len(mailbox.messages) == 1


def test_a_message_is_marked_failed_after_the_last_attempt(app, mailbox):
    mailbox.refuse = True
    message = queue()
    db.session.commit()
    for _ in range(app.config["MAIL_MAX_ATTEMPTS"] - 1):
        bound_task(deliver_email).apply(args=[message.id])

    db.session.refresh(message)
    assert message.status == OutboxStatus.FAILED
    assert message.attempts == app.config["MAIL_MAX_ATTEMPTS"]
    assert bound_task(deliver_email).apply(args=[message.id]).get() == "skipped"
    assert mailbox.messages == []


def test_the_sweep_resends_messages_whose_task_never_ran(app, mailbox):
    message = OutboxMessage(
        recipient="mia@example.org", language="en", template="verify_email", context=CONTEXT
    )
    db.session.add(message)
    db.session.commit()  # written without a task, as when the broker was down
    message.created_at = utcnow() - timedelta(hours=1)
    db.session.commit()

    assert bound_task(sweep_outbox).apply().get() == 1

    assert len(mailbox.wait_for(1)) == 1
    assert bound_task(sweep_outbox).apply().get() == 0
