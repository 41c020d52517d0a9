"""Publishing an edition's results: the phase, the public page, the announcement to applicants.

Callers commit. The announcement goes out once per edition: publishing again (say after the
edition went back to the final phase to correct a statement) changes the page, not the mail.
"""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from qpmusic.accounts.models import User
from qpmusic.accounts.services import absolute_url
from qpmusic.applications.models import Application
from qpmusic.audit.services import record_event
from qpmusic.editions.models import Edition
from qpmusic.editions.phases import change_phase, phase_problem
from qpmusic.enums import ApplicationStatus, AwardKind, EditionPhase, Role, RoundStatus
from qpmusic.extensions import db
from qpmusic.jury.models import JuryMember
from qpmusic.notifications.models import NotificationBatch, OutboxMessage
from qpmusic.notifications.services import queue_email
from qpmusic.results.awards import LANGUAGES, awards_of, missing_statements
from qpmusic.results.ballot_roll import final_round, finalists
from qpmusic.results.models import Award

ANNOUNCEMENT = "announcement"
TEMPLATE = "results_announcement"
PUBLISHED_PHASES = (EditionPhase.PUBLISHED, EditionPhase.ARCHIVED)
# Everyone who sent an application in, except those who took it back.
NOT_ANNOUNCED = (ApplicationStatus.DRAFT, ApplicationStatus.WITHDRAWN)


class PublicationError(Exception):
    """Publishing is not possible yet; the message says why."""


@dataclass
class Publication:
    edition: Edition
    batch: NotificationBatch | None  # None: the announcement had already gone out


def is_published(edition: Edition) -> bool:
    return edition.phase in PUBLISHED_PHASES


def announcement_batch(edition_id: int) -> NotificationBatch | None:
    return db.session.scalar(
        select(NotificationBatch)
        .where(NotificationBatch.edition_id == edition_id, NotificationBatch.kind == ANNOUNCEMENT)
        .order_by(NotificationBatch.id)
        .limit(1)
    )


def publish_problems(edition: Edition, *, now: datetime) -> list:
    """Why the results cannot be published now, as translated messages; [] if they can."""
    if is_published(edition):
        return [_l("The results are already published.")]
    problems = []
    if edition.phase != EditionPhase.FINAL:
        problems.append(_l("The results are published from the final phase of the edition."))
    else:
        problem = phase_problem(edition=edition, to=EditionPhase.PUBLISHED, now=now)
        if problem is not None:
            problems.append(problem)
    round_ = final_round(edition.id)
    if round_ is not None and round_.status == RoundStatus.OPEN:
        problems.append(_l("The final ballot is still open; close it first."))
    if missing_statements(edition.id):
        problems.append(_l("Every award needs the jury's statement in German, French and English."))
    return problems


def recipients(edition_id: int) -> list[Application]:
    return list(
        db.session.scalars(
            select(Application)
            .join(User, User.id == Application.applicant_id)
            .where(
                Application.edition_id == edition_id,
                Application.status.not_in(NOT_ANNOUNCED),
                User.active.is_(True),
            )
            .options(joinedload(Application.applicant))
            .order_by(Application.id)
        )
    )


def _context(edition: Edition, application: Application, awards: dict[AwardKind, Award]) -> dict:
    prize, special = awards.get(AwardKind.PRIZE), awards.get(AwardKind.SPECIAL)
    return {
        "name": application.applicant.name or application.artist_name,
        "year": edition.year,
        "edition_titles": {lang: edition.title(lang) for lang in LANGUAGES},
        "winner": prize.application.artist_name if prize else None,
        "special": special.application.artist_name if special else None,
        "public_url": absolute_url("public_results.edition", year=edition.year),
    }


def _announce(edition: Edition, *, actor, now: datetime) -> NotificationBatch:
    batch = NotificationBatch(
        edition_id=edition.id,
        kind=ANNOUNCEMENT,
        created_at=now,
        created_by_id=getattr(actor, "id", None),
    )
    group = recipients(edition.id)
    batch.total = len(group)
    db.session.add(batch)
    db.session.flush()
    # Read once for every letter: the same awards go to everyone.
    awards = awards_of(edition.id)
    messages = [
        queue_email(
            to=application.applicant.email,
            language=application.applicant.language,
            template=TEMPLATE,
            context=_context(edition, application, awards),
        )
        for application in group
    ]
    # queue_email writes each row at once; one statement then files them all in the batch.
    if messages:
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_([m.id for m in messages]))
            .values(batch_id=batch.id)
        )
    db.session.flush()
    return batch


def publish_results(*, edition: Edition, actor, now: datetime) -> Publication:
    """Publish the edition's results and announce them to its applicants, once."""
    db.session.execute(
        select(Edition)
        .where(Edition.id == edition.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    problems = publish_problems(edition, now=now)
    if problems:
        raise PublicationError(problems[0])
    change_phase(edition=edition, to=EditionPhase.PUBLISHED, actor=actor, now=now)
    first = edition.published_at is None
    edition.published_at = edition.published_at or now
    batch = None if announcement_batch(edition.id) else _announce(edition, actor=actor, now=now)
    record_event(
        actor=actor,
        action="edition.published",
        target=edition,
        after={
            "published_at": edition.published_at.isoformat(),
            "first": first,
            "announcements": batch.total if batch else 0,
        },
    )
    return Publication(edition, batch)


@dataclass
class PublicPage:
    edition: Edition
    prize: Award | None
    special: Award | None
    finalists: list[Application]
    jury: list[JuryMember]


def public_page(year: int) -> PublicPage | None:
    """What the public sees of a published edition; None before publication."""
    edition = db.session.scalar(
        select(Edition).where(Edition.year == year, Edition.phase.in_(PUBLISHED_PHASES))
    )
    if edition is None:
        return None
    awards = awards_of(edition.id)
    jury = db.session.scalars(
        select(JuryMember)
        .join(User, User.id == JuryMember.user_id)
        .where(JuryMember.edition_id == edition.id, JuryMember.role == Role.JUROR)
        .options(joinedload(JuryMember.user), joinedload(JuryMember.city))
        .order_by(JuryMember.city_id, func.lower(User.name), User.id)
    ).all()
    return PublicPage(
        edition=edition,
        prize=awards.get(AwardKind.PRIZE),
        special=awards.get(AwardKind.SPECIAL),
        finalists=finalists(edition.id),
        jury=list(jury),
    )
