"""Who may fetch a work's files, and which copy they get.

Everyone else is answered 404, never a login redirect or a 403: a copied link must not even
confirm that a file exists. URLs carry only the random ``public_id``; every request is checked
against the session's user, so a link passed on to someone else opens nothing.
"""

from qpmusic.enums import ApplicationStatus, EditionPhase, Role

OFFICE_ROLES = (Role.COORDINATOR, Role.ADMIN)


def can_fetch(user, media) -> bool:
    """The applicant who owns the file's application, coordinators and admins, assigned jurors."""
    if user is None or not user.is_authenticated:
        return False
    if is_owner(user, media) or user.has_role(*OFFICE_ROLES):
        return True
    return user.has_role(Role.JUROR) and juror_may_hear(user, media.work.application)


def juror_may_hear(juror, application) -> bool:
    """Until rounds and assignments exist, every juror hears the shortlist in the jury phase.

    Issue 5 replaces this one function with "assigned to ``juror`` in an open round, no conflict".
    """
    return (
        application.edition.phase == EditionPhase.JURY
        and application.status == ApplicationStatus.SHORTLISTED
    )


def is_owner(user, media) -> bool:
    return (
        user is not None
        and user.is_authenticated
        and (media.work.application.applicant_id == user.id)
    )


def gets_blind_copy(user, media) -> bool:
    """A juror of a blind edition hears the copy without tags; applicant and office, the original.

    Someone who is a juror and also on the office's staff already knows who applied, so they
    get the original.
    """
    if not media.work.application.edition.blind_review:
        return False
    return not (is_owner(user, media) or user.has_role(*OFFICE_ROLES))
