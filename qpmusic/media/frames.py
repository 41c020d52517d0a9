"""Frame headers of FLAC and MPEG audio: recognising a stream and noticing when it was cut short.

Tags and containers say how long a stream should be; these checks compare that with the
bytes actually present, reading only the start and the tail of the file.
"""

import struct
from typing import BinaryIO

from qpmusic.media.containers import FormatError, read_at

# --- MPEG audio (MP3) and ADTS (raw AAC) ----------------------------------------------------

# kbit/s by [version is MPEG-1][layer 1..3][index]
_BITRATES = {
    (True, 1): [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
    (True, 2): [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
    (True, 3): [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
    (False, 1): [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
    (False, 2): [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
}
_BITRATES[(False, 3)] = _BITRATES[(False, 2)]
_SAMPLE_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
# Leading junk (padding after an ID3 tag) we look through for the first frame.
MPEG_SEARCH = 64 * 1024


def id3v2_end(f: BinaryIO) -> int:
    """Offset after any ID3v2 tags at the start (there may be several)."""
    offset = 0
    while True:
        head = read_at(f, offset, 10)
        if len(head) < 10 or head[:3] != b"ID3":
            return offset
        size = 0
        for byte in head[6:10]:
            size = (size << 7) | (byte & 0x7F)
        offset += 10 + size + (10 if head[5] & 0x10 else 0)


def mpeg_frame(header: bytes) -> dict | None:
    """Layer, rate, channels and byte length of the MPEG audio frame starting with ``header``."""
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return None
    version, layer_bits = (header[1] >> 3) & 3, (header[1] >> 1) & 3
    bitrate_index, rate_index = header[2] >> 4, (header[2] >> 2) & 3
    if version == 1 or layer_bits == 0 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    layer, mpeg1 = 4 - layer_bits, version == 3
    bitrate = _BITRATES[(mpeg1, layer)][bitrate_index] * 1000
    rate = _SAMPLE_RATES[version][rate_index]
    padding = (header[2] >> 1) & 1
    if layer == 1:
        length = (12 * bitrate // rate + padding) * 4
    else:
        length = (144 if mpeg1 or layer == 2 else 72) * bitrate // rate + padding
    channels = 1 if header[3] >> 6 == 3 else 2
    return {"layer": layer, "mpeg1": mpeg1, "rate": rate, "channels": channels, "length": length}


def find_mpeg_stream(f: BinaryIO, size: int) -> int | None:
    """Offset of the first of two consecutive valid MPEG audio frames, or None."""
    start = id3v2_end(f)
    window = read_at(f, start, MPEG_SEARCH + 4)
    position = window.find(b"\xff")
    while 0 <= position < MPEG_SEARCH:
        frame = mpeg_frame(window[position : position + 4])
        if frame and frame["layer"] == 3:
            following = start + position + frame["length"]
            if following >= size or mpeg_frame(read_at(f, following, 4)):
                return start + position
        position = window.find(b"\xff", position + 1)
    return None


def check_mpeg_length(f: BinaryIO, size: int, stream: int) -> None:
    """A Xing/Info or VBRI header states the stream's byte count; the bytes must be there."""
    head = read_at(f, stream, 200)
    frame = mpeg_frame(head)
    side_info = (
        (32 if frame["channels"] == 2 else 17)
        if frame["mpeg1"]
        else (17 if frame["channels"] == 2 else 9)
    )
    declared = None
    xing = head[4 + side_info : 4 + side_info + 16]
    if xing[:4] in (b"Xing", b"Info"):
        (flags,) = struct.unpack(">I", xing[4:8])
        if flags & 2:
            offset = 12 if flags & 1 else 8
            (declared,) = struct.unpack(">I", xing[offset : offset + 4])
    elif head[36:40] == b"VBRI":
        (declared,) = struct.unpack(">I", head[46:50])
    # Encoders round differently; a missing frame or more is a cut file.
    if declared and size - stream < declared - 2048:
        raise FormatError(f"MPEG stream declares {declared} bytes, {size - stream} present")


def is_adts(header: bytes) -> bool:
    return len(header) >= 7 and header[0] == 0xFF and header[1] & 0xF6 == 0xF0


# --- FLAC -----------------------------------------------------------------------------------


def _crc_table(poly: int, width: int) -> list[int]:
    top, mask = 1 << (width - 1), (1 << width) - 1
    table = []
    for byte in range(256):
        crc = byte << (width - 8)
        for _ in range(8):
            crc = ((crc << 1) ^ poly) if crc & top else crc << 1
        table.append(crc & mask)
    return table


_CRC8 = _crc_table(0x07, 8)
_CRC16 = _crc_table(0x8005, 16)


def crc8(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc = _CRC8[crc ^ byte]
    return crc


def crc16(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc = ((crc << 8) & 0xFFFF) ^ _CRC16[(crc >> 8) ^ byte]
    return crc


def read_streaminfo(f: BinaryIO, size: int, start: int = 0) -> dict:
    """STREAMINFO and where the audio frames begin, walking the metadata blocks."""
    offset, info = start + 4, None
    while True:
        head = read_at(f, offset, 4)
        if len(head) < 4:
            raise FormatError("FLAC metadata cut short")
        last, block_type, length = head[0] & 0x80, head[0] & 0x7F, int.from_bytes(head[1:], "big")
        if block_type == 0:
            raw = read_at(f, offset + 4, 34)
            if length < 34 or len(raw) < 34:
                raise FormatError("FLAC STREAMINFO cut short")
            min_block, max_block = struct.unpack(">HH", raw[:4])
            max_frame = int.from_bytes(raw[7:10], "big")
            packed = int.from_bytes(raw[10:18], "big")
            info = {
                "min_block": min_block,
                "max_block": max_block,
                "max_frame": max_frame,
                "sample_rate": packed >> 44,
                "channels": ((packed >> 41) & 7) + 1,
                "total_samples": packed & ((1 << 36) - 1),
            }
        offset += 4 + length
        if offset > size:
            raise FormatError("FLAC metadata runs past the end")
        if last:
            break
    if info is None or not info["sample_rate"]:
        raise FormatError("no FLAC STREAMINFO")
    info["audio_start"] = offset
    return info


def _utf8_number(data: bytes, at: int) -> tuple[int, int] | None:
    first = data[at]
    if first < 0x80:
        return first, 1
    length = 8 - (first ^ 0xFF).bit_length()
    if not 2 <= length <= 7 or at + length > len(data):
        return None
    value = first & (0x7F >> length)
    for byte in data[at + 1 : at + length]:
        if byte & 0xC0 != 0x80:
            return None
        value = (value << 6) | (byte & 0x3F)
    return value, length


def flac_frame_header(data: bytes, at: int) -> tuple[int, int, bool] | None:
    """(number, block size, variable blocking) of a frame header at ``at`` whose CRC-8 holds."""
    if at + 6 > len(data) or data[at] != 0xFF or data[at + 1] & 0xFE != 0xF8:
        return None
    block_code, rate_code = data[at + 2] >> 4, data[at + 2] & 0x0F
    if block_code == 0 or rate_code == 15 or data[at + 3] >> 4 >= 11 or data[at + 3] & 1:
        return None
    number = _utf8_number(data, at + 4)
    if number is None:
        return None
    cursor = at + 4 + number[1]
    extra_block = {6: 1, 7: 2}.get(block_code, 0)
    extra_rate = {12: 1, 13: 2, 14: 2}.get(rate_code, 0)
    if cursor + extra_block + extra_rate >= len(data):
        return None
    if extra_block:
        blocksize = int.from_bytes(data[cursor : cursor + extra_block], "big") + 1
    elif block_code == 1:
        blocksize = 192
    elif block_code <= 5:
        blocksize = 576 << (block_code - 2)
    else:
        blocksize = 256 << (block_code - 8)
    cursor += extra_block + extra_rate
    if crc8(data[at:cursor]) != data[cursor]:
        return None
    return number[0], blocksize, bool(data[at + 1] & 1)


def check_flac_end(f: BinaryIO, size: int, info: dict) -> None:
    """The last frame must be whole (its CRC-16 holds) and end at the declared sample count."""
    end = size - 128 if size >= 128 and read_at(f, size - 128, 3) == b"TAG" else size
    window = info["max_frame"] + 64 if info["max_frame"] else 1024 * 1024
    start = max(info["audio_start"], end - window)
    tail = read_at(f, start, end - start)
    position = tail.rfind(b"\xff")
    while position >= 0:
        header = flac_frame_header(tail, position)
        if header and crc16(tail[position:]) == 0:
            number, blocksize, variable = header
            first = number if variable else number * info["max_block"]
            total = info["total_samples"]
            if total and first + blocksize != total:
                raise FormatError(f"FLAC ends at sample {first + blocksize}, header says {total}")
            return
        position = tail.rfind(b"\xff", 0, position)
    raise FormatError("the last FLAC frame is incomplete")
