"""Demo applications: a past edition with its winners and a current call with a few dozen."""

import random
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from qpmusic.accounts.models import User, UserRole
from qpmusic.applications.models import Application, EligibilityBasis, Work
from qpmusic.applications.services import measured_basis
from qpmusic.editions.models import Criterion, Edition
from qpmusic.enums import ApplicationStatus, AwardKind, EditionPhase, EligibilityKind, Role
from qpmusic.extensions import db
from qpmusic.geo.places import search
from qpmusic.results.models import Award
from qpmusic.timestamps import utcnow

LUXEMBOURG = ZoneInfo("Europe/Luxembourg")

# Towns by the city they are near; weighted like the 2018 call (Trier sent the most).
TOWNS = (
    ["Trier", "Konz", "Bitburg", "Wittlich", "Schweich", "Hermeskeil"] * 2
    + ["Metz", "Thionville", "Pont-à-Mousson", "Hayange", "Woippy"] * 2
    + ["Luxembourg", "Esch-sur-Alzette", "Differdange", "Dudelange", "Ettelbruck", "Mersch"]
    + ["Saarbrücken", "Völklingen", "Saarlouis", "Sankt Ingbert", "Homburg"]
)
FIRST = ["Lena", "Julien", "Mara", "Tom", "Inès", "Jonas", "Sophie", "Luca", "Anouk", "Paul"]
LAST = ["Weber", "Schmit", "Muller", "Klein", "Hoffmann", "Lambert", "Thill", "Roth", "Dupont"]
PROJECTS = ["Tape Loops", "Feedback Choir", "Signal & Noise", "Raumklang", "Moselle Drones"]
TITLES = ["Sillons", "Grenzgänge", "Kontrapunkt für Modularsynth", "Field Notes", "Echo Chamber"]
TECHNIQUES = ["Max/MSP, live electronics", "modular synthesizer, field recordings", "SuperCollider"]
# The current call is still open, so nothing has been screened yet.
STATUS_MIX = [ApplicationStatus.SUBMITTED] * 10 + [
    ApplicationStatus.DRAFT,
    ApplicationStatus.DRAFT,
    ApplicationStatus.WITHDRAWN,
]

CRITERIA = [
    # de, fr, en, weight
    ("Künstlerische Qualität", "Qualité artistique", "Artistic quality", "2"),
    (
        "Innovativer Einsatz digitaler Techniken",
        "Usage innovant des techniques numériques",
        "Innovative use of digital techniques",
        "1.5",
    ),
    ("Originalität", "Originalité", "Originality", "1"),
    ("Entwicklungspotenzial", "Potentiel de développement", "Potential for development", "1"),
]


def seed_criteria(edition: Edition) -> None:
    if edition.criteria:
        return
    for position, (de, fr, en, weight) in enumerate(CRITERIA, start=1):
        edition.criteria.append(
            Criterion(
                position=position, label_de=de, label_fr=fr, label_en=en, weight=Decimal(weight)
            )
        )


def _musician(rng: random.Random, number: int, password_hash: str) -> User:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    email = f"musician{number:03d}@qpmusic.example.org"
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(
            email=email,
            name=f"{first} {last}",
            language=rng.choice(["de", "fr", "en"]),
            password_hash=password_hash,
            email_verified_at=utcnow(),
        )
        user.role_rows.append(UserRole(role=Role.APPLICANT))
        db.session.add(user)
    return user


def _basis(kind: EligibilityKind, town: str, cities) -> EligibilityBasis:
    return measured_basis(kind, search(town, 1)[0], cities)


def _application(rng, edition, user, town, status, cities, submitted_at) -> Application:
    artist = rng.choice([user.name, f"{user.name.split()[0]} & {rng.choice(PROJECTS)}"])
    application = Application(
        edition=edition,
        applicant=user,
        status=status,
        artist_name=artist,
        contact_email=user.email,
        biography=(
            f"{artist} works between composition and performance, with live electronics, "
            "field recordings and visuals. Studied in the Greater Region; concerts in "
            "Luxembourg, Metz, Saarbrücken and Trier."
        ),
        consent_rules_at=submitted_at,
        consent_privacy_at=submitted_at,
    )
    application.bases.append(_basis(rng.choice(list(EligibilityKind)), town, cities))
    for position in range(1, rng.randint(1, edition.max_works) + 1):
        application.works.append(
            Work(
                position=position,
                title=f"{rng.choice(TITLES)} {position}",
                year_composed=edition.year - rng.randint(0, edition.work_age_limit),
                duration_seconds=rng.randint(180, 1500),
                techniques=rng.choice(TECHNIQUES),
                description="For loudspeakers and one performer.",
                links=f"https://media.example.org/{user.email.split('@')[0]}/{position}",
            )
        )
    if status != ApplicationStatus.DRAFT:
        edition.reference_counter += 1
        application.reference = f"QP-{edition.year}-{edition.reference_counter:04d}"
        application.submitted_at = submitted_at
    if status == ApplicationStatus.WITHDRAWN:
        application.withdrawn_at = min(submitted_at + timedelta(days=2), utcnow())
    db.session.add(application)
    return application


