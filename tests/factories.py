"""factory_boy factories for every model the tests create."""

from datetime import timedelta
from decimal import Decimal

import factory
from factory.alchemy import SQLAlchemyModelFactory

from qpmusic.accounts.models import Invitation, User, UserRole
from qpmusic.accounts.passwords import check_password, hash_password
from qpmusic.applications.models import Application, EligibilityBasis, Work
from qpmusic.editions.models import Criterion, Edition
from qpmusic.enums import (
    ApplicationStatus,
    AwardKind,
    ConflictSource,
    ConflictType,
    EditionPhase,
    EligibilityKind,
    Role,
    RoundKind,
    RoundStatus,
)
from qpmusic.extensions import db
from qpmusic.geo.models import City
from qpmusic.jury.models import Assignment, Conflict, JuryMember, Round, Score
from qpmusic.results.models import Award
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


class CriterionFactory(Base):
    class Meta:
        model = Criterion

    edition = factory.SubFactory(EditionFactory)
    position = factory.Sequence(lambda n: n + 1)
    label_de = factory.Sequence(lambda n: f"Kriterium {n}")
    label_fr = factory.Sequence(lambda n: f"Critère {n}")
    label_en = factory.Sequence(lambda n: f"Criterion {n}")
    weight = Decimal("1")


class ApplicationFactory(Base):
    """A draft by default; pass ``status`` and ``reference`` for a submitted one."""

    class Meta:
        model = Application

    edition = factory.SubFactory(EditionFactory)
    applicant = factory.SubFactory(UserFactory)
    status = ApplicationStatus.DRAFT
    artist_name = factory.Sequence(lambda n: f"Ensemble {n}")
    contact_email = factory.LazyAttribute(lambda o: o.applicant.email)
    biography = "Composes for live electronics and field recordings."


class WorkFactory(Base):
    class Meta:
        model = Work

    application = factory.SubFactory(ApplicationFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Study No. {n}")
    year_composed = factory.LazyFunction(lambda: utcnow().year - 1)
    duration_seconds = 420
    links = "https://video.example.org/study"


class EligibilityBasisFactory(Base):
    """Lives in Konz by default, 8 km from Trier; pass ``nearest_city`` to set the city."""

    class Meta:
        model = EligibilityBasis

    application = factory.SubFactory(ApplicationFactory)
    kind = EligibilityKind.LIVES
    place_id = 2885672
    place_name = "Konz"
    country = "DE"
    latitude = 49.70045
    longitude = 6.57652
    distance_km = 8.0


class AwardFactory(Base):
    class Meta:
        model = Award

    edition = factory.SubFactory(EditionFactory)
    application = factory.SubFactory(ApplicationFactory)
    kind = AwardKind.PRIZE


class JuryMemberFactory(Base):
    """A juror of the edition for the given city; pass ``role=Role.COORDINATOR`` for one."""

    class Meta:
        model = JuryMember

    edition = factory.SubFactory(EditionFactory)
    role = Role.JUROR
    city = factory.SubFactory(CityFactory)
    user = factory.SubFactory(
        UserFactory, role=factory.SelfAttribute("..role"), city=factory.SelfAttribute("..city")
    )


class RoundFactory(Base):
    """An open jury round closing in ten days."""

    class Meta:
        model = Round

    edition = factory.SubFactory(EditionFactory, phase=EditionPhase.JURY)
    kind = RoundKind.JURY
    status = RoundStatus.OPEN
    opened_at = factory.LazyFunction(utcnow)
    closes_at = factory.LazyFunction(lambda: utcnow() + timedelta(days=10))


class AssignmentFactory(Base):
    class Meta:
        model = Assignment

    round = factory.SubFactory(RoundFactory)
    juror = factory.SubFactory(UserFactory, role=Role.JUROR)
    application = factory.SubFactory(
        ApplicationFactory,
        edition=factory.SelfAttribute("..round.edition"),
        status=ApplicationStatus.SHORTLISTED,
    )


class ScoreFactory(Base):
    class Meta:
        model = Score

    assignment = factory.SubFactory(AssignmentFactory)
    criterion = factory.SubFactory(
        CriterionFactory, edition=factory.SelfAttribute("..assignment.round.edition")
    )
    value = Decimal("7")


class ConflictFactory(Base):
    """Declared by the juror (so in force at once) unless ``source`` says otherwise."""

    class Meta:
        model = Conflict

    application = factory.SubFactory(ApplicationFactory)
    edition_id = factory.SelfAttribute("application.edition_id")
    juror = factory.SubFactory(UserFactory, role=Role.JUROR)
    type = ConflictType.TEACHER
    note = "Taught the applicant composition until 2024."
    source = ConflictSource.JUROR


def has_password(user, password) -> bool:
    """Whether ``user`` (reloaded from the database) now has ``password``."""
    db.session.refresh(user)
    return check_password(user.password_hash, password)
