"""Just enough parsing of RIFF, ISO-BMFF (MP4), EBML (WebM) and Ogg to tell what a file holds.

Each reader looks at headers only (seeking past payloads), so a 4 GB video is checked in
milliseconds, and raises ``FormatError`` when the bytes contradict the format — most often
because the file was cut short.
"""

import struct
from typing import BinaryIO


class FormatError(Exception):
    """The file claims a format but its structure is broken (usually: truncated)."""


def read_at(f: BinaryIO, offset: int, n: int) -> bytes:
    f.seek(offset)
    return f.read(n)


# --- RIFF/WAVE (and RF64 for files over 4 GB) -----------------------------------------------

UNKNOWN_32 = 0xFFFFFFFF


def read_wav(f: BinaryIO, size: int) -> dict:
    """Channels, rate and duration from ``fmt `` and ``data``; the data must be all there."""
    head = read_at(f, 0, 12)
    rf64 = head[:4] == b"RF64"
    offset, fmt, data_size, ds64_data = 12, None, None, None
    while offset + 8 <= size and (fmt is None or data_size is None):
        chunk_id, chunk_size = struct.unpack("<4sI", read_at(f, offset, 8))
        body = offset + 8
        if chunk_id == b"ds64" and rf64:
            ds64_data = struct.unpack("<QQ", read_at(f, body, 16))[1]
        elif chunk_id == b"fmt ":
            if chunk_size < 16:
                raise FormatError("fmt chunk too short")
            fmt = struct.unpack("<HHIIHH", read_at(f, body, 16))
        elif chunk_id == b"data":
            data_size = chunk_size
            if rf64 and chunk_size == UNKNOWN_32 and ds64_data is not None:
                data_size = ds64_data
            elif chunk_size == UNKNOWN_32:
                # Written by a recorder that never came back to fill in the size.
                data_size = size - body
            if body + data_size > size:
                raise FormatError(f"data chunk claims {data_size} bytes, {size - body} present")
            break
        offset = body + chunk_size + (chunk_size & 1)
    if fmt is None or data_size is None:
        raise FormatError("no fmt or data chunk")
    _, channels, rate, _, block_align, _ = fmt
    if not channels or not rate or not block_align:
        raise FormatError("fmt chunk with zero channels, rate or block size")
    return {
        "channels": channels,
        "sample_rate": rate,
        "duration": data_size / block_align / rate,
    }


# --- ISO base media file format (MP4, M4A, MOV) ---------------------------------------------


def iter_boxes(f: BinaryIO, start: int, end: int):
    """(type, payload offset, payload end) of each box in [start, end)."""
    offset = start
    while offset + 8 <= end:
        size, box_type = struct.unpack(">I4s", read_at(f, offset, 8))
        header = 8
        if size == 1:
            (size,) = struct.unpack(">Q", read_at(f, offset + 8, 8))
            header = 16
        elif size == 0:
            size = end - offset
        if size < header or offset + size > end:
            raise FormatError(f"box {box_type!r} at {offset} runs past the end")
        yield box_type, offset + header, offset + size
        offset += size
    if offset != end and end - offset >= 8:
        raise FormatError("stray bytes after the last box")


def _child(f: BinaryIO, start: int, end: int, box_type: bytes):
    return next(((s, e) for t, s, e in iter_boxes(f, start, end) if t == box_type), None)


def read_mp4(f: BinaryIO, size: int) -> dict:
    """The handler types of the tracks (b"soun", b"vide", ...), duration and major brand."""
    brand = read_at(f, 8, 4)
    moov = None
    for box_type, start, end in iter_boxes(f, 0, size):
        if box_type == b"moov":
            moov = (start, end)
    if moov is None:
        raise FormatError("no moov box")
    duration, handlers = None, []
    for box_type, start, end in iter_boxes(f, *moov):
        if box_type == b"mvhd":
            version = read_at(f, start, 1)[0]
            if version == 1:
                timescale, length = struct.unpack(">IQ", read_at(f, start + 20, 12))
            else:
                timescale, length = struct.unpack(">II", read_at(f, start + 12, 8))
            duration = length / timescale if timescale and length != UNKNOWN_32 else None
        elif box_type == b"trak":
            mdia = _child(f, start, end, b"mdia")
            hdlr = mdia and _child(f, *mdia, b"hdlr")
            if hdlr:
                handlers.append(read_at(f, hdlr[0] + 8, 4))
    return {"brand": brand, "handlers": handlers, "duration": duration}


# --- EBML (WebM / Matroska) -----------------------------------------------------------------

