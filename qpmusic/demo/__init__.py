"""Demo data for ``make run``: the four cities, a past call, a jury at work, an open call."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from qpmusic.accounts.models import User, UserRole
from qpmusic.accounts.passwords import hash_password
from qpmusic.editions.models import Edition
from qpmusic.enums import ApplicationStatus, EditionPhase, Role
from qpmusic.extensions import db
from qpmusic.geo.models import City
from qpmusic.timestamps import utcnow

DEMO_PASSWORD = "quattropole-demo"  # noqa: S105 - printed for local demo accounts only
LUXEMBOURG = ZoneInfo("Europe/Luxembourg")

CITIES = [
    # de, fr, en, lb, country, latitude, longitude
    ("Luxemburg", "Luxembourg", "Luxembourg", "Lëtzebuerg", "LU", 49.6116, 6.1319),
    ("Metz", "Metz", "Metz", "Metz", "FR", 49.1193, 6.1757),
    ("Saarbrücken", "Sarrebruck", "Saarbrücken", "Saarbrécken", "DE", 49.2354, 6.9969),
    ("Trier", "Trèves", "Trier", "Tréier", "DE", 49.7557, 6.6394),
]

ACCOUNTS = [
    (Role.ADMIN, "admin@qpmusic.example.org", "Office Esch-sur-Alzette", "de", None),
    (Role.COORDINATOR, "coordinator@qpmusic.example.org", "Claire Coordinatrice", "fr", None),
    (Role.JUROR, "juror@qpmusic.example.org", "Jonas Juror", "de", "Trier"),
    (Role.APPLICANT, "musician@qpmusic.example.org", "Mia Musician", "en", None),
]


def seed_cities() -> dict[str, City]:
    cities = {}
    for de, fr, en, lb, country, lat, lon in CITIES:
        city = db.session.scalar(select(City).where(City.name_de == de))
        if city is None:
            city = City(
                name_de=de,
                name_fr=fr,
                name_en=en,
                name_lb=lb,
                country=country,
                latitude=lat,
                longitude=lon,
            )
            db.session.add(city)
        cities[de] = city
    db.session.flush()
    return cities


def seed_edition() -> Edition:
    """An open call that started a week ago and ends at midnight in two months."""
    today = utcnow().astimezone(LUXEMBOURG).date()
    closes = datetime.combine(today + timedelta(days=60), time(23, 59, 59), LUXEMBOURG)
    edition = db.session.scalar(select(Edition).where(Edition.year == closes.year))
    if edition is None:
        edition = Edition(
            year=closes.year,
            title_de=f"QuattroPole Musikpreis {closes.year}",
            title_fr=f"Prix de musique QuattroPole {closes.year}",
            title_en=f"QuattroPole Music Prize {closes.year}",
            rules_de="Bewerben können sich Komponistinnen, Komponisten und Musikschaffende.",
            rules_fr="Peuvent candidater les compositrices, compositeurs et musicien·nes.",
            rules_en="Composers and musicians may apply.",
            opens_at=datetime.combine(today - timedelta(days=7), time(0, 0), LUXEMBOURG),
            closes_at=closes,
            phase=EditionPhase.OPEN,
        )
        db.session.add(edition)
    return edition


def seed_demo() -> list[tuple[str, str]]:
    from qpmusic.demo.applications import seed_applications, seed_criteria, seed_past_edition
    from qpmusic.demo.jury import seed_jury_edition
    from qpmusic.demo.recordings import seed_recordings

    cities = seed_cities()
    edition = seed_edition()
    seed_criteria(edition)
    password_hash = hash_password(DEMO_PASSWORD)
    seed_past_edition(list(cities.values()), password_hash)
    seed_applications(edition, list(cities.values()), password_hash)
    accounts = seed_accounts(cities, password_hash)
    jury_edition = seed_jury_edition(
        cities, password_hash, accounts[Role.JUROR], accounts[Role.ADMIN]
    )
    db.session.flush()
    seed_recordings(edition)
    seed_recordings(jury_edition, status=ApplicationStatus.SHORTLISTED)
    return [(role.value, user.email) for role, user in accounts.items()]


def seed_accounts(cities: dict[str, City], password_hash: str) -> dict[Role, User]:
    """One account per role; the demo juror speaks for Trier."""
    accounts = {}
    for role, email, name, language, city in ACCOUNTS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(
                email=email,
                name=name,
                language=language,
                password_hash=password_hash,
                email_verified_at=utcnow(),
                city=cities.get(city),
            )
            user.role_rows.append(UserRole(role=role))
            db.session.add(user)
        accounts[role] = user
    db.session.flush()
    return accounts
