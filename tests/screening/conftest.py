"""Fixtures for the screening tests: an edition, two cities, a logged-in coordinator."""

import pytest

from qpmusic.enums import Role
from tests.factories import CityFactory, EditionFactory, UserFactory


@pytest.fixture
def edition():
    return EditionFactory(year=2031)


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
