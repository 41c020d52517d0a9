"""What processing learns from a received file, and the copies it makes for the jury."""

import hashlib
import logging
import shutil
import subprocess
from pathlib import Path

from qpmusic.audit.services import record_event
from qpmusic.enums import MediaKind, MediaStatus
from qpmusic.media import audio
from qpmusic.media.blind import make_blind_copy
from qpmusic.media.inspect import inspect_file
from qpmusic.media.models import MediaFile
from qpmusic.timestamps import utcnow

log = logging.getLogger(__name__)
HASH_CHUNK = 1024 * 1024
POSTER_TIMEOUT = 120
# Note line left by a run that died (see tasks.claim); kept so the office sees it.
INTERRUPTED = "interrupted"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def process(media: MediaFile, storage) -> None:
    """Measure ``media``, make its blind copy (and a video's poster), mark it ready or rejected.

    Changes the object and records an audit event; never commits. Files it stored are removed
    again if it fails half-way, so a crash leaves no orphan copies behind.
    """
    path = storage.local_path(media.storage_key)
    if not storage.exists(media.storage_key):
        reject(media, "processing_failed", "missing: the received file is not in storage")
        return
    media.sha256 = file_sha256(path)
    found = inspect_file(path, declared_kind=media.kind)
    if found.problem:
        reject(media, found.problem, found.detail)
        return
    media.detected_type = found.mime
    notes = [INTERRUPTED] if INTERRUPTED in (media.processing_note or "").splitlines() else []
    created: list[str] = []
    try:
        if media.kind == MediaKind.AUDIO:
            _measure_audio(media, path, found.info, notes)
        elif media.kind == MediaKind.VIDEO:
            media.duration_seconds = found.info.get("duration")
            _make_poster(media, path, storage, notes, created)
        elif media.kind == MediaKind.DOCUMENT:
            notes.append(f"pages: {found.info['pages']}")
        elif media.kind == MediaKind.IMAGE:
            notes.append(f"dimensions: {found.info['width']} x {found.info['height']}")
        _make_blind_copy(media, path, storage, notes, created)
    except BaseException:
        for key in created:
            storage.delete(key)
        raise
    media.status = MediaStatus.READY
    media.rejection_code = ""
    media.processing_note = "\n".join(notes)
    media.processed_at = utcnow()
    record_event(
        actor=None,
        action="media.ready",
        target=media,
        after={"type": media.detected_type, "duration": media.duration_seconds},
    )


def reject(media: MediaFile, code: str, detail: str = "") -> None:
    """Mark ``media`` rejected with a code from ``labels.REJECTION_MESSAGES``."""
    media.status = MediaStatus.REJECTED
    media.rejection_code = code
    media.processing_note = detail[:2000]
    media.processed_at = utcnow()
    record_event(actor=None, action="media.rejected", target=media, after={"code": code})


def _measure_audio(media: MediaFile, path: Path, info: dict, notes: list[str]) -> None:
    try:
        result = audio.analyse(path)
    except audio.DecodeError as exc:
        # libsndfile reads WAV, FLAC, Ogg and MP3 but not AAC or WebM: keep what the headers say.
        media.duration_seconds = info.get("duration")
        media.sample_rate = info.get("sample_rate")
        media.channels = info.get("channels")
        notes.append(f"no_decoder: {exc}")
        return
    media.duration_seconds = result.duration
    media.sample_rate = result.sample_rate
    media.channels = result.channels
    media.loudness_lufs = result.loudness
    media.peaks = result.peaks
    if result.loudness is None:
        notes.append("no_loudness")


def _make_poster(media, path, storage, notes, created) -> None:
    ffmpeg = shutil.which("ffmpeg")
    if not ffmpeg:
        notes.append("no_ffmpeg")
        return
    key = storage.new_key("posters/")
    storage.create(key)
    created.append(key)
    at = min(1.0, (media.duration_seconds or 0) / 2)
    command = [
        *(ffmpeg, "-nostdin", "-v", "error", "-y", "-ss", f"{at:.3f}", "-i", str(path)),
        *("-frames:v", "1", "-q:v", "3", "-f", "image2", "-c:v", "mjpeg"),
        str(storage.local_path(key)),
    ]
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=POSTER_TIMEOUT)  # noqa: S603
    except (subprocess.SubprocessError, OSError) as exc:
        log.warning("no poster frame for media %s: %s", media.id, exc)
        storage.delete(key)
        created.remove(key)
        notes.append(f"poster_failed: {exc}"[:500])
        return
    media.poster_key = key


def _make_blind_copy(media, path, storage, notes, created) -> None:
    key = storage.new_key("blind/")
    storage.create(key)
    created.append(key)
    cleaned = make_blind_copy(
        path, storage.local_path(key), media.detected_type, ffmpeg=shutil.which("ffmpeg")
    )
    if not cleaned:
        # A copy that still carries names must never reach a blind juror: without a blind
        # copy the file stays closed to them, and the office sees why in the note.
        notes.append("blind_copy_unchanged")
        storage.delete(key)
        created.remove(key)
        return
    media.blind_key = key
