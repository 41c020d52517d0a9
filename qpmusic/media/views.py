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
before it. And not Flask-Login's ``current_user`` on the stream: a player sends a request for
every seek, so the session's user is checked together with the file in one query (see
``qpmusic.media.lookup``); bench/streaming.py measures the result against a plain static server.
"""

import hashlib
import mimetypes
import re
import unicodedata
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from flask import Blueprint, Response, abort, current_app, jsonify, request
from sqlalchemy import Row

from qpmusic.enums import MediaStatus
from qpmusic.extensions import limiter
from qpmusic.media import display, ranges
from qpmusic.media.access import blind_copy_for, is_owner
from qpmusic.media.labels import STATUS_LABELS, rejection_message
from qpmusic.media.lookup import Requested, grants, requested, session_token
from qpmusic.media.storage import get_storage

bp = Blueprint("media", __name__)
# A player sends a request for every seek; rate limits are for logins and forms, and each
# of these requests is already checked against the session's user.
limiter.exempt(bp)

CHUNK = 256 * 1024
# Revalidate every time (cheap: 304 on the ETag) and never keep a copy in a shared cache.
CACHE_CONTROL = "private, no-cache"
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,8}")
_IMAGE_MAGIC = [(b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg")]


@bp.route("/media/<public_id>")
def stream(public_id):
    memory = grants()
    grant_key = (session_token(), public_id)
    found = memory.get(grant_key)
    if found is None:
        found = requested(public_id)
        if found.media.status != MediaStatus.READY:
            return _not_ready(found)
        memory.put(grant_key, found)
    blind = blind_copy_for(found.asker, found.holder)
    # Without its blind copy a file stays closed to blind jurors: the original carries names.
    key = found.media.blind_key if blind else found.media.storage_key
    if not key:
        abort(404)
    return _send_stored(
        key,
        content_type=found.media.detected_type or "application/octet-stream",
        filename=_download_name(found.media, blind=blind),
    )


@bp.route("/media/<public_id>/poster")
def poster(public_id):
    media = requested(public_id).media
    if media.status != MediaStatus.READY or not media.poster_key:
        abort(404)
    path = get_storage().local_path(media.poster_key)
    return _send_stored(media.poster_key, content_type=_image_type(path), filename="poster")


@bp.route("/media/<public_id>/status")
def status(public_id):
    media = requested(public_id).media
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


for _name, _helper in display.FILTERS.items():
    bp.add_app_template_filter(_helper, _name)
for _name, _helper in display.GLOBALS.items():
    bp.add_app_template_global(_helper, _name)


def _not_ready(found: Requested) -> Response:
    """The owner learns why (409 with the reason); for anyone else the file does not exist."""
    if not is_owner(found.asker, found.holder):
        abort(404)
    if found.media.status == MediaStatus.REJECTED:
        message = rejection_message(found.media.rejection_code)
    else:
        message = str(STATUS_LABELS[found.media.status])
    return Response(message, status=409, mimetype="text/plain")


def _download_name(media: Row, *, blind: bool) -> str:
    if not blind:
        return media.original_name
    # The original name often carries the artist's: a juror's copy gets a neutral one.
    suffix = PurePosixPath(media.original_name).suffix
    if not _EXTENSION.fullmatch(suffix):
        suffix = mimetypes.guess_extension(media.detected_type or "") or ""
    return f"work-{media.work_position}-{media.kind.value}{suffix.lower()}"


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
