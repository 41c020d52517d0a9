"""One edition in the middle of its jury round, with someone in every role, for the access test.

Every URL the test builds points at applicant A's objects (application, work, file, upload,
the assigned juror's assignment); the other people are there to be refused.
"""

import io
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from qpmusic.enums import (
    ApplicationStatus,
    AssignmentStatus,
    ConflictSource,
    ConflictStatus,
    ConflictType,
    EditionPhase,
    MediaKind,
    MediaStatus,
    OutboxStatus,
    Role,
    RoundKind,
    RoundStatus,
)
from qpmusic.extensions import db
from qpmusic.jury.models import Assignment, Conflict, Score
from qpmusic.media.models import MediaFile, MediaUpload
from qpmusic.media.storage import get_storage
from qpmusic.notifications.models import NotificationBatch, OutboxMessage
from qpmusic.results.snapshots import compute_snapshot
from qpmusic.timestamps import utcnow
from tests.factories import (
    ApplicationFactory,
    CityFactory,
    CriterionFactory,
    EditionFactory,
    EligibilityBasisFactory,
    InvitationFactory,
    JuryMemberFactory,
    RoundFactory,
    UserFactory,
    WorkFactory,
)

ROLES = (
    "anonymous",
    "applicant",
    "other_applicant",
    "juror",
    "juror_other_city",
    "juror_closed_round",
    "juror_with_conflict",
    "coordinator",
    "admin",
)


@dataclass(frozen=True)
class World:
    # Role name -> the session token (User.auth_token) that logs them in; none for anonymous.
    tokens: dict
    # URL argument -> the value naming applicant A's object (or the open jury round's).
    values: dict
    closed_round_id: int
    final_round_id: int
    # B's application: the one with a final review, so the tally explains it.
    scored_application_id: int
    published_year: int


def stored_files() -> dict[str, bytes]:
    """Every stored file the rows name, by key: what ``put_back`` writes again."""
    keys = db.session.scalars(
        select(MediaFile.storage_key).union_all(
            select(MediaFile.poster_key).where(MediaFile.poster_key.is_not(None)),
            select(MediaUpload.storage_key),
        )
    ).all()
    storage = get_storage()
    return {key: storage.local_path(key).read_bytes() for key in keys}


def put_back(files: dict[str, bytes]) -> None:
    storage = get_storage()
    for key, data in files.items():
        path = storage.local_path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _stored(data: bytes) -> str:
    storage = get_storage()
    key = storage.new_key("test/")
    storage.create(key)
    storage.append(key, io.BytesIO(data), len(data))
    return key


def _stored_file(work, applicant) -> MediaFile:
    """A ready video with its poster frame, so the stream, status and poster URLs all answer."""
    data = b"\x00\x00\x00\x18ftypmp42"
    media = MediaFile(
        work=work,
        uploaded_by=applicant,
        kind=MediaKind.VIDEO,
        original_name="take.mp4",
        storage_key=_stored(data),
        poster_key=_stored(b"\x89PNG\r\n\x1a\n"),
        size=len(data),
        detected_type="video/mp4",
        status=MediaStatus.READY,
        duration_seconds=1.0,
    )
    db.session.add(media)
    return media


def upload_in_progress(work, applicant) -> MediaUpload:
    """A tus upload of ``work`` that has received nothing yet."""
    key = _stored(b"")
    upload = MediaUpload(
        work=work,
        user=applicant,
        kind=MediaKind.AUDIO,
        filename="long-take.wav",
        length=1000,
        offset=0,
        storage_key=key,
        meta={},
        expires_at=utcnow() + timedelta(days=1),
    )
    db.session.add(upload)
    return upload


def _application(edition, applicant, number: int):
    application = ApplicationFactory(
        edition=edition,
        applicant=applicant,
        status=ApplicationStatus.SHORTLISTED,
        reference=f"QP-{edition.year}-{number:04d}",
        submitted_at=utcnow(),
    )
    work = WorkFactory(application=application)
    basis = EligibilityBasisFactory(application=application)
    media = _stored_file(work, applicant)
    db.session.commit()
    return application, work, basis, media


