"""Submitting, re-submitting and withdrawing; the confirmation e-mail goes through the outbox."""

from enum import StrEnum

from flask_babel import gettext as _
from sqlalchemy import select, update

from qpmusic.accounts.services import absolute_url
from qpmusic.applications.completeness import gaps
from qpmusic.applications.models import Application
from qpmusic.applications.services import ApplicationError, deadline_passed_message
from qpmusic.audit.models import AuditEvent
from qpmusic.audit.services import record_event
from qpmusic.editions.models import Edition
from qpmusic.enums import ApplicationStatus
from qpmusic.extensions import db
from qpmusic.notifications.services import queue_email

WITHDRAWABLE = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.ELIGIBLE,
    ApplicationStatus.INELIGIBLE,
    ApplicationStatus.SHORTLISTED,
    ApplicationStatus.NOT_SHORTLISTED,
)


class Outcome(StrEnum):
    SUBMITTED = "submitted"
    RESUBMITTED = "resubmitted"
    UNCHANGED = "unchanged"


def next_reference(edition: Edition) -> str:
    """QP-<year>-<nnnn>; one UPDATE … RETURNING, so two submissions never share a number."""
    number = db.session.execute(
        update(Edition)
        .where(Edition.id == edition.id)
        .values(reference_counter=Edition.reference_counter + 1)
        .returning(Edition.reference_counter)
    ).scalar_one()
    return f"QP-{edition.year}-{number:04d}"


def snapshot(application: Application) -> dict:
    """What the applicant submitted, as plain values for the audit log."""
    return {
        "artist_name": application.artist_name,
        "contact_email": application.contact_email,
        "phone": application.phone,
        "website": application.website,
        "links": application.links,
        "biography": application.biography,
        "bases": [
            {"kind": b.kind.value, "place": b.place_name, "km": b.distance_km, "manual": b.manual}
            for b in application.bases
        ],
        "works": [
            {
                "title": w.title,
                "year": w.year_composed,
                "in_progress": w.in_progress,
                "seconds": w.duration_seconds,
                "description": w.description,
                "techniques": w.techniques,
                "links": w.links,
            }
            for w in application.works
        ],
    }


def _last_snapshot(application: Application) -> dict | None:
    return db.session.scalar(
        select(AuditEvent.after)
        .where(
            AuditEvent.target_type == Application.__tablename__,
            AuditEvent.target_id == application.id,
            AuditEvent.action.in_(["application.submitted", "application.resubmitted"]),
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )


def submit_application(*, application_id: int, applicant, now) -> Outcome:
    """Submit or re-submit; a repeated click with nothing changed is recognised and ignored.

    The row is locked first, so two simultaneous clicks are serialised: the second sees the
    first one's submission and changes nothing (one reference, one e-mail).
    """
    application = db.session.execute(
        select(Application)
        .where(Application.id == application_id, Application.applicant_id == applicant.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    if application.status not in (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED):
        raise ApplicationError(_("This application can no longer be submitted."))
    if not application.edition.is_open(now):
        raise ApplicationError(deadline_passed_message(application.edition))
    if application.status == ApplicationStatus.SUBMITTED and not (
        application.changed_since_submission
    ):
        return Outcome.UNCHANGED
    if gaps(application, application.edition):
        raise ApplicationError(_("Your application is not complete yet; see what is missing."))
    first = application.status == ApplicationStatus.DRAFT
    if first:
        application.reference = next_reference(application.edition)
    application.status = ApplicationStatus.SUBMITTED
    application.submitted_at = now
    application.changed_since_submission = False
    record_event(
        actor=applicant,
        action="application.submitted" if first else "application.resubmitted",
        target=application,
        before=None if first else _last_snapshot(application),
        after=snapshot(application),
    )
    _send_confirmation(application, resubmitted=not first)
    return Outcome.SUBMITTED if first else Outcome.RESUBMITTED


def confirmation_context(application: Application) -> dict:
    edition = application.edition
    return {
        "name": application.applicant.display_name,
        "reference": application.reference,
        "artist_name": application.artist_name,
        "edition_titles": {lang: edition.title(lang) for lang in ("de", "fr", "en")},
        "deadline": edition.closes_at.isoformat(),
        "works": [
            {"title": w.title, "year": w.year_composed, "in_progress": w.in_progress}
            for w in application.works
        ],
        "bases": [
            {
                "kind": b.kind.value,
                "place": b.place_name,
                "city": {lang: b.nearest_city.name(lang) for lang in ("de", "fr", "en")}
                if b.nearest_city
                else None,
                "km": round(b.distance_km) if b.distance_km is not None else None,
                "manual": b.manual,
            }
            for b in application.bases
        ],
        "status_url": absolute_url("applications.status"),
    }


def _send_confirmation(application: Application, *, resubmitted: bool) -> None:
    queue_email(
        to=application.applicant.email,
        language=application.applicant.language,
        template="application_resubmitted" if resubmitted else "application_submitted",
        context=confirmation_context(application),
    )


def withdraw_application(*, application: Application, applicant, now) -> None:
    """The applicant takes the application back; it leaves screening and the jury for good."""
    # Locked, so a coordinator's decision in flight cannot overwrite the withdrawal.
    db.session.refresh(application, with_for_update=True)
    if application.status not in WITHDRAWABLE:
        raise ApplicationError(_("This application cannot be withdrawn."))
    before = application.status.value
    application.status = ApplicationStatus.WITHDRAWN
    application.withdrawn_at = now
    record_event(
        actor=applicant,
        action="application.withdrawn",
        target=application,
        before={"status": before},
        after={"status": application.status.value},
    )
