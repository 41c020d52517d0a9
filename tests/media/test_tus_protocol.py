"""The tus 1.0 server: capabilities, creation limits, offsets, checksums, termination, access."""

import base64
import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from qpmusic.audit.models import AuditEvent
from qpmusic.enums import ApplicationStatus, MediaKind, MediaStatus
from qpmusic.extensions import db
from qpmusic.media.labels import rejection_message
from qpmusic.media.models import MediaFile, MediaUpload
from qpmusic.media.storage import get_storage
from qpmusic.timestamps import utcnow
from tests.conftest import make_app
from tests.factories import ApplicationFactory, UserFactory, WorkFactory
from tests.media.conftest import TUS, TusClient
from tests.media.files import wav_bytes

KB = 1024


def stored_upload() -> MediaUpload:
    db.session.expire_all()
    return db.session.scalars(select(MediaUpload)).one()


def media_files() -> list[Path]:
    return sorted(p for p in Path(get_storage().root).rglob("*") if p.is_file())


@pytest.fixture(autouse=True)
def empty_media_root(app):
    """Each test sees only its own bytes under MEDIA_ROOT."""
    root = Path(app.config["MEDIA_ROOT"])
    for path in root.rglob("*"):
        if path.is_file():
            path.unlink()


def test_options_advertise_version_extensions_checksums_and_max_size(client):
    response = client.options("/uploads/")

    assert response.status_code == 204
    assert response.headers["Tus-Resumable"] == "1.0.0"
    assert response.headers["Tus-Version"] == "1.0.0"
    assert response.headers["Tus-Extension"] == (
        "creation,creation-with-upload,termination,checksum,expiration"
    )
    assert response.headers["Tus-Checksum-Algorithm"] == "sha1,sha256"
    assert response.headers["Tus-Max-Size"] == str(4 * 1024**3)


def test_unsupported_tus_version_is_refused_with_412(tus):
    response = tus.client.post(
        "/uploads/", headers={"Tus-Resumable": "0.2.2", "Upload-Length": "10"}
    )

    assert response.status_code == 412
    assert response.headers["Tus-Version"] == "1.0.0"
    assert db.session.scalars(select(MediaUpload)).all() == []


def test_creation_returns_location_offset_and_expiry(tus, work):
    before = utcnow()
    response = tus.create(1000, filename="Nachtstück.wav", filetype="audio/wav")

    assert response.status_code == 201
    upload = stored_upload()
    assert response.headers["Location"] == f"/uploads/{upload.id}"
    assert response.headers["Upload-Offset"] == "0"
    assert response.headers["Tus-Resumable"] == "1.0.0"
    assert "Upload-Expires" in response.headers
    assert upload.work_id == work.id
    assert upload.filename == "Nachtstück.wav"
    assert upload.kind == MediaKind.AUDIO
    assert upload.length == 1000
    assert (
        timedelta(hours=23, minutes=59)
        < upload.expires_at - before
        <= timedelta(hours=24, seconds=5)
    )
    assert get_storage().size(upload.storage_key) == 0
    assert upload.storage_key.split("/")[-1] != "Nachtstück.wav"


def test_head_reports_offset_length_and_no_store(tus):
    location = tus.create(3 * KB).headers["Location"]
    tus.patch(location, b"x" * KB, 0)

    response = tus.head(location)

    assert response.status_code == 200
    assert response.headers["Upload-Offset"] == str(KB)
    assert response.headers["Upload-Length"] == str(3 * KB)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Tus-Resumable"] == "1.0.0"


def test_creation_without_length_is_a_bad_request(tus):
    response = tus.client.post("/uploads/", headers={**TUS, "Upload-Defer-Length": "1"})

    assert response.status_code == 400


def test_creation_one_byte_over_the_audio_limit_is_refused_with_413(test_config, musician, work):
    limits = {"audio": 1000, "video": 5000, "document": 100, "image": 100, "application": 10**6}
    app = make_app({**test_config, "MEDIA_LIMITS": limits})
    client = app.test_client()
    client.post("/login", data={"email": musician.email, "password": "Klangfarbe-2026!"})
    small = TusClient(client, work.id)

    at_limit = small.create(1000, filename="a.wav")
    over = small.create(1001, filename="b.wav")

    assert at_limit.status_code == 201
    assert over.status_code == 413
    assert over.headers["X-QPMusic-Error"] == "too_large"
    assert over.headers["Tus-Resumable"] == "1.0.0"
    with app.test_request_context(), force_locale("de"):
        expected = rejection_message("too_large", kind=MediaKind.AUDIO, limit=1000)
    assert over.get_data(as_text=True) == expected


