"""Who sits on an edition's jury, its rounds, and each juror's work on each application."""

import json
from decimal import Decimal

from sqlalchemy import JSON, Enum, Float, ForeignKey, Index, Numeric, String, Text, text
from sqlalchemy import UniqueConstraint as Unique
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qpmusic.accounts.models import role_enum
from qpmusic.enums import (
    AssignmentMode,
    AssignmentStatus,
    ConflictSource,
    ConflictStatus,
    ConflictType,
    Recommendation,
    Role,
    RoundKind,
    RoundStatus,
)
from qpmusic.extensions import db
from qpmusic.timestamps import UTCDateTime, utcnow

DEFAULT_TIE_BREAK = ("normalized", "city_balanced", "median")


def _enum(cls, name: str) -> Enum:
    return Enum(cls, name=name, values_callable=lambda e: [m.value for m in e])


class JuryMember(db.Model):
    """A juror (with the city they speak for) or a coordinator, for one edition."""

    __tablename__ = "jury_member"
    __table_args__ = (Unique("edition_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    role: Mapped[Role] = mapped_column(role_enum)
    city_id: Mapped[int | None] = mapped_column(ForeignKey("city.id"))
    created_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    edition = relationship("Edition")
    user = relationship("User")
    city = relationship("City")


class Round(db.Model):
    """Pre-selection, jury or final round of an edition, with its scoring window."""

    __tablename__ = "round"
    __table_args__ = (Unique("edition_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id", ondelete="CASCADE"))
    kind: Mapped[RoundKind] = mapped_column(_enum(RoundKind, "round_kind"))
    status: Mapped[RoundStatus] = mapped_column(
        _enum(RoundStatus, "round_status"), default=RoundStatus.DRAFT
    )
    # The deadline jurors see and reminders count down to; opening and closing are admin acts.
    closes_at = mapped_column(UTCDateTime())
    opened_at = mapped_column(UTCDateTime())
    closed_at = mapped_column(UTCDateTime())
    assignment_mode: Mapped[AssignmentMode] = mapped_column(
        _enum(AssignmentMode, "assignment_mode"), default=AssignmentMode.ALL
    )
    reviews_per_application: Mapped[int] = mapped_column(default=4)
    min_cities: Mapped[int] = mapped_column(default=2)
    # Share (0 to 1) of each work a juror must have heard before finalizing; None: no minimum.
    min_listening_share: Mapped[Decimal | None] = mapped_column(Numeric(3, 2))
    # Set before the round, printed with its result: the methods that break ties, in order,
    # and the optional outlier rule (drop a review more than k standard deviations away).
    tie_break: Mapped[list] = mapped_column(
        JSON,
        default=lambda: list(DEFAULT_TIE_BREAK),
        server_default=text("'" + json.dumps(DEFAULT_TIE_BREAK) + "'"),
    )
    outlier_k: Mapped[Decimal | None] = mapped_column(Numeric(4, 2))
    # Choosing the finalists freezes the round's result: the method used, the snapshot it
    # came from, and the reason when the office departed from the proposal.
    result_method: Mapped[str | None] = mapped_column(String(20))
    frozen_snapshot_id: Mapped[int | None] = mapped_column(
        ForeignKey("result_snapshot.id", use_alter=True)
    )
    frozen_at = mapped_column(UTCDateTime())
    override_reason: Mapped[str] = mapped_column(Text, default="", server_default="")

    edition = relationship("Edition")

    @property
    def is_open(self) -> bool:
        return self.status == RoundStatus.OPEN


class Assignment(db.Model):
    """One reviewer (a juror, or a coordinator in pre-selection) on one application in a round."""

    __tablename__ = "assignment"
    __table_args__ = (
        Unique("round_id", "juror_id", "application_id"),
        Index("ix_assignment_round_application", "round_id", "application_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    juror_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[AssignmentStatus] = mapped_column(
        _enum(AssignmentStatus, "assignment_status"), default=AssignmentStatus.TODO
    )
    # Bumped by every save: a save that names an older version was made on a stale page.
    version: Mapped[int] = mapped_column(default=1)
    comment: Mapped[str] = mapped_column(Text, default="")
    recommendation: Mapped[Recommendation | None] = mapped_column(
        _enum(Recommendation, "recommendation")
    )
    # Added or kept by the admin by hand, not by the assignment rule.
    manual: Mapped[bool] = mapped_column(default=False)
    created_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    saved_at = mapped_column(UTCDateTime())
    finalized_at = mapped_column(UTCDateTime())

    round: Mapped[Round] = relationship()
    juror = relationship("User")
    application = relationship("Application")
    scores: Mapped[list["Score"]] = relationship(
        back_populates="assignment", cascade="all, delete-orphan"
    )

    @property
    def is_final(self) -> bool:
        return self.status == AssignmentStatus.FINAL


class Score(db.Model):
    __tablename__ = "score"
    __table_args__ = (Unique("assignment_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criterion.id", ondelete="CASCADE"))
    # Empty while the juror has not chosen yet (a draft may be partial).
    value: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    comment: Mapped[str] = mapped_column(Text, default="")

    assignment: Mapped[Assignment] = relationship(back_populates="scores")
    criterion = relationship("Criterion")


class Conflict(db.Model):
    """A relationship between a juror and an applicant, for the whole edition.

    Declared by the juror it counts at once; named by the applicant it counts once the admin
    confirms it. A dismissed one never counts.
    """

    __tablename__ = "conflict"
    __table_args__ = (Unique("edition_id", "juror_id", "application_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id", ondelete="CASCADE"))
    juror_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[ConflictType] = mapped_column(_enum(ConflictType, "conflict_type"))
    note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[ConflictSource] = mapped_column(_enum(ConflictSource, "conflict_source"))
    status: Mapped[ConflictStatus] = mapped_column(
        _enum(ConflictStatus, "conflict_status"), default=ConflictStatus.DECLARED
    )
    declared_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    decided_at = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    juror = relationship("User", foreign_keys=[juror_id])
    application = relationship("Application")
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    @property
    def is_effective(self) -> bool:
        if self.status == ConflictStatus.DISMISSED:
            return False
        return self.status == ConflictStatus.CONFIRMED or self.source != ConflictSource.APPLICANT


class Listening(db.Model):
    """What a juror has heard of one media file: merged [start, end] second ranges."""

    __tablename__ = "listening"
    __table_args__ = (Unique("assignment_id", "media_file_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"))
    media_file_id: Mapped[int] = mapped_column(ForeignKey("media_file.id", ondelete="CASCADE"))
    ranges: Mapped[list] = mapped_column(JSON, default=list)
    heard_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    updated_at = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False)


class DeliberationComment(db.Model):
    """The jury's thread on one application, readable once the round has closed."""

    __tablename__ = "deliberation_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    author = relationship("User")


class JuryReminder(db.Model):
    """One automatic reminder (``kind`` "3d" or "1d") sent to one juror for one round.

    The unique constraint is what makes two beat runs at once send one e-mail, not two.
    """

    __tablename__ = "jury_reminder"
    __table_args__ = (Unique("round_id", "juror_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    juror_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(10))
    sent_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
