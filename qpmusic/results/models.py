"""Awards of an edition: the prize and any special prize, with the jury's statement."""

from sqlalchemy import Enum, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qpmusic.enums import AwardKind
from qpmusic.extensions import db
from qpmusic.timestamps import UTCDateTime, utcnow


class Award(db.Model):
    __tablename__ = "award"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"))
    kind: Mapped[AwardKind] = mapped_column(
        Enum(AwardKind, name="award_kind", values_callable=lambda e: [m.value for m in e])
    )
    statement_de: Mapped[str] = mapped_column(Text, default="")
    statement_fr: Mapped[str] = mapped_column(Text, default="")
    statement_en: Mapped[str] = mapped_column(Text, default="")
    created_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    edition = relationship("Edition")
    application = relationship("Application")

    def statement(self, language: str) -> str:
        return getattr(self, f"statement_{language}", None) or self.statement_en
