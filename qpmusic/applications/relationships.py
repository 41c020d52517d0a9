"""The optional step where applicants name relationships with the edition's published jurors.

A named relationship is a Conflict row with source "applicant": it waits for the office and
counts once confirmed (qpmusic.jury.conflicts). Callers own the transaction.
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from qpmusic.accounts.models import User
from qpmusic.applications.models import Application
from qpmusic.applications.services import ApplicationError, ensure_editable
from qpmusic.audit.services import record_event
from qpmusic.enums import ConflictSource, ConflictStatus, Role
from qpmusic.extensions import db
from qpmusic.jury.conflicts import ConflictError, name_relationship
from qpmusic.jury.models import Conflict, JuryMember

STEP = "relationships"
STEP_LABEL = _l("Relationships with the jury")
# The applicant's view of the office's decision (the office's own words are for the office).
STATUS_LABELS = {
    ConflictStatus.DECLARED: _l("waiting for the office"),
    ConflictStatus.CONFIRMED: _l("confirmed by the office"),
    ConflictStatus.DISMISSED: _l("not considered a conflict by the office"),
}


def with_step(step_labels: dict) -> dict:
    """The application's steps with this optional one after the biography."""
    steps = {}
    for name, label in step_labels.items():
        steps[name] = label
        if name == "biography":
            steps[STEP] = STEP_LABEL
    return steps


def published_jurors(edition_id: int) -> list[JuryMember]:
    """The edition's jurors (not coordinators) with their names and cities, by name."""
    return list(
        db.session.scalars(
            select(JuryMember)
            .join(User, User.id == JuryMember.user_id)
            .where(
                JuryMember.edition_id == edition_id,
                JuryMember.role == Role.JUROR,
                User.active.is_(True),
            )
            .options(contains_eager(JuryMember.user), joinedload(JuryMember.city))
            .order_by(User.name, JuryMember.id)
        )
    )


def juror_label(member: JuryMember, language: str) -> str:
    """ "Claire Fontaine (Metz)": how a juror is offered in the form."""
    city = member.city.name(language) if member.city else ""
    return f"{member.user.name} ({city})" if city else member.user.name


def has_published_jurors(edition_id: int) -> bool:
    return bool(
        db.session.scalar(
            select(JuryMember.id)
            .join(User, User.id == JuryMember.user_id)
            .where(
                JuryMember.edition_id == edition_id,
                JuryMember.role == Role.JUROR,
                User.active.is_(True),
            )
            .limit(1)
        )
    )


def named_relationships(application: Application) -> list[Conflict]:
    """What the applicant has named; jurors' own declarations are theirs and stay out of sight."""
    return list(
        db.session.scalars(
            select(Conflict)
            .where(
                Conflict.application_id == application.id,
                Conflict.source == ConflictSource.APPLICANT,
            )
            .options(joinedload(Conflict.juror))
            .order_by(Conflict.declared_at, Conflict.id)
        )
    )


def add_relationship(*, application: Application, now, juror_id: int, type, note: str) -> Conflict:
    """Name a relationship with one of the edition's jurors; the office confirms it or not.

    Returns the pair's conflict row: when the juror had already declared the same conflict,
    that row is left as it is (and is not the applicant's to show or remove).
    """
    ensure_editable(application, now)
    member = db.session.scalar(
        select(JuryMember)
        .where(
            JuryMember.edition_id == application.edition_id,
            JuryMember.user_id == juror_id,
            JuryMember.role == Role.JUROR,
        )
        .options(joinedload(JuryMember.user))
    )
    if member is None:
        raise ApplicationError(_("This person is not on the jury of this edition."))
    try:
        return name_relationship(application=application, juror=member.user, type=type, note=note)
    except ConflictError as error:
        raise ApplicationError(str(error)) from error


def remove_relationship(*, application: Application, now, conflict_id: int) -> None:
    """Take back a named relationship, unless the office has already confirmed it."""
    ensure_editable(application, now)
    conflict = db.session.scalar(
        select(Conflict)
        .where(
            Conflict.id == conflict_id,
            Conflict.application_id == application.id,
            Conflict.source == ConflictSource.APPLICANT,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if conflict is None:
        raise ApplicationError(_("This relationship is not part of your application."))
    if conflict.status == ConflictStatus.CONFIRMED:
        raise ApplicationError(
            _("The office has already confirmed this relationship; please contact the office.")
        )
    record_event(
        actor=application.applicant,
        action="conflict.removed_by_applicant",
        target=conflict,
        before={
            "juror_id": conflict.juror_id,
            "application_id": conflict.application_id,
            "type": conflict.type.value,
            "note": conflict.note,
            "source": conflict.source.value,
            "status": conflict.status.value,
        },
    )
    db.session.delete(conflict)
    db.session.flush()
