"""What the admin's edition page shows: counts, the possible phase steps and the history."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from qpmusic.audit.models import AuditEvent
from qpmusic.editions.criteria import criteria_locked
from qpmusic.editions.models import Edition
from qpmusic.editions.phases import back_problem, next_phase, phase_problem, previous_phase
from qpmusic.editions.services import application_counts
from qpmusic.enums import ApplicationStatus, EditionPhase
from qpmusic.extensions import db

HISTORY_LENGTH = 50


@dataclass
class PhaseStep:
    to: EditionPhase
    # Why the step is refused right now (shown beside a disabled button), or None.
    problem: object = None


@dataclass
class EditionOverview:
    edition: Edition
    counts: dict[ApplicationStatus, int]
    forward: PhaseStep | None
    back: PhaseStep | None
    criteria_locked: bool
    history: list[AuditEvent]


def edition_overview(*, edition: Edition, now: datetime) -> EditionOverview:
    """Everything the edition's admin page needs, without changing anything."""
    forward = next_phase(edition.phase)
    back = previous_phase(edition.phase)
    history = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.target_type == Edition.__tablename__, AuditEvent.target_id == edition.id)
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(HISTORY_LENGTH)
    ).all()
    return EditionOverview(
        edition=edition,
        counts=application_counts([edition.id]).get(edition.id, {}),
        forward=PhaseStep(forward, phase_problem(edition=edition, to=forward, now=now))
        if forward
        else None,
        back=PhaseStep(back, back_problem(edition=edition, to=back, now=now)) if back else None,
        criteria_locked=criteria_locked(edition),
        history=list(history),
    )
