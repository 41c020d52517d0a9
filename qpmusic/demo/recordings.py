"""Short demo recordings, made in code, so the player and the jury pages have sound to show."""

import io
import wave

import numpy as np
from sqlalchemy import select

from qpmusic.applications.models import Application
from qpmusic.enums import ApplicationStatus, MediaKind
from qpmusic.extensions import db
from qpmusic.media.models import MediaFile
from qpmusic.media.storage import get_storage
from qpmusic.media.tasks import schedule_processing

RATE = 22050
# Three chords, one per recording in turn: (frequencies in Hz).
CHORDS = [(220.0, 277.2, 329.6), (196.0, 246.9, 293.7), (174.6, 220.0, 261.6)]


def chord_wav(frequencies, seconds: float = 12.0) -> bytes:
    """A mono WAV: a chord swelling in and out with a slow tremolo (about -17 LUFS)."""
    n = np.arange(int(seconds * RATE))
    t = n / RATE
    envelope = np.sin(np.pi * n / len(n)) * (0.8 + 0.2 * np.sin(2 * np.pi * 0.5 * t))
    chord = sum(np.sin(2 * np.pi * f * t) for f in frequencies) / len(frequencies)
    pcm = (0.6 * envelope * chord * 32767).astype("<i2")
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(pcm.tobytes())
    return out.getvalue()


def seed_recordings(edition, count: int = 6, status=ApplicationStatus.SUBMITTED) -> int:
    """Give the first works of a few applications in ``status`` a recording, processed as usual."""
    works = [
        application.works[0]
        for application in db.session.scalars(
            select(Application)
            .where(
                Application.edition_id == edition.id,
                Application.status == status,
            )
            .order_by(Application.reference)
            .limit(count)
        )
        if application.works and not application.works[0].media
    ]
    storage = get_storage()
    for number, work in enumerate(works):
        data = chord_wav(CHORDS[number % len(CHORDS)])
        key = storage.new_key()
        storage.create(key)
        storage.append(key, io.BytesIO(data), len(data))
        media = MediaFile(
            work=work,
            uploaded_by=work.application.applicant,
            kind=MediaKind.AUDIO,
            original_name=f"{work.title}.wav",
            storage_key=key,
            size=len(data),
            detected_type="audio/wav",
        )
        db.session.add(media)
        db.session.flush()
        schedule_processing(media)
    return len(works)
