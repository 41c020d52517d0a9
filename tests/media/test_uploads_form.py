"""The plain form upload (no JavaScript): the checks and messages of tus, a flash, a redirect."""

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from qpmusic.enums import ApplicationStatus, MediaKind, MediaStatus
from qpmusic.extensions import db
from qpmusic.media.labels import rejection_message
from qpmusic.media.models import MediaFile, MediaUpload
from qpmusic.media.storage import get_storage
from qpmusic.timestamps import utcnow
from tests.conftest import PASSWORD, make_app
from tests.factories import ApplicationFactory, UserFactory, WorkFactory
from tests.media.files import pdf_bytes, wav_bytes


def form_url(work) -> str:
    return f"/applications/{work.application_id}/works/{work.id}/files"


def work_url(work) -> str:
    return f"/applications/{work.application_id}/works/{work.id}"


def send(client, work, data: bytes, name: str, **extra):
    return client.post(
        form_url(work),
        data={"file": (io.BytesIO(data), name), **extra},
        content_type="multipart/form-data",
    )


def flashes(client, work) -> list[str]:
    page = client.get(work_url(work)).get_data(as_text=True)
    return [" ".join(m.split()) for m in re.findall(r'class="flash[^"]*">(.*?)</p>', page, re.S)]


def in_german(code: str, **details) -> str:
    with force_locale("de"):
        return rejection_message(code, **details)


@pytest.fixture
def logged_in(client, auth, musician):
    auth.login(musician.email)
    return client


def stored_files() -> list[Path]:
    return [p for p in Path(get_storage().root).rglob("*") if p.is_file()]


def test_a_small_file_arrives_by_the_plain_form(logged_in, work):
    data = wav_bytes(1.0)

    response = send(logged_in, work, data, "Nachtstück.wav")

    assert response.status_code == 302
    assert response.headers["Location"] == work_url(work) + "#work-files"
    media = db.session.scalars(select(MediaFile)).one()
    assert media.original_name == "Nachtstück.wav"
    assert media.kind == MediaKind.AUDIO
    assert media.size == len(data)
    assert media.status == MediaStatus.READY
    assert get_storage().local_path(media.storage_key).read_bytes() == data
    assert db.session.scalars(select(MediaUpload)).all() == []
    assert any("Nachtstück.wav" in message for message in flashes(logged_in, work))


def test_a_bad_file_by_the_plain_form_is_refused_with_its_reason(logged_in, work):
    before = set(stored_files())

    response = send(logged_in, work, pdf_bytes(), "score.mp3")

    assert response.status_code == 302
    assert db.session.scalars(select(MediaFile)).all() == []
    assert db.session.scalars(select(MediaUpload)).all() == []
    assert set(stored_files()) == before
    expected = in_german("kind_mismatch", kind=MediaKind.AUDIO, detected=MediaKind.DOCUMENT)
    assert expected in " ".join(flashes(logged_in, work))


def test_an_empty_file_by_the_plain_form_is_refused(logged_in, work):
    send(logged_in, work, b"", "empty.wav")

    assert db.session.scalars(select(MediaFile)).all() == []
    assert in_german("empty") in " ".join(flashes(logged_in, work))


def test_the_plain_form_without_a_file_asks_for_one(logged_in, work):
    response = logged_in.post(form_url(work), data={}, content_type="multipart/form-data")

    assert response.status_code == 302
    assert db.session.scalars(select(MediaFile)).all() == []


def test_the_plain_form_takes_at_most_its_own_limit(test_config, musician, work):
    app = make_app({**test_config, "PLAIN_UPLOAD_MAX": 100 * 1024})
    client = app.test_client()
    client.post("/login", data={"email": musician.email, "password": PASSWORD})

    response = send(client, work, wav_bytes(1.0), "take.wav")

    assert response.status_code == 413
    assert db.session.scalars(select(MediaFile)).all() == []
    assert db.session.scalars(select(MediaUpload)).all() == []


def test_the_plain_form_takes_files_over_flasks_16_mb(logged_in, work):
    data = wav_bytes(17 * 1024 * 1024 / (44100 * 4))

    response = send(logged_in, work, data, "long take.wav")

    assert response.status_code == 302
    assert db.session.scalars(select(MediaFile.size)).one() == len(data)


def test_the_plain_form_needs_the_csrf_token(csrf_app, musician, work):
    client = csrf_app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    client.post("/login", data={"email": musician.email, "password": PASSWORD, "csrf_token": token})

    response = send(client, work, wav_bytes(0.2), "take.wav")

    assert response.status_code == 400
    assert db.session.scalars(select(MediaFile)).all() == []
    assert db.session.scalars(select(MediaUpload)).all() == []


def test_the_plain_form_cannot_add_to_someone_elses_work(logged_in):
    stranger = WorkFactory(application=ApplicationFactory(applicant=UserFactory()))

    send(logged_in, stranger, wav_bytes(0.2), "take.wav")

    assert db.session.scalars(select(MediaFile)).all() == []


def test_the_plain_form_after_the_deadline_is_refused(logged_in, work):
    work.application.edition.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    send(logged_in, work, wav_bytes(0.2), "take.wav")

    assert db.session.scalars(select(MediaFile)).all() == []


def test_a_file_added_to_a_submitted_application_asks_for_resubmission(logged_in, work):
    work.application.status = ApplicationStatus.SUBMITTED
    work.application.reference = "QP-2030-0001"
    db.session.commit()

    send(logged_in, work, wav_bytes(0.2), "take.wav")

    db.session.expire_all()
    assert work.application.changed_since_submission is True
    assert len(db.session.scalars(select(MediaFile)).all()) == 1


def test_a_logged_out_visitor_cannot_post_a_file(client, work):
    response = send(client, work, wav_bytes(0.5), "x.wav")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert db.session.scalars(select(MediaFile)).all() == []
