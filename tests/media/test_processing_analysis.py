"""Decoding in blocks: a long recording is measured with flat memory."""

import struct
import tracemalloc

from qpmusic.media import audio


def sparse_wav(path, seconds: int, rate: int = 44100, channels: int = 2):
    """A 16-bit WAV header and ``seconds`` of silence that takes no room on disk."""
    data_size = seconds * rate * channels * 2
    fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * channels * 2, channels * 2, 16)
    header = b"RIFF" + struct.pack("<I", 36 + data_size) + b"WAVEfmt " + struct.pack("<I", 16)
    header += fmt + b"data" + struct.pack("<I", data_size)
    with path.open("wb") as f:
        f.write(header)
        f.truncate(len(header) + data_size)
    return path


def test_a_long_recording_is_analysed_with_flat_memory(tmp_path):
    # 12 minutes of CD-quality stereo: 127 MB of samples, 254 MB as float32 in one array.
    path = sparse_wav(tmp_path / "long.wav", 12 * 60)

    tracemalloc.start()
    try:
        result = audio.analyse(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert result.duration == 720.0
    assert len(result.peaks) == 800
    assert peak < 16 * 1024 * 1024


def test_meter_gives_none_for_less_than_one_gating_block():
    meter = audio.LoudnessMeter(44100, 1)
    meter.feed(audio.np.full((44100 // 10 * 3, 1), 0.5))

    assert meter.integrated() is None
