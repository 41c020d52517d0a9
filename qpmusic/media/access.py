"""Who may fetch a work's files, and which copy they get.

Everyone else is answered 404, never a login redirect or a 403: a copied link must not even
confirm that a file exists. URLs carry only the random ``public_id``; every request is checked
against the session's user, so a link passed on to someone else opens nothing.

The rule works on two small records (who asks, what the file belongs to), so the streaming view
can fill them from one query while pages use ``can_fetch(user, media)`` on loaded objects.
"""

from dataclasses import dataclass

from qpmusic.enums import ApplicationStatus, EditionPhase, Role

OFFICE_ROLES = frozenset({Role.COORDINATOR, Role.ADMIN})


@dataclass(frozen=True)
class Asker:
    """Who asks: ``user_id`` None for a visitor, else an active user and their roles."""

    user_id: int | None
    roles: frozenset[Role] = frozenset()


@dataclass(frozen=True)
class Holder:
    """What a file belongs to, as far as access goes."""

    application_id: int
    applicant_id: int
    application_status: ApplicationStatus
    edition_phase: EditionPhase
    blind_review: bool


def may_fetch(asker: Asker, holder: Holder) -> bool:
    """The applicant who owns the application, coordinators and admins, assigned jurors."""
    if asker.user_id is None:
        return False
    if is_owner(asker, holder) or asker.roles & OFFICE_ROLES:
        return True
    return Role.JUROR in asker.roles and juror_may_hear(asker, holder)


def juror_may_hear(juror: Asker, holder: Holder) -> bool:
    """Until rounds and assignments exist, every juror hears the shortlist in the jury phase.

    Issue 5 replaces this one function with "assigned to ``juror`` in an open round, no
    conflict" (``juror.user_id`` and ``holder.application_id`` are there for that query).
    """
    return (
        holder.edition_phase == EditionPhase.JURY
        and holder.application_status == ApplicationStatus.SHORTLISTED
    )


def is_owner(asker: Asker, holder: Holder) -> bool:
    return asker.user_id is not None and asker.user_id == holder.applicant_id


def blind_copy_for(asker: Asker, holder: Holder) -> bool:
    """A juror of a blind edition hears the copy without tags; applicant and office, the original.

    Someone who is a juror and also on the office's staff already knows who applied, so they
    get the original.
    """
    return holder.blind_review and not (is_owner(asker, holder) or asker.roles & OFFICE_ROLES)


def asker_of(user) -> Asker:
    if user is None or not user.is_authenticated:
        return Asker(None)
    return Asker(user.id, frozenset(user.roles))


def holder_of(media) -> Holder:
    application = media.work.application
    return Holder(
        application_id=application.id,
        applicant_id=application.applicant_id,
        application_status=application.status,
        edition_phase=application.edition.phase,
        blind_review=application.edition.blind_review,
    )


def can_fetch(user, media) -> bool:
    """Whether ``user`` (Flask-Login's current_user, or None) may fetch ``media``."""
    return may_fetch(asker_of(user), holder_of(media))


def gets_blind_copy(user, media) -> bool:
    return blind_copy_for(asker_of(user), holder_of(media))
