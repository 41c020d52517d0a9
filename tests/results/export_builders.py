"""A tallied jury round with a final ballot and awards, for the export and protocol tests."""

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from qpmusic.enums import (
    ApplicationStatus,
    AssignmentStatus,
    AwardKind,
    ConflictSource,
    ConflictType,
    EditionPhase,
    MediaKind,
    MediaStatus,
    Role,
    RoundKind,
    RoundStatus,
)
from qpmusic.extensions import db
from qpmusic.jury.models import Conflict, Listening
from qpmusic.media.models import MediaFile
from qpmusic.media.storage import get_storage
from qpmusic.results.models import Ballot, ResultSnapshot
from qpmusic.timestamps import utcnow
from tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    AwardFactory,
    CityFactory,
    CriterionFactory,
    EditionFactory,
    EligibilityBasisFactory,
    JuryMemberFactory,
    RoundFactory,
    ScoreFactory,
    UserFactory,
    WorkFactory,
)

SUBMITTED_AT = datetime(2031, 3, 31, 21, 59, 30, tzinfo=UTC)  # 23:59:30 in Luxembourg


@dataclass
class Scene:
    edition: object
    round: object
    criteria: list
    cities: dict
    jurors: dict  # name -> User
    applications: list  # QP-2031-0001 … 0003
    assignments: dict = field(default_factory=dict)  # (juror name, index) -> Assignment
    snapshot: object = None


def store(data: bytes) -> str:
    """Bytes written to media storage under a fresh key."""
    storage = get_storage()
    key = storage.new_key()
    storage.create(key)
    storage.local_path(key).write_bytes(data)
    return key


def media_file(work, *, name="take.flac", data=b"fLaC-original", blind=b"fLaC-blind", **fields):
    fields.setdefault("kind", MediaKind.AUDIO)
    fields.setdefault("status", MediaStatus.READY)
    fields.setdefault("duration_seconds", 125.0)
    media = MediaFile(
        work=work,
        original_name=name,
        storage_key=store(data),
        blind_key=store(blind) if blind is not None else None,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        detected_type="audio/flac",
        **fields,
    )
    db.session.add(media)
    db.session.commit()
    return media


def build_scene(*, year=2031, blind=False) -> Scene:
    """Three shortlisted applications, jurors Ada (Trier) and Bruno (Metz), a closed round.

    Ada scores all three and heard half of the first recording; Bruno scores the first two
    and declared a conflict with the third, which Ada only has in draft (an abstention).
    """
    edition = EditionFactory(
        year=year,
        phase=EditionPhase.JURY,
        blind_review=blind,
        title_fr=f"Prix de musique QuattroPole {year}",
    )
    round_ = RoundFactory(edition=edition, status=RoundStatus.CLOSED, closed_at=utcnow())
    criteria = [
        CriterionFactory(
            edition=edition,
            position=1,
            label_en="Originality",
            label_de="Originalität",
            label_fr="Originalité",
            weight=Decimal("2"),
        ),
        CriterionFactory(
            edition=edition,
            position=2,
            label_en="Craft",
            label_de="Handwerk",
            label_fr="Métier",
            weight=Decimal("1"),
        ),
    ]
    cities = {
        "Trier": CityFactory(name_de="Trier", name_fr="Trèves", name_en="Trier"),
        "Metz": CityFactory(name_de="Metz", name_fr="Metz", name_en="Metz", country="FR"),
    }
    jurors = {}
    for name, city in (("Ada Achterberg", "Trier"), ("Bruno Béranger", "Metz")):
        member = JuryMemberFactory(
            edition=edition,
            city=cities[city],
            user__name=name,
            user__email=f"{name.split()[0].lower()}-{year}@example.org",
        )
        jurors[name.split()[0]] = member.user
    people = [
        ("Léa Müller", "Klangwerk Müller", "fr"),
        ("Jonas Weber", "=cmd|' /C calc'!A0", "de"),
        ("Chloé Dubois", "Ondes Martenot Trio", "en"),
    ]
    applications = []
    for number, (name, artist, language) in enumerate(people, start=1):
        applicant = UserFactory(
            name=name, email=f"applicant{number}-{year}@example.org", language=language
        )
        application = ApplicationFactory(
            edition=edition,
            applicant=applicant,
            status=ApplicationStatus.SHORTLISTED,
            reference=f"QP-{year}-{number:04d}",
            artist_name=artist,
            contact_email=f"contact{number}@example.org",
            submitted_at=SUBMITTED_AT,
        )
        EligibilityBasisFactory(
            application=application,
            place_name="Konz",
            nearest_city=cities["Trier"],
            distance_km=8.4,
        )
        WorkFactory(application=application, position=1, title=f"Étude {number}")
        applications.append(application)
    scene = Scene(edition, round_, criteria, cities, jurors, applications)
    scores = {
        ("Ada", 0): (Decimal("9"), Decimal("8")),
        ("Ada", 1): (Decimal("6"), Decimal("7")),
        ("Bruno", 0): (Decimal("8"), Decimal("8")),
        ("Bruno", 1): (Decimal("5"), Decimal("4")),
    }
    for (juror, index), values in scores.items():
        assignment = AssignmentFactory(
            round=round_,
            juror=jurors[juror],
            application=applications[index],
            status=AssignmentStatus.FINAL,
        )
        for criterion, value in zip(criteria, values, strict=True):
            ScoreFactory(assignment=assignment, criterion=criterion, value=value)
        scene.assignments[juror, index] = assignment
    scene.assignments["Ada", 2] = AssignmentFactory(
        round=round_,
        juror=jurors["Ada"],
        application=applications[2],
        status=AssignmentStatus.DRAFT,
    )
    ScoreFactory(assignment=scene.assignments["Ada", 2], criterion=criteria[0], value=Decimal("3"))
    scene.assignments["Bruno", 2] = AssignmentFactory(
        round=round_, juror=jurors["Bruno"], application=applications[2]
    )
    db.session.add(
        Conflict(
            edition_id=edition.id,
            juror_id=jurors["Bruno"].id,
            application_id=applications[2].id,
            type=ConflictType.TEACHER,
            source=ConflictSource.JUROR,
        )
    )
    recording = media_file(applications[0].works[0], duration_seconds=100.0)
    db.session.add(
        Listening(
            assignment_id=scene.assignments["Ada", 0].id,
            media_file_id=recording.id,
            heard_seconds=50.0,
        )
    )
    db.session.commit()
    scene.snapshot = snapshot(scene)
    return scene