def build_world() -> World:
    trier = CityFactory(name_en="Trier")
    metz = CityFactory(name_en="Metz")
    published = EditionFactory(phase=EditionPhase.PUBLISHED)
    edition = EditionFactory(phase=EditionPhase.JURY)
    criterion = CriterionFactory(edition=edition)

    applicant = UserFactory(role=Role.APPLICANT)
    other_applicant = UserFactory(role=Role.APPLICANT)
    application, work, basis, media = _application(edition, applicant, 1)
    other_application, _, _, _ = _application(edition, other_applicant, 2)
    upload = upload_in_progress(work, applicant)

    juror = JuryMemberFactory(edition=edition, city=trier).user
    juror_other_city = JuryMemberFactory(edition=edition, city=metz)
    juror_closed_round = JuryMemberFactory(edition=edition, city=trier).user
    juror_with_conflict = JuryMemberFactory(edition=edition, city=metz).user
    coordinator = JuryMemberFactory(edition=edition, role=Role.COORDINATOR, city=trier).user
    admin = UserFactory(role=Role.ADMIN)

    closed_round = RoundFactory(
        edition=edition, kind=RoundKind.PRESELECTION, status=RoundStatus.CLOSED, closed_at=utcnow()
    )
    jury_round = RoundFactory(edition=edition, kind=RoundKind.JURY, status=RoundStatus.OPEN)
    final_round = RoundFactory(
        edition=edition, kind=RoundKind.FINAL, status=RoundStatus.DRAFT, opened_at=None
    )
    assignment = Assignment(round=jury_round, juror=juror, application=application)
    db.session.add(assignment)
    db.session.add(Assignment(round=jury_round, juror=juror_with_conflict, application=application))
    # A final review of B, so the round has a tally to explain.
    scored = Assignment(
        round=jury_round,
        juror=juror_other_city.user,
        application=other_application,
        status=AssignmentStatus.FINAL,
        finalized_at=utcnow(),
    )
    scored.scores.append(Score(criterion=criterion, value=Decimal("7")))
    db.session.add(scored)
    db.session.add(
        Assignment(
            round=closed_round,
            juror=juror_closed_round,
            application=application,
            status=AssignmentStatus.FINAL,
            finalized_at=utcnow(),
        )
    )
    # The applicant named the Metz juror (awaits the office); the juror's own conflict was
    # dismissed, so he still reviews and hears A.
    named = Conflict(
        edition_id=edition.id,
        juror=juror_other_city.user,
        application=application,
        type=ConflictType.TEACHER,
        source=ConflictSource.APPLICANT,
    )
    dismissed = Conflict(
        edition_id=edition.id,
        juror=juror,
        application=application,
        type=ConflictType.OTHER,
        source=ConflictSource.JUROR,
        status=ConflictStatus.DISMISSED,
    )
    # Declared by the juror himself, so in force at once: he is assigned but hears nothing.
    declared = Conflict(
        edition_id=edition.id,
        juror=juror_with_conflict,
        application=application,
        type=ConflictType.FAMILY,
        source=ConflictSource.JUROR,
    )
    db.session.add_all([named, dismissed, declared])
    invitation = InvitationFactory(edition=edition, role=Role.JUROR, city=trier)
    batch = NotificationBatch(edition_id=edition.id, kind="not_finalist", total=0)
    failed = OutboxMessage(
        recipient=applicant.email,
        language="de",
        template="verify_email",
        context={},
        status=OutboxStatus.FAILED,
        attempts=5,
        last_error="550 mailbox unavailable",
    )
    db.session.add_all([batch, failed])
    db.session.commit()
    compute_snapshot(round_=jury_round)
    db.session.commit()

    people = {
        "applicant": applicant,
        "other_applicant": other_applicant,
        "juror": juror,
        "juror_other_city": juror_other_city.user,
        "juror_closed_round": juror_closed_round,
        "juror_with_conflict": juror_with_conflict,
        "coordinator": coordinator,
        "admin": admin,
    }
    values = {
        "token": "forged-token",
        "invitation_id": invitation.id,
        "edition_id": edition.id,
        "criterion_id": criterion.id,
        "application_id": application.id,
        "basis_id": basis.id,
        "work_id": work.id,
        "city_id": trier.id,
        "upload_id": upload.id,
        "public_id": media.public_id,
        "round_id": jury_round.id,
        "juror_id": juror.id,
        "assignment_id": assignment.id,
        "member_id": juror_other_city.id,
        "conflict_id": named.id,
        "kind": "not_finalist",
        "batch_id": batch.id,
        "message_id": failed.id,
        "year": edition.year,
        "fmt": "csv",
    }
    return World(
        tokens={role: user.auth_token for role, user in people.items()},
        values=values,
        closed_round_id=closed_round.id,
        final_round_id=final_round.id,
        scored_application_id=other_application.id,
        published_year=published.year,
    )