EBML_HEADER, DOCTYPE = 0x1A45DFA3, 0x4282
SEGMENT, INFO, TRACKS, CLUSTER = 0x18538067, 0x1549A966, 0x1654AE6B, 0x1F43B675
TIMESTAMP_SCALE, DURATION, TRACK_ENTRY, TRACK_TYPE = 0x2AD7B1, 0x4489, 0xAE, 0x83
# Tracks and Info come before the first Cluster; never walk further than this looking.
EBML_SCAN_LIMIT = 16 * 1024 * 1024


def _vint(f: BinaryIO, offset: int, keep_marker: bool) -> tuple[int, int, bool]:
    """(value, length, all value bits set) of the variable-length integer at ``offset``."""
    first = read_at(f, offset, 1)
    if not first or first[0] == 0:
        raise FormatError("bad EBML number")
    length = 9 - first[0].bit_length()
    raw = read_at(f, offset, length)
    if len(raw) < length:
        raise FormatError("EBML number cut short")
    value = int.from_bytes(raw, "big")
    unmarked = value & ((1 << (7 * length)) - 1)
    return (value if keep_marker else unmarked), length, unmarked == (1 << (7 * length)) - 1


def iter_elements(f: BinaryIO, start: int, end: int):
    """(id, data offset, data end or None when the size is unknown) of each child element."""
    offset = start
    while offset < end:
        element_id, id_len, _ = _vint(f, offset, keep_marker=True)
        size, size_len, unknown = _vint(f, offset + id_len, keep_marker=False)
        data = offset + id_len + size_len
        if unknown:
            yield element_id, data, None
            return
        if data + size > end:
            raise FormatError(f"EBML element {element_id:#x} runs past the end")
        yield element_id, data, data + size
        offset = data + size


def _uint(f, start, end) -> int:
    return int.from_bytes(read_at(f, start, end - start), "big")


def read_webm(f: BinaryIO, size: int) -> dict:
    """DocType, track types (1 video, 2 audio) and duration of a WebM/Matroska file."""
    elements = iter_elements(f, 0, size)
    element_id, start, end = next(elements)
    if element_id != EBML_HEADER or end is None:
        raise FormatError("no EBML header")
    doctype = next(
        (
            read_at(f, s, e - s).rstrip(b"\0")
            for i, s, e in iter_elements(f, start, end)
            if i == DOCTYPE
        ),
        b"",
    )
    element_id, start, end = next(elements, (None, 0, 0))
    if element_id != SEGMENT:
        raise FormatError("no Segment")
    scale, duration, tracks = 1_000_000, None, []
    for element_id, child, child_end in iter_elements(f, start, min(end or size, size)):
        if child_end is None or element_id == CLUSTER or child > EBML_SCAN_LIMIT:
            break
        if element_id == INFO:
            for i, s, e in iter_elements(f, child, child_end):
                if i == TIMESTAMP_SCALE:
                    scale = _uint(f, s, e)
                elif i == DURATION:
                    duration = struct.unpack(">f" if e - s == 4 else ">d", read_at(f, s, e - s))[0]
        elif element_id == TRACKS:
            for i, s, e in iter_elements(f, child, child_end):
                if i == TRACK_ENTRY:
                    tracks += [
                        _uint(f, ts, te) for t, ts, te in iter_elements(f, s, e) if t == TRACK_TYPE
                    ]
    return {
        "doctype": doctype.decode("ascii", "replace"),
        "tracks": tracks,
        "duration": duration * scale / 1e9 if duration else None,
    }


# --- Ogg ------------------------------------------------------------------------------------

MAX_OGG_PAGE = 27 + 255 + 255 * 255


def ogg_first_packet(f: BinaryIO) -> bytes:
    head = read_at(f, 0, 27 + 255)
    if len(head) < 27:
        raise FormatError("Ogg page header cut short")
    segments = head[26]
    lacing = head[27 : 27 + segments]
    return read_at(f, 27 + segments, sum(lacing))


def check_ogg_end(f: BinaryIO, size: int) -> None:
    """The file must end with a complete page marked end-of-stream; a cut file does not."""
    tail_start = max(0, size - MAX_OGG_PAGE)
    tail = read_at(f, tail_start, size - tail_start)
    position = tail.rfind(b"OggS")
    while position >= 0:
        page = tail[position:]
        if len(page) >= 27 and page[4] == 0:
            segments = page[26]
            if len(page) >= 27 + segments:
                length = 27 + segments + sum(page[27 : 27 + segments])
                if length == len(page):
                    if not page[5] & 0x04:
                        raise FormatError("last Ogg page is not marked end-of-stream")
                    return
        position = tail.rfind(b"OggS", 0, position)
    raise FormatError("the last Ogg page is incomplete")
