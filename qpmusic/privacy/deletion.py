"""An applicant deletes their account: what happens to each application, and doing it.

Drafts go entirely. A submitted application of an edition still running is withdrawn (the
applications' own withdraw service) and anonymised. Applications of published editions are
anonymised, keeping the artist name and works the public results page shows for finalists and
award holders. Every file goes, rows and bytes. The user row stays as an anonymous row that cannot
log in, so reviews, conflicts and the audit log keep their foreign keys. What staff wrote about
an application (screening notes, jury comments) is the jury's record and stays. Callers commit.
"""

from dataclasses import dataclass
from enum import StrEnum

from flask_babel import gettext as _
from sqlalchemy import select

from qpmusic.accounts.models import User
from qpmusic.accounts.passwords import check_password
from qpmusic.applications.models import Application
from qpmusic.applications.submission import WITHDRAWABLE, withdraw_application
from qpmusic.audit.services import record_event
from qpmusic.enums import STAFF_ROLES, ApplicationStatus
from qpmusic.extensions import db
from qpmusic.media.models import MediaFile
from qpmusic.media.services import discard_work_files
from qpmusic.notifications.services import queue_email
from qpmusic.privacy.anonymize import (
    PUBLIC_STATUSES,
    anonymize_application,
    anonymize_user,
    scrub_audit_trail,
)
from qpmusic.privacy.export import applications_of
from qpmusic.results.publication import is_published


class Step(StrEnum):
    DELETE = "delete"  # a draft: gone with its files
    WITHDRAW = "withdraw"  # running edition: withdrawn, then anonymised
    ANONYMIZE = "anonymize"  # personal data and files cleared, scores kept
    KEEP_PUBLIC = "keep_public"  # as ANONYMIZE, the published name and works kept
    BLOCKED = "blocked"  # a finalist of a running edition: the office must be asked


class DeletionError(Exception):
    """The account cannot be deleted (now); the message says why, translated."""


@dataclass
class PlannedStep:
    application: Application
    step: Step


def step_for(application: Application) -> Step:
    if application.status == ApplicationStatus.DRAFT:
        return Step.DELETE
    running = not is_published(application.edition)
    if running and application.status in WITHDRAWABLE:
        return Step.WITHDRAW
    if application.status in PUBLIC_STATUSES:
        # A finalist of a running edition is in the final ballot and about to be published.
        return Step.BLOCKED if running else Step.KEEP_PUBLIC
    return Step.ANONYMIZE


def deletion_plan(user: User) -> list[PlannedStep]:
    """What deleting the account would do to each of the user's applications."""
    return [
        PlannedStep(application, step_for(application)) for application in applications_of(user)
    ]


def deletion_problems(user: User, plan: list[PlannedStep]) -> list[str]:
    """Why the account cannot be deleted here, as translated messages; [] when it can."""
    problems = []
    if user.has_role(*STAFF_ROLES):
        # Jurors' and the office's names stand under reviews, decisions and published results.
        problems.append(
            _(
                "Accounts of jurors, music coordinators and the office cannot be deleted here: "
                "their reviews and decisions are part of the prize's record. Please write to "
                "the office, which removes staff accounts by hand."
            )
        )
    if any(planned.step == Step.BLOCKED for planned in plan):
        problems.append(
            _(
                "You are a finalist of an edition that is still running. Please write to the "
                "office before deleting your account, so the final can be organised without you."
            )
        )
    return problems


def _delete_draft(application: Application) -> None:
    media_ids = [media.id for work in application.works for media in work.media]
    for work in application.works:
        discard_work_files(work)
    scrub_audit_trail(
        targets={
            Application.__tablename__: [application.id],
            "work": [work.id for work in application.works],
            MediaFile.__tablename__: media_ids,
        }
    )
    record_event(
        actor=application.applicant,
        action="application.deleted",
        target=application,
        after={"edition": application.edition.year},
    )
    # Works, files, places and named relationships go with it (cascades).
    db.session.delete(application)


def _summary(planned: PlannedStep) -> dict:
    edition = planned.application.edition
    return {
        "titles": {lang: edition.title(lang) for lang in ("de", "fr", "en")},
        "reference": planned.application.reference,
        "step": planned.step.value,
    }


def delete_account(*, user: User, password: str, now) -> dict:
    """Delete the applicant's account after checking the password; returns what was done.

    The user row is locked first, so a second click waiting behind the first finds the account
    already deleted and changes nothing (returns ``None`` counts: {}).
    """
    db.session.refresh(user, with_for_update=True)
    if user.deleted_at is not None:
        return {}
    if not check_password(user.password_hash, password):
        raise DeletionError(_("Your current password is not correct."))
    plan = deletion_plan(user)
    problems = deletion_problems(user, plan)
    if problems:
        raise DeletionError(problems[0])
    counts = {step.value: 0 for step in Step if step != Step.BLOCKED}
    files = db.session.scalar(
        select(db.func.count(MediaFile.id))
        .join(MediaFile.work)
        .join(Application)
        .where(Application.applicant_id == user.id)
    )
    summaries = [_summary(planned) for planned in plan]
    for planned in plan:
        application = planned.application
        if planned.step == Step.DELETE:
            _delete_draft(application)
        else:
            if planned.step == Step.WITHDRAW:
                withdraw_application(application=application, applicant=user, now=now)
            anonymize_application(application=application, now=now)
            record_event(
                actor=user,
                action="application.anonymized",
                target=application,
                after={"public_name_kept": planned.step == Step.KEEP_PUBLIC},
            )
        counts[planned.step.value] += 1
    db.session.flush()
    # Written to the address before it is erased; the row keeps it until delivered.
    message = queue_email(
        to=user.email,
        language=user.language,
        template="account_deleted",
        context={"name": user.display_name, "applications": summaries},
    )
    anonymize_user(user=user, now=now, keep_message_id=message.id)
    record_event(
        actor=user,
        action="account.deleted",
        target=user,
        after={"applications": counts, "files": files},
    )
    return counts
