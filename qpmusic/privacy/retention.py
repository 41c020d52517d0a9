"""Media retention: files of applications that were not finalists go some months after publication.

Finalists and award holders keep their files (the prize's archive of its final). Applications
stay, with their scores: only the files go, rows and stored bytes. Callers commit.
"""

import calendar
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from qpmusic.applications.models import Application, Work
from qpmusic.audit.services import record_event
from qpmusic.editions.models import Edition
from qpmusic.enums import OutboxStatus
from qpmusic.extensions import db
from qpmusic.media.models import MediaFile
from qpmusic.media.storage import delete_after_commit
from qpmusic.notifications.models import OutboxMessage
from qpmusic.privacy.anonymize import PUBLIC_STATUSES
from qpmusic.results.publication import PUBLISHED_PHASES


@dataclass
class Expired:
    edition_year: int
    reference: str | None
    media_id: int
    name: str
    size: int


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time ``months`` calendar months earlier (31 March - 1 → 28/29 February)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def retention_cutoff(now: datetime) -> datetime:
    """Editions published at or before this moment have had their files long enough."""
    return months_before(now, current_app.config["MEDIA_RETENTION_MONTHS"])


def expired_media(*, now: datetime) -> list[tuple[MediaFile, Application, Edition]]:
    return list(
        db.session.execute(
            select(MediaFile, Application, Edition)
            .join(Work, Work.id == MediaFile.work_id)
            .join(Application, Application.id == Work.application_id)
            .join(Edition, Edition.id == Application.edition_id)
            .where(
                Edition.phase.in_(PUBLISHED_PHASES),
                Edition.published_at.is_not(None),
                Edition.published_at <= retention_cutoff(now),
                Application.status.not_in(PUBLIC_STATUSES),
            )
            .order_by(Edition.year, Application.reference, Application.id, MediaFile.id)
        )
    )


def _forget_deletion_notices() -> None:
    """A deleted account's confirmation keeps its address only until it has been sent."""
    notices = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.template == "account_deleted",
            OutboxMessage.status.in_((OutboxStatus.SENT, OutboxStatus.FAILED)),
            OutboxMessage.recipient != "",
        )
    )
    for message in notices:
        message.recipient = ""
        message.context = {}


def apply_retention(*, now: datetime, dry_run: bool = False) -> list[Expired]:
    """Delete (or, with ``dry_run``, only list) the files past the retention period.

    Running it twice deletes nothing the second time: the rows are gone.
    """
    found = expired_media(now=now)
    expired = [
        Expired(edition.year, application.reference, media.id, media.original_name, media.size)
        for media, application, edition in found
    ]
    if dry_run:
        return expired
    by_edition: dict[int, list[Expired]] = {}
    for (media, _application, edition), item in zip(found, expired, strict=True):
        delete_after_commit([media.storage_key, media.blind_key, media.poster_key])
        db.session.delete(media)
        by_edition.setdefault(edition.id, []).append(item)
    for edition_id, items in by_edition.items():
        record_event(
            actor=None,
            action="media.retention_deleted",
            target=db.session.get(Edition, edition_id),
            after={
                "files": len(items),
                "bytes": sum(item.size for item in items),
                "months": current_app.config["MEDIA_RETENTION_MONTHS"],
            },
        )
    _forget_deletion_notices()
    db.session.flush()
    return expired
