"""Periodic work on jury rounds."""

from celery import shared_task

from qpmusic.extensions import db
from qpmusic.jury.reminders import send_jury_reminders as send_due_reminders
from qpmusic.timestamps import utcnow


@shared_task
def send_jury_reminders() -> int:
    """Queue the due 3-day and 1-day reminders; safe to run as often as wanted (each once)."""
    count = send_due_reminders(now=utcnow())
    db.session.commit()
    return count
