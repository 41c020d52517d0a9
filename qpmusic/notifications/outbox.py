"""The office's view of the outbox: what did not go out, and sending it again."""

from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from qpmusic.audit.services import record_event
from qpmusic.celery_app import send_after_commit
from qpmusic.enums import OutboxStatus
from qpmusic.extensions import db
from qpmusic.notifications.models import OutboxMessage
from qpmusic.timestamps import utcnow

# A message claimed this long ago and still "sending" lost its worker half-way (killed, or the
# machine went down). Whether the mail server got it is unknown, so it is shown for a person to
# decide rather than sent again automatically: sending twice is what the outbox promises not to do.
STUCK_AFTER = timedelta(minutes=15)
SHOWN = 200
OUTBOX_LABELS = {
    OutboxStatus.PENDING: _l("Waiting"),
    OutboxStatus.SENDING: _l("Sending"),
    OutboxStatus.SENT: _l("Sent"),
    OutboxStatus.FAILED: _l("Failed"),
}


@dataclass(frozen=True)
class OutboxOverview:
    counts: dict[OutboxStatus, int]
    failed: list[OutboxMessage]
    stuck: list[OutboxMessage]


def outbox_overview() -> OutboxOverview:
    """Counts per state, and the messages that need a person: failed and stuck (newest first)."""
    rows = db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    ).all()
    counts = dict.fromkeys(OutboxStatus, 0) | dict(rows)
    needing_attention = db.session.scalars(
        select(OutboxMessage)
        .where(
            (OutboxMessage.status == OutboxStatus.FAILED)
            | (
                (OutboxMessage.status == OutboxStatus.SENDING)
                & (OutboxMessage.claimed_at < utcnow() - STUCK_AFTER)
            )
        )
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(SHOWN)
    ).all()
    return OutboxOverview(
        counts=counts,
        failed=[m for m in needing_attention if m.status == OutboxStatus.FAILED],
        stuck=[m for m in needing_attention if m.status == OutboxStatus.SENDING],
    )


def message_for_update(message_id: int) -> OutboxMessage | None:
    """The message, locked, so a worker and a second click wait for this decision."""
    return db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.id == message_id).with_for_update()
    )


def can_resend(message: OutboxMessage) -> bool:
    if message.status == OutboxStatus.FAILED:
        return True
    stuck_since = utcnow() - STUCK_AFTER
    return message.status == OutboxStatus.SENDING and message.claimed_at < stuck_since


def resend_message(*, actor, message: OutboxMessage) -> bool:
    """Give a failed (or stuck) message a fresh set of attempts; False when it needs none."""
    from qpmusic.notifications.tasks import deliver_email

    if not can_resend(message):
        return False
    before = {"status": message.status.value, "attempts": message.attempts}
    message.status = OutboxStatus.PENDING
    message.attempts = 0
    message.claimed_at = None
    message.next_attempt_at = None
    record_event(
        actor=actor,
        action="mail.resend",
        target=message,
        before=before,
        after={"status": OutboxStatus.PENDING.value, "recipient": message.recipient},
    )
    send_after_commit(deliver_email, message.id)
    return True


def resend_failed(*, actor) -> int:
    """Resend every failed message (not the stuck ones: each of those is a person's call)."""
    failed = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.FAILED)
        .with_for_update(skip_locked=True)
    ).all()
    return sum(resend_message(actor=actor, message=message) for message in failed)
