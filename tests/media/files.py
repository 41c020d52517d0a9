"""Real media files made in code for the tests, and a corpus of bad ones."""

import io
import struct
import wave
import zlib
from pathlib import Path

import numpy as np
import soundfile
from pypdf import PdfWriter

RATE = 44100


def sine(
    seconds: float = 1.0,
    *,
    rate: int = RATE,
    channels: int = 1,
    freq: float = 997.0,
    amplitude: float = 0.5,
) -> np.ndarray:
    """A sine as float samples, shape (frames, channels)."""
    t = np.arange(int(seconds * rate)) / rate
    mono = amplitude * np.sin(2 * np.pi * freq * t)
    return np.repeat(mono[:, None], channels, axis=1)


def wav_bytes(seconds: float = 1.0, *, rate: int = RATE, channels: int = 2, **kwargs) -> bytes:
    """16-bit PCM WAV written with the standard ``wave`` module."""
    samples = np.round(sine(seconds, rate=rate, channels=channels, **kwargs) * 32767)
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.astype("<i2").tobytes())
    return out.getvalue()


def encoded_bytes(
    fmt: str, subtype: str, seconds: float = 1.0, *, rate: int = RATE, channels: int = 1, **kwargs
) -> bytes:
    """Audio encoded by libsndfile (FLAC, Ogg Vorbis/Opus, MP3 through LAME)."""
    out = io.BytesIO()
    soundfile.write(
        out,
        sine(seconds, rate=rate, channels=channels, **kwargs),
        rate,
        format=fmt,
        subtype=subtype,
    )
    return out.getvalue()


def flac_bytes(seconds: float = 1.0, **kwargs) -> bytes:
    return encoded_bytes("FLAC", "PCM_16", seconds, **kwargs)


def ogg_bytes(seconds: float = 1.0, **kwargs) -> bytes:
    return encoded_bytes("OGG", "VORBIS", seconds, **kwargs)


def opus_bytes(seconds: float = 1.0, **kwargs) -> bytes:
    return encoded_bytes("OGG", "OPUS", seconds, rate=48000, **kwargs)


def mp3_bytes(seconds: float = 1.0, **kwargs) -> bytes:
    return encoded_bytes("MP3", "MPEG_LAYER_III", seconds, **kwargs)


def with_id3(mp3: bytes, title: str = "Nachtstück", artist: str = "Mia Sommer") -> bytes:
    """``mp3`` behind an ID3v2.3 tag naming the artist (what a blind copy must lose)."""

    def frame(name, text):
        body = b"\x01" + text.encode("utf-16")
        return name + struct.pack(">I", len(body)) + b"\0\0" + body

    frames = frame(b"TIT2", title) + frame(b"TPE1", artist)
    size = len(frames)
    synchsafe = bytes([(size >> 21) & 0x7F, (size >> 14) & 0x7F, (size >> 7) & 0x7F, size & 0x7F])
    return b"ID3\x03\x00\x00" + synchsafe + frames + mp3


# --- MP4 and WebM, assembled box by box (no encoder is available to the tests) ---------------


def box(kind: bytes, *children: bytes) -> bytes:
    body = b"".join(children)
    return struct.pack(">I", 8 + len(body)) + kind + body


def _track(handler: bytes, duration: int, timescale: int) -> bytes:
    mdhd = box(b"mdhd", b"\0" * 12 + struct.pack(">II", timescale, duration) + b"\0\0\0\0")
    hdlr = box(b"hdlr", b"\0" * 8 + handler + b"\0" * 12 + b"track\0")
    return box(b"trak", box(b"mdia", mdhd, hdlr, box(b"minf")))


def mp4_bytes(*handlers: bytes, seconds: int = 3, brand: bytes = b"isom") -> bytes:
    """An MP4 with one track per handler (b"soun", b"vide"), stating ``seconds``."""
    timescale = 1000
    mvhd = box(
        b"mvhd", b"\0" * 12 + struct.pack(">II", timescale, seconds * timescale) + b"\0" * 80
    )
    tracks = [_track(h, seconds * timescale, timescale) for h in handlers]
    return (
        box(b"ftyp", brand + b"\0\0\0\0" + brand + b"mp42")
        + box(b"moov", mvhd, *tracks)
        + box(b"mdat", b"\0" * 64)
    )


