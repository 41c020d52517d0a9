"""Who reviews what in a round: the pure plan made into Assignment rows, and the admin's changes.

Callers own the transaction: nothing here commits.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from sqlalchemy import delete, exists, func, select

from qpmusic.accounts.models import User
from qpmusic.applications.models import Application
from qpmusic.audit.models import AuditEvent
from qpmusic.audit.services import record_event
from qpmusic.enums import (
    ApplicationStatus,
    AssignmentMode,
    AssignmentStatus,
    Role,
    RoundKind,
    RoundStatus,
)
from qpmusic.extensions import db
from qpmusic.jury.assignment_plan import Juror, Plan, assign_all, assign_automatic
from qpmusic.jury.conflicts import effective_conflicts
from qpmusic.jury.models import Assignment, JuryMember, Round, Score

# Coordinators pre-select among the eligible; jurors score the shortlist. An application
# shortlisted during pre-selection is still under the coordinators' review.
REVIEWER_ROLE = {RoundKind.PRESELECTION: Role.COORDINATOR, RoundKind.JURY: Role.JUROR}
CANDIDATE_STATUSES = {
    RoundKind.PRESELECTION: (ApplicationStatus.ELIGIBLE, ApplicationStatus.SHORTLISTED),
    RoundKind.JURY: (ApplicationStatus.SHORTLISTED,),
}
BUILT = "round.assignments_built"


class AssignmentError(Exception):
    """An assignment change the rules do not allow; the message is shown to the admin."""


def lock_round(round_: Round) -> None:
    """Re-read the round under a row lock: two clicks at once must not both build or change it."""
    db.session.execute(
        select(Round)
        .where(Round.id == round_.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def share_round(round_id: int) -> Round:
    """Re-read the round under a share lock: saves and votes go on side by side, while closing,
    reopening or rebuilding (``lock_round``, for update) waits for them and they for it."""
    return db.session.execute(
        select(Round)
        .where(Round.id == round_id)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    ).scalar_one()


def reviewers(round_: Round) -> list[Juror]:
    """The round's reviewers (active members with the round's role), ordered by id."""
    rows = db.session.execute(
        select(JuryMember.user_id, JuryMember.city_id)
        .join(User, User.id == JuryMember.user_id)
        .where(
            JuryMember.edition_id == round_.edition_id,
            JuryMember.role == REVIEWER_ROLE[round_.kind],
            User.active.is_(True),
        )
        .order_by(JuryMember.user_id)
    ).all()
    return [Juror(id=user_id, city_id=city_id) for user_id, city_id in rows]


def candidate_ids(round_: Round) -> list[int]:
    return list(
        db.session.scalars(
            select(Application.id)
            .where(
                Application.edition_id == round_.edition_id,
                Application.status.in_(CANDIDATE_STATUSES[round_.kind]),
            )
            .order_by(Application.id)
        )
    )


def plan_for(round_: Round, *, keep: frozenset = frozenset()) -> Plan:
    """What the assignment rule gives for the round now; ``keep`` pairs stay in it."""
    jurors = reviewers(round_)
    application_ids = candidate_ids(round_)
    conflicts = effective_conflicts(round_.edition_id)
    if round_.kind == RoundKind.JURY and round_.assignment_mode == AssignmentMode.AUTOMATIC:
        # The planner itself drops kept pairs that are conflicted or no longer valid.
        return assign_automatic(
            jurors,
            application_ids,
            conflicts,
            reviews_per_application=round_.reviews_per_application,
            min_cities=round_.min_cities,
            keep=keep,
        )
    return assign_all(jurors, application_ids, conflicts)


def has_work():
    """SQL: the reviewer has started (draft or final) or saved a score on the row."""
    scored = exists().where(Score.assignment_id == Assignment.id)
    return (Assignment.status != AssignmentStatus.TODO) | scored


@dataclass(frozen=True)
class Build:
    total: int
    created: int
    removed: int
    kept: int
    plan: Plan


def build_assignments(*, round_: Round, actor) -> Build:
    """Make the round's rows match the rule, keeping every row a reviewer or the admin made.

    Kept: rows with a draft, a final review or a score (a reviewer's work is never deleted),
    rows added by hand, and rows of a conflicted pair (the reviewer's list shows the conflict).
    The caller holds the round's lock (saves wait for it); the rows are locked too, and a row
    is deleted only if it is still untouched when the delete runs.
    """
    rows = db.session.execute(
        select(Assignment.id, Assignment.juror_id, Assignment.application_id, Assignment.manual)
        .add_columns(has_work().label("worked"))
        .where(Assignment.round_id == round_.id)
        .with_for_update(of=Assignment)
    ).all()
    conflicts = effective_conflicts(round_.edition_id)
    existing = {(r.juror_id, r.application_id): r for r in rows}
    kept = {pair for pair, r in existing.items() if r.manual or r.worked or pair in conflicts}
    plan = plan_for(round_, keep=frozenset(kept))
    wanted = set(plan.pairs) | kept
    doomed = [r.id for pair, r in existing.items() if pair not in wanted]
    removed = 0
    if doomed:
        removed = db.session.execute(
            delete(Assignment)
            .where(Assignment.id.in_(doomed), ~has_work())
            .execution_options(synchronize_session="fetch")
        ).rowcount
    new = sorted(wanted - existing.keys())
    db.session.add_all(
        Assignment(round_id=round_.id, juror_id=juror_id, application_id=application_id)
        for juror_id, application_id in new
    )
    db.session.flush()
    total = len(wanted) + len(doomed) - removed
    record_event(
        actor=actor,
        action=BUILT,
        target=round_,
        before={"assignments": len(existing)},
        after={
            "assignments": total,
            "created": len(new),
            "removed": removed,
            "kept": len(kept & existing.keys()),
            "problems": problem_rows(plan.problems),
        },
    )
    return Build(total=total, created=len(new), removed=removed, kept=len(kept), plan=plan)


def problem_rows(problems) -> list[dict]:
    """The plan's problems as the audit log's JSON keeps them."""
    return [
        {"code": p.code, "application_id": p.application_id, "needed": p.needed, "got": p.got}
        for p in problems
    ]


def last_build_problems(round_: Round) -> list[dict] | None:
    """The problems the last build reported, or None if the round was never built."""
    after = db.session.scalar(
        select(AuditEvent.after)
        .where(
            AuditEvent.action == BUILT,
            AuditEvent.target_type == Round.__tablename__,
            AuditEvent.target_id == round_.id,
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    return None if after is None else after.get("problems", [])


def problem_message(problem: dict, references: dict[int, str]):
    """One plan problem in the admin's words."""
    code, needed, got = problem["code"], problem["needed"], problem["got"]
    application_id = problem.get("application_id")
    reference = references.get(application_id) or f"#{application_id}"
    if code == "too_few_reviewers":
        return _l(
            "%(reference)s has %(got)s of %(needed)s reviews: not enough jurors without a "
            "conflict.",
            reference=reference,
            got=got,
            needed=needed,
        )
    if code == "too_few_cities":
        return _ln(
            "%(reference)s has reviews from %(num)d city, %(needed)s required.",
            "%(reference)s has reviews from %(num)d cities, %(needed)s required.",
            got,
            reference=reference,
            needed=needed,
        )
    if code == "load_unbalanced":
        return _l("The jurors' loads differ by more than one.")
    return _l("The assignment reports a problem: %(code)s.", code=code)


def _refuse_closed(round_: Round) -> None:
    if round_.status == RoundStatus.CLOSED:
        raise AssignmentError(_l("The round is closed; reopen it to change its assignments."))


def add_assignment(*, round_: Round, juror_id: int, application_id: int, actor) -> Assignment:
    """Add one reviewer to one application by hand; conflicted pairs are refused."""
    lock_round(round_)
    _refuse_closed(round_)
    if juror_id not in {j.id for j in reviewers(round_)}:
        if round_.kind == RoundKind.PRESELECTION:
            raise AssignmentError(_l("Only a coordinator of this edition can pre-select."))
        raise AssignmentError(_l("Only a juror of this edition can review in the jury round."))
    if application_id not in candidate_ids(round_):
        if round_.kind == RoundKind.PRESELECTION:
            raise AssignmentError(_l("Only eligible applications are pre-selected."))
        raise AssignmentError(_l("Only shortlisted applications are reviewed by the jury."))
    if (juror_id, application_id) in effective_conflicts(round_.edition_id):
        raise AssignmentError(_l("This reviewer has a conflict of interest with the application."))
    taken = db.session.scalar(
        select(func.count())
        .select_from(Assignment)
        .where(
            Assignment.round_id == round_.id,
            Assignment.juror_id == juror_id,
            Assignment.application_id == application_id,
        )
    )
    if taken:
        raise AssignmentError(_l("This reviewer already has this application."))
    assignment = Assignment(
        round_id=round_.id,
        juror_id=juror_id,
        application_id=application_id,
        status=AssignmentStatus.TODO,
        manual=True,
    )
    db.session.add(assignment)
    db.session.flush()
    record_event(
        actor=actor, action="assignment.added", target=assignment, after=_state(assignment)
    )
    return assignment


def remove_assignment(*, assignment: Assignment, actor) -> None:
    """Take one reviewer off one application by hand, unless they have started on it."""
    lock_round(assignment.round)
    _refuse_closed(assignment.round)
    # Locked too: a score the reviewer saves right now must be seen here, not deleted with the row.
    db.session.execute(
        select(Assignment)
        .where(Assignment.id == assignment.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    if assignment.status == AssignmentStatus.FINAL:
        raise AssignmentError(_l("This review is final; it cannot be removed."))
    scored = db.session.scalar(select(exists().where(Score.assignment_id == assignment.id)))
    if assignment.status == AssignmentStatus.DRAFT or scored:
        raise AssignmentError(_l("The reviewer has started this review; it cannot be removed."))
    record_event(
        actor=actor, action="assignment.removed", target=assignment, before=_state(assignment)
    )
    db.session.delete(assignment)
    db.session.flush()


def _state(assignment: Assignment) -> dict:
    return {
        "round_id": assignment.round_id,
        "juror_id": assignment.juror_id,
        "application_id": assignment.application_id,
        "manual": assignment.manual,
        "status": assignment.status.value,
    }
