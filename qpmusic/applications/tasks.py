"""Periodic work on applications."""

from celery import shared_task

from qpmusic.applications.reminders import send_deadline_reminders
from qpmusic.extensions import db
from qpmusic.timestamps import utcnow


@shared_task
def send_reminders() -> int:
    """Queue due deadline reminders; safe to run as often as wanted (each is sent once)."""
    count = send_deadline_reminders(now=utcnow())
    db.session.commit()
    return count
