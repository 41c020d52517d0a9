"""An edition of the prize with its call window and rules."""

from decimal import Decimal

from sqlalchemy import Enum, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qpmusic.enums import EditionPhase
from qpmusic.extensions import db
from qpmusic.timestamps import UTCDateTime, utcnow


class Edition(db.Model):
    __tablename__ = "edition"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    title_de: Mapped[str] = mapped_column(String(200))
    title_fr: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    rules_de: Mapped[str] = mapped_column(Text, default="")
    rules_fr: Mapped[str] = mapped_column(Text, default="")
    rules_en: Mapped[str] = mapped_column(Text, default="")
    opens_at = mapped_column(UTCDateTime(), nullable=False)
    closes_at = mapped_column(UTCDateTime(), nullable=False)
    max_works: Mapped[int] = mapped_column(default=3)
    work_age_limit: Mapped[int] = mapped_column(default=5)
    radius_km: Mapped[int] = mapped_column(default=50)
    prize_amount: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal("10000"))
    finalists_count: Mapped[int] = mapped_column(default=4)
    blind_review: Mapped[bool] = mapped_column(default=False)
    # The final concert the finalists are invited to.
    final_concert_at = mapped_column(UTCDateTime())
    final_concert_place: Mapped[str] = mapped_column(String(300), default="", server_default="")
    published_at = mapped_column(UTCDateTime())
    # Each city sends this many jurors; the jury page counts against it.
    jurors_per_city: Mapped[int] = mapped_column(default=2, server_default="2")
    phase: Mapped[EditionPhase] = mapped_column(
        Enum(EditionPhase, name="edition_phase", values_callable=lambda e: [m.value for m in e]),
        default=EditionPhase.DRAFT,
    )
    # Last reference number handed out (QP-<year>-<nnnn>), incremented under a row lock.
    reference_counter: Mapped[int] = mapped_column(default=0)
    created_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    criteria: Mapped[list["Criterion"]] = relationship(
        back_populates="edition", cascade="all, delete-orphan", order_by="Criterion.position"
    )

    def title(self, language: str) -> str:
        return getattr(self, f"title_{language}", None) or self.title_en

    def rules(self, language: str) -> str:
        return getattr(self, f"rules_{language}", None) or self.rules_en

    def is_open(self, now=None) -> bool:
        now = now or utcnow()
        return self.phase == EditionPhase.OPEN and self.opens_at <= now < self.closes_at


class Criterion(db.Model):
    """One scoring criterion of an edition, with its label and help in every language."""

    __tablename__ = "criterion"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("edition.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=1)
    label_de: Mapped[str] = mapped_column(String(200))
    label_fr: Mapped[str] = mapped_column(String(200))
    label_en: Mapped[str] = mapped_column(String(200))
    help_de: Mapped[str] = mapped_column(Text, default="")
    help_fr: Mapped[str] = mapped_column(Text, default="")
    help_en: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=Decimal("1"))
    scale_min: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=Decimal("0"))
    scale_max: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=Decimal("10"))
    scale_step: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=Decimal("1"))

    edition: Mapped[Edition] = relationship(back_populates="criteria")

    def label(self, language: str) -> str:
        return getattr(self, f"label_{language}", None) or self.label_en

    def help(self, language: str) -> str:
        return getattr(self, f"help_{language}", None) or self.help_en
