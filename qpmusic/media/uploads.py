"""Uploads in progress (tus): opening, receiving chunks, terminating, expiring; callers commit."""

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, text

from qpmusic.extensions import db
from qpmusic.media.chunks import ChunkRefused, append_chunk
from qpmusic.media.models import MediaFile, MediaUpload
from qpmusic.media.names import BadName, declared_kind, display_name
from qpmusic.media.services import (
    UploadError,
    check_size,
    finish_upload,
    largest_kind,
    work_for_upload,
)
from qpmusic.media.storage import delete_after_commit, get_storage

CHUNK_MESSAGES = {
    "not_found": _l("This upload does not exist (any more)."),
    "too_long": _l("More bytes were sent than the upload announced."),
    "incomplete": _l("The connection broke off."),
}


@dataclass
class Received:
    upload: MediaUpload
    media: MediaFile | None = None


def start_upload(*, user, work, filename, filetype: str, length: int, now) -> MediaUpload:
    """Open a tus upload of ``length`` bytes for ``work`` after checking name and limits.

    The size limit is the one of the kind the name (or type) suggests; without a hint, the
    largest one. ``finish_upload`` checks again against the kind the content turns out to be.
    """
    try:
        name = display_name(filename)
    except BadName as error:
        raise UploadError(error.code) from error
    kind = declared_kind(name, filetype)
    check_size(work, kind, length, now)
    storage = get_storage()
    key = storage.new_key()
    storage.create(key)
    upload = MediaUpload(
        work=work,
        user=user,
        kind=kind or largest_kind(),
        filename=name,
        length=length,
        offset=0,
        storage_key=key,
        meta={"declared_kind": kind.value if kind else None, "filetype": (filetype or "")[:100]},
        expires_at=now + timedelta(hours=current_app.config["UPLOAD_EXPIRY_HOURS"]),
    )
    db.session.add(upload)
    db.session.flush()
    return upload


def upload_of(*, user, upload_id: str, now, lock: bool = False) -> MediaUpload:
    """The user's upload; 404 when unknown or someone else's, 410 once expired."""
    query = select(MediaUpload).where(MediaUpload.id == upload_id)
    if lock:
        # Two requests for one upload (two tabs, a retry racing its original) take turns.
        query = query.with_for_update()
    upload = db.session.scalar(query)
    if upload is None or upload.user_id != user.id:
        raise UploadError("not_found", CHUNK_MESSAGES["not_found"])
    if upload.expires_at <= now:
        raise UploadError("expired")
    return upload


def receive_chunk(
    *, user, upload_id: str, offset: int, stream, content_length, checksum=None, now
) -> Received:
    """Append a tus PATCH body at ``offset``; when the last byte arrives, finish the upload.

    ``checksum`` is ``(algorithm, digest)``; on mismatch the chunk is cut off again (460).
    """
    upload = upload_of(user=user, upload_id=upload_id, now=now, lock=True)
    if offset != upload.offset:
        raise UploadError("offset_mismatch", _("The upload is at a different position."))
    if upload.offset < upload.length:
        work_for_upload(user=user, work_id=upload.work_id, now=now)
        try:
            upload.offset = append_chunk(
                get_storage(),
                upload.storage_key,
                start=upload.offset,
                length=upload.length,
                stream=stream,
                content_length=content_length,
                checksum=checksum,
            )
        except ChunkRefused as error:
            raise UploadError(error.code, CHUNK_MESSAGES.get(error.code)) from error
        upload.expires_at = now + timedelta(hours=current_app.config["UPLOAD_EXPIRY_HOURS"])
    media = None
    if upload.offset == upload.length and "media" not in upload.meta:
        media = finish_upload(upload=upload, now=now)
    elif upload.offset < upload.length:
        commit_without_waiting_for_disk()
    return Received(upload, media)


def commit_without_waiting_for_disk() -> None:
    """Let this transaction's commit return before PostgreSQL has flushed it to disk.

    Safe for an unfinished upload's new offset only: the bytes are fsynced before the commit,
    so a crash that loses the commit leaves the stored offset behind the bytes, never ahead;
    the client's next PATCH is answered 409, it asks HEAD for the offset and resends from
    there (append_chunk cuts the surplus). The last chunk, which creates the file, keeps a
    durable commit: a musician told "received" must find the file after any crash.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL synchronous_commit TO OFF"))


def create_upload(
    *,
    user,
    work_id,
    filename,
    filetype,
    length: int,
    now,
    body=None,
    body_length=None,
    checksum=None,
) -> Received:
    """tus creation, with the first bytes in the same request (creation-with-upload)."""
    work = work_for_upload(user=user, work_id=work_id, now=now)
    upload = start_upload(
        user=user, work=work, filename=filename, filetype=filetype, length=length, now=now
    )
    if body is None:
        return Received(upload)
    try:
        return receive_chunk(
            user=user,
            upload_id=upload.id,
            offset=0,
            stream=body,
            content_length=body_length,
            checksum=checksum,
            now=now,
        )
    except UploadError:
        # The client never learns this upload's address, so nothing could resume it: it
        # would only hold its reserved size until it expired.
        if db.session.get(MediaUpload, upload.id) is not None and "media" not in upload.meta:
            db.session.delete(upload)
            db.session.flush()
            delete_after_commit([upload.storage_key])
        raise


def receive_form_file(*, user, work_id, file, now) -> MediaFile:
    """The plain form's upload: the same checks and messages as tus, in one request."""
    work = work_for_upload(user=user, work_id=work_id, now=now)
    stream = file.stream
    stream.seek(0, 2)
    length = stream.tell()
    stream.seek(0)
    upload = start_upload(
        user=user,
        work=work,
        filename=file.filename,
        filetype=file.mimetype,
        length=length,
        now=now,
    )
    received = receive_chunk(
        user=user,
        upload_id=upload.id,
        offset=0,
        stream=stream,
        content_length=length,
        now=now,
    )
    # No client will ask about this upload again: no receipt needed.
    db.session.delete(received.upload)
    db.session.flush()
    return received.media


def terminate_upload(*, user, upload_id: str, now) -> None:
    """tus termination: the bytes and the row go; a finished file stays (only its receipt goes)."""
    upload = upload_of(user=user, upload_id=upload_id, now=now, lock=True)
    if "media" not in upload.meta:
        get_storage().delete(upload.storage_key)
    db.session.delete(upload)
    db.session.flush()


def delete_expired_uploads(*, now) -> int:
    """Drop unfinished uploads past their expiry with their bytes; running twice is harmless."""
    expired = db.session.scalars(
        select(MediaUpload)
        .where(MediaUpload.expires_at <= now)
        # An upload receiving a chunk right now is locked; it will be extended, so skip it.
        .with_for_update(skip_locked=True)
    ).all()
    storage = get_storage()
    for upload in expired:
        if "media" not in upload.meta:
            storage.delete(upload.storage_key)
        db.session.delete(upload)
    db.session.flush()
    return len(expired)
