"""The applications a coordinator screens, filtered and loaded in a fixed number of queries."""

from dataclasses import dataclass

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import joinedload

from qpmusic.accounts.models import User
from qpmusic.applications.models import Application, EligibilityBasis, Work
from qpmusic.editions.models import Edition
from qpmusic.enums import (
    ApplicationStatus,
    AssignmentStatus,
    EligibilityKind,
    Recommendation,
    RoundKind,
)
from qpmusic.extensions import db
from qpmusic.geo.models import City
from qpmusic.jury.models import Assignment, Round
from qpmusic.screening.votes import under_conflict

# Drafts are the applicant's private business; withdrawn ones only on request.
HIDDEN_BY_DEFAULT = (ApplicationStatus.DRAFT, ApplicationStatus.WITHDRAWN)
LISTED_STATUSES = [s for s in ApplicationStatus if s != ApplicationStatus.DRAFT]
SORTS = ("reference", "newest", "artist", "distance", "votes")


@dataclass(frozen=True)
class ScreeningFilter:
    search: str = ""
    city_id: int | None = None
    kind: EligibilityKind | None = None
    flagged: bool = False
    status: ApplicationStatus | None = None
    sort: str = "reference"


@dataclass(frozen=True)
class ListedApplication:
    application: Application
    works_count: int

    @property
    def nearest(self) -> EligibilityBasis | None:
        return nearest_basis(self.application)


def nearest_basis(application: Application) -> EligibilityBasis | None:
    """The basis closest to one of the cities; hand-typed places without a distance never are."""
    measured = [b for b in application.bases if b.distance_km is not None]
    return min(measured, key=lambda b: (b.distance_km, b.id), default=None)


def _nearest_city_subquery():
    """Each application's nearest city, chosen the same way as ``nearest_basis``."""
    ranked = select(
        EligibilityBasis.application_id,
        EligibilityBasis.nearest_city_id,
        func.row_number()
        .over(
            partition_by=EligibilityBasis.application_id,
            order_by=(EligibilityBasis.distance_km, EligibilityBasis.id),
        )
        .label("rank"),
    ).where(EligibilityBasis.distance_km.is_not(None))
    return ranked.subquery()


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _conditions(edition: Edition, wanted: ScreeningFilter) -> list:
    conditions = [Application.edition_id == edition.id]
    if wanted.status:
        conditions.append(Application.status == wanted.status)
    else:
        conditions.append(Application.status.notin_(HIDDEN_BY_DEFAULT))
    # A draft never shows, even when asked for by its status.
    conditions.append(Application.status != ApplicationStatus.DRAFT)
    if wanted.kind:
        conditions.append(
            exists().where(
                EligibilityBasis.application_id == Application.id,
                EligibilityBasis.kind == wanted.kind,
            )
        )
    if wanted.flagged:
        conditions.append(
            exists().where(
                EligibilityBasis.application_id == Application.id,
                EligibilityBasis.manual.is_(True),
            )
        )
    if wanted.city_id:
        nearest = _nearest_city_subquery()
        conditions.append(
            exists().where(
                and_(
                    nearest.c.application_id == Application.id,
                    nearest.c.rank == 1,
                    nearest.c.nearest_city_id == wanted.city_id,
                )
            )
        )
    search = wanted.search.strip()
    if search:
        pattern = _like(search)
        applicant_matches = exists().where(
            User.id == Application.applicant_id,
            or_(User.name.ilike(pattern, escape="\\"), User.email.ilike(pattern, escape="\\")),
        )
        conditions.append(
            or_(
                Application.reference.ilike(pattern, escape="\\"),
                Application.artist_name.ilike(pattern, escape="\\"),
                Application.contact_email.ilike(pattern, escape="\\"),
                applicant_matches,
            )
        )
    return conditions


def _votes(recommendation: Recommendation):
    """How many counted pre-selection votes of one kind the application has (for sorting).

    Counted as the tally shown beside it counts: votes under a conflict are left out.
    """
    return (
        select(func.count(Assignment.id))
        .join(Round, Round.id == Assignment.round_id)
        .where(
            Assignment.application_id == Application.id,
            Round.kind == RoundKind.PRESELECTION,
            Assignment.status == AssignmentStatus.FINAL,
            Assignment.recommendation == recommendation,
            ~under_conflict(),
        )
        .scalar_subquery()
    )


def _order(sort: str) -> list:
    if sort == "votes":
        # Most yes first; among equals, more maybe, then fewer no.
        return [
            _votes(Recommendation.YES).desc(),
            _votes(Recommendation.MAYBE).desc(),
            _votes(Recommendation.NO).asc(),
            Application.reference.asc().nulls_last(),
            Application.id,
        ]
    if sort == "newest":
        return [Application.submitted_at.desc().nulls_last(), Application.id.desc()]
    if sort == "artist":
        return [func.lower(Application.artist_name), Application.id]
    if sort == "distance":
        closest = (
            select(func.min(EligibilityBasis.distance_km))
            .where(EligibilityBasis.application_id == Application.id)
            .scalar_subquery()
        )
        return [closest.asc().nulls_last(), Application.id]
    return [Application.reference.asc().nulls_last(), Application.id]


def screening_list(edition: Edition, wanted: ScreeningFilter) -> list[ListedApplication]:
    """The applications of ``edition`` that match ``wanted``, with everything the list shows."""
    works_count = (
        select(func.count(Work.id)).where(Work.application_id == Application.id).scalar_subquery()
    )
    query = (
        select(Application, works_count)
        .where(*_conditions(edition, wanted))
        .options(
            # Joined, not "selectin": a selectin load asks again for every 500 applications, so
            # the list's queries would grow with the edition. The applicant's roles are not shown.
            joinedload(Application.applicant).lazyload(User.role_rows),
            joinedload(Application.bases).joinedload(EligibilityBasis.nearest_city),
        )
        .order_by(*_order(wanted.sort))
    )
    return [
        ListedApplication(application, count or 0)
        for application, count in db.session.execute(query).unique()
    ]


def screening_total(edition: Edition, *, with_withdrawn: bool = False) -> int:
    """How many applications the unfiltered list shows (counting withdrawn ones if asked)."""
    statuses = [s for s in LISTED_STATUSES if with_withdrawn or s not in HIDDEN_BY_DEFAULT]
    return db.session.scalar(
        select(func.count(Application.id)).where(
            Application.edition_id == edition.id, Application.status.in_(statuses)
        )
    )


def screening_editions() -> list[Edition]:
    """Every edition, newest first, for the list's edition switch."""
    return list(db.session.scalars(select(Edition).order_by(Edition.year.desc())))


def filter_cities() -> list[City]:
    """The cities the list can be filtered by, in a stable order."""
    return list(db.session.scalars(select(City).order_by(City.name_en)))
