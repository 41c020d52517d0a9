"""A demo edition in its jury round: eight jurors by city, a shortlist, drafts, finals, a conflict.

Built with the same services the office and the jurors use, so ``make run`` shows what a real
round looks like halfway through: the demo juror (Trier) has applications to hear and score.
"""

import random
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select

from qpmusic.accounts.models import User, UserRole
from qpmusic.editions.models import Edition
from qpmusic.enums import (
    ApplicationStatus,
    ConflictType,
    EditionPhase,
    Role,
    RoundKind,
    RoundStatus,
)
from qpmusic.extensions import db
from qpmusic.jury.conflicts import declare_conflict
from qpmusic.jury.models import Assignment, JuryMember
from qpmusic.jury.reviews import finalize_review, is_conflicted, save_draft
from qpmusic.jury.rounds import create_round, open_round
from qpmusic.timestamps import utcnow

LUXEMBOURG = ZoneInfo("Europe/Luxembourg")
YEAR = 2026
# Two jurors per city; the demo juror account (Trier) is added to these.
JURORS = [
    ("Luxemburg", "Anne Kieffer", "de"),
    ("Luxemburg", "Marc Reuter", "fr"),
    ("Metz", "Camille Fournier", "fr"),
    ("Metz", "Hugo Marchal", "fr"),
    ("Saarbrücken", "Katrin Albers", "de"),
    ("Saarbrücken", "Stefan Lenz", "en"),
    ("Trier", "Eva Schneider", "de"),
]
SHORTLIST = 6


def _juror(city, name: str, language: str, password_hash: str) -> User:
    email = name.lower().replace(" ", ".") + "@jury.qpmusic.example.org"
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(
            email=email,
            name=name,
            language=language,
            password_hash=password_hash,
            email_verified_at=utcnow(),
            city=city,
        )
        user.role_rows.append(UserRole(role=Role.JUROR))
        db.session.add(user)
    return user


def _statuses(count: int) -> list[ApplicationStatus]:
    """Screened and pre-selected: a shortlist, the rest not shortlisted, one ineligible."""
    rest = count - SHORTLIST - 1
    return (
        [ApplicationStatus.SHORTLISTED] * SHORTLIST
        + [ApplicationStatus.INELIGIBLE]
        + [ApplicationStatus.NOT_SHORTLISTED] * rest
    )


def seed_jury_edition(cities: dict, password_hash: str, juror: User, admin: User) -> Edition:
    """The 2026 edition with its jury round open for ten more days (idempotent)."""
    from qpmusic.demo.applications import TOWNS, _application, _musician, seed_criteria

    edition = db.session.scalar(select(Edition).where(Edition.year == YEAR))
    if edition is not None:
        return edition
    edition = Edition(
        year=YEAR,
        title_de=f"QuattroPole Musikpreis {YEAR}",
        title_fr=f"Prix de musique QuattroPole {YEAR}",
        title_en=f"QuattroPole Music Prize {YEAR}",
        opens_at=datetime(YEAR, 5, 1, tzinfo=LUXEMBOURG),
        closes_at=datetime.combine(datetime(YEAR, 9, 30).date(), time(23, 59, 59), LUXEMBOURG),
        phase=EditionPhase.JURY,
    )
    seed_criteria(edition)
    db.session.add(edition)
    rng = random.Random(YEAR)  # noqa: S311 - demo data, reproducible on purpose
    towns = TOWNS[1::3]
    applications = []
    for number, (town, status) in enumerate(
        zip(towns, _statuses(len(towns)), strict=True), start=700
    ):
        user = _musician(rng, number, password_hash)
        submitted = datetime(YEAR, 9, 28, 20, rng.randint(0, 59), tzinfo=LUXEMBOURG)
        applications.append(
            _application(rng, edition, user, town, status, list(cities.values()), submitted)
        )
    members = [(juror, juror.city)] + [
        (_juror(cities[city], name, language, password_hash), cities[city])
        for city, name, language in JURORS
    ]
    db.session.flush()
    for user, city in members:
        db.session.add(JuryMember(edition=edition, user=user, role=Role.JUROR, city=city))
    db.session.flush()
    _run_jury_round(edition, members, applications[:SHORTLIST], admin)
    return edition


def _run_jury_round(edition: Edition, members, shortlist, admin: User) -> None:
    """Open the round, then let the other jurors get partway: finals, drafts, one conflict."""
    now = utcnow()
    round_ = create_round(
        edition=edition,
        kind=RoundKind.JURY,
        actor=admin,
        now=now,
        closes_at=now + timedelta(days=10),
    )
    open_round(round_=round_, actor=admin, now=now)
    assert round_.status == RoundStatus.OPEN
    # Katrin Albers taught the first shortlisted musician.
    albers = members[5][0]
    declare_conflict(
        juror=albers,
        application=shortlist[0],
        edition=edition,
        type=ConflictType.TEACHER,
        note="Taught the applicant composition at the HfM Saar until 2024.",
    )
    rng = random.Random(YEAR + 1)  # noqa: S311 - demo data, reproducible on purpose
    others = {user.id for user, _ in members[1:]}
    assignments = db.session.scalars(
        select(Assignment).where(Assignment.round_id == round_.id).order_by(Assignment.id)
    ).all()
    for number, assignment in enumerate(assignments):
        if assignment.juror_id not in others or number % 3 == 2 or is_conflicted(assignment):
            continue
        values = {criterion.id: Decimal(rng.randint(4, 9)) for criterion in edition.criteria}
        save_draft(
            assignment=assignment,
            version=assignment.version,
            values=values,
            comment="Strong sense of form; the second work is the most convincing.",
        )
        if number % 3 == 0:
            finalize_review(assignment=assignment, version=assignment.version)