def _ebml(element_id: int, body: bytes) -> bytes:
    id_bytes = element_id.to_bytes((element_id.bit_length() + 7) // 8, "big")
    return id_bytes + (0x01 << 56 | len(body)).to_bytes(8, "big") + body


def webm_bytes(*track_types: int, seconds: float = 2.0, doctype: bytes = b"webm") -> bytes:
    """A WebM with tracks of the given types (1 video, 2 audio) and a duration."""
    header = _ebml(0x1A45DFA3, _ebml(0x4282, doctype))
    info = _ebml(
        0x1549A966,
        _ebml(0x2AD7B1, (1_000_000).to_bytes(3, "big"))
        + _ebml(0x4489, struct.pack(">d", seconds * 1000)),
    )
    entries = b"".join(_ebml(0xAE, _ebml(0x83, bytes([t]))) for t in track_types)
    cluster = _ebml(0x1F43B675, b"\0" * 32)
    return header + _ebml(0x18538067, info + _ebml(0x1654AE6B, entries) + cluster)


# --- documents and images -------------------------------------------------------------------


def pdf_bytes(pages: int = 2, *, author: str = "Mia Sommer", title: str = "Partitur") -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Author": author, "/Title": title, "/Producer": "Sibelius"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bytes(width: int = 4, height: int = 3, *, text: str | None = "Author\0Mia Sommer") -> bytes:
    """An RGB PNG, with a tEXt chunk naming the author unless ``text`` is None."""
    rows = b"".join(b"\0" + b"\x80\x40\x20" * width for _ in range(height))
    chunks = [_png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))]
    if text:
        chunks.append(_png_chunk(b"tEXt", text.encode("latin-1")))
    chunks += [_png_chunk(b"IDAT", zlib.compress(rows)), _png_chunk(b"IEND", b"")]
    return b"\x89PNG\r\n\x1a\n" + b"".join(chunks)


def _segment(marker: int, body: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body


def jpeg_bytes(width: int = 640, height: int = 480) -> bytes:
    """A baseline JPEG's segments with EXIF (headers only: not a decodable picture)."""
    return (
        b"\xff\xd8"
        + _segment(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0")
        + _segment(0xE1, b"Exif\0\0MM\0*\0\0\0\x08Mia Sommer, Canon EOS")
        + _segment(0xDB, b"\0" + bytes(range(1, 65)))
        + _segment(0xC0, b"\x08" + struct.pack(">HH", height, width) + b"\x01\x01\x11\x00")
        + _segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
        + b"\x12\x34\x56\x78"
        + b"\xff\xd9"
    )


# --- the bad-file corpus: (name, bytes, declared kind, expected problem) --------------------


def truncated(data: bytes, fraction: float = 0.6) -> bytes:
    return data[: int(len(data) * fraction)]


def bad_corpus() -> list[tuple[str, bytes, str | None, str]]:
    return [
        ("notes.wav", b"Das ist keine Musik.\n" * 40, "audio", "unknown_type"),
        ("cut.flac", truncated(flac_bytes(2.0)), "audio", "corrupt"),
        ("score.mp3", pdf_bytes(), "audio", "kind_mismatch"),
        ("empty.wav", b"", "audio", "empty"),
        ("cut.wav", truncated(wav_bytes(1.0)), "audio", "corrupt"),
        ("cut.ogg", truncated(ogg_bytes(2.0)), "audio", "corrupt"),
        ("cut.mp3", truncated(mp3_bytes(2.0)), "audio", "corrupt"),
        ("cut.pdf", truncated(pdf_bytes()), "document", "corrupt"),
        ("cut.png", truncated(png_bytes()), "image", "corrupt"),
        ("cut.mp4", truncated(mp4_bytes(b"vide", b"soun"), 0.5), "video", "corrupt"),
        ("cut.webm", truncated(webm_bytes(1, 2), 0.7), "video", "corrupt"),
        ("film.mkv", webm_bytes(1, doctype=b"matroska"), "video", "unknown_type"),
        ("photo.heic", mp4_bytes(brand=b"heic"), "image", "unknown_type"),
    ]


def write(directory: Path, name: str, data: bytes) -> Path:
    path = Path(directory) / name
    path.write_bytes(data)
    return path