def test_creation_over_the_application_total_counts_files_and_pending_uploads(
    test_config, musician, work
):
    limits = {"audio": 1000, "video": 1000, "document": 1000, "image": 1000, "application": 2500}
    app = make_app({**test_config, "MEDIA_LIMITS": limits})
    client = app.test_client()
    client.post("/login", data={"email": musician.email, "password": "Klangfarbe-2026!"})
    small = TusClient(client, work.id)
    other_work = WorkFactory(application=work.application)
    db.session.add(
        MediaFile(
            work_id=other_work.id,
            kind=MediaKind.AUDIO,
            original_name="old.wav",
            storage_key="aa/bb/old",
            size=1000,
        )
    )
    db.session.commit()

    # A refused file takes no room.
    db.session.add(
        MediaFile(
            work_id=other_work.id,
            kind=MediaKind.AUDIO,
            original_name="broken.wav",
            storage_key="aa/bb/broken",
            size=1000,
            status=MediaStatus.REJECTED,
        )
    )
    db.session.commit()

    pending = small.create(1000, filename="a.wav")
    over = small.create(501, filename="b.wav")
    fits = small.create(500, filename="c.wav")

    assert pending.status_code == 201
    assert over.status_code == 413
    assert over.headers["X-QPMusic-Error"] == "over_application_limit"
    assert fits.status_code == 201


def test_patch_at_a_wrong_offset_is_refused_with_409(tus):
    location = tus.create(2 * KB).headers["Location"]
    tus.patch(location, b"a" * KB, 0)

    response = tus.patch(location, b"b" * KB, 0)

    assert response.status_code == 409
    assert stored_upload().offset == KB
    assert tus.head(location).headers["Upload-Offset"] == str(KB)


def test_a_chunk_over_flasks_16_mb_is_accepted(tus):
    location = tus.create(21 * 1024 * KB).headers["Location"]

    response = tus.patch(location, bytes(20 * 1024 * KB), 0)

    assert response.status_code == 204
    assert response.headers["Upload-Offset"] == str(20 * 1024 * KB)


def test_patch_needs_the_offset_content_type(tus):
    location = tus.create(KB).headers["Location"]

    response = tus.patch(location, b"a" * 10, 0, headers={"Content-Type": "text/plain"})

    assert response.status_code == 415
    assert stored_upload().offset == 0


@pytest.mark.parametrize("algorithm", ["sha1", "sha256"])
def test_a_chunk_with_a_matching_checksum_is_kept(tus, algorithm):
    location = tus.create(2 * KB).headers["Location"]
    chunk = b"c" * KB
    digest = base64.b64encode(hashlib.new(algorithm, chunk).digest()).decode()

    response = tus.patch(location, chunk, 0, headers={"Upload-Checksum": f"{algorithm} {digest}"})

    assert response.status_code == 204
    assert response.headers["Upload-Offset"] == str(KB)


def test_a_chunk_with_a_wrong_checksum_is_refused_with_460_and_discarded(tus):
    location = tus.create(3 * KB).headers["Location"]
    tus.patch(location, b"a" * KB, 0)
    other = hashlib.sha1(b"something else", usedforsecurity=False)
    wrong = base64.b64encode(other.digest()).decode()

    response = tus.patch(location, b"b" * KB, KB, headers={"Upload-Checksum": f"sha1 {wrong}"})

    assert response.status_code == 460
    assert response.headers["X-QPMusic-Error"] == "checksum_mismatch"
    upload = stored_upload()
    assert upload.offset == KB
    assert get_storage().local_path(upload.storage_key).read_bytes() == b"a" * KB


def test_an_unsupported_checksum_algorithm_is_a_bad_request(tus):
    location = tus.create(KB).headers["Location"]

    response = tus.patch(location, b"a", 0, headers={"Upload-Checksum": "md5 AAAA"})

    assert response.status_code == 400


def test_termination_deletes_the_bytes_and_the_upload(tus):
    location = tus.create(2 * KB).headers["Location"]
    tus.patch(location, b"a" * KB, 0)
    path = get_storage().local_path(stored_upload().storage_key)

    response = tus.client.delete(location, headers=TUS)

    assert response.status_code == 204
    assert not path.exists()
    assert db.session.scalars(select(MediaUpload)).all() == []
    assert tus.head(location).status_code == 404


def test_another_users_work_is_not_found(tus):
    stranger = WorkFactory(application=ApplicationFactory(applicant=UserFactory()))
    tus.work_id = stranger.id

    response = tus.create(KB)

    assert response.status_code == 404
    assert db.session.scalars(select(MediaUpload)).all() == []


@pytest.mark.parametrize("work_id", ["", "abc", "²", "9" * 30, "-1"])
def test_a_missing_or_odd_work_id_is_not_found(tus, work_id):
    tus.work_id = work_id

    assert tus.create(KB).status_code == 404


@pytest.mark.parametrize("length", ["", "abc", "²", "-5", "1e3", "9" * 30])
def test_an_odd_upload_length_is_a_bad_request(tus, length):
    response = tus.client.post(
        "/uploads/",
        headers={**TUS, "Upload-Length": length, "Upload-Metadata": "filename YS53YXY="},
    )

    assert response.status_code == 400


