"""File names as people see them: sanitized for display, never used to build a storage path."""

import unicodedata

from qpmusic.enums import MediaKind

MAX_NAME_LENGTH = 255
# Longest extension kept whole when a long name is shortened (".flac", ".opus", ".jpeg").
MAX_EXTENSION_LENGTH = 10

# Hints only: they pick the size limit at creation and the kind ``inspect_file`` expects;
# the content decides in the end.
EXTENSION_KINDS = {
    "wav": MediaKind.AUDIO,
    "wave": MediaKind.AUDIO,
    "flac": MediaKind.AUDIO,
    "mp3": MediaKind.AUDIO,
    "ogg": MediaKind.AUDIO,
    "oga": MediaKind.AUDIO,
    "opus": MediaKind.AUDIO,
    "m4a": MediaKind.AUDIO,
    "aac": MediaKind.AUDIO,
    "mp4": MediaKind.VIDEO,
    "m4v": MediaKind.VIDEO,
    "webm": MediaKind.VIDEO,
    "pdf": MediaKind.DOCUMENT,
    "jpg": MediaKind.IMAGE,
    "jpeg": MediaKind.IMAGE,
    "png": MediaKind.IMAGE,
}
MIME_PREFIX_KINDS = {
    "audio/": MediaKind.AUDIO,
    "video/": MediaKind.VIDEO,
    "image/": MediaKind.IMAGE,
    "application/pdf": MediaKind.DOCUMENT,
}
# What the file picker suggests; the server still decides by content.
ACCEPT = ",".join(
    [f".{ext}" for ext in EXTENSION_KINDS] + ["audio/*", "video/*", "application/pdf"]
)


class BadName(ValueError):
    """Nothing displayable is left of the name."""

    code = "bad_name"


def display_name(raw: str | None) -> str:
    """The name to show for an uploaded file: last path part, printable, NFC, ≤ 255 characters.

    Browsers send just a name, but other clients may send a full path ("C:\\Users\\…", "../x"):
    only the part after the last slash or backslash is kept. Raises ``BadName`` if nothing is left.
    """
    name = unicodedata.normalize("NFC", raw or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    # Control and format characters (newlines, NUL, bidi overrides) could forge what is shown.
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = " ".join(name.split()).strip(" .")
    if not name:
        raise BadName(raw)
    return _shorten(name)


def _shorten(name: str) -> str:
    if len(name) <= MAX_NAME_LENGTH:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or len(extension) > MAX_EXTENSION_LENGTH:
        return name[:MAX_NAME_LENGTH].rstrip(" .")
    keep = MAX_NAME_LENGTH - len(extension) - 1
    return f"{stem[:keep].rstrip(' .')}.{extension}"


def extension_of(name: str) -> str:
    stem, dot, extension = name.rpartition(".")
    return extension.lower() if dot and stem else ""


def declared_kind(name: str, filetype: str = "") -> MediaKind | None:
    """The kind the name (or else the browser's type) suggests; None when neither says."""
    kind = EXTENSION_KINDS.get(extension_of(name))
    if kind is not None:
        return kind
    filetype = (filetype or "").lower().strip()
    for prefix, kind in MIME_PREFIX_KINDS.items():
        if filetype.startswith(prefix):
            return kind
    return None
