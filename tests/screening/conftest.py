"""Fixtures for the screening tests: an edition, two cities, a logged-in coordinator."""

from datetime import timedelta

import pytest

from qpmusic.enums import EditionPhase, Role
from qpmusic.timestamps import utcnow
from tests.factories import CityFactory, EditionFactory, UserFactory


def after_the_deadline(**fields):
    """An edition whose call has closed, so screening may begin."""
    now = utcnow()
    fields.setdefault("phase", EditionPhase.PRESELECTION)
    return EditionFactory(
        opens_at=now - timedelta(days=60), closes_at=now - timedelta(days=1), **fields
    )


@pytest.fixture
def edition():
    return after_the_deadline(year=2031)


@pytest.fixture
def trier():
    return CityFactory(name_de="Trier", name_fr="Trèves", name_en="Trier")


@pytest.fixture
def metz():
    return CityFactory(name_de="Metz", name_fr="Metz", name_en="Metz", country="FR")


@pytest.fixture
def coordinator(auth):
    """A logged-in music coordinator who reads the site in English."""
    user = UserFactory(
        email="coord@example.org", name="Clara Coord", role=Role.COORDINATOR, language="en"
    )
    auth.login("coord@example.org")
    return user