def seed_applications(edition: Edition, cities: list, password_hash: str, first: int = 1) -> int:
    """About three dozen applications over the four cities, one flagged, one draft too far away."""
    if db.session.scalar(select(func.count()).where(Application.edition_id == edition.id)):
        return 0
    rng = random.Random(edition.year)  # noqa: S311 - demo data, reproducible on purpose
    count = 0
    for number, town in enumerate(TOWNS, start=first):
        user = _musician(rng, number, password_hash)
        submitted = utcnow() - timedelta(days=rng.randint(1, 6), minutes=rng.randint(0, 600))
        _application(rng, edition, user, town, rng.choice(STATUS_MIX), cities, submitted)
        count += 1
    # Someone from Bastogne (about 53 km away) started but cannot submit.
    _application(
        rng,
        edition,
        _musician(rng, first + count, password_hash),
        "Bastogne",
        ApplicationStatus.DRAFT,
        cities,
        utcnow() - timedelta(days=3),
    )
    flagged = _application(
        rng,
        edition,
        _musician(rng, first + count + 1, password_hash),
        "Perl",
        ApplicationStatus.SUBMITTED,
        cities,
        utcnow() - timedelta(days=1),
    )
    flagged.bases.append(
        EligibilityBasis(
            kind=EligibilityKind.STUDIES,
            place_name="Hof Klangwiese",
            manual=True,
            explanation="A residency farm near Perl, about 35 km from Trier.",
        )
    )
    return count + 2


def seed_past_edition(cities: list, password_hash: str) -> Edition:
    """The 2023 edition, published: a winner and a special prize with the jury's statements."""
    edition = db.session.scalar(select(Edition).where(Edition.year == 2023))
    if edition is not None:
        return edition
    edition = Edition(
        year=2023,
        title_de="QuattroPole Musikpreis 2023",
        title_fr="Prix de musique QuattroPole 2023",
        title_en="QuattroPole Music Prize 2023",
        opens_at=datetime(2023, 5, 1, tzinfo=LUXEMBOURG),
        closes_at=datetime.combine(datetime(2023, 9, 30).date(), time(23, 59, 59), LUXEMBOURG),
        phase=EditionPhase.PUBLISHED,
    )
    seed_criteria(edition)
    db.session.add(edition)
    rng = random.Random(2023)  # noqa: S311 - demo data, reproducible on purpose
    applications = []
    for number, town in enumerate(TOWNS[::3], start=500):
        user = _musician(rng, number, password_hash)
        applications.append(
            _application(
                rng,
                edition,
                user,
                town,
                ApplicationStatus.NOT_SHORTLISTED,
                cities,
                datetime(2023, 9, 20, 18, 0, tzinfo=LUXEMBOURG),
            )
        )
    for application in applications[:4]:
        application.status = ApplicationStatus.FINALIST
    winner, special = applications[0], applications[1]
    winner.status, special.status = ApplicationStatus.WINNER, ApplicationStatus.SPECIAL_PRIZE
    db.session.add_all(
        [
            Award(
                edition=edition,
                application=winner,
                kind=AwardKind.PRIZE,
                statement_de="Für eine Musik, die Grenzen hörbar macht und überschreitet.",
                statement_fr="Pour une musique qui rend les frontières audibles et les franchit.",
                statement_en="For music that makes borders audible, and crosses them.",
            ),
            Award(
                edition=edition,
                application=special,
                kind=AwardKind.SPECIAL,
                statement_de="Für den mutigsten Umgang mit Live-Elektronik.",
                statement_fr="Pour l'usage le plus audacieux de l'électronique en direct.",
                statement_en="For the boldest use of live electronics.",
            ),
        ]
    )
    return edition
