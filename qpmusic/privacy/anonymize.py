"""Clearing a person's data while keeping what the published results and the tally need.

Rows stay (reviews, scores, conflicts, snapshots and the audit log point at them); the personal
content goes. Media files go entirely, rows and stored bytes (after the commit). Callers commit.
"""

import secrets

from sqlalchemy import or_, select

from qpmusic.applications.models import Application
from qpmusic.audit.models import AuditEvent
from qpmusic.enums import ApplicationStatus, ConflictSource, OutboxStatus
from qpmusic.extensions import db
from qpmusic.jury.models import Conflict
from qpmusic.media.models import MediaFile
from qpmusic.media.services import discard_work_files
from qpmusic.notifications.models import OutboxMessage

# Stored, not translated: the row no longer belongs to anyone who reads a language.
ANONYMISED_NAME = "Anonymised applicant"
# The public results page names the finalists and award holders with their works' titles,
# years and links (qpmusic.results.publication): those stay, everything else goes.
PUBLIC_STATUSES = (
    ApplicationStatus.FINALIST,
    ApplicationStatus.WINNER,
    ApplicationStatus.SPECIAL_PRIZE,
)
# Keys of audit before/after values that hold what a person wrote or is called.
PERSONAL_KEYS = {
    "artist_name",
    "contact_email",
    "phone",
    "website",
    "links",
    "biography",
    "bases",
    "works",
    "email",
    "name",
    "note",
    "place",
    "explanation",
}


def deleted_email(user_id: int) -> str:
    """A unique address that can never receive mail (``.invalid`` is reserved)."""
    return f"deleted-{user_id}@deleted.invalid"


def discard_media(application: Application) -> int:
    """Delete every file of the application: rows now, stored bytes once the caller commits."""
    count = 0
    for work in application.works:
        count += len(work.media)
        discard_work_files(work)
        # delete-orphan: the rows go at the flush; jurors' listening records cascade with them.
        work.media.clear()
    db.session.flush()
    return count


def _scrubbed(value):
    if isinstance(value, dict):
        return {
            key: (None if key in PERSONAL_KEYS else _scrubbed(item)) for key, item in value.items()
        }
    if isinstance(value, list):
        return [_scrubbed(item) for item in value]
    return value


def scrub_audit_trail(*, targets: dict[str, list[int]]) -> int:
    """Remove personal values from the before/after of events about ``targets`` (type → ids).

    The events stay, with who did what and when, and state changes such as the status.
    """
    conditions = [
        (AuditEvent.target_type == target_type) & AuditEvent.target_id.in_(ids)
        for target_type, ids in targets.items()
        if ids
    ]
    if not conditions:
        return 0
    events = db.session.scalars(select(AuditEvent).where(or_(*conditions))).all()
    for event in events:
        # Reassigned, not changed in place: plain JSON columns do not track mutation.
        event.before = _scrubbed(event.before)
        event.after = _scrubbed(event.after)
    return len(events)


def anonymize_application(*, application: Application, now) -> None:
    """Clear the application's personal data and files; a public one keeps its name and works.

    Scores, reviews, conflicts and status stay, so the edition's tally still reproduces.
    Running it again changes nothing more.
    """
    public = application.status in PUBLIC_STATUSES
    media_ids = [media.id for work in application.works for media in work.media]
    discard_media(application)
    if not public:
        application.artist_name = ANONYMISED_NAME
    application.contact_email = ""
    application.phone = ""
    application.website = ""
    application.biography = ""
    application.links = ""
    application.bases.clear()
    for work in application.works:
        if not public:
            work.title = ""
            work.links = ""
        work.description = ""
        work.techniques = ""
    named = db.session.scalars(
        select(Conflict).where(
            Conflict.application_id == application.id,
            Conflict.source == ConflictSource.APPLICANT,
        )
    ).all()
    for conflict in named:
        conflict.note = ""
    scrub_audit_trail(
        targets={
            Application.__tablename__: [application.id],
            "work": [work.id for work in application.works],
            MediaFile.__tablename__: media_ids,
            Conflict.__tablename__: [conflict.id for conflict in named],
        }
    )
    application.anonymized_at = application.anonymized_at or now
    db.session.flush()


def anonymize_user(*, user, now, keep_message_id: int | None = None) -> None:
    """Make the account an anonymous row that cannot log in; forget its e-mails.

    Messages already sent keep only that they were sent; ones still waiting are stopped, except
    ``keep_message_id`` (the confirmation of the deletion itself).
    """
    old_email = user.email
    messages = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.recipient == old_email, OutboxMessage.id != (keep_message_id or 0)
        )
    ).all()
    for message in messages:
        if message.status in (OutboxStatus.PENDING, OutboxStatus.FAILED):
            message.status = OutboxStatus.FAILED
            message.next_attempt_at = None
            message.last_error = "account deleted"
        message.recipient = ""
        message.context = {}
    user.email = deleted_email(user.id)
    user.name = ""
    user.password_hash = None
    user.active = False
    # Ends every session and remember-me cookie of the account.
    user.auth_token = secrets.token_urlsafe(24)
    user.email_verified_at = None
    user.last_login_at = None
    user.city_id = None
    user.deleted_at = user.deleted_at or now
    scrub_audit_trail(targets={"user": [user.id]})
    db.session.flush()
