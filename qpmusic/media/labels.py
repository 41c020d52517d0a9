"""Translated words for media: why a file was refused, its state, its kind, processing notes."""

from babel.units import format_unit
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from qpmusic.enums import MediaKind, MediaStatus

# Every code a file can be refused with (stored in MediaFile.rejection_code or returned by an
# upload); each reads on its own, without parameters.
REJECTION_MESSAGES = {
    "empty": _l("The file is empty."),
    "unknown_type": _l(
        "This file is not a type we can read. Send a sound file (WAV, FLAC, MP3, Ogg, M4A), "
        "a video (MP4, WebM), a PDF document or an image (PNG, JPEG)."
    ),
    "corrupt": _l(
        "This file is damaged or incomplete, so we cannot read it. Export it again and "
        "send the new file."
    ),
    "kind_mismatch": _l("The content of this file does not match the kind of file you chose."),
    "too_large": _l("The file is larger than the limit for this kind of file."),
    "over_application_limit": _l(
        "This file would take your application over the total size allowed for all its files."
    ),
    "bad_name": _l("The file name cannot be used. Rename the file and try again."),
    "checksum_mismatch": _l(
        "The file was damaged on the way: what arrived differs from what was sent. "
        "Please send it again."
    ),
    "expired": _l(
        "The upload was not finished in time and has been discarded. Please start again."
    ),
    "processing_failed": _l(
        "We could not process this file. Try exporting it again, or contact the office."
    ),
}

# Fuller wording when the caller knows the numbers (``limit`` in bytes, ``kind`` a MediaKind).
DETAILED_MESSAGES = {
    "too_large": _l("The file is larger than the limit of %(limit)s for %(kind)s."),
    "over_application_limit": _l(
        "This file would take your application over the limit of %(limit)s for all its files."
    ),
    "kind_mismatch": _l("This file contains %(detected)s, not %(kind)s."),
    "unknown_type": {
        MediaKind.AUDIO: _l(
            "This file is not a sound file we can read (WAV, FLAC, MP3, Ogg, M4A). "
            "Export your recording in one of these formats and send it again."
        ),
        MediaKind.VIDEO: _l("This file is not a video we can read (MP4, WebM)."),
        MediaKind.DOCUMENT: _l("This file is not a PDF document."),
        MediaKind.IMAGE: _l("This file is not an image we can read (PNG, JPEG)."),
    },
}

FALLBACK_MESSAGE = _l("This file could not be accepted.")

STATUS_LABELS = {
    MediaStatus.PROCESSING: _l("Processing"),
    MediaStatus.READY: _l("Ready"),
    MediaStatus.REJECTED: _l("Rejected"),
}

KIND_LABELS = {
    MediaKind.AUDIO: _l("Audio"),
    MediaKind.VIDEO: _l("Video"),
    MediaKind.DOCUMENT: _l("Document"),
    MediaKind.IMAGE: _l("Image"),
}

# Inside a sentence ("for %(kind)s", "contains %(detected)s"), where translations need articles.
KIND_IN_SENTENCE = {
    MediaKind.AUDIO: _l("audio"),
    MediaKind.VIDEO: _l("video"),
    MediaKind.DOCUMENT: _l("a document"),
    MediaKind.IMAGE: _l("an image"),
}

# Processing notes are stored as lines "code" or "code: detail"; the detail is for the office,
# except where the message shows it (page count, picture size).
NOTE_MESSAGES = {
    "no_ffmpeg": _l("No poster frame: the video tool (ffmpeg) is not installed on the server."),
    "poster_failed": _l("No poster frame could be made from this video."),
    "no_decoder": _l(
        "This sound format cannot be decoded on the server, so there is no loudness measure "
        "and no waveform. It plays normally."
    ),
    "no_loudness": _l("The recording is silent or too short to measure its loudness."),
    "blind_copy_unchanged": _l(
        "The anonymous copy for the jury could not be cleaned of its metadata, so jurors of a "
        "blind edition cannot open this file."
    ),
    "interrupted": _l("Processing was interrupted once and started again."),
    "pages": _l("Pages: %(detail)s"),
    "dimensions": _l("Size in pixels: %(detail)s"),
}

_UNITS = [
    (1024**4, "digital-terabyte"),
    (1024**3, "digital-gigabyte"),
    (1024**2, "digital-megabyte"),
    (1024, "digital-kilobyte"),
]


def human_size(size: int) -> str:
    """``1073741824`` → "1 GB" (binary multiples, as the limits are set), per locale ("1 Go")."""
    try:
        locale = str(get_locale() or "en")
    except RuntimeError:
        # A task or the shell, outside any request: the language of the code.
        locale = "en"
    for factor, unit in _UNITS:
        if size >= factor:
            value = round(size / factor, 1)
            number = int(value) if value.is_integer() else value
            return format_unit(number, unit, length="short", locale=locale)
    return format_unit(size, "digital-byte", length="short", locale=locale)


def rejection_message(
    code: str,
    *,
    kind: MediaKind | None = None,
    limit: int | None = None,
    detected: MediaKind | None = None,
) -> str:
    """The musician-facing reason for ``code``, detailed when the caller gives the numbers."""
    detailed = DETAILED_MESSAGES.get(code)
    if isinstance(detailed, dict):
        if kind in detailed:
            return str(detailed[kind])
    elif detailed is not None:
        if code == "kind_mismatch" and kind and detected:
            return str(detailed) % {
                "kind": KIND_IN_SENTENCE[kind],
                "detected": KIND_IN_SENTENCE[detected],
            }
        if code == "too_large" and kind and limit is not None:
            return str(detailed) % {"kind": KIND_IN_SENTENCE[kind], "limit": human_size(limit)}
        if code == "over_application_limit" and limit is not None:
            return str(detailed) % {"limit": human_size(limit)}
    return str(REJECTION_MESSAGES.get(code, FALLBACK_MESSAGE))


def note_messages(note: str) -> list[str]:
    """The translated lines of a processing note; unknown lines are shown as they are."""
    lines = []
    for line in filter(None, (note or "").splitlines()):
        code, _, detail = (part.strip() for part in line.partition(":"))
        message = NOTE_MESSAGES.get(code)
        if message is None:
            lines.append(line)
        else:
            text = str(message)
            lines.append(text % {"detail": detail} if "%(detail)s" in text else text)
    return lines
