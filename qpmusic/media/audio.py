"""Decoding a sound file block by block: integrated loudness (ITU-R BS.1770-4) and waveform peaks.

Memory stays flat whatever the file's length: samples pass through in blocks, and only one
number per 100 ms (for loudness) and one per waveform bucket (for peaks) is kept.
"""

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyloudnorm
import scipy.signal
import soundfile

BLOCK_FRAMES = 1 << 16
PEAK_COUNT = 800
# BS.1770: 400 ms gating blocks overlapping by 75 %, so they are made of 100 ms steps.
STEPS_PER_BLOCK = 4
ABSOLUTE_GATE, RELATIVE_GATE = -70.0, -10.0
# Channel weights as in pyloudnorm (L, R, C, Ls, Rs); it measures at most five channels.
CHANNEL_GAINS = (1.0, 1.0, 1.0, 1.41, 1.41)


class DecodeError(Exception):
    """The sound cannot be decoded here (format unsupported by libsndfile, or broken)."""


@dataclass(frozen=True)
class AudioAnalysis:
    duration: float
    sample_rate: int
    channels: int
    loudness: float | None
    peaks: list[float]


class LoudnessMeter:
    """pyloudnorm's K-weighting and gating, fed in blocks instead of one array in memory."""

    def __init__(self, rate: int, channels: int):
        meter = pyloudnorm.Meter(rate)
        self.stages = [
            (stage.b, stage.a, stage.passband_gain, np.zeros((2, channels)))
            for stage in meter._filters.values()
        ]
        self.step = max(1, round(rate / 10))
        self.channels = channels
        self.pending = np.zeros((0, channels))
        self.step_energy: list[np.ndarray] = []

    def feed(self, samples: np.ndarray) -> None:
        filtered = samples.astype(np.float64)
        for index, (b, a, gain, state) in enumerate(self.stages):
            filtered, state = scipy.signal.lfilter(b, a, filtered, axis=0, zi=state)
            filtered = gain * filtered
            self.stages[index] = (b, a, gain, state)
        squares = np.concatenate([self.pending, filtered**2])
        whole = len(squares) // self.step * self.step
        if whole:
            sums = squares[:whole].reshape(-1, self.step, self.channels).sum(axis=1)
            self.step_energy.append(sums)
        self.pending = squares[whole:]

    def integrated(self) -> float | None:
        """Gated loudness in LUFS; None for silence or less than one gating block."""
        if not self.step_energy:
            return None
        steps = np.concatenate(self.step_energy)
        if len(steps) < STEPS_PER_BLOCK:
            return None
        # Mean square of each 400 ms block per channel (eq. 1), from its four 100 ms steps.
        windows = np.lib.stride_tricks.sliding_window_view(steps, STEPS_PER_BLOCK, axis=0)
        z = windows.sum(axis=2) / (STEPS_PER_BLOCK * self.step)
        gains = np.array(CHANNEL_GAINS[: self.channels])
        with np.errstate(divide="ignore"):
            block_loudness = -0.691 + 10 * np.log10(z @ gains)
        above_absolute = block_loudness >= ABSOLUTE_GATE
        if not above_absolute.any():
            return None
        relative = -0.691 + 10 * np.log10(z[above_absolute].mean(axis=0) @ gains) + RELATIVE_GATE
        gated = above_absolute & (block_loudness > relative)
        return float(-0.691 + 10 * np.log10(z[gated].mean(axis=0) @ gains))


class PeakCollector:
    """The largest absolute sample of each of ``count`` equal stretches of the sound."""

    def __init__(self, frames: int, count: int = PEAK_COUNT):
        self.bucket = max(1, math.ceil(frames / count))
        self.peaks = np.zeros(math.ceil(max(frames, 1) / self.bucket))
        self.position = 0

    def feed(self, samples: np.ndarray) -> None:
        loudest = np.abs(samples).max(axis=1)
        first = -self.position % self.bucket
        starts = np.concatenate([[0], np.arange(first or self.bucket, len(loudest), self.bucket)])
        # A decoder may deliver a few frames more than its header announced.
        buckets = np.minimum((self.position + starts) // self.bucket, len(self.peaks) - 1)
        np.maximum.at(self.peaks, buckets, np.maximum.reduceat(loudest, starts))
        self.position += len(loudest)

    def result(self) -> list[float]:
        filled = min(len(self.peaks), math.ceil(self.position / self.bucket))
        return [round(float(min(p, 1.0)), 4) for p in self.peaks[:filled]]


def analyse(path: Path) -> AudioAnalysis:
    """Decode ``path`` once: duration, format, loudness and peaks. Raises DecodeError."""
    try:
        sound = soundfile.SoundFile(str(path))
    except (soundfile.LibsndfileError, RuntimeError) as exc:
        raise DecodeError(str(exc)) from exc
    with sound:
        rate, channels = sound.samplerate, sound.channels
        meter = LoudnessMeter(rate, channels) if channels <= len(CHANNEL_GAINS) else None
        peaks = PeakCollector(sound.frames)
        frames = 0
        try:
            for block in sound.blocks(BLOCK_FRAMES, dtype="float32", always_2d=True):
                frames += len(block)
                peaks.feed(block)
                if meter:
                    meter.feed(block)
        except (soundfile.LibsndfileError, RuntimeError) as exc:
            raise DecodeError(str(exc)) from exc
    if not frames:
        raise DecodeError("no samples decoded")
    return AudioAnalysis(
        duration=frames / rate,
        sample_rate=rate,
        channels=channels,
        loudness=meter.integrated() if meter else None,
        peaks=peaks.result(),
    )
