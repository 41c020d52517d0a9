"""A whole edition at any size, inserted in bulk: what the main pages show, for budgets and bench.

``build_world(applications)`` makes one edition in its jury phase: four cities, eight jurors (two
per city), a coordinator and an admin, five criteria, ``applications`` shortlisted applications
with a place, two works and a recording each, and a closed jury round where every juror has every
application (the default "all" mode): mostly final reviews with their five scores, some drafts,
some not begun, a few conflicts and some listening, plus the tally of it. Rows go in with one
INSERT per table (not one per object), so 1,000 applications take seconds. Used by
tests/test_page_budgets.py and bench/pages.py; needs an app context and an empty database.
"""

import itertools
import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import insert, select

from qpmusic.accounts.models import User, UserRole
from qpmusic.accounts.passwords import hash_password
from qpmusic.applications.models import Application, EligibilityBasis, Work
from qpmusic.editions.models import Criterion, Edition
from qpmusic.enums import (
    ApplicationStatus,
    AssignmentStatus,
    ConflictSource,
    ConflictType,
    EditionPhase,
    EligibilityKind,
    MediaKind,
    MediaStatus,
    Role,
    RoundKind,
    RoundStatus,
)
from qpmusic.extensions import db
from qpmusic.geo.models import City
from qpmusic.jury.models import Assignment, Conflict, JuryMember, Listening, Round, Score
from qpmusic.media.models import MediaFile
from qpmusic.results.snapshots import compute_snapshot
from qpmusic.timestamps import utcnow

PASSWORD = "Klangfarbe-2026!"
CITIES = (
    ("Trier", "Trèves", "Trier", "DE", 49.7557, 6.6394),
    ("Luxemburg", "Luxembourg", "Luxembourg", "LU", 49.6116, 6.1319),
    ("Metz", "Metz", "Metz", "FR", 49.1193, 6.1757),
    ("Saarbrücken", "Sarrebruck", "Saarbrücken", "DE", 49.2402, 6.9969),
)
JURORS_PER_CITY = 2
WEIGHTS = (2, 1, 1, 1, 1)
_years = itertools.count(2060)


@dataclass
class World:
    edition_id: int
    round_id: int
    admin: str  # e-mail addresses, to log in with PASSWORD
    coordinator: str
    juror: str
    applicant: str
    assignment_id: int  # the juror's assignment of the applicant's application
    applications: int


def _ids(model, rows: list[dict]) -> list[int]:
    return list(db.session.scalars(insert(model).returning(model.id), rows))


def _people(year: int, prefix: str, count: int, role: Role, password_hash: str, **extra) -> list:
    ids = _ids(
        User,
        [
            {
                "email": f"{prefix}{n}-{year}@example.org",
                "name": f"{prefix.title()} {n}",
                "language": "en",
                "password_hash": password_hash,
                "email_verified_at": utcnow(),
                "auth_token": secrets.token_hex(32),
                **extra,
            }
            for n in range(count)
        ],
    )
    db.session.execute(insert(UserRole), [{"user_id": i, "role": role} for i in ids])
    return ids


