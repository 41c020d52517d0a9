"""Results: tally snapshots of a round, the final ballot, and the awards with their statements."""

from sqlalchemy import JSON, Enum, ForeignKey, String, Text, UniqueConstraint
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


class ResultSnapshot(db.Model):
    """One tally of a round, immutable: its canonical input, parameters, digest and rows.

    The input is stored with the result, so every number can be explained (and recomputed)
    from the snapshot alone even if a review is reopened later. The same input gives the
    same digest, and the unique constraint keeps a second run from adding a copy.
    """

    __tablename__ = "result_snapshot"
    __table_args__ = (UniqueConstraint("round_id", "input_digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"), index=True)
    input_digest: Mapped[str] = mapped_column(String(64))
    parameters: Mapped[dict] = mapped_column(JSON, default=dict)
    inputs: Mapped[dict] = mapped_column(JSON, default=dict)
    rows: Mapped[list] = mapped_column(JSON, default=list)
    jurors: Mapped[list] = mapped_column(JSON, default=list)
    computed_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    computed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    round = relationship("Round", foreign_keys=[round_id])
    computed_by = relationship("User")


class Ballot(db.Model):
    """A juror's ranking of the finalists in the final round (application ids, best first)."""

    __tablename__ = "ballot"
    __table_args__ = (UniqueConstraint("round_id", "juror_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    juror_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    ranking: Mapped[list] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(default=1)
    submitted_at = mapped_column(UTCDateTime())
    updated_at = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False)

    juror = relationship("User")
