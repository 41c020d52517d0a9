"""The anonymous copy jurors get in a blind edition: the same content, no names in the metadata.

Tags (ID3, Vorbis comments, MP4 atoms, WAV LIST/INFO and broadcast chunks), embedded pictures,
PDF author/title/XMP and image EXIF/text chunks are what name a musician inside a file; the
sound, pages and pixels are copied unchanged.
"""

import logging
import shutil
import struct
import subprocess
from pathlib import Path

import mutagen
import mutagen.apev2
import mutagen.id3
from mutagen.flac import FLAC
from mutagen.mp4 import MP4
from pypdf import PdfReader, PdfWriter

from qpmusic.media.containers import UNKNOWN_32, read_at

log = logging.getLogger(__name__)
COPY_CHUNK = 1024 * 1024
# What a player needs from a WAV; LIST/INFO, bext, iXML, id3, _PMX (XMP) and the like go.
WAV_KEEP = {b"fmt ", b"fact", b"data", b"cue ", b"smpl", b"inst"}
# PNG chunks that change how the picture looks; tEXt/zTXt/iTXt/eXIf/tIME go.
PNG_KEEP = {
    *(b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP"),
    *(b"sBIT", b"pHYs", b"bKGD", b"acTL", b"fcTL", b"fdAT"),
}
# JPEG segments before the image data that carry words: EXIF/XMP (APP1), IPTC (APP13), comments.
JPEG_DROP = {0xE1, 0xED, 0xFE}
FFMPEG_FORMATS = {"video/mp4": "mp4", "video/quicktime": "mov", "video/webm": "webm"}


class Unsupported(Exception):
    """This file's metadata cannot be removed here; the caller keeps a plain copy."""


def make_blind_copy(source: Path, target: Path, mime: str, *, ffmpeg: str | None = None) -> bool:
    """Write ``source`` without identifying metadata to ``target``.

    Returns False when only a plain copy could be made (the caller notes it for the office).
    """
    kind = mime.split(";")[0]
    try:
        if kind == "audio/wav":
            _strip_wav(source, target)
        elif kind == "image/png":
            _strip_png(source, target)
        elif kind == "image/jpeg":
            _strip_jpeg(source, target)
        elif kind == "application/pdf":
            _strip_pdf(source, target)
        elif kind in FFMPEG_FORMATS and ffmpeg:
            _strip_with_ffmpeg(ffmpeg, source, target, FFMPEG_FORMATS[kind])
        else:
            shutil.copyfile(source, target)
            _strip_tags(target, kind)
        return True
    except Exception as exc:
        # A file good enough to play but odd enough to trip a tag writer still gets a copy.
        if not isinstance(exc, Unsupported):
            log.warning("blind copy of %s (%s) failed", source, mime, exc_info=True)
        shutil.copyfile(source, target)
        return False


def _strip_tags(path: Path, kind: str) -> None:
    if kind in ("audio/mpeg", "audio/aac"):
        mutagen.id3.delete(path)
        mutagen.apev2.delete(path)
    elif kind == "audio/flac":
        audio = FLAC(path)
        audio.clear_pictures()
        audio.delete()
        mutagen.id3.delete(path)
    elif kind in ("audio/mp4", "video/mp4", "video/quicktime"):
        try:
            MP4(path).delete()
        except mutagen.MutagenError as exc:
            # mutagen only rewrites MP4s it can read as sound (a video without an audio track).
            raise Unsupported(str(exc)) from exc
    elif kind == "audio/ogg":
        mutagen.File(path).delete()
    else:
        raise Unsupported(kind)


def _copy_range(source, out, length: int) -> None:
    while length > 0:
        chunk = source.read(min(COPY_CHUNK, length))
        if not chunk:
            break
        out.write(chunk)
        length -= len(chunk)


def _strip_wav(source: Path, target: Path) -> None:
    size = source.stat().st_size
    with source.open("rb") as f, target.open("wb") as out:
        if read_at(f, 0, 4) != b"RIFF":
            # RF64 keeps its sizes in a ds64 chunk; rewriting it is not worth it for a copy.
            raise Unsupported("RF64")
        out.write(b"RIFF\0\0\0\0WAVE")
        offset = 12
        while offset + 8 <= size:
            chunk_id, chunk_size = struct.unpack("<4sI", read_at(f, offset, 8))
            if chunk_id == b"data" and chunk_size == UNKNOWN_32:
                chunk_size = size - offset - 8
            chunk_size = min(chunk_size, size - offset - 8)
            if chunk_id in WAV_KEEP:
                out.write(struct.pack("<4sI", chunk_id, chunk_size))
                f.seek(offset + 8)
                _copy_range(f, out, chunk_size)
                if chunk_size & 1:
                    out.write(b"\0")
            offset += 8 + chunk_size + (chunk_size & 1)
        total = out.tell()
        out.seek(4)
        out.write(struct.pack("<I", total - 8))


def _strip_png(source: Path, target: Path) -> None:
    data = source.read_bytes()
    parts, offset = [data[:8]], 8
    while offset + 12 <= len(data):
        length, chunk_type = struct.unpack(">I4s", data[offset : offset + 8])
        end = offset + 12 + length
        if chunk_type in PNG_KEEP:
            parts.append(data[offset:end])
        offset = end
    target.write_bytes(b"".join(parts))


def _strip_jpeg(source: Path, target: Path) -> None:
    data = source.read_bytes()
    parts, offset = [data[:2]], 2
    while offset + 4 <= len(data):
        marker = data[offset + 1]
        if marker == 0xDA:
            # Start of scan: the compressed picture follows, kept as it is.
            parts.append(data[offset:])
            break
        (length,) = struct.unpack(">H", data[offset + 2 : offset + 4])
        if marker not in JPEG_DROP:
            parts.append(data[offset : offset + 2 + length])
        offset += 2 + length
    target.write_bytes(b"".join(parts))


def _strip_pdf(source: Path, target: Path) -> None:
    # From an open file (a path makes pypdf read it all into memory), kept open while writing.
    with open(source, "rb") as handle, target.open("wb") as out:
        writer = PdfWriter(clone_from=PdfReader(handle))
        writer.metadata = None
        # XMP repeats author and title in the catalog's /Metadata stream.
        writer.root_object.pop("/Metadata", None)
        writer.write(out)


def _strip_with_ffmpeg(ffmpeg: str, source: Path, target: Path, container: str) -> None:
    command = [
        *(ffmpeg, "-nostdin", "-v", "error", "-y", "-i", str(source)),
        *("-map", "0", "-map_metadata", "-1", "-map_chapters", "-1", "-c", "copy"),
        *("-f", container, str(target)),
    ]
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=600)  # noqa: S603
    except (subprocess.SubprocessError, OSError) as exc:
        raise Unsupported(f"ffmpeg: {exc}") from exc
