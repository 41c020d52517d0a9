"""What a received file really is, judged by its content: magic bytes, then a successful parse.

Fast enough to run when an upload completes: headers and the file's tail are read, nothing is
decoded. Never trusts the file name or the type the browser declared.
"""

import logging
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import mutagen
from pypdf import PdfReader

from qpmusic.enums import MediaKind
from qpmusic.media import containers, frames
from qpmusic.media.containers import FormatError, read_at

log = logging.getLogger(__name__)

# Problem codes; their texts are in qpmusic.media.labels.REJECTION_MESSAGES.
EMPTY, UNKNOWN_TYPE, CORRUPT, KIND_MISMATCH = "empty", "unknown_type", "corrupt", "kind_mismatch"

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"
# HEIF/AVIF stills share MP4's box structure; they are images we do not accept.
STILL_IMAGE_BRANDS = {b"heic", b"heix", b"mif1", b"msf1", b"avif", b"avis"}


@dataclass(frozen=True)
class Inspection:
    kind: MediaKind | None
    mime: str
    problem: str | None = None
    # What the parse learnt (duration, sample_rate, channels, width, height, pages, ...) and,
    # for a problem, a detail for the office and the logs.
    info: dict = field(default_factory=dict)
    detail: str = ""


def inspect_file(path: Path, *, declared_kind: MediaKind | None = None) -> Inspection:
    """Detect the kind and type of ``path``; ``problem`` says why it cannot be accepted."""
    size = Path(path).stat().st_size
    if size == 0:
        return Inspection(None, "", EMPTY)
    with open(path, "rb") as f:
        try:
            detected = detect(f, size)
        except FormatError as exc:
            return Inspection(None, "", CORRUPT, detail=str(exc))
        if detected is None:
            return Inspection(None, "", UNKNOWN_TYPE)
        kinds, mime, check = detected
        if declared_kind is not None and declared_kind not in kinds:
            return Inspection(kinds[0], mime, KIND_MISMATCH, detail=f"declared {declared_kind}")
        kind = declared_kind or kinds[0]
        try:
            info = check(f, size)
        except FormatError as exc:
            return Inspection(kind, mime, CORRUPT, detail=str(exc))
        except Exception as exc:
            # Hostile or mangled bytes can trip any parser; refuse the file, keep a trace.
            log.warning("unexpected error checking %s as %s", path, mime, exc_info=True)
            return Inspection(kind, mime, CORRUPT, detail=f"{type(exc).__name__}: {exc}")
    if kind == MediaKind.AUDIO and mime != "audio/webm":
        # mutagen has no WebM reader; for it the container's own parse above must do.
        try:
            audio = mutagen.File(path)
        except Exception as exc:  # mutagen raises many error types for bad input
            return Inspection(kind, mime, CORRUPT, detail=f"mutagen: {exc}")
        if audio is None or not audio.info.length or audio.info.length <= 0:
            return Inspection(kind, mime, CORRUPT, detail="no audio length")
        info = {"duration": audio.info.length, **_audio_params(audio), **info}
    elif kind == MediaKind.DOCUMENT:
        try:
            # From an open file: given a path, pypdf reads the whole document into memory.
            with open(path, "rb") as handle:
                info = {"pages": len(PdfReader(handle).pages)}
        except Exception as exc:  # pypdf raises many error types for broken input
            return Inspection(kind, mime, CORRUPT, detail=f"pypdf: {exc}")
        if not info["pages"]:
            return Inspection(kind, mime, CORRUPT, detail="no pages")
    return Inspection(kind, mime, None, info)


def _audio_params(audio) -> dict:
    params = {}
    for name in ("sample_rate", "channels"):
        value = getattr(audio.info, name, None)
        if value:
            params[name] = value
    return params


def detect(f: BinaryIO, size: int):
    """(possible kinds, mime, structural check) from the first bytes; None if no type matches.

    A damaged MP4 or WebM may be either sound or video, so it matches both kinds and is then
    reported as corrupt rather than as the wrong kind.
    """
    head = read_at(f, 0, 64)
    if head[:4] in (b"RIFF", b"RF64") and head[8:12] == b"WAVE":
        return (MediaKind.AUDIO,), "audio/wav", containers.read_wav
    if head[:4] == b"fLaC":
        return (MediaKind.AUDIO,), "audio/flac", _check_flac
    tagged = frames.id3v2_end(f)
    if tagged and read_at(f, tagged, 4) == b"fLaC":
        # Some taggers put an ID3 tag in front of a FLAC stream; players skip it.
        return (MediaKind.AUDIO,), "audio/flac", _check_flac
    if head[:4] == b"OggS":
        return _detect_ogg(f)
    if head[4:8] == b"ftyp":
        return _detect_mp4(f, size, head)
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return _detect_webm(f, size)
    if b"%PDF-" in read_at(f, 0, 1024):
        return (MediaKind.DOCUMENT,), "application/pdf", _check_pdf
    if head[:8] == PNG_SIGNATURE:
        return (MediaKind.IMAGE,), "image/png", _check_png
    if head[:3] == b"\xff\xd8\xff":
        return (MediaKind.IMAGE,), "image/jpeg", _check_jpeg
    if frames.is_adts(read_at(f, tagged, 7)):
        return (MediaKind.AUDIO,), "audio/aac", lambda f, size: {}
    if frames.find_mpeg_stream(f, size) is not None:
        return (MediaKind.AUDIO,), "audio/mpeg", _check_mpeg
    return None


