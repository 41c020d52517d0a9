"""The periodic media retention run."""

from celery import shared_task

from qpmusic.extensions import db
from qpmusic.privacy.retention import apply_retention
from qpmusic.timestamps import utcnow


@shared_task
def apply_media_retention() -> int:
    """Delete files past the retention period (beat: daily); running it twice changes nothing."""
    count = len(apply_retention(now=utcnow()))
    db.session.commit()
    return count
