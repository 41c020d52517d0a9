"""What a juror has heard of each recording: played ranges merged, clamped and summed."""

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from qpmusic.enums import MediaKind, MediaStatus
from qpmusic.extensions import db
from qpmusic.jury.models import Assignment, Listening

PLAYABLE = frozenset({MediaKind.AUDIO, MediaKind.VIDEO})
# Without a known duration, a report still cannot claim more than a day of one file.
LONGEST = 24 * 3600.0
# A browser reports a handful of ranges; many more is not a player talking.
MAX_RANGES = 500


def merge_ranges(ranges: Iterable, *, duration: float | None = None) -> list[list[float]]:
    """Sorted, non-overlapping ``[start, end]`` pairs covering the same seconds as ``ranges``.

    Each pair is clamped to ``[0, duration]`` (to ``[0, LONGEST]`` if the duration is unknown);
    pairs that are empty, reversed or not numbers are dropped. Touching pairs are joined.
    """
    limit = duration if duration and duration > 0 else LONGEST
    clean = []
    for pair in ranges:
        try:
            start, end = (float(pair[0]), float(pair[1]))
        except (TypeError, ValueError, IndexError, KeyError, OverflowError):
            continue  # OverflowError: a JSON integer too large for a float
        if not (math.isfinite(start) and math.isfinite(end)):
            continue
        start, end = max(0.0, start), min(limit, end)
        if end > start:
            clean.append((start, end))
    merged: list[list[float]] = []
    for start, end in sorted(clean):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def parse_ranges(text: str) -> list | None:
    """``"[[0, 12.5], [30, 41]]"`` (a form field) as a list; None if it is not a JSON list."""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        return None
    return value if isinstance(value, list) else None


def covered_seconds(ranges: Iterable) -> float:
    """The seconds covered by already merged ranges."""
    return sum(end - start for start, end in ranges)


@dataclass(frozen=True)
class Coverage:
    """How much of a work the juror heard, from the file of it they heard most of."""

    work_id: int
    title: str
    heard: float
    duration: float

    @property
    def share(self) -> float:
        return min(1.0, self.heard / self.duration) if self.duration else 0.0


def media_duration(media) -> float | None:
    """The measured length of a file, else the length the applicant gave for the work."""
    return media.duration_seconds or media.work.duration_seconds or None


def playable(media) -> bool:
    return media.kind in PLAYABLE and media.status == MediaStatus.READY


def work_coverage(works, heard_by_media: dict[int, float]) -> list[Coverage]:
    """Coverage of each work with a playable file of known length (loaded objects, no query).

    A work with an audio and a video file counts the one heard best: they are usually two
    takes of the same piece, and one heard in full is enough to judge it.
    """
    result = []
    for work in works:
        best = None
        for media in work.media:
            duration = media_duration(media)
            if not playable(media) or not duration:
                continue
            heard = min(duration, heard_by_media.get(media.id, 0.0))
            candidate = Coverage(work.id, work.title, heard, float(duration))
            if best is None or candidate.share > best.share:
                best = candidate
        if best is not None:
            result.append(best)
    return result


def heard_by_media(assignment_id: int) -> dict[int, float]:
    rows = db.session.execute(
        select(Listening.media_file_id, Listening.heard_seconds).where(
            Listening.assignment_id == assignment_id
        )
    )
    return {media_id: float(seconds) for media_id, seconds in rows}


def _locked_listening(assignment: Assignment, media) -> Listening:
    """The row for this file, created if needed, locked: reports of two tabs merge, not clash."""
    query = (
        select(Listening)
        .where(Listening.assignment_id == assignment.id, Listening.media_file_id == media.id)
        .with_for_update()
    )
    found = db.session.scalar(query)
    if found is not None:
        return found
    try:
        with db.session.begin_nested():
            db.session.add(
                Listening(assignment_id=assignment.id, media_file_id=media.id, ranges=[])
            )
    except IntegrityError:
        pass  # Another report created it first; take theirs.
    return db.session.scalar(query.execution_options(populate_existing=True))


def record_listening(*, assignment: Assignment, media, ranges: Iterable) -> Listening:
    """Merge the ranges the player reports for ``media`` into what the juror heard before.

    Players report everything they played since the page loaded, so the same seconds arrive
    again and again; merging makes every report idempotent. No audit event: this is a
    running measurement, not a decision.
    """
    ranges = list(ranges)[:MAX_RANGES]
    listening = _locked_listening(assignment, media)
    duration = media_duration(media)
    merged = merge_ranges([*(listening.ranges or []), *ranges], duration=duration)
    listening.ranges = merged
    listening.heard_seconds = covered_seconds(merged)
    db.session.flush()
    return listening
