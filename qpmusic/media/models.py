"""Uploaded files of a work, and the resumable uploads that are still arriving."""

import secrets

from sqlalchemy import JSON, BigInteger, Enum, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qpmusic.enums import MediaKind, MediaStatus
from qpmusic.extensions import db
from qpmusic.timestamps import UTCDateTime, utcnow

kind_enum = Enum(MediaKind, name="media_kind", values_callable=lambda e: [m.value for m in e])


def new_public_id() -> str:
    return secrets.token_urlsafe(16)


class MediaFile(db.Model):
    """A received file. Storage keys are random; the original name is only shown, never used."""

    __tablename__ = "media_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    # What URLs carry, so a file's address says nothing about how many there are.
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    work_id: Mapped[int] = mapped_column(ForeignKey("work.id", ondelete="CASCADE"), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[MediaKind] = mapped_column(kind_enum)
    original_name: Mapped[str] = mapped_column(String(255))
    storage_key: Mapped[str] = mapped_column(String(100), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    detected_type: Mapped[str] = mapped_column(String(100), default="")
    duration_seconds: Mapped[float | None] = mapped_column(Float)
    sample_rate: Mapped[int | None]
    channels: Mapped[int | None]
    loudness_lufs: Mapped[float | None] = mapped_column(Float)
    peaks: Mapped[list | None] = mapped_column(JSON)
    poster_key: Mapped[str | None] = mapped_column(String(100))
    # Metadata stripped (tags, PDF author); what jurors get when the edition is blind.
    blind_key: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[MediaStatus] = mapped_column(
        Enum(MediaStatus, name="media_status", values_callable=lambda e: [m.value for m in e]),
        default=MediaStatus.PROCESSING,
        index=True,
    )
    # A code from qpmusic.media.labels, translated when shown; detail is for the office.
    rejection_code: Mapped[str] = mapped_column(String(40), default="")
    processing_note: Mapped[str] = mapped_column(Text, default="")
    created_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    processed_at = mapped_column(UTCDateTime())

    work = relationship("Work", backref=db.backref("media", cascade="all, delete-orphan"))
    uploaded_by = relationship("User")


class MediaUpload(db.Model):
    """A tus upload in progress: bytes arrive in chunks until ``offset`` reaches ``length``."""

    __tablename__ = "media_upload"

    id: Mapped[str] = mapped_column(
        String(43), primary_key=True, default=lambda: secrets.token_urlsafe(24)
    )
    work_id: Mapped[int] = mapped_column(ForeignKey("work.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[MediaKind] = mapped_column(kind_enum)
    filename: Mapped[str] = mapped_column(String(255))
    length: Mapped[int] = mapped_column(BigInteger)
    offset: Mapped[int] = mapped_column(BigInteger, default=0)
    storage_key: Mapped[str] = mapped_column(String(100), unique=True)
    meta: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    expires_at = mapped_column(UTCDateTime(), nullable=False, index=True)

    work = relationship("Work")
    user = relationship("User")
