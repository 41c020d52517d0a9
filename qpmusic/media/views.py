"""Streaming a work's files to the people allowed to hear, see or read them.

Every answer starts with the access rule (qpmusic.media.access); anyone else gets 404. Bytes go
out one of two ways:

- ``MEDIA_ACCEL_PREFIX`` set (production behind nginx): after the check the app answers
  ``X-Accel-Redirect: <prefix>/<storage key>`` with no body, and nginx serves the file from an
  internal location, ranges and conditional requests included, e.g.
  ``location /_media/ { internal; alias /srv/qpmusic/media/; }``.
- otherwise through Python: qpmusic.media.ranges decides 200/206/304/416 and a generator reads
  the file in chunks; a range that runs to the end of the file goes to the server's
  ``wsgi.file_wrapper`` instead, which is sendfile under gunicorn.

Not Flask's ``send_file(conditional=True)``: under gunicorn its range wrapper cannot seek
gunicorn's file wrapper, so a range in the middle of a 500 MB file would first read everything
before it.
"""

import hashlib
import json
import mimetypes
import re
import unicodedata
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from flask import Blueprint, Response, abort, current_app, jsonify, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from qpmusic.applications.models import Application, Work
from qpmusic.enums import MediaStatus
from qpmusic.extensions import db
from qpmusic.media import ranges
from qpmusic.media.access import can_fetch, gets_blind_copy, is_owner
from qpmusic.media.labels import STATUS_LABELS, human_size, rejection_message
from qpmusic.media.models import MediaFile
from qpmusic.media.storage import get_storage

bp = Blueprint("media", __name__)

