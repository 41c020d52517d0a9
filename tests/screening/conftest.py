"""Builders for the screening tests: cities, a coordinator, submitted applications."""

import itertools
from datetime import UTC, datetime

import pytest

from qpmusic.enums import ApplicationStatus, EligibilityKind, Role
from tests.factories import (
    ApplicationFactory,
    CityFactory,
    EditionFactory,
    EligibilityBasisFactory,
    UserFactory,
    WorkFactory,
)

_numbers = itertools.count(1)


def submitted(
    edition,
    *,
    city=None,
    distance=8.0,
    kind=EligibilityKind.LIVES,
    place="Konz",
    works=1,
    status=ApplicationStatus.SUBMITTED,
    submitted_at=datetime(2031, 3, 1, 11, 30, tzinfo=UTC),
    **fields,
):
    """A submitted application with one basis near ``city`` and ``works`` works."""
    application = ApplicationFactory(
        edition=edition,
        status=status,
        reference=f"QP-{edition.year}-{next(_numbers):04d}",
        submitted_at=submitted_at,
        **fields,
    )
    EligibilityBasisFactory(
        application=application,
        kind=kind,
        place_name=place,
        nearest_city=city,
        distance_km=distance,
    )
    for _ in range(works):
        WorkFactory(application=application)
    return application


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
