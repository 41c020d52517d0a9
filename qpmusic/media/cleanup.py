"""Periodic cleanup of resumable uploads that were never finished."""

from celery import shared_task

from qpmusic.extensions import db
from qpmusic.media.uploads import delete_expired_uploads
from qpmusic.timestamps import utcnow


@shared_task
def expire_uploads() -> int:
    """Delete expired uploads and their bytes (beat: hourly); running it twice changes nothing."""
    count = delete_expired_uploads(now=utcnow())
    db.session.commit()
    return count
