"""Fixtures for the applicant's journey: the four cities, an open call, a logged-in musician."""

import pytest

from qpmusic.demo import seed_cities
from qpmusic.enums import ApplicationStatus
from qpmusic.extensions import db
from qpmusic.timestamps import utcnow
from tests.factories import ApplicationFactory, EditionFactory, UserFactory, WorkFactory


@pytest.fixture
def cities():
    found = seed_cities()
    db.session.commit()
    return found


@pytest.fixture
def edition(cities):
    return EditionFactory(year=utcnow().year)


@pytest.fixture
def musician(auth):
    user = UserFactory(email="mia@example.org", name="Mia Klang", language="en")
    auth.login(user.email)
    return user


def complete_draft(*, applicant, edition, cities, **overrides):
    """A draft with everything a submission needs: Konz (8 km from Trier), one work, consents."""
    from tests.factories import EligibilityBasisFactory

    application = ApplicationFactory(
        applicant=applicant,
        edition=edition,
        consent_rules_at=utcnow(),
        consent_privacy_at=utcnow(),
        **overrides,
    )
    EligibilityBasisFactory(application=application, nearest_city=cities["Trier"])
    WorkFactory(application=application, title="Sillons", position=1)
    db.session.refresh(application)
    return application


@pytest.fixture
def draft(musician, edition, cities):
    return complete_draft(applicant=musician, edition=edition, cities=cities)


def submitted(application):
    application.status = ApplicationStatus.SUBMITTED
    db.session.commit()
    return application
