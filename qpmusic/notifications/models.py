"""The outbox: one row per e-mail, written with the change that causes it."""

from sqlalchemy import JSON, Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from qpmusic.enums import OutboxStatus
from qpmusic.extensions import db
from qpmusic.timestamps import UTCDateTime, utcnow


class OutboxMessage(db.Model):
    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(2))
    template: Mapped[str] = mapped_column(String(80))
    context: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[OutboxStatus] = mapped_column(
        Enum(OutboxStatus, name="outbox_status", values_callable=lambda e: [m.value for m in e]),
        default=OutboxStatus.PENDING,
        index=True,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    subject: Mapped[str | None] = mapped_column(String(255))
    created_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    claimed_at = mapped_column(UTCDateTime())
    # When a failed message is due again; the sweep leaves it alone until then.
    next_attempt_at = mapped_column(UTCDateTime())
    sent_at = mapped_column(UTCDateTime())
    # Decision letters go out in batches the office can follow.
    batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("notification_batch.id", ondelete="SET NULL"), index=True
    )


class NotificationBatch(db.Model):
    """One sending of a letter to a group (finalists, not chosen, screened out, announcement)."""

    __tablename__ = "notification_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    total: Mapped[int] = mapped_column(default=0)
    created_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
