"""Files are judged by their content: the right kind and type, or a precise reason to refuse."""

from pathlib import Path

import pytest

from qpmusic.enums import MediaKind
from qpmusic.media import frames
from qpmusic.media.inspect import inspect_file
from qpmusic.media.labels import REJECTION_MESSAGES
from tests.media import files

AUDIO, VIDEO, DOCUMENT, IMAGE = (
    MediaKind.AUDIO,
    MediaKind.VIDEO,
    MediaKind.DOCUMENT,
    MediaKind.IMAGE,
)

GOOD = [
    ("take.wav", lambda: files.wav_bytes(1.5, channels=2), AUDIO, "audio/wav"),
    ("take.flac", lambda: files.flac_bytes(1.5), AUDIO, "audio/flac"),
    ("take.ogg", lambda: files.ogg_bytes(1.5), AUDIO, "audio/ogg; codecs=vorbis"),
    ("take.opus", lambda: files.opus_bytes(1.5), AUDIO, "audio/ogg; codecs=opus"),
    ("take.mp3", lambda: files.mp3_bytes(1.5), AUDIO, "audio/mpeg"),
    ("tagged.mp3", lambda: files.with_id3(files.mp3_bytes(1.5)), AUDIO, "audio/mpeg"),
    ("take.m4a", lambda: files.mp4_bytes(b"soun", brand=b"M4A "), AUDIO, "audio/mp4"),
    ("take.webm", lambda: files.webm_bytes(2), AUDIO, "audio/webm"),
    ("film.mp4", lambda: files.mp4_bytes(b"vide", b"soun"), VIDEO, "video/mp4"),
    ("film.mov", lambda: files.mp4_bytes(b"vide", brand=b"qt  "), VIDEO, "video/quicktime"),
    ("film.webm", lambda: files.webm_bytes(1, 2), VIDEO, "video/webm"),
    ("score.pdf", lambda: files.pdf_bytes(3), DOCUMENT, "application/pdf"),
    ("photo.png", lambda: files.png_bytes(), IMAGE, "image/png"),
    ("photo.jpg", lambda: files.jpeg_bytes(), IMAGE, "image/jpeg"),
]


@pytest.mark.parametrize(("name", "make", "kind", "mime"), GOOD, ids=[g[0] for g in GOOD])
def test_good_file_is_recognised_by_its_content(tmp_path, name, make, kind, mime):
    # A misleading name: only the bytes count.
    path = files.write(tmp_path, "upload.bin", make())

    found = inspect_file(path, declared_kind=kind)

    assert (found.kind, found.mime, found.problem) == (kind, mime, None)


@pytest.mark.parametrize(
    ("name", "data", "declared", "problem"),
    files.bad_corpus(),
    ids=[bad[0] for bad in files.bad_corpus()],
)
def test_bad_file_is_refused_with_its_reason(tmp_path, name, data, declared, problem):
    path = files.write(tmp_path, name, data)

    found = inspect_file(path, declared_kind=MediaKind(declared) if declared else None)

    assert found.problem == problem
    assert problem in REJECTION_MESSAGES


def test_audio_facts_come_from_the_headers(tmp_path):
    path = files.write(tmp_path, "take.wav", files.wav_bytes(2.5, rate=48000, channels=2))

    found = inspect_file(path)

    assert found.info == {"duration": 2.5, "sample_rate": 48000, "channels": 2}


def test_pdf_renamed_mp3_is_a_document_when_no_kind_is_declared(tmp_path):
    path = files.write(tmp_path, "score.mp3", files.pdf_bytes(2))

    found = inspect_file(path)

    assert (found.kind, found.problem, found.info) == (DOCUMENT, None, {"pages": 2})


def test_pdf_renamed_mp3_declared_as_audio_names_what_it_really_is(tmp_path):
    path = files.write(tmp_path, "score.mp3", files.pdf_bytes())

    found = inspect_file(path, declared_kind=AUDIO)

    assert (found.kind, found.mime, found.problem) == (DOCUMENT, "application/pdf", "kind_mismatch")


