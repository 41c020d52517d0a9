"""Receiving a work's files (tus chunks or a plain form), finishing and removing them.

Callers own the transaction. Bytes on disk are not transactional, so every refusal removes what
it wrote before raising, and the caller commits the refusal too (the upload row is gone with it).
"""

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from qpmusic.applications.models import Application, Work
from qpmusic.applications.services import ApplicationError, ensure_editable
from qpmusic.audit.services import record_event
from qpmusic.enums import ApplicationStatus, MediaKind, MediaStatus
from qpmusic.extensions import db
from qpmusic.media.inspect import inspect_file
from qpmusic.media.labels import rejection_message
from qpmusic.media.models import MediaFile, MediaUpload
from qpmusic.media.storage import delete_after_commit, get_storage

# HTTP status of each refusal; 460 is tus's "checksum mismatch".
STATUS = {
    "too_large": 413,
    "over_application_limit": 413,
    "unknown_type": 415,
    "checksum_mismatch": 460,
    "not_found": 404,
    "expired": 410,
    "not_editable": 403,
    "offset_mismatch": 409,
    "too_long": 400,
    "incomplete": 400,
}


class UploadError(Exception):
    """A refused upload: ``code`` for machines, ``message`` translated for the musician."""

    def __init__(self, code: str, message: str | None = None, **details):
        super().__init__(code)
        self.code = code
        self.status = STATUS.get(code, 422)
        self.message = str(message or rejection_message(code, **details))


def limits() -> dict[str, int]:
    return current_app.config["MEDIA_LIMITS"]


def max_file_size() -> int:
    """The largest single file any kind allows (tus ``Tus-Max-Size``)."""
    return max(limits()[kind.value] for kind in MediaKind)


def largest_kind() -> MediaKind:
    return max(MediaKind, key=lambda kind: limits()[kind.value])


def work_for_upload(*, user, work_id, now) -> Work:
    """The user's work if its application may still change; else 404 (not theirs) or 403."""
    text = str(work_id)
    # Only ids the column can hold reach the database (metadata comes from the client).
    valid = text.isascii() and text.isdigit() and int(text) < 2**31
    work = db.session.get(Work, int(text)) if valid else None
    if work is None or work.application.applicant_id != user.id:
        raise UploadError("not_found", _("This work is not part of your application."))
    try:
        ensure_editable(work.application, now)
    except ApplicationError as error:
        raise UploadError("not_editable", error.message) from error
    return work


def _application_bytes(application, now) -> int:
    """Bytes the application's files take, counting uploads still arriving at full length."""
    # A refused file is kept for the office to look at, but takes none of the musician's room.
    stored = db.session.scalar(
        select(func.coalesce(func.sum(MediaFile.size), 0))
        .join(Work)
        .where(Work.application_id == application.id, MediaFile.status != MediaStatus.REJECTED)
    )
    pending = db.session.scalars(
        select(MediaUpload)
        .join(Work)
        .where(Work.application_id == application.id, MediaUpload.expires_at > now)
    )
    return stored + sum(u.length for u in pending if "media" not in u.meta)


def check_size(work, kind: MediaKind | None, length: int, now) -> None:
    if length == 0:
        raise UploadError("empty")
    limit_kind = kind or largest_kind()
    if length > limits()[limit_kind.value]:
        raise UploadError("too_large", kind=kind, limit=limits()[limit_kind.value])
    total = limits()["application"]
    # Locked, so uploads started at the same moment are counted one after the other and
    # cannot pass the total together.
    db.session.execute(
        select(Application.id).where(Application.id == work.application_id).with_for_update()
    )
    if _application_bytes(work.application, now) + length > total:
        raise UploadError("over_application_limit", limit=total)


def _discard(upload: MediaUpload, code: str) -> None:
    get_storage().delete(upload.storage_key)
    record_event(
        actor=upload.user,
        action="media.refused",
        target=upload.work,
        after={"name": upload.filename, "size": upload.length, "code": code},
    )
    db.session.delete(upload)
    db.session.flush()


def _mark_changed(application) -> None:
    # As every other edit: a submitted application stays submitted but asks to be re-sent.
    if application.status == ApplicationStatus.SUBMITTED:
        application.changed_since_submission = True


def finish_upload(*, upload: MediaUpload, now) -> MediaFile:
    """Make the complete upload a MediaFile (processing) if its content is an allowed kind.

    The content decides, not the name: ``inspect_file`` reads headers and magic bytes. A refused
    file loses its bytes and its upload row, then ``UploadError`` says why. The row of an accepted
    one stays until it expires, as a receipt: a client whose last response was lost asks again
    (HEAD) and learns the upload is complete instead of sending it twice.
    """
    declared = upload.meta.get("declared_kind")
    declared = MediaKind(declared) if declared else None
    found = inspect_file(get_storage().local_path(upload.storage_key), declared_kind=declared)
    problem, details = found.problem, {}
    if problem is None and found.kind is None:
        problem = "unknown_type"
    if problem == "kind_mismatch":
        details = {"kind": declared, "detected": found.kind}
    elif problem == "unknown_type" and declared:
        details = {"kind": declared}
    elif problem is None and upload.length > limits()[found.kind.value]:
        problem, details = "too_large", {"kind": found.kind, "limit": limits()[found.kind.value]}
    if problem:
        _discard(upload, problem)
        raise UploadError(problem, **details)
    from qpmusic.media.tasks import schedule_processing

    media = MediaFile(
        work=upload.work,
        uploaded_by=upload.user,
        kind=found.kind,
        original_name=upload.filename,
        storage_key=upload.storage_key,
        size=upload.length,
        detected_type=found.mime or "",
        status=MediaStatus.PROCESSING,
        created_at=now,
    )
    db.session.add(media)
    db.session.flush()
    upload.meta = {**upload.meta, "media": media.public_id}
    _mark_changed(upload.work.application)
    record_event(
        actor=upload.user,
        action="media.uploaded",
        target=media,
        after={"name": media.original_name, "kind": media.kind.value, "size": media.size},
    )
    schedule_processing(media)
    return media


def remove_media(*, user, public_id: str, work_id: int, now) -> MediaFile:
    """The applicant removes a file of their work, with its copies, while they may still edit."""
    media = db.session.scalar(select(MediaFile).where(MediaFile.public_id == public_id))
    if media is None or media.work_id != work_id:
        raise UploadError("not_found", _("This file is not part of your application."))
    work_for_upload(user=user, work_id=media.work_id, now=now)
    record_event(
        actor=user,
        action="media.removed",
        target=media,
        before={"name": media.original_name, "kind": media.kind.value, "size": media.size},
    )
    _mark_changed(media.work.application)
    delete_after_commit([media.storage_key, media.blind_key, media.poster_key])
    db.session.delete(media)
    db.session.flush()
    return media


def discard_work_files(work) -> None:
    """A work is being removed: its files and unfinished uploads go with it, bytes included."""
    for media in work.media:
        delete_after_commit([media.storage_key, media.blind_key, media.poster_key])
    uploads = db.session.scalars(select(MediaUpload).where(MediaUpload.work_id == work.id))
    for upload in uploads:
        delete_after_commit([upload.storage_key])
        db.session.delete(upload)
