"""factory_boy factories for every model the tests create."""

from datetime import timedelta

import factory
from factory.alchemy import SQLAlchemyModelFactory

from qpmusic.accounts.models import Invitation, User, UserRole
from qpmusic.accounts.passwords import check_password, hash_password
from qpmusic.editions.models import Edition
from qpmusic.enums import EditionPhase, Role
from qpmusic.extensions import db
from qpmusic.geo.models import City
from qpmusic.timestamps import utcnow
from tests.conftest import PASSWORD


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class CityFactory(Base):
    class Meta:
        model = City

    name_de = factory.Sequence(lambda n: f"Stadt {n}")
    name_fr = factory.Sequence(lambda n: f"Ville {n}")
    name_en = factory.Sequence(lambda n: f"City {n}")
    country = "DE"
    latitude = 49.7557
    longitude = 6.6394


class UserFactory(Base):
    class Meta:
        model = User
        exclude = ("role",)

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Sequence(lambda n: f"Person {n}")
    language = "de"
    password_hash = factory.LazyFunction(lambda: hash_password(PASSWORD))
    email_verified_at = factory.LazyFunction(utcnow)
    role = Role.APPLICANT
    role_rows = factory.LazyAttribute(lambda o: [UserRole(role=o.role)])


class InvitationFactory(Base):
    class Meta:
        model = Invitation

    email = factory.Sequence(lambda n: f"staff{n}@example.org")
    role = Role.COORDINATOR
    language = "fr"
    expires_at = factory.LazyFunction(lambda: utcnow() + timedelta(days=14))


class EditionFactory(Base):
    class Meta:
        model = Edition

    year = factory.Sequence(lambda n: 2030 + n)
    title_de = factory.LazyAttribute(lambda o: f"QuattroPole Musikpreis {o.year}")
    title_fr = factory.LazyAttribute(lambda o: f"Prix de musique QuattroPole {o.year}")
    title_en = factory.LazyAttribute(lambda o: f"QuattroPole Music Prize {o.year}")
    opens_at = factory.LazyFunction(lambda: utcnow() - timedelta(days=7))
    closes_at = factory.LazyFunction(lambda: utcnow() + timedelta(days=30))
    phase = EditionPhase.OPEN


def has_password(user, password) -> bool:
    """Whether ``user`` (reloaded from the database) now has ``password``."""
    db.session.refresh(user)
    return check_password(user.password_hash, password)
