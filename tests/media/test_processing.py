"""Processing a received file: its measures, its blind copy, and a task that never gets stuck."""

import hashlib
import io
from datetime import timedelta
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
import soundfile
from sqlalchemy import select

from qpmusic.audit.models import AuditEvent
from qpmusic.celery_app import bound_task
from qpmusic.enums import MediaKind, MediaStatus
from qpmusic.extensions import db
from qpmusic.media.models import MediaFile
from qpmusic.media.storage import get_storage
from qpmusic.media.tasks import process_media, schedule_processing, sweep_media
from qpmusic.timestamps import utcnow
from tests.conftest import make_app
from tests.factories import WorkFactory
from tests.media import files


def received(data: bytes, kind=MediaKind.AUDIO, name="take.wav", **fields) -> MediaFile:
    """A file as ``finish_upload`` leaves it: stored under a random key, status processing."""
    storage = get_storage()
    key = storage.new_key()
    storage.create(key)
    storage.append(key, io.BytesIO(data), len(data))
    work = WorkFactory()
    media = MediaFile(
        work=work,
        uploaded_by=work.application.applicant,
        kind=kind,
        original_name=name,
        storage_key=key,
        size=len(data),
        **fields,
    )
    db.session.add(media)
    db.session.commit()
    return media


def run(media: MediaFile) -> str:
    """The task, through Celery in eager mode (no broker in tests)."""
    outcome = bound_task(process_media).delay(media.id).get()
    db.session.expire_all()
    return outcome


def blind_path(media: MediaFile) -> Path:
    return get_storage().local_path(media.blind_key)


def test_wav_measures_are_exact():
    data = files.wav_bytes(2.5, rate=48000, channels=2)
    media = received(data)

    assert run(media) == "ready"

    assert media.status == MediaStatus.READY
    assert media.sha256 == hashlib.sha256(data).hexdigest()
    assert media.detected_type == "audio/wav"
    assert (media.duration_seconds, media.sample_rate, media.channels) == (2.5, 48000, 2)
    assert media.processed_at is not None
    assert media.rejection_code == ""


def test_loudness_of_a_full_scale_997_hz_sine_is_minus_3_lufs():
    # BS.1770 calibrates a full-scale 997 Hz sine on one channel to -3.01 LUFS; pyloudnorm's
    # filters (RBJ-designed) land within a few hundredths of that.
    data = files.encoded_bytes("WAV", "FLOAT", 5.0, amplitude=1.0, freq=997.0)
    media = received(data)

    run(media)

    assert media.loudness_lufs == pytest.approx(-3.01, abs=0.5)
    assert media.loudness_lufs == pytest.approx(-3.05, abs=0.02)


def test_loudness_measured_in_blocks_equals_pyloudnorm_on_the_whole_signal():
    rng = np.random.default_rng(7)
    ramp = np.repeat(np.linspace(0.01, 1.0, 30), files.RATE)[:, None]
    signal = rng.normal(0, 0.1, (30 * files.RATE, 2)) * ramp
    out = io.BytesIO()
    soundfile.write(out, signal, files.RATE, format="WAV", subtype="FLOAT")
    media = received(out.getvalue())

    run(media)

    expected = pyloudnorm.Meter(files.RATE).integrated_loudness(signal)
    assert media.loudness_lufs == pytest.approx(expected, abs=0.01)


def test_peaks_are_about_800_values_between_0_and_1_following_the_sound():
    # Silence, then a half-scale sine: the waveform is flat, then half high.
    quiet = np.zeros((files.RATE * 2, 1))
    loud = files.sine(2.0, amplitude=0.5)
    out = io.BytesIO()
    soundfile.write(out, np.concatenate([quiet, loud]), files.RATE, format="WAV")
    media = received(out.getvalue())

    run(media)

    peaks = media.peaks
    assert 780 <= len(peaks) <= 800
    assert all(0.0 <= p <= 1.0 for p in peaks)
    half = len(peaks) // 2
    assert max(peaks[: half - 1]) == 0.0
    assert min(peaks[half + 1 :]) == pytest.approx(0.5, abs=0.01)


@pytest.mark.parametrize(
    ("name", "make", "mime"),
    [
        ("take.flac", files.flac_bytes, "audio/flac"),
        ("take.ogg", files.ogg_bytes, "audio/ogg; codecs=vorbis"),
        ("take.mp3", files.mp3_bytes, "audio/mpeg"),
    ],
)
def test_compressed_audio_is_decoded_for_loudness_and_peaks(name, make, mime):
    media = received(make(3.0, amplitude=1.0), name=name)

    run(media)

    assert (media.status, media.detected_type) == (MediaStatus.READY, mime)
    assert media.duration_seconds == pytest.approx(3.0, abs=0.05)
    assert (media.sample_rate, media.channels) == (44100, 1)
    assert media.loudness_lufs == pytest.approx(-3.05, abs=0.3)
    assert max(media.peaks) == pytest.approx(1.0, abs=0.05)


def test_audio_that_cannot_be_decoded_keeps_its_duration_and_says_why():
    media = received(files.mp4_bytes(b"soun", seconds=4, brand=b"M4A "), name="take.m4a")

    run(media)

    assert (media.status, media.detected_type) == (MediaStatus.READY, "audio/mp4")
    assert media.duration_seconds == 4.0
    assert (media.loudness_lufs, media.peaks) == (None, None)
    assert media.processing_note.startswith("no_decoder: ")


def test_silence_is_ready_without_a_loudness(tmp_path):
    out = io.BytesIO()
    soundfile.write(out, np.zeros((files.RATE, 2)), files.RATE, format="WAV")
    media = received(out.getvalue())

    run(media)

    assert (media.status, media.loudness_lufs) == (MediaStatus.READY, None)
    assert set(media.peaks) == {0.0}
    assert media.processing_note == "no_loudness"


