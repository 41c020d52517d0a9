"""Which file a request asks for and who asks: one query per first request, then remembered.

Flask-aware on purpose (the session, the app's grant memory, 404s); the rule itself lives in
qpmusic.media.access, which stays pure.
"""

from typing import NamedTuple

from flask import abort, current_app, session
from flask_login import current_user
from sqlalchemy import Row, and_, bindparam, exists, or_, select

from qpmusic.accounts.models import User, UserRole
from qpmusic.applications.models import Application, Work
from qpmusic.editions.models import Edition
from qpmusic.enums import ConflictSource, ConflictStatus, RoundStatus
from qpmusic.extensions import db
from qpmusic.jury.models import Assignment, Conflict, Round
from qpmusic.media.access import Asker, Holder, may_fetch
from qpmusic.media.grants import GrantCache
from qpmusic.media.models import MediaFile


class Requested(NamedTuple):
    media: Row
    asker: Asker
    holder: Holder


def assigned_unconflicted(user_id, application_id, edition_id):
    """SQL truth of "``user_id`` reviews ``application_id`` in an open round, with no conflict".

    The conflict test is ``Conflict.is_effective`` in SQL: a dismissed one never counts, one
    named by the applicant only once confirmed, any other at once.
    """
    assigned = exists().where(
        Assignment.juror_id == user_id,
        Assignment.application_id == application_id,
        Round.id == Assignment.round_id,
        Round.status == RoundStatus.OPEN,
    )
    conflicted = exists().where(
        Conflict.edition_id == edition_id,
        Conflict.juror_id == user_id,
        Conflict.application_id == application_id,
        Conflict.status != ConflictStatus.DISMISSED,
        or_(
            Conflict.status == ConflictStatus.CONFIRMED, Conflict.source != ConflictSource.APPLICANT
        ),
    )
    return and_(assigned, ~conflicted)


# Built once: the file with its application and edition, and the asking user (if the session's
# token still names an active account) with one row per role, and whether that user may hear it
# as a juror (the same on every row).
_REQUESTED = (
    select(
        MediaFile.status,
        MediaFile.kind,
        MediaFile.original_name,
        MediaFile.storage_key,
        MediaFile.blind_key,
        MediaFile.poster_key,
        MediaFile.detected_type,
        MediaFile.size,
        MediaFile.duration_seconds,
        MediaFile.rejection_code,
        Work.position.label("work_position"),
        Application.id.label("application_id"),
        Application.applicant_id,
        Edition.blind_review,
        User.id.label("user_id"),
        UserRole.role,
        assigned_unconflicted(User.id, Application.id, Application.edition_id).label(
            "juror_assigned"
        ),
    )
    .select_from(MediaFile)
    .join(Work, MediaFile.work_id == Work.id)
    .join(Application, Work.application_id == Application.id)
    .join(Edition, Application.edition_id == Edition.id)
    .outerjoin(User, and_(User.auth_token == bindparam("token"), User.active.is_(True)))
    .outerjoin(UserRole, UserRole.user_id == User.id)
    .where(MediaFile.public_id == bindparam("public_id"))
)


def session_token() -> str | None:
    token = session.get("_user_id")
    if token is None and current_user.is_authenticated:
        # Logged in by the remember-me cookie: Flask-Login has just put the token back.
        token = current_user.get_id()
    return token


def grants() -> GrantCache:
    cache = current_app.extensions.get("qpmusic.media_grants")
    if cache is None:
        cache = GrantCache(current_app.config["MEDIA_GRANT_SECONDS"])
        current_app.extensions["qpmusic.media_grants"] = cache
    return cache


def requested(public_id: str) -> Requested:
    """The file, who asks and what it belongs to, from one query; 404 unless they may fetch it.

    A player sends a Range request for every seek, so this path stays short: the session's
    user token (Flask-Login keeps it under ``_user_id``) is matched with the user, their roles
    and the file's application in one query, not Flask-Login's loader plus object loads. The
    rule is the one ``can_fetch`` applies (qpmusic.media.access.may_fetch). Like the loader,
    an inactive account or a changed token (logged out everywhere) finds no user. The app's
    "basic" session protection only marks a session non-fresh, which changes nothing here.
    """
    token = session_token()
    if token is None:
        abort(404)
    parameters = {"token": token, "public_id": public_id}
    with db.engine.connect() as connection:
        rows = connection.execute(_REQUESTED, parameters).all()
    if not rows:
        abort(404)
    row = rows[0]
    asker = Asker(row.user_id, frozenset(r.role for r in rows if r.role is not None))
    holder = Holder(
        application_id=row.application_id,
        applicant_id=row.applicant_id,
        blind_review=row.blind_review,
        juror_assigned=bool(row.juror_assigned),
    )
    if not may_fetch(asker, holder):
        abort(404)
    return Requested(row, asker, holder)


# For pages: what one file belongs to, seen from one known user.
_HOLDER = (
    select(
        Application.id,
        Application.applicant_id,
        Edition.blind_review,
        assigned_unconflicted(bindparam("user_id"), Application.id, Application.edition_id).label(
            "juror_assigned"
        ),
    )
    .select_from(MediaFile)
    .join(Work, MediaFile.work_id == Work.id)
    .join(Application, Work.application_id == Application.id)
    .join(Edition, Application.edition_id == Edition.id)
    .where(MediaFile.id == bindparam("media_id"))
)


def holder_for(*, user_id: int, media_id: int) -> Holder | None:
    """The ``Holder`` of a file for ``user_id``, from one query in the page's own session."""
    row = db.session.execute(_HOLDER, {"user_id": user_id, "media_id": media_id}).first()
    if row is None:
        return None
    return Holder(
        application_id=row.id,
        applicant_id=row.applicant_id,
        blind_review=row.blind_review,
        juror_assigned=bool(row.juror_assigned),
    )
