"""Decision letters to an edition's applicants: the groups, a preview, sending in batches, progress.

Callers own the transaction: nothing here commits. Each letter is an outbox message written
in the same transaction as its batch, so the outbox worker sends it once that commits.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from qpmusic.accounts.services import absolute_url
from qpmusic.applications.models import Application
from qpmusic.audit.services import record_event
from qpmusic.editions.models import Edition
from qpmusic.enums import ApplicationStatus, OutboxStatus
from qpmusic.extensions import db
from qpmusic.notifications.models import NotificationBatch, OutboxMessage
from qpmusic.notifications.services import queue_email
from qpmusic.notifications.templates import render_email
from qpmusic.screening.services import CLOSED_PHASES as SCREENING_CLOSED

LANGUAGES = ("de", "fr", "en")
FINALISTS = "finalist_invitation"
NOT_FINALISTS = "not_finalist"
SCREENED_OUT = "screened_out"
# The kind of a batch is the e-mail template its letters use.
KINDS = (FINALISTS, NOT_FINALISTS, SCREENED_OUT)
GROUP_STATUSES = {
    FINALISTS: (ApplicationStatus.FINALIST,),
    NOT_FINALISTS: (ApplicationStatus.NOT_FINALIST,),
    SCREENED_OUT: (ApplicationStatus.INELIGIBLE, ApplicationStatus.NOT_SHORTLISTED),
}


class LetterError(Exception):
    """A sending the rules do not allow; the message is shown to the admin."""


def group_statuses(edition: Edition, kind: str) -> tuple[ApplicationStatus, ...]:
    statuses = GROUP_STATUSES[kind]
    # Nothing moves an eligible application that missed the shortlist on: once the jury has
    # the shortlist, it is as screened out as one marked "not shortlisted" and must hear so.
    if kind == SCREENED_OUT and edition.phase in SCREENING_CLOSED:
        statuses = (*statuses, ApplicationStatus.ELIGIBLE)
    return statuses


def recipients(edition: Edition, kind: str) -> list[Application]:
    return db.session.scalars(
        select(Application)
        .where(
            Application.edition_id == edition.id,
            Application.status.in_(group_statuses(edition, kind)),
        )
        .options(joinedload(Application.applicant))
        .order_by(Application.reference, Application.id)
    ).all()


def _written_to(edition: Edition, kind: str) -> set[int]:
    """Applications that already have a letter of ``kind`` in one of the edition's batches."""
    application_id = OutboxMessage.context["application_id"].as_integer()
    return set(
        db.session.scalars(
            select(application_id)
            .join(NotificationBatch, NotificationBatch.id == OutboxMessage.batch_id)
            .where(NotificationBatch.edition_id == edition.id, NotificationBatch.kind == kind)
        )
    )


def batches(edition: Edition) -> list[NotificationBatch]:
    return db.session.scalars(
        select(NotificationBatch)
        .where(NotificationBatch.edition_id == edition.id, NotificationBatch.kind.in_(KINDS))
        .order_by(NotificationBatch.created_at, NotificationBatch.id)
    ).all()


@dataclass(frozen=True)
class Group:
    kind: str
    count: int  # applications in the group now
    not_yet: int  # of those, without a letter of this kind so far
    batches: list[NotificationBatch]
    problem: str | None  # why the group cannot be written to now


def groups(edition: Edition) -> list[Group]:
    """Each group with its size, who has not been written to, its batches and any obstacle."""
    counts = dict(
        db.session.execute(
            select(Application.status, func.count())
            .where(Application.edition_id == edition.id)
            .group_by(Application.status)
        ).all()
    )
    sent_batches = batches(edition)
    result = []
    for kind in KINDS:
        count = sum(counts.get(s, 0) for s in group_statuses(edition, kind))
        of_kind = [b for b in sent_batches if b.kind == kind]
        not_yet = count
        if of_kind:
            ids = {a.id for a in recipients(edition, kind)}
            not_yet = len(ids - _written_to(edition, kind))
        result.append(Group(kind, count, not_yet, of_kind, sending_problem(edition, kind)))
    return result


def sending_problem(edition: Edition, kind: str) -> str | None:
    if kind == FINALISTS and (
        edition.final_concert_at is None or not edition.final_concert_place.strip()
    ):
        return _l(
            "The invitation names the final concert: set its date, time and place in the "
            "edition's settings first."
        )
    # Screening decisions can change until the jury phase (as the screening services allow):
    # a letter sent before then could tell someone "screened out" who is shortlisted after all.
    if kind == SCREENED_OUT and edition.phase not in SCREENING_CLOSED:
        return _l(
            "Screening decisions can still change until the edition reaches the jury phase: "
            "send these letters from then on."
        )
    return None


