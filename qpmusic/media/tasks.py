"""Processing of received media: one Celery task per file, claimed once, never stuck."""

import logging
from datetime import timedelta

from celery import shared_task
from sqlalchemy import and_, or_, select
from sqlalchemy.orm.exc import StaleDataError

from qpmusic.celery_app import bound_task, send_after_commit
from qpmusic.enums import MediaStatus
from qpmusic.extensions import db
from qpmusic.media.models import MediaFile
from qpmusic.media.processing import INTERRUPTED, process, reject
from qpmusic.media.storage import get_storage
from qpmusic.timestamps import utcnow

log = logging.getLogger(__name__)

# A run gets an exception after the soft limit (and is rejected); the hard limit kills it.
SOFT_TIME_LIMIT = 3600
HARD_TIME_LIMIT = SOFT_TIME_LIMIT + 300
# A claim older than this belongs to a run that died (worker killed, machine lost).
STALE_AFTER = timedelta(seconds=2 * HARD_TIME_LIMIT)
# A file never claimed this long after it arrived: its task did not reach the broker.
SEND_GRACE = timedelta(minutes=5)


def schedule_processing(media: MediaFile) -> None:
    """Process ``media`` once the current transaction commits."""
    send_after_commit(process_media, media.id)


def claim(media_id: int) -> bool:
    """Take the file for this run in a transaction of its own; only one run gets it.

    ``processed_at`` on a file still processing records when a run claimed it. A stale claim
    means that run died: the file gets one more run, and is rejected if that one dies too.
    """
    now = utcnow()
    media = db.session.scalar(select(MediaFile).where(MediaFile.id == media_id).with_for_update())
    claimed = media is not None and media.status == MediaStatus.PROCESSING
    if claimed and media.processed_at is not None:
        if media.processed_at > now - STALE_AFTER:
            claimed = False
        elif INTERRUPTED in (media.processing_note or "").splitlines():
            reject(media, "processing_failed", f"{INTERRUPTED}: the run died twice")
            claimed = False
        else:
            media.processing_note = INTERRUPTED
    if claimed:
        media.processed_at = now
    db.session.commit()
    return claimed


@shared_task(soft_time_limit=SOFT_TIME_LIMIT, time_limit=HARD_TIME_LIMIT)
def process_media(media_id: int) -> str:
    """Measure a received file and make its copies; a file already ready or rejected is left alone.

    Any failure marks the file rejected ("processing_failed") with the error for the office,
    so no file stays "processing" because of a bug or a broken file.
    """
    if not claim(media_id):
        return "skipped"
    storage = get_storage()
    media = db.session.get(MediaFile, media_id)
    try:
        process(media, storage)
    except Exception as exc:
        log.exception("processing media %s failed", media_id)
        db.session.rollback()
        media = db.session.get(MediaFile, media_id)
        if media is None:
            return "gone"
        reject(media, "processing_failed", f"{type(exc).__name__}: {exc}")
        db.session.commit()
        return media.status.value
    copies = [key for key in (media.blind_key, media.poster_key) if key]
    try:
        db.session.commit()
    except StaleDataError:
        # The musician removed the file while it was being processed.
        db.session.rollback()
        for key in copies:
            storage.delete(key)
        return "gone"
    return media.status.value


@shared_task
def sweep_media() -> int:
    """Send again the processing of files whose task never arrived or whose run died."""
    now = utcnow()
    waiting = db.session.scalars(
        select(MediaFile.id).where(
            MediaFile.status == MediaStatus.PROCESSING,
            or_(
                and_(MediaFile.processed_at.is_(None), MediaFile.created_at < now - SEND_GRACE),
                MediaFile.processed_at < now - STALE_AFTER,
            ),
        )
    ).all()
    for media_id in waiting:
        bound_task(process_media).delay(media_id)
    return len(waiting)
