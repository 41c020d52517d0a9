"""Submitted applications for screening tests, with a basis and works, in one call."""

import itertools
from datetime import UTC, datetime

from qpmusic.enums import ApplicationStatus, EligibilityKind
from tests.factories import ApplicationFactory, EligibilityBasisFactory, WorkFactory

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
