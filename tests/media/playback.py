"""Ready media made directly for the playback tests: rows and stored bytes, no upload code."""

import io

from qpmusic.enums import ApplicationStatus, EditionPhase, MediaKind, MediaStatus
from qpmusic.extensions import db
from qpmusic.media.models import MediaFile
from qpmusic.media.storage import get_storage
from tests.factories import ApplicationFactory, EditionFactory, WorkFactory

# Every byte value at a different offset, so any wrong offset shows.
DATA = bytes((i * 7 + i // 251) % 256 for i in range(10_000))


def store(data: bytes) -> str:
    """Write ``data`` under a fresh storage key and return the key."""
    storage = get_storage()
    key = storage.new_key("test/")
    storage.create(key)
    storage.append(key, io.BytesIO(data), len(data))
    return key


def media_file(
    work=None,
    *,
    data: bytes = DATA,
    kind: MediaKind = MediaKind.AUDIO,
    detected_type: str = "audio/wav",
    original_name: str = "Étude für Klang.wav",
    status: MediaStatus = MediaStatus.READY,
    blind_data: bytes | None = None,
    **fields,
) -> MediaFile:
    """A MediaFile of ``work`` (a new draft application's work by default) with its bytes."""
    work = work or WorkFactory()
    media = MediaFile(
        work=work,
        uploaded_by=work.application.applicant,
        kind=kind,
        original_name=original_name,
        storage_key=store(data),
        size=len(data),
        detected_type=detected_type,
        status=status,
        blind_key=store(blind_data) if blind_data is not None else None,
        **fields,
    )
    db.session.add(media)
    db.session.commit()
    return media


def jury_work(*, blind: bool = False, status=ApplicationStatus.SHORTLISTED, phase=None):
    """A work of an application in an edition in the jury phase (shortlisted by default)."""
    edition = EditionFactory(phase=phase or EditionPhase.JURY, blind_review=blind)
    application = ApplicationFactory(edition=edition, status=status)
    return WorkFactory(application=application)