def snapshot(scene: Scene, *, computed_at=None, normalized=(8.9, 5.1), digest="a" * 64):
    """A snapshot as the tally stores one, written directly (the tally is tested elsewhere)."""
    ada, bruno = scene.jurors["Ada"].id, scene.jurors["Bruno"].id
    first, second, third = (a.id for a in scene.applications)
    rows = [
        {
            "application_id": first,
            "reviews": 2,
            "conflicts": 0,
            "raw_mean": 8.5,
            "raw_median": 8.5,
            "normalized": normalized[0],
            "city_balanced": 8.5,
            "spread": 0.5,
            "ranks": {"raw_mean": 1, "raw_median": 1, "normalized": 1, "city_balanced": 1},
            "rank": 1,
            "tie": False,
            "outliers": [],
            "review_totals": [[ada, 8.666666666666666, 8.75], [bruno, 8.0, 9.05]],
        },
        {
            "application_id": second,
            "reviews": 2,
            "conflicts": 0,
            "raw_mean": 5.5,
            "raw_median": 5.5,
            "normalized": normalized[1],
            "city_balanced": 5.5,
            "spread": 1.0,
            "ranks": {"raw_mean": 2, "raw_median": 2, "normalized": 2, "city_balanced": 2},
            "rank": 2,
            "tie": True,
            "outliers": [],
            "review_totals": [[ada, 6.333333333333333, 5.5], [bruno, 4.666666666666667, 4.7]],
        },
        {
            "application_id": third,
            "reviews": 0,
            "conflicts": 1,
            "raw_mean": None,
            "raw_median": None,
            "normalized": None,
            "city_balanced": None,
            "spread": None,
            "ranks": {},
            "rank": 3,
            "tie": False,
            "outliers": [],
            "review_totals": [],
        },
    ]
    row = ResultSnapshot(
        round_id=scene.round.id,
        input_digest=digest,
        parameters={
            "tie_break": ["normalized", "city_balanced", "raw_median"],
            "outlier_k": None,
            "min_reviews": 3,
            "conflicts": [[bruno, third]],
            "abstentions": [[ada, third, "draft"]],
        },
        inputs={},
        rows=rows,
        jurors=[
            {"juror_id": ada, "reviews": 2, "flags": ["too_few_reviews"]},
            {"juror_id": bruno, "reviews": 2, "flags": ["too_few_reviews"]},
        ],
        computed_at=computed_at or utcnow(),
    )
    db.session.add(row)
    db.session.commit()
    return row


def final_ballot(scene: Scene, *, closed=True):
    """The first two applications are finalists; both jurors rank the first above the second."""
    first, second = scene.applications[0], scene.applications[1]
    first.status = ApplicationStatus.WINNER
    second.status = ApplicationStatus.FINALIST
    round_ = RoundFactory(
        edition=scene.edition,
        kind=RoundKind.FINAL,
        status=RoundStatus.CLOSED if closed else RoundStatus.OPEN,
    )
    ballots = []
    for juror in scene.jurors.values():
        ballots.append({"juror_id": juror.id, "ranking": [[first.id], [second.id]]})
        db.session.add(
            Ballot(
                round_id=round_.id,
                juror_id=juror.id,
                ranking=[[first.id], [second.id]],
                submitted_at=utcnow(),
            )
        )
    db.session.commit()
    if closed:
        db.session.add(
            ResultSnapshot(
                round_id=round_.id,
                input_digest="b" * 64,
                parameters={"method": "schulze", "unranked": "last"},
                inputs={"candidates": sorted([first.id, second.id]), "ballots": ballots},
                rows=[{"place": 1, "application_ids": [first.id]}],
                jurors=[b["juror_id"] for b in ballots],
            )
        )
    AwardFactory(
        edition=scene.edition,
        application=first,
        kind=AwardKind.PRIZE,
        statement_en="A bold, luminous piece.",
        statement_fr="Une pièce audacieuse et lumineuse.",
    )
    db.session.commit()
    return round_


def admin_user(**fields):
    fields.setdefault("email", "office@example.org")
    fields.setdefault("name", "Olga Office")
    fields.setdefault("language", "en")
    return UserFactory(role=Role.ADMIN, **fields)
