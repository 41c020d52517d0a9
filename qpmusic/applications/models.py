"""An application to one edition, its works and the places that make it eligible."""

from sqlalchemy import Enum, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qpmusic.enums import ApplicationStatus, EligibilityKind
from qpmusic.extensions import db
from qpmusic.timestamps import UTCDateTime, utcnow

status_enum = Enum(
    ApplicationStatus, name="application_status", values_callable=lambda e: [m.value for m in e]
)
basis_enum = Enum(
    EligibilityKind, name="eligibility_kind", values_callable=lambda e: [m.value for m in e]
)


class Application(db.Model):
    __tablename__ = "application"
    __table_args__ = (UniqueConstraint("edition_id", "applicant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id"), index=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    status: Mapped[ApplicationStatus] = mapped_column(
        status_enum, default=ApplicationStatus.DRAFT, index=True
    )
    # QP-<year>-<nnnn>, given at the first submission and kept for good.
    reference: Mapped[str | None] = mapped_column(String(20), unique=True)

    artist_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    website: Mapped[str] = mapped_column(String(500), default="")
    biography: Mapped[str] = mapped_column(Text, default="")
    links: Mapped[str] = mapped_column(Text, default="")

    consent_rules_at = mapped_column(UTCDateTime())
    consent_privacy_at = mapped_column(UTCDateTime())

    created_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_at = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False)
    submitted_at = mapped_column(UTCDateTime())
    withdrawn_at = mapped_column(UTCDateTime())
    # Set by every edit after a submission, cleared by re-submitting: a second click on
    # "submit" with nothing changed is then recognisably a repeat, not a new submission.
    changed_since_submission: Mapped[bool] = mapped_column(default=False)
    reminded_7d_at = mapped_column(UTCDateTime())
    reminded_1d_at = mapped_column(UTCDateTime())

    # Set when the applicant deleted their account: personal data cleared, what the published
    # results and the tally need kept (qpmusic.privacy.anonymize).
    anonymized_at = mapped_column(UTCDateTime())

    screening_reason: Mapped[str] = mapped_column(Text, default="")
    screened_at = mapped_column(UTCDateTime())
    screened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    edition = relationship("Edition")
    applicant = relationship("User", foreign_keys=[applicant_id])
    screened_by = relationship("User", foreign_keys=[screened_by_id])
    works: Mapped[list["Work"]] = relationship(
        back_populates="application",
        cascade="all, delete-orphan",
        order_by="Work.position",
    )
    bases: Mapped[list["EligibilityBasis"]] = relationship(
        back_populates="application",
        cascade="all, delete-orphan",
        order_by="EligibilityBasis.id",
    )

    @property
    def flagged(self) -> bool:
        """A place typed by hand needs a coordinator's eye."""
        return any(basis.manual for basis in self.bases)

    @property
    def is_draft(self) -> bool:
        return self.status == ApplicationStatus.DRAFT


class Work(db.Model):
    __tablename__ = "work"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=1)
    title: Mapped[str] = mapped_column(String(300))
    year_composed: Mapped[int | None]
    in_progress: Mapped[bool] = mapped_column(default=False)
    duration_seconds: Mapped[int | None]
    description: Mapped[str] = mapped_column(Text, default="")
    techniques: Mapped[str] = mapped_column(Text, default="")
    links: Mapped[str] = mapped_column(Text, default="")

    application: Mapped[Application] = relationship(back_populates="works")


class EligibilityBasis(db.Model):
    """Born, lives, works or studies in a place; nearest city and distance are computed."""

    __tablename__ = "eligibility_basis"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[EligibilityKind] = mapped_column(basis_enum)
    # GeoNames id of a place from the shipped list; None when typed by hand.
    place_id: Mapped[int | None]
    place_name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2), default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    manual: Mapped[bool] = mapped_column(default=False)
    explanation: Mapped[str] = mapped_column(Text, default="")
    nearest_city_id: Mapped[int | None] = mapped_column(ForeignKey("city.id"))
    distance_km: Mapped[float | None] = mapped_column(Float)

    application: Mapped[Application] = relationship(back_populates="bases")
    nearest_city = relationship("City")
