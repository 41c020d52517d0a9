"""Look-ups behind the screening detail page: the application, its notes and its history."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from qpmusic.applications.models import Application, EligibilityBasis
from qpmusic.audit.models import AuditEvent
from qpmusic.enums import ApplicationStatus
from qpmusic.extensions import db
from qpmusic.screening.listing import nearest_basis
from qpmusic.screening.models import ScreeningNote


@dataclass(frozen=True)
class ScreeningDetail:
    application: Application
    nearest: EligibilityBasis | None
    notes: list[ScreeningNote]
    history: list[AuditEvent]


def screening_detail(application: Application) -> ScreeningDetail:
    """The application's notes and audit trail, newest first, with their authors loaded."""
    notes = db.session.scalars(
        select(ScreeningNote)
        .where(ScreeningNote.application_id == application.id)
        .options(joinedload(ScreeningNote.author))
        .order_by(ScreeningNote.created_at.desc(), ScreeningNote.id.desc())
    ).all()
    history = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.target_type == "application", AuditEvent.target_id == application.id)
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    ).all()
    return ScreeningDetail(
        application=application,
        nearest=nearest_basis(application),
        notes=list(notes),
        history=list(history),
    )


def application_to_screen(application_id: int) -> Application | None:
    """The application with what the detail page reads; drafts are the applicant's own business."""
    application = db.session.scalar(
        select(Application)
        .where(Application.id == application_id)
        .options(
            joinedload(Application.edition),
            joinedload(Application.applicant),
            joinedload(Application.screened_by),
            selectinload(Application.works),
            selectinload(Application.bases).joinedload(EligibilityBasis.nearest_city),
        )
    )
    if application is None or application.status == ApplicationStatus.DRAFT:
        return None
    return application