def test_image_dimensions_are_read(tmp_path):
    png = inspect_file(files.write(tmp_path, "a.png", files.png_bytes(7, 5)))
    jpeg = inspect_file(files.write(tmp_path, "a.jpg", files.jpeg_bytes(1920, 1080)))

    assert png.info == {"width": 7, "height": 5}
    assert jpeg.info == {"width": 1920, "height": 1080}


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9, 0.99])
def test_flac_cut_anywhere_is_corrupt(tmp_path, fraction):
    path = files.write(tmp_path, "cut.flac", files.truncated(files.flac_bytes(3.0), fraction))

    assert inspect_file(path).problem == "corrupt"


def test_flac_cut_exactly_between_two_frames_is_corrupt(tmp_path):
    data = files.flac_bytes(3.0)
    last_frame = next(
        at for at in range(len(data) - 2, 0, -1) if frames.flac_frame_header(data, at)
    )
    path = files.write(tmp_path, "cut.flac", data[:last_frame])

    found = inspect_file(path)

    assert found.problem == "corrupt"
    assert "header says 132300" in found.detail


def test_mp3_shorter_than_its_xing_header_says_is_corrupt(tmp_path):
    data = files.mp3_bytes(3.0)
    path = files.write(tmp_path, "cut.mp3", data[: len(data) - 5000])

    found = inspect_file(path)

    assert found.problem == "corrupt"
    assert f"declares {len(data)} bytes" in found.detail


def test_mpeg_frame_header_is_parsed():
    # MPEG-1 layer III, 128 kbit/s, 44.1 kHz, no padding, joint stereo: 417 bytes.
    assert frames.mpeg_frame(b"\xff\xfb\x90\x44") == {
        "layer": 3,
        "mpeg1": True,
        "rate": 44100,
        "channels": 2,
        "length": 417,
    }
    assert frames.mpeg_frame(b"\xff\xfb\xf0\x44") is None  # bitrate index 15 is invalid


def test_text_that_happens_to_start_with_a_sync_byte_is_not_mp3(tmp_path):
    path = files.write(tmp_path, "odd.mp3", b"\xff\xfb\x90\x44" + b"plain text " * 100)

    assert inspect_file(path).problem == "unknown_type"


def test_wav_with_no_data_chunk_is_corrupt(tmp_path):
    data = files.wav_bytes(1.0)
    path = files.write(tmp_path, "head.wav", data[: 44 - 8])

    assert inspect_file(path).problem == "corrupt"


def test_a_one_gigabyte_wav_is_inspected_from_its_headers_only(tmp_path):
    header = files.wav_bytes(0.0, channels=2)
    size = 1024**3
    data_size = size - len(header)
    header = header[:4] + (size - 8).to_bytes(4, "little") + header[8:40]
    path = tmp_path / "long.wav"
    with path.open("wb") as f:
        f.write(header + data_size.to_bytes(4, "little"))
        f.truncate(size)  # sparse: no gigabyte is written or read

    before = bytes_read()
    found = inspect_file(path, declared_kind=AUDIO)
    read = bytes_read() - before

    assert found.problem is None
    assert found.info["duration"] == pytest.approx(data_size / 4 / 44100)
    # The header tells the duration; the gigabyte of samples is never read.
    assert read < 8 * 1024 * 1024


def test_flac_behind_an_id3_tag_is_still_flac(tmp_path):
    flac = files.flac_bytes(1.0)
    path = files.write(tmp_path, "tagged.flac", files.with_id3(flac)[: -len(flac)] + flac)

    found = inspect_file(path, declared_kind=AUDIO)

    assert (found.mime, found.problem, found.info["duration"]) == ("audio/flac", None, 1.0)


def bytes_read() -> int:
    """Bytes this process has read through read() calls so far (Linux /proc/self/io)."""
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise RuntimeError("no rchar in /proc/self/io")
