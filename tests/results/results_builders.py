"""Builders for results tests: a jury round with jurors by city, criteria, applications, reviews."""

import itertools
from dataclasses import dataclass, field
from decimal import Decimal

from qpmusic.enums import (
    ApplicationStatus,
    AssignmentStatus,
    ConflictSource,
    ConflictType,
    EditionPhase,
    RoundStatus,
)
from qpmusic.extensions import db
from qpmusic.jury.models import Assignment, Conflict, Score
from qpmusic.timestamps import utcnow
from tests.factories import (
    ApplicationFactory,
    CityFactory,
    CriterionFactory,
    EditionFactory,
    EligibilityBasisFactory,
    JuryMemberFactory,
    RoundFactory,
)

_years = itertools.count(2040)


@dataclass
class Jury:
    round: object
    criteria: list
    cities: dict = field(default_factory=dict)  # name -> City
    jurors: dict = field(default_factory=dict)  # name -> User
    applications: list = field(default_factory=list)

    def application(self, index: int):
        return self.applications[index]


def build_jury(
    *,
    jurors=(("Anne", "Metz"), ("Bruno", "Metz"), ("Carla", "Trier"), ("Dora", "Trier")),
    applications=3,
    weights=(2, 1),
    status=RoundStatus.CLOSED,
    home_cities=(),
) -> Jury:
    """A jury round of a new edition; ``home_cities[i]`` names application i's nearest city."""
    year = next(_years)
    edition = EditionFactory(year=year, phase=EditionPhase.JURY)
    round_ = RoundFactory(
        edition=edition, status=status, closed_at=utcnow() if status == RoundStatus.CLOSED else None
    )
    criteria = [
        CriterionFactory(
            edition=edition, position=i + 1, weight=Decimal(str(w)), label_en=f"Criterion {i + 1}"
        )
        for i, w in enumerate(weights)
    ]
    jury = Jury(round=round_, criteria=criteria)
    for name, city_name in jurors:
        if city_name not in jury.cities:
            jury.cities[city_name] = CityFactory(
                name_de=city_name, name_fr=city_name, name_en=city_name
            )
        member = JuryMemberFactory(
            edition=edition,
            city=jury.cities[city_name],
            user__name=name,
            user__email=f"{name.lower()}-{year}@example.org",
            user__language="en",
        )
        jury.jurors[name] = member.user
    for i in range(applications):
        jury.applications.append(
            ApplicationFactory(
                edition=edition,
                status=ApplicationStatus.SHORTLISTED,
                reference=f"QP-{year}-{i + 1:04d}",
                artist_name=f"Artist {chr(65 + i)}",
            )
        )
    for application, city_name in zip(jury.applications, home_cities, strict=False):
        if city_name:
            EligibilityBasisFactory(application=application, nearest_city=jury.cities[city_name])
    return jury


def review(jury: Jury, juror: str, index: int, values, status=AssignmentStatus.FINAL) -> Assignment:
    """``juror`` reviews application ``index`` with one value per criterion (None: not chosen)."""
    assignment = Assignment(
        round_id=jury.round.id,
        juror_id=jury.jurors[juror].id,
        application_id=jury.applications[index].id,
        status=status,
        finalized_at=utcnow() if status == AssignmentStatus.FINAL else None,
    )
    db.session.add(assignment)
    db.session.flush()
    for criterion, value in zip(jury.criteria, values or (), strict=values is not None):
        db.session.add(
            Score(
                assignment_id=assignment.id,
                criterion_id=criterion.id,
                value=None if value is None else Decimal(str(value)),
            )
        )
    db.session.commit()
    return assignment


def score_all(jury: Jury, table: dict) -> None:
    """``table``: juror name -> list of per-application values (None: not assigned)."""
    for juror, rows in table.items():
        for index, values in enumerate(rows):
            if values is not None:
                review(jury, juror, index, values)


def conflict(jury: Jury, juror: str, index: int, **fields) -> Conflict:
    fields.setdefault("source", ConflictSource.JUROR)
    row = Conflict(
        edition_id=jury.round.edition_id,
        juror_id=jury.jurors[juror].id,
        application_id=jury.applications[index].id,
        type=ConflictType.FAMILY,
        **fields,
    )
    db.session.add(row)
    db.session.commit()
    return row
