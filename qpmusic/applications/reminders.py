"""Reminding applicants whose draft is still unsubmitted, 7 days and 1 day before the deadline."""

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from qpmusic.accounts.services import absolute_url
from qpmusic.applications.models import Application
from qpmusic.editions.models import Edition
from qpmusic.enums import ApplicationStatus, EditionPhase
from qpmusic.extensions import db
from qpmusic.notifications.services import queue_email

WEEK = timedelta(days=7)
DAY = timedelta(days=1)


def send_deadline_reminders(*, now) -> int:
    """Queue the reminders that are due; each draft gets each reminder once, however often run.

    A draft started less than a week before the deadline gets the week reminder only while
    more than a day remains, so nobody receives both at once.
    """
    drafts = db.session.scalars(
        select(Application)
        .join(Application.edition)
        .where(
            Application.status == ApplicationStatus.DRAFT,
            Edition.phase == EditionPhase.OPEN,
            Edition.opens_at <= now,
            Edition.closes_at > now,
            Edition.closes_at <= now + WEEK,
        )
        .options(joinedload(Application.applicant), joinedload(Application.edition))
        .with_for_update(of=Application, skip_locked=True)
    ).all()
    sent = 0
    for application in drafts:
        left = application.edition.closes_at - now
        if left <= DAY and application.reminded_1d_at is None:
            application.reminded_1d_at = now
            application.reminded_7d_at = application.reminded_7d_at or now
            _remind(application, days=1)
            sent += 1
        elif left > DAY and application.reminded_7d_at is None:
            application.reminded_7d_at = now
            _remind(application, days=7)
            sent += 1
    return sent


def _remind(application: Application, *, days: int) -> None:
    edition = application.edition
    queue_email(
        to=application.applicant.email,
        language=application.applicant.language,
        template="application_reminder",
        context={
            "name": application.applicant.display_name,
            "days": days,
            "deadline": edition.closes_at.isoformat(),
            "edition_titles": {lang: edition.title(lang) for lang in ("de", "fr", "en")},
            "status_url": absolute_url("applications.status"),
        },
    )