def letter_context(application: Application, kind: str) -> dict:
    """What the letter says to this applicant (JSON, as the outbox stores it)."""
    edition = application.edition
    context = {
        "application_id": application.id,
        "name": application.applicant.display_name,
        "artist_name": application.artist_name or application.applicant.display_name,
        "reference": application.reference or "",
        "edition_titles": {lang: edition.title(lang) for lang in LANGUAGES},
        "concert_at": edition.final_concert_at.isoformat() if edition.final_concert_at else None,
        "concert_place": edition.final_concert_place or "",
        "status_url": absolute_url("applications.status"),
    }
    if kind == SCREENED_OUT:
        ineligible = application.status == ApplicationStatus.INELIGIBLE
        context["outcome"] = "ineligible" if ineligible else "not_shortlisted"
        context["reason"] = application.screening_reason if ineligible else ""
    return context


def language_of(application: Application) -> str:
    language = application.applicant.language
    return language if language in LANGUAGES else LANGUAGES[0]


@dataclass(frozen=True)
class LetterPreview:
    application: Application
    language: str
    subject: str
    text: str
    html: str


def preview(*, edition: Edition, kind: str, language: str) -> LetterPreview | None:
    """The letter in ``language`` for a real recipient, one who reads that language if any."""
    group = recipients(edition, kind)
    if not group:
        return None
    application = next((a for a in group if language_of(a) == language), group[0])
    subject, text, html = render_email(
        template=kind, language=language, context=letter_context(application, kind)
    )
    return LetterPreview(application, language, subject, text, html)


def send_letters(
    *, edition: Edition, kind: str, actor, only_new: bool = False
) -> NotificationBatch:
    """Queue one letter per applicant of the group, in their language, as one batch.

    A group is written to once; ``only_new`` then writes to those who joined it since (or
    were left out), never to anyone who already has a letter of this kind.
    """
    # Two clicks at once: the second waits here and then finds the first batch.
    db.session.execute(
        select(Edition.id).where(Edition.id == edition.id).with_for_update()
    ).scalar_one()
    problem = sending_problem(edition, kind)
    if problem:
        raise LetterError(problem)
    group = recipients(edition, kind)
    already = _written_to(edition, kind)
    sent_before = db.session.scalar(
        select(NotificationBatch.id)
        .where(NotificationBatch.edition_id == edition.id, NotificationBatch.kind == kind)
        .limit(1)
    )
    if sent_before is not None and not only_new:
        raise LetterError(
            _l(
                "These letters have already been sent. To write only to those who have not had "
                "one yet, choose “Send to those not yet written to”."
            )
        )
    targets = [a for a in group if a.id not in already] if only_new else group
    if not targets:
        raise LetterError(_l("There is nobody to write to in this group."))
    batch = NotificationBatch(
        edition_id=edition.id, kind=kind, total=len(targets), created_by_id=actor.id
    )
    db.session.add(batch)
    db.session.flush()
    for application in targets:
        message = queue_email(
            to=application.applicant.email,
            language=language_of(application),
            template=kind,
            context=letter_context(application, kind),
        )
        message.batch_id = batch.id
    db.session.flush()
    record_event(
        actor=actor,
        action="edition.letters_sent",
        target=edition,
        after={"kind": kind, "batch_id": batch.id, "total": len(targets), "only_new": only_new},
    )
    return batch


@dataclass(frozen=True)
class Progress:
    counts: dict[OutboxStatus, int]
    failed: list[tuple[str, str, int]]  # recipient, last error, attempts

    @property
    def busy(self) -> bool:
        return bool(self.counts[OutboxStatus.PENDING] or self.counts[OutboxStatus.SENDING])


def batch_progress(batch: NotificationBatch) -> Progress:
    """How far the batch's letters are, from one grouped count, and who could not be reached."""
    counts = dict.fromkeys(OutboxStatus, 0)
    counts.update(
        db.session.execute(
            select(OutboxMessage.status, func.count())
            .where(OutboxMessage.batch_id == batch.id)
            .group_by(OutboxMessage.status)
        ).all()
    )
    failed = db.session.execute(
        select(OutboxMessage.recipient, OutboxMessage.last_error, OutboxMessage.attempts)
        .where(OutboxMessage.batch_id == batch.id, OutboxMessage.status == OutboxStatus.FAILED)
        .order_by(OutboxMessage.recipient)
    ).all()
    return Progress(counts, [(r, e or "", n) for r, e, n in failed])