def test_video_gets_its_duration_and_a_clear_note_without_ffmpeg(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no ffmpeg to be found
    media = received(files.mp4_bytes(b"vide", b"soun", seconds=7), MediaKind.VIDEO, "film.mp4")

    run(media)

    assert (media.status, media.detected_type) == (MediaStatus.READY, "video/mp4")
    assert media.duration_seconds == 7.0
    assert media.poster_key is None
    assert "no_ffmpeg" in media.processing_note.splitlines()


def test_document_and_image_facts_are_noted():
    pdf = received(files.pdf_bytes(3), MediaKind.DOCUMENT, "score.pdf")
    png = received(files.png_bytes(7, 5), MediaKind.IMAGE, "photo.png")

    run(pdf)
    run(png)

    assert (pdf.status, pdf.processing_note) == (MediaStatus.READY, "pages: 3")
    assert (png.status, png.processing_note) == (MediaStatus.READY, "dimensions: 7 x 5")


# --- the task: eager Celery, idempotent, never stuck ----------------------------------------


def test_scheduled_processing_runs_after_the_commit():
    media = received(files.wav_bytes(1.0))
    schedule_processing(media)
    assert db.session.get(MediaFile, media.id).status == MediaStatus.PROCESSING

    db.session.commit()  # eager Celery: the task runs now, in its own session

    db.session.expire_all()
    assert media.status == MediaStatus.READY
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions == ["media.ready"]


def test_processing_twice_changes_nothing():
    media = received(files.flac_bytes(1.0), name="take.flac")
    run(media)
    before = {c.name: getattr(media, c.name) for c in MediaFile.__table__.columns}
    blind_files = sorted(p for p in Path(get_storage().root).rglob("*") if p.is_file())

    assert run(media) == "skipped"

    after = {c.name: getattr(media, c.name) for c in MediaFile.__table__.columns}
    assert after == before
    assert sorted(p for p in Path(get_storage().root).rglob("*") if p.is_file()) == blind_files


def test_a_rejected_file_is_left_alone():
    media = received(files.wav_bytes(1.0), status=MediaStatus.REJECTED, rejection_code="corrupt")

    assert run(media) == "skipped"
    assert (media.status, media.rejection_code, media.sha256) == (
        MediaStatus.REJECTED,
        "corrupt",
        None,
    )


def test_a_corrupt_file_is_rejected_with_its_reason():
    media = received(files.truncated(files.flac_bytes(2.0)), name="take.flac")

    run(media)

    assert (media.status, media.rejection_code) == (MediaStatus.REJECTED, "corrupt")
    assert media.processing_note == "the last FLAC frame is incomplete"
    assert media.blind_key is None


def test_a_missing_file_is_rejected_not_left_processing():
    media = received(files.wav_bytes(1.0))
    get_storage().delete(media.storage_key)

    run(media)

    assert (media.status, media.rejection_code) == (MediaStatus.REJECTED, "processing_failed")


def test_a_crash_marks_the_file_failed_and_leaves_no_copy_behind(test_config, tmp_path):
    # Where blind copies go is a file, not a folder, so storing the copy fails mid-way.
    (tmp_path / "blind").write_bytes(b"")
    app = make_app({**test_config, "MEDIA_ROOT": str(tmp_path)})
    with app.app_context():
        media = received(files.wav_bytes(1.0))

        outcome = run(media)

        assert outcome == "rejected"
        assert (media.status, media.rejection_code) == (MediaStatus.REJECTED, "processing_failed")
        assert media.processing_note.startswith(("FileExistsError", "NotADirectoryError"))
        assert media.blind_key is None
        stored = {str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()}
        assert stored == {"blind", media.storage_key}
        db.session.remove()


def test_a_file_claimed_by_a_live_run_is_not_processed_again():
    media = received(files.wav_bytes(1.0), processed_at=utcnow() - timedelta(minutes=5))

    assert run(media) == "skipped"
    assert media.status == MediaStatus.PROCESSING


def test_a_file_whose_run_died_gets_one_more_run_then_is_rejected():
    long_ago = utcnow() - timedelta(days=1)
    media = received(files.wav_bytes(1.0), processed_at=long_ago)

    assert run(media) == "ready"
    assert media.processing_note == "interrupted"

    again = received(files.wav_bytes(1.0), processed_at=long_ago, processing_note="interrupted")
    assert run(again) == "skipped"
    assert (again.status, again.rejection_code) == (MediaStatus.REJECTED, "processing_failed")


def test_sweep_sends_files_whose_task_never_arrived():
    old = received(files.wav_bytes(1.0), created_at=utcnow() - timedelta(hours=1))
    fresh = received(files.wav_bytes(1.0))

    assert bound_task(sweep_media).delay().get() == 1

    db.session.expire_all()
    assert (old.status, fresh.status) == (MediaStatus.READY, MediaStatus.PROCESSING)


def test_a_video_that_cannot_be_cleaned_gets_no_blind_copy(monkeypatch):
    # Without ffmpeg a WebM keeps its tags; such a copy must never reach a blind juror.
    monkeypatch.setattr("qpmusic.media.processing.shutil.which", lambda name: None)
    media = received(files.webm_bytes(1, 2), kind=MediaKind.VIDEO, name="live.webm")
    blind_folder = Path(get_storage().root) / "blind"
    before = sum(1 for f in blind_folder.rglob("*") if f.is_file())

    assert run(media) == "ready"

    assert media.blind_key is None
    assert "blind_copy_unchanged" in media.processing_note
    assert sum(1 for f in blind_folder.rglob("*") if f.is_file()) == before
