"""Queueing e-mails; delivery happens in ``notifications.tasks`` after the commit."""

from qpmusic.celery_app import send_after_commit
from qpmusic.extensions import db
from qpmusic.notifications.models import OutboxMessage
from qpmusic.notifications.templates import SUBJECTS


def queue_email(*, to: str, language: str, template: str, context: dict) -> OutboxMessage:
    """Write an e-mail to the outbox in the current transaction; it is sent once that commits."""
    from qpmusic.notifications.tasks import deliver_email

    if template not in SUBJECTS:
        raise ValueError(f"unknown e-mail template {template!r}")
    message = OutboxMessage(recipient=to, language=language, template=template, context=context)
    db.session.add(message)
    db.session.flush()
    send_after_commit(deliver_email, message.id)
    return message