CHUNK = 256 * 1024
# Revalidate every time (cheap: 304 on the ETag) and never keep a copy in a shared cache.
CACHE_CONTROL = "private, no-cache"
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,8}")
_IMAGE_MAGIC = [(b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg")]


@bp.route("/media/<public_id>")
def stream(public_id):
    media = _fetchable(public_id)
    if media.status != MediaStatus.READY:
        return _not_ready(media)
    blind = gets_blind_copy(current_user, media)
    # Without its blind copy a file stays closed to blind jurors: the original carries names.
    key = media.blind_key if blind else media.storage_key
    if not key:
        abort(404)
    return _send_stored(
        key,
        content_type=media.detected_type or "application/octet-stream",
        filename=_download_name(media, blind=blind),
    )


@bp.route("/media/<public_id>/poster")
def poster(public_id):
    media = _fetchable(public_id)
    if media.status != MediaStatus.READY or not media.poster_key:
        abort(404)
    path = get_storage().local_path(media.poster_key)
    return _send_stored(media.poster_key, content_type=_image_type(path), filename="poster")


@bp.route("/media/<public_id>/status")
def status(public_id):
    media = _fetchable(public_id)
    rejected = media.status == MediaStatus.REJECTED
    response = jsonify(
        status=media.status.value,
        status_label=str(STATUS_LABELS[media.status]),
        message=rejection_message(media.rejection_code) if rejected else "",
        duration=media.duration_seconds,
        size=media.size,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_template_filter("filesize")
def filesize(size: int) -> str:
    return human_size(size)


@bp.app_template_filter("clock")
def clock(seconds: float | None) -> str:
    """``252.4`` → "4:12", ``3723`` → "1:02:03": how players show a time."""
    whole = int(seconds or 0)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@bp.app_template_filter("peaks_json")
def peaks_json(peaks: list | None) -> str:
    """Waveform peaks as compact JSON for a data- attribute (three decimals are plenty to draw)."""

    def rounded(values):
        return [rounded(v) if isinstance(v, list) else round(float(v), 3) for v in values]

    return json.dumps(rounded(peaks or []), separators=(",", ":"))


@bp.app_template_global()
def media_status_label(media) -> str:
    return str(STATUS_LABELS[media.status])


@bp.app_template_global()
def media_rejection(media) -> str:
    return rejection_message(media.rejection_code) if media.rejection_code else ""


def _fetchable(public_id: str) -> MediaFile:
    media = db.session.scalar(
        select(MediaFile)
        .where(MediaFile.public_id == public_id)
        .options(
            joinedload(MediaFile.work).joinedload(Work.application).joinedload(Application.edition)
        )
    )
    if media is None or not can_fetch(current_user, media):
        abort(404)
    return media


def _not_ready(media: MediaFile) -> Response:
    """The owner learns why (409 with the reason); for anyone else the file does not exist."""
    if not is_owner(current_user, media):
        abort(404)
    if media.status == MediaStatus.REJECTED:
        message = rejection_message(media.rejection_code)
    else:
        message = str(STATUS_LABELS[media.status])
    return Response(message, status=409, mimetype="text/plain")


def _download_name(media: MediaFile, *, blind: bool) -> str:
    if not blind:
        return media.original_name
    # The original name often carries the artist's: a juror's copy gets a neutral one.
    suffix = PurePosixPath(media.original_name).suffix
    if not _EXTENSION.fullmatch(suffix):
        suffix = mimetypes.guess_extension(media.detected_type or "") or ""
    return f"work-{media.work.position}-{media.kind.value}{suffix.lower()}"


def content_disposition(filename: str) -> str:
    """``inline`` with an ASCII fallback name and the exact one as RFC 8187 UTF-8."""
    fallback = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    fallback = re.sub(r'[\x00-\x1f\x7f"\\;]', "_", fallback).strip() or "file"
    return f"inline; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _image_type(path: Path) -> str:
    try:
        with path.open("rb") as file:
            head = file.read(12)
    except FileNotFoundError:
        abort(404)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return next((kind for magic, kind in _IMAGE_MAGIC if head.startswith(magic)), "image/jpeg")


def _send_stored(key: str, *, content_type: str, filename: str) -> Response:
    headers = {
        "Content-Type": content_type,
        "Content-Disposition": content_disposition(filename),
        "Cache-Control": CACHE_CONTROL,
        "X-Content-Type-Options": "nosniff",
        "Cross-Origin-Resource-Policy": "same-origin",
    }
    prefix = current_app.config["MEDIA_ACCEL_PREFIX"]
    if prefix:
        headers["X-Accel-Redirect"] = f"{prefix.rstrip('/')}/{key}"
        return Response(status=200, headers=headers)
    path = get_storage().local_path(key)
    try:
        stat = path.stat()
    except FileNotFoundError:
        current_app.logger.error("media file missing from storage: %s", key)
        abort(404)
    modified = datetime.fromtimestamp(int(stat.st_mtime), UTC)
    # Strong: a key's bytes are written once and never change; mtime guards against a restore.
    seed = f"{key}:{stat.st_size}:{stat.st_mtime_ns}".encode()
    etag = f'"{hashlib.sha256(seed).hexdigest()[:32]}"'
    result = ranges.answer(
        method=request.method,
        size=stat.st_size,
        etag=etag,
        last_modified=modified,
        range_header=request.headers.get("Range"),
        if_range=request.headers.get("If-Range"),
        if_none_match=request.headers.get("If-None-Match"),
        if_modified_since=request.headers.get("If-Modified-Since"),
    )
    headers.update(
        {"Accept-Ranges": "bytes", "ETag": etag, "Last-Modified": ranges.http_date(modified)}
    )
    if result.content_range:
        headers["Content-Range"] = result.content_range
    if not result.has_body:
        del headers["Content-Type"], headers["Content-Disposition"]
        return Response(status=result.status, headers=headers)
    headers["Content-Length"] = str(result.length)
    return Response(
        _body(path, result), status=result.status, headers=headers, direct_passthrough=True
    )


def _body(path: Path, result: ranges.Answer):
    wrapper = request.environ.get("wsgi.file_wrapper")
    if wrapper and request.method == "GET" and result.end == result.size - 1:
        # PEP 3333: the wrapper sends from the current position to the end of the file.
        file = path.open("rb")
        file.seek(result.start)
        return wrapper(file, CHUNK)
    return _chunks(path, result.start, result.length)


def _chunks(path: Path, start: int, length: int):
    """The bytes from ``start``, a chunk at a time; the file opens only when the body is sent."""
    with path.open("rb") as file:
        file.seek(start)
        while length > 0:
            chunk = file.read(min(CHUNK, length))
            if not chunk:
                break
            length -= len(chunk)
            yield chunk