def _check_flac(f, size):
    info = frames.read_streaminfo(f, size, frames.id3v2_end(f))
    frames.check_flac_end(f, size, info)
    return {k: info[k] for k in ("sample_rate", "channels")}


def _check_mpeg(f, size):
    frames.check_mpeg_length(f, size, frames.find_mpeg_stream(f, size))
    return {}


def _detect_ogg(f):
    packet = containers.ogg_first_packet(f)
    if packet.startswith(b"\x01vorbis"):
        mime = "audio/ogg; codecs=vorbis"
    elif packet.startswith(b"OpusHead"):
        mime = "audio/ogg; codecs=opus"
    elif packet.startswith(b"\x7fFLAC"):
        mime = "audio/ogg; codecs=flac"
    else:
        # Theora video and other codecs no browser of the jury reliably plays.
        return None
    return (MediaKind.AUDIO,), mime, lambda f, size: containers.check_ogg_end(f, size) or {}


def _detect_mp4(f, size, head):
    if head[8:12] in STILL_IMAGE_BRANDS:
        return None
    try:
        parsed = containers.read_mp4(f, size)
    except (FormatError, struct.error) as exc:
        # Still an MP4 by its signature: report it as damaged, not as unknown.
        def broken(f, size, exc=exc):
            raise FormatError(str(exc))

        mime = "audio/mp4" if head[8:11] == b"M4A" else "video/mp4"
        return (MediaKind.AUDIO, MediaKind.VIDEO), mime, broken
    quicktime = parsed["brand"] == b"qt  "
    result = {"duration": parsed["duration"]} if parsed["duration"] else {}
    if b"vide" in parsed["handlers"]:
        mime = "video/quicktime" if quicktime else "video/mp4"
        return (MediaKind.VIDEO,), mime, lambda f, size: result
    if b"soun" in parsed["handlers"]:
        return (MediaKind.AUDIO,), "audio/mp4", lambda f, size: result
    return None


def _detect_webm(f, size):
    try:
        parsed = containers.read_webm(f, size)
    except (FormatError, struct.error) as exc:

        def broken(f, size, exc=exc):
            raise FormatError(str(exc))

        return (MediaKind.VIDEO, MediaKind.AUDIO), "video/webm", broken
    if parsed["doctype"] != "webm":
        return None
    result = {"duration": parsed["duration"]} if parsed["duration"] else {}
    if 1 in parsed["tracks"]:
        return (MediaKind.VIDEO,), "video/webm", lambda f, size: result
    if 2 in parsed["tracks"]:
        return (MediaKind.AUDIO,), "audio/webm", lambda f, size: result
    return None


def _check_pdf(f, size):
    # Readers require the end-of-file marker near the end; a cut PDF has lost it.
    if b"%%EOF" not in read_at(f, max(0, size - 2048), 2048):
        raise FormatError("no %%EOF at the end")
    return {}


def _check_png(f, size):
    length, chunk, width, height, depth, color = struct.unpack(">I4sIIBB", read_at(f, 8, 18))
    if chunk != b"IHDR" or length != 13 or not width or not height:
        raise FormatError("bad PNG header")
    if depth not in (1, 2, 4, 8, 16) or color not in (0, 2, 3, 4, 6):
        raise FormatError("bad PNG bit depth or colour type")
    if read_at(f, size - 12, 12) != PNG_END:
        raise FormatError("PNG does not end with IEND")
    return {"width": width, "height": height}


def _check_jpeg(f, size):
    offset, dimensions = 2, None
    while offset + 4 <= size and dimensions is None:
        prefix, marker, length = struct.unpack(">BBH", read_at(f, offset, 4))
        if prefix == marker == 0xFF:
            offset += 1  # fill byte before a marker
            continue
        if prefix != 0xFF or length < 2:
            raise FormatError("bad JPEG segment")
        # SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the dimensions.
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", read_at(f, offset + 5, 4))
            dimensions = {"width": width, "height": height}
        offset += 2 + length
    if not dimensions or not dimensions["width"] or not dimensions["height"]:
        raise FormatError("no JPEG frame header")
    if b"\xff\xd9" not in read_at(f, max(0, size - 4096), 4096):
        raise FormatError("JPEG does not end with EOI")
    return dimensions
