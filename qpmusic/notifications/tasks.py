"""Delivering outbox messages: claimed once, retried with backoff, never sent twice."""

import logging
from datetime import timedelta

from celery import shared_task
from flask import current_app
from flask_mailman import EmailMultiAlternatives
from sqlalchemy import select, update

from qpmusic.celery_app import bound_task
from qpmusic.enums import OutboxStatus
from qpmusic.extensions import db
from qpmusic.notifications.models import OutboxMessage
from qpmusic.notifications.templates import render_email
from qpmusic.timestamps import utcnow

log = logging.getLogger(__name__)


def claim(message_id: int) -> bool:
    """Move a pending message to ``sending`` in its own transaction; only one caller wins."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.PENDING)
        .values(
            status=OutboxStatus.SENDING,
            attempts=OutboxMessage.attempts + 1,
            claimed_at=utcnow(),
        )
    )
    db.session.commit()
    return result.rowcount == 1


def send(message: OutboxMessage) -> None:
    subject, text, html = render_email(
        template=message.template, language=message.language, context=message.context
    )
    message.subject = subject
    email = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=current_app.config["MAIL_DEFAULT_SENDER"],
        to=[message.recipient],
        headers={"Content-Language": message.language, "X-QPMusic-Outbox-Id": str(message.id)},
    )
    email.attach_alternative(html, "text/html")
    email.send()


@shared_task(bind=True, max_retries=None)
def deliver_email(self, message_id: int) -> str:
    """Send one outbox message; a second run for the same message does nothing."""
    if not claim(message_id):
        return "skipped"
    message = db.session.get(OutboxMessage, message_id)
    try:
        send(message)
    except Exception as exc:
        message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        final = message.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]
        message.status = OutboxStatus.FAILED if final else OutboxStatus.PENDING
        log.warning("outbox message %s attempt %s failed: %s", message_id, message.attempts, exc)
        backoff = current_app.config["MAIL_RETRY_BACKOFF"] * 2 ** (message.attempts - 1)
        message.next_attempt_at = None if final else utcnow() + timedelta(seconds=backoff)
        db.session.commit()
        if final or self.request.is_eager:
            return message.status.value
        raise self.retry(countdown=backoff) from exc
    message.status = OutboxStatus.SENT
    message.sent_at = utcnow()
    db.session.commit()
    return "sent"


@shared_task
def sweep_outbox() -> int:
    """Re-send pending messages whose task never reached the broker (e.g. it was down)."""
    now = utcnow()
    grace = timedelta(seconds=current_app.config["MAIL_RETRY_BACKOFF"])
    stale = db.session.scalars(
        select(OutboxMessage.id).where(
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.created_at < now - grace,
            OutboxMessage.next_attempt_at.is_(None) | (OutboxMessage.next_attempt_at < now - grace),
        )
    ).all()
    for message_id in stale:
        bound_task(deliver_email).delay(message_id)
    return len(stale)