def test_another_users_upload_is_not_found(tus, client, auth):
    location = tus.create(2 * KB).headers["Location"]
    auth.logout()
    auth.login(UserFactory().email)

    assert tus.head(location).status_code == 404
    assert tus.patch(location, b"a" * KB, 0).status_code == 404
    assert client.delete(location, headers=TUS).status_code == 404
    assert stored_upload().offset == 0


def test_a_logged_out_visitor_gets_401(client, work):
    response = TusClient(client, work.id).create(KB)

    assert response.status_code == 401


def test_staff_cannot_upload(client, auth, work):
    from qpmusic.enums import Role

    auth.login(UserFactory(role=Role.COORDINATOR).email)

    assert TusClient(client, work.id).create(KB).status_code == 403


def test_creation_after_the_deadline_is_refused(tus, work):
    work.application.edition.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    response = tus.create(KB)

    assert response.status_code == 403
    assert response.headers["X-QPMusic-Error"] == "not_editable"
    assert db.session.scalars(select(MediaUpload)).all() == []


def test_chunks_after_the_deadline_are_refused(tus, work):
    location = tus.create(2 * KB).headers["Location"]
    work.application.edition.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    response = tus.patch(location, b"a" * KB, 0)

    assert response.status_code == 403
    assert stored_upload().offset == 0


def test_a_withdrawn_application_takes_no_uploads(tus, work):
    work.application.status = ApplicationStatus.WITHDRAWN
    db.session.commit()

    assert tus.create(KB).status_code == 403


def test_an_expired_upload_is_gone(tus):
    location = tus.create(2 * KB).headers["Location"]
    upload = stored_upload()
    upload.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()

    assert tus.head(location).status_code == 410
    assert tus.patch(location, b"a" * KB, 0).status_code == 410


def test_a_complete_upload_becomes_a_processing_file_with_an_audit_event(tus, work):
    data = wav_bytes(1.0)

    last = tus.send(data, filename="../../etc/Nachtstück.wav", chunk=16 * KB)

    assert last.status_code == 204
    media = db.session.scalars(select(MediaFile)).one()
    assert last.headers["X-QPMusic-Media"] == media.public_id
    assert media.work_id == work.id
    assert media.original_name == "Nachtstück.wav"
    assert media.kind == MediaKind.AUDIO
    assert media.size == len(data)
    assert get_storage().local_path(media.storage_key).read_bytes() == data
    events = db.session.scalars(select(AuditEvent.action)).all()
    assert "media.uploaded" in events


def test_a_complete_upload_stays_known_as_complete(tus):
    data = wav_bytes(0.5)
    created = tus.create(len(data))
    location = created.headers["Location"]
    tus.patch(location, data, 0)

    again = tus.head(location)

    assert again.status_code == 200
    assert again.headers["Upload-Offset"] == str(len(data))
    assert again.headers["X-QPMusic-Media"] == db.session.scalars(select(MediaFile.public_id)).one()
    assert tus.patch(location, b"", len(data)).status_code == 204
    assert len(db.session.scalars(select(MediaFile)).all()) == 1


def test_creation_with_upload_stores_the_first_bytes(tus):
    response = tus.create(
        2 * KB,
        headers={"Content-Type": "application/offset+octet-stream"},
        data=b"z" * KB,
    )

    assert response.status_code == 201
    assert response.headers["Upload-Offset"] == str(KB)
    assert stored_upload().offset == KB


def test_a_refused_file_leaves_nothing_behind(tus):
    last = tus.send(b"Das ist keine Musik.\n" * 40, filename="notes.wav")

    assert last.status_code == 415
    assert last.headers["X-QPMusic-Error"] == "unknown_type"
    assert db.session.scalars(select(MediaUpload)).all() == []
    assert db.session.scalars(select(MediaFile)).all() == []
    assert media_files() == []


def test_two_uploads_started_at_once_cannot_pass_the_application_total_together(
    test_config, musician, work
):
    import threading

    from tests.conftest import PASSWORD, make_app
    from tests.media.conftest import TusClient

    app = make_app(
        {
            **test_config,
            "MEDIA_LIMITS": {
                **test_config.get("MEDIA_LIMITS", {}),
                "audio": 600,
                "video": 600,
                "document": 600,
                "image": 600,
                "application": 1000,
            },
        }
    )
    clients = []
    for _ in range(2):
        client = app.test_client()
        client.post("/login", data={"email": musician.email, "password": PASSWORD})
        clients.append(TusClient(client, work.id))
    barrier = threading.Barrier(2)
    statuses = []

    def start(tus_client):
        barrier.wait()
        statuses.append(tus_client.create(600).status_code)

    threads = [threading.Thread(target=start, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [201, 413]


def test_a_refused_creation_with_upload_leaves_no_reservation_behind(tus):
    wrong = base64.b64encode(hashlib.sha256(b"something else").digest()).decode()

    response = tus.create(
        2 * KB,
        data=b"a" * KB,
        headers={
            "Content-Type": "application/offset+octet-stream",
            "Upload-Checksum": f"sha256 {wrong}",
        },
    )

    assert response.status_code == 460
    assert db.session.scalars(select(MediaUpload)).all() == []
