"""The prize and the optional special prize, with the jury's statements; callers commit.

The prize goes to a finalist; the ballot's Schulze winner is proposed, and any other choice
(or any choice when the ballot gave no single winner) needs a reason, which is audited.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from qpmusic.applications.models import Application
from qpmusic.audit.services import record_event
from qpmusic.editions.models import Edition
from qpmusic.enums import ApplicationStatus, AwardKind, EditionPhase, RoundStatus
from qpmusic.extensions import db
from qpmusic.results.ballot_result import proposed_winner
from qpmusic.results.ballot_roll import (
    AWARDED_EVENT,
    final_round,
    finalist_ids,
    status_before_award,
)
from qpmusic.results.models import Award

LANGUAGES = ("de", "fr", "en")
STATEMENT_MAX_LENGTH = 5000
STATUS_OF = {
    AwardKind.PRIZE: ApplicationStatus.WINNER,
    AwardKind.SPECIAL: ApplicationStatus.SPECIAL_PRIZE,
}
# Besides the finalists, a special prize may honour any application on the shortlist.
SPECIAL_ALSO = (
    ApplicationStatus.SHORTLISTED,
    ApplicationStatus.NOT_FINALIST,
    ApplicationStatus.SPECIAL_PRIZE,
)


class AwardError(Exception):
    """An award the rules do not allow; ``field`` names the form field at fault, if one."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


@dataclass
class AwardChoice:
    """What the office records for one kind of award."""

    application_id: int | None
    statements: dict[str, str]


def awards_of(edition_id: int) -> dict[AwardKind, Award]:
    rows = db.session.scalars(
        select(Award).where(Award.edition_id == edition_id).order_by(Award.id)
    )
    return {award.kind: award for award in rows}


def special_candidates(edition_id: int) -> list[Application]:
    """Applications that may receive the special prize: finalists and the rest of the shortlist."""
    finalists = finalist_ids(edition_id)
    return list(
        db.session.scalars(
            select(Application)
            .where(
                Application.edition_id == edition_id,
                Application.id.in_(finalists) | Application.status.in_(SPECIAL_ALSO),
            )
            .order_by(func.lower(Application.artist_name), Application.id)
        )
    )


def recording_problem(edition: Edition):
    """Why awards cannot be recorded now (a translated message), or None."""
    if edition.phase != EditionPhase.FINAL:
        if edition.phase in (EditionPhase.PUBLISHED, EditionPhase.ARCHIVED):
            return _l(
                "The results are published. To change an award, move the edition back to the "
                "final phase (with a reason) first."
            )
        return _l("Awards are recorded in the final phase of the edition.")
    round_ = final_round(edition.id)
    if round_ is not None and round_.status == RoundStatus.OPEN:
        return _l("The final ballot is still open; close it first.")
    return None


def _clean(statements: dict[str, str]) -> dict[str, str]:
    cleaned = {lang: (statements.get(lang) or "").strip() for lang in LANGUAGES}
    if any(len(text) > STATEMENT_MAX_LENGTH for text in cleaned.values()):
        raise AwardError(
            _l("Please keep each statement under %(n)d characters.", n=STATEMENT_MAX_LENGTH)
        )
    return cleaned


def _check(edition: Edition, prize: AwardChoice, special: AwardChoice, reason: str) -> int | None:
    problem = recording_problem(edition)
    if problem is not None:
        raise AwardError(problem)
    if prize.application_id not in finalist_ids(edition.id):
        raise AwardError(_l("The prize goes to one of the finalists."), "prize")
    if special.application_id is not None:
        if special.application_id == prize.application_id:
            raise AwardError(
                _l("The special prize goes to someone other than the winner."), "special"
            )
        if special.application_id not in {a.id for a in special_candidates(edition.id)}:
            raise AwardError(
                _l("The special prize goes to a finalist or a shortlisted application."), "special"
            )
    proposal = proposed_winner(edition.id)
    if prize.application_id != proposal and not reason:
        if proposal is None:
            raise AwardError(
                _l(
                    "The ballot gives no single winner: please give the reason for the "
                    "jury's choice."
                ),
                "reason",
            )
        raise AwardError(
            _l("The prize goes to someone other than the ballot's winner: please give a reason."),
            "reason",
        )
    return proposal


def _give_back(application: Application, *, actor) -> None:
    """The award moves away from ``application``: it gets back its status from before."""
    before = application.status
    application.status = status_before_award(application.id) or ApplicationStatus.FINALIST
    record_event(
        actor=actor,
        action="application.award_withdrawn",
        target=application,
        before={"status": before.value},
        after={"status": application.status.value},
    )


def _give(application: Application, kind: AwardKind, *, actor) -> None:
    before = application.status
    application.status = STATUS_OF[kind]
    record_event(
        actor=actor,
        action=AWARDED_EVENT,
        target=application,
        before={"status": before.value},
        after={"status": application.status.value},
    )


def _state(award: Award | None) -> dict | None:
    if award is None:
        return None
    return {
        "application_id": award.application_id,
        **{f"statement_{lang}": getattr(award, f"statement_{lang}") for lang in LANGUAGES},
    }


def record_awards(
    *, edition: Edition, actor, prize: AwardChoice, special: AwardChoice, reason: str = ""
) -> dict[AwardKind, Award]:
    """Record (or change) the prize and the optional special prize with their statements."""
    db.session.execute(
        select(Edition)
        .where(Edition.id == edition.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    reason = (reason or "").strip()
    choices = {AwardKind.PRIZE: prize, AwardKind.SPECIAL: special}
    statements = {kind: _clean(choice.statements) for kind, choice in choices.items()}
    proposal = _check(edition, prize, special, reason)
    existing = awards_of(edition.id)
    before = {kind: _state(existing.get(kind)) for kind in AwardKind}
    # Take every moved award away first, so a swap (prize ↔ special) restores, then gives.
    for kind, award in existing.items():
        if award.application_id != choices[kind].application_id:
            _give_back(db.session.get(Application, award.application_id), actor=actor)
    for kind, award in existing.items():
        if choices[kind].application_id is None:
            db.session.delete(award)
    db.session.flush()
    result = {}
    for kind, choice in choices.items():
        if choice.application_id is None:
            continue
        award = existing.get(kind) or Award(edition_id=edition.id, kind=kind)
        if award.application_id != choice.application_id:
            award.application_id = choice.application_id
            _give(db.session.get(Application, choice.application_id), kind, actor=actor)
        for lang, text in statements[kind].items():
            setattr(award, f"statement_{lang}", text)
        db.session.add(award)
        result[kind] = award
    db.session.flush()
    after = {kind: _state(result.get(kind)) for kind in AwardKind}
    if after != before:
        record_event(
            actor=actor,
            action="awards.recorded",
            target=edition,
            before={kind.value: state for kind, state in before.items()},
            after={
                **{kind.value: state for kind, state in after.items()},
                "proposed": proposal,
                "reason": reason,
            },
        )
    return result


def missing_statements(edition_id: int) -> list[AwardKind]:
    """Awards whose jury statement is missing in at least one language."""
    return [
        kind
        for kind, award in awards_of(edition_id).items()
        if not all(getattr(award, f"statement_{lang}").strip() for lang in LANGUAGES)
    ]
