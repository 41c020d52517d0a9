"""Who may fetch a work's files, and which copy they get.

Everyone else is answered 404, never a login redirect or a 403: a copied link must not even
confirm that a file exists. URLs carry only the random ``public_id``; every request is checked
against the session's user, so a link passed on to someone else opens nothing.

The rule works on two small records (who asks, what the file belongs to). Whether a juror is
assigned is a fact of the database, so qpmusic.media.lookup fills ``Holder.juror_assigned`` in
the same single query for the stream (``requested``) and for pages (``can_fetch``).
"""

from dataclasses import dataclass

from qpmusic.enums import Role

OFFICE_ROLES = frozenset({Role.COORDINATOR, Role.ADMIN})


@dataclass(frozen=True)
class Asker:
    """Who asks: ``user_id`` None for a visitor, else an active user and their roles."""

    user_id: int | None
    roles: frozenset[Role] = frozenset()


@dataclass(frozen=True)
class Holder:
    """What a file belongs to, as far as access goes, seen from the asking user.

    ``juror_assigned``: the asker has an assignment for this application in an open round and
    no conflict with it that counts (see qpmusic.jury.models.Conflict.is_effective).
    """

    application_id: int
    applicant_id: int
    blind_review: bool
    juror_assigned: bool = False


def may_fetch(asker: Asker, holder: Holder) -> bool:
    """The applicant who owns the application, coordinators and admins, assigned jurors."""
    if asker.user_id is None:
        return False
    if is_owner(asker, holder) or asker.roles & OFFICE_ROLES:
        return True
    return Role.JUROR in asker.roles and juror_may_hear(asker, holder)


def juror_may_hear(juror: Asker, holder: Holder) -> bool:
    """Assigned to the application in an open round, with no conflict in force.

    A closed round ends hearing with scoring; a draft round has not begun. A conflict named by
    the applicant counts only once the admin confirms it, so until then the juror still hears.
    """
    return holder.juror_assigned


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


def can_fetch(user, media) -> bool:
    """Whether ``user`` (Flask-Login's current_user, or None) may fetch ``media``: one query."""
    asker = asker_of(user)
    if asker.user_id is None:
        return False
    holder = _holder(asker, media)
    return holder is not None and may_fetch(asker, holder)


def gets_blind_copy(user, media) -> bool:
    asker = asker_of(user)
    holder = _holder(asker, media)
    return holder is not None and blind_copy_for(asker, holder)


def _holder(asker: Asker, media) -> Holder | None:
    # Imported here: the look-up builds on this module's records.
    from qpmusic.media.lookup import holder_for

    return holder_for(user_id=asker.user_id, media_id=media.id)