def build_world(applications: int) -> World:
    year = next(_years)
    now = utcnow()
    password_hash = hash_password(PASSWORD)
    city_ids = _ids(
        City,
        [
            {
                "name_de": de,
                "name_fr": fr,
                "name_en": en,
                "country": c,
                "latitude": la,
                "longitude": lo,
            }
            for de, fr, en, c, la, lo in CITIES
        ],
    )
    edition_id = _ids(
        Edition,
        [
            {
                "year": year,
                "title_de": f"QuattroPole Musikpreis {year}",
                "title_fr": f"Prix de musique QuattroPole {year}",
                "title_en": f"QuattroPole Music Prize {year}",
                "opens_at": now - timedelta(days=90),
                "closes_at": now - timedelta(days=30),
                "phase": EditionPhase.JURY,
                "reference_counter": applications,
            }
        ],
    )[0]
    criterion_ids = _ids(
        Criterion,
        [
            {
                "edition_id": edition_id,
                "position": n + 1,
                "label_de": f"Kriterium {n + 1}",
                "label_fr": f"Critère {n + 1}",
                "label_en": f"Criterion {n + 1}",
                "weight": Decimal(w),
            }
            for n, w in enumerate(WEIGHTS)
        ],
    )
    (admin,) = _people(year, "admin", 1, Role.ADMIN, password_hash)
    (coordinator,) = _people(year, "coordinator", 1, Role.COORDINATOR, password_hash)
    jurors = []
    for city_id in city_ids:
        jurors += _people(year, f"juror{city_id}-", JURORS_PER_CITY, Role.JUROR, password_hash)
    members = [{"user_id": coordinator, "role": Role.COORDINATOR, "city_id": None}] + [
        {"user_id": j, "role": Role.JUROR, "city_id": city_ids[n // JURORS_PER_CITY]}
        for n, j in enumerate(jurors)
    ]
    db.session.execute(insert(JuryMember), [{"edition_id": edition_id, **m} for m in members])
    applicants = _people(year, "applicant", applications, Role.APPLICANT, password_hash)
    application_ids = _ids(
        Application,
        [
            {
                "edition_id": edition_id,
                "applicant_id": applicant,
                "status": ApplicationStatus.SHORTLISTED,
                "reference": f"QP-{year}-{n + 1:04d}",
                "artist_name": f"Ensemble {n + 1}",
                "contact_email": f"applicant{n}-{year}@example.org",
                "biography": "Composes for live electronics and field recordings.",
                "submitted_at": now - timedelta(days=31, minutes=n),
                "consent_rules_at": now - timedelta(days=31),
                "consent_privacy_at": now - timedelta(days=31),
            }
            for n, applicant in enumerate(applicants)
        ],
    )
    db.session.execute(
        insert(EligibilityBasis),
        [
            {
                "application_id": a,
                "kind": EligibilityKind.LIVES,
                "place_id": 2885672,
                "place_name": "Konz",
                "country": "DE",
                "latitude": 49.70045,
                "longitude": 6.57652,
                "nearest_city_id": city_ids[n % len(city_ids)],
                "distance_km": 8.0,
            }
            for n, a in enumerate(application_ids)
        ],
    )
    work_ids = _ids(
        Work,
        [
            {
                "application_id": a,
                "position": p,
                "title": f"Study No. {p}",
                "year_composed": now.year - 1,
                "duration_seconds": 300,
            }
            for a in application_ids
            for p in (1, 2)
        ],
    )
    media_ids = _ids(
        MediaFile,
        [
            {
                "public_id": secrets.token_hex(16),
                "work_id": w,
                "kind": MediaKind.AUDIO,
                "original_name": "take.flac",
                "storage_key": secrets.token_hex(16),
                "size": 1_000_000,
                "duration_seconds": 300.0,
                "status": MediaStatus.READY,
            }
            for w in work_ids
        ],
    )
    round_id = _ids(
        Round,
        [
            {
                "edition_id": edition_id,
                "kind": RoundKind.JURY,
                "status": RoundStatus.CLOSED,
                "opened_at": now - timedelta(days=20),
                "closes_at": now - timedelta(days=1),
                "closed_at": now - timedelta(days=1),
            }
        ],
    )[0]
    # Every juror on every application: about 85% final, 10% draft, 5% not begun.
    states = [AssignmentStatus.FINAL] * 17 + [AssignmentStatus.DRAFT] * 2 + [AssignmentStatus.TODO]
    pairs = [(j, a) for a in application_ids for j in jurors]
    status = {pair: states[(n * 7) % len(states)] for n, pair in enumerate(pairs)}
    status[(jurors[0], application_ids[0])] = AssignmentStatus.FINAL
    assignment_ids = _ids(
        Assignment,
        [
            {
                "round_id": round_id,
                "juror_id": j,
                "application_id": a,
                "status": status[(j, a)],
                "saved_at": now if status[(j, a)] != AssignmentStatus.TODO else None,
                "finalized_at": now if status[(j, a)] == AssignmentStatus.FINAL else None,
                "comment": "Clear form, a little long in the middle.",
            }
            for j, a in pairs
        ],
    )
    db.session.execute(
        insert(Score),
        [
            {
                "assignment_id": assignment_id,
                "criterion_id": c,
                "value": Decimal((3 * n + 5 * k + pair[0]) % 11),
            }
            for n, (assignment_id, pair) in enumerate(zip(assignment_ids, pairs, strict=True))
            if status[pair] != AssignmentStatus.TODO
            for k, c in enumerate(criterion_ids)
        ],
    )
    # One conflict in fifty applications, declared by a juror, and some listening.
    db.session.execute(
        insert(Conflict),
        [
            {
                "edition_id": edition_id,
                "juror_id": jurors[1 + n % (len(jurors) - 1)],
                "application_id": a,
                "type": ConflictType.TEACHER,
                "source": ConflictSource.JUROR,
            }
            for n, a in enumerate(application_ids[1::50])
        ],
    )
    media_of = {a: media_ids[2 * n] for n, a in enumerate(application_ids)}
    db.session.execute(
        insert(Listening),
        [
            {
                "assignment_id": assignment_id,
                "media_file_id": media_of[a],
                "ranges": [[0, 120]],
                "heard_seconds": 120.0,
            }
            for assignment_id, (j, a) in zip(assignment_ids, pairs, strict=True)
            if j in jurors[:2]
        ],
    )
    db.session.commit()
    round_ = db.session.get(Round, round_id)
    compute_snapshot(round_=round_, actor=db.session.get(User, admin))
    db.session.commit()
    return World(
        edition_id=edition_id,
        round_id=round_id,
        admin=f"admin0-{year}@example.org",
        coordinator=f"coordinator0-{year}@example.org",
        juror=db.session.scalar(select(User.email).where(User.id == jurors[0])),
        applicant=f"applicant0-{year}@example.org",
        assignment_id=assignment_ids[0],
        applications=applications,
    )


def pages(world: World) -> list[tuple[str, str | None, str]]:
    """(page, who is logged in, URL) of every main page."""
    return [
        ("home", None, "/"),
        ("applicant status", world.applicant, "/apply/"),
        ("coordinator list", world.coordinator, f"/screening/?edition={world.edition_id}"),
        ("juror list", world.juror, "/jury/"),
        ("juror application", world.juror, f"/jury/assignments/{world.assignment_id}"),
        ("progress matrix", world.admin, f"/admin/rounds/{world.round_id}/progress"),
        ("results", world.admin, f"/admin/rounds/{world.round_id}/results"),
    ]
