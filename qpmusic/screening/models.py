"""Coordinators' notes on an application; decisions live on the application itself."""

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qpmusic.extensions import db
from qpmusic.timestamps import UTCDateTime, utcnow


class ScreeningNote(db.Model):
    __tablename__ = "screening_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    author = relationship("User")
