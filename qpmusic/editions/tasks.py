"""Periodic work on editions: the clock closes calls whose deadline has passed."""

from celery import shared_task

from qpmusic.editions.phases import close_ended_calls as close_calls
from qpmusic.extensions import db
from qpmusic.timestamps import utcnow


@shared_task
def close_ended_calls() -> list[int]:
    """Move open editions whose deadline has passed to ``closed``; a second run does nothing."""
    closed = close_calls(now=utcnow())
    db.session.commit()
    return [edition.id for edition in closed]
