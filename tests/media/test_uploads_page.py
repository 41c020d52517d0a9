"""The work page: its files with their states in words, removing one, and the uploader."""

import re
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from qpmusic.audit.models import AuditEvent
from qpmusic.enums import MediaKind, MediaStatus
from qpmusic.extensions import db
from qpmusic.media.labels import STATUS_LABELS, rejection_message
from qpmusic.media.models import MediaFile
from qpmusic.media.storage import get_storage
from qpmusic.timestamps import utcnow
from tests.factories import ApplicationFactory, UserFactory, WorkFactory


def work_url(work) -> str:
    return f"/applications/{work.application_id}/works/{work.id}"


def remove_url(media) -> str:
    return f"{work_url(media.work)}/files/{media.public_id}/remove"


def a_file(work, name="take.wav", status=MediaStatus.READY, code="", blind=False) -> MediaFile:
    storage = get_storage()
    key = storage.new_key()
    storage.create(key)
    blind_key = None
    if blind:
        blind_key = storage.new_key()
        storage.create(blind_key)
    media = MediaFile(
        work=work,
        kind=MediaKind.AUDIO,
        original_name=name,
        storage_key=key,
        blind_key=blind_key,
        size=2048,
        status=status,
        rejection_code=code,
    )
    db.session.add(media)
    db.session.commit()
    return media


def rows(page: str) -> list[str]:
    found = re.findall(r'<tr class="media-file".*?</tr>', page, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in found]


@pytest.fixture
def logged_in(client, auth, musician):
    auth.login(musician.email)
    return client


def test_the_work_page_lists_files_with_their_states_in_words(logged_in, work):
    a_file(work, "ready.wav")
    a_file(work, "waiting.flac", status=MediaStatus.PROCESSING)
    a_file(work, "broken.wav", status=MediaStatus.REJECTED, code="corrupt")

    page = logged_in.get(work_url(work)).get_data(as_text=True)

    with force_locale("de"):
        processing, ready, rejected = (str(STATUS_LABELS[s]) for s in MediaStatus)
        reason = rejection_message("corrupt")
    listed = rows(page)
    assert listed[0].startswith("ready.wav")
    assert ready in listed[0]
    assert listed[1].startswith("waiting.flac") and processing in listed[1]
    assert listed[2].startswith("broken.wav") and rejected in listed[2]
    assert reason in listed[2]
    assert page.count('data-status="processing"') == 1
    assert 'class="upload-form"' in page
    assert "/static/js/uploader.js" in page
    assert "/static/vendor/tus-js-client/tus.min.js" in page


def test_the_work_page_speaks_french(client, auth):
    musician = UserFactory(language="fr")
    work = WorkFactory(application=ApplicationFactory(applicant=musician))
    a_file(work, "prise.wav")
    auth.login(musician.email)

    response = client.get(work_url(work))

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<html lang="fr">' in page
    assert "prise.wav" in page


def test_a_new_work_has_no_file_list_yet(logged_in, work):
    page = logged_in.get(f"/applications/{work.application_id}/works/new").get_data(as_text=True)

    assert 'id="work-files"' not in page
    assert 'class="upload-form"' not in page


def test_after_the_deadline_files_are_listed_without_uploader_or_remove(logged_in, work):
    a_file(work, "ready.wav")
    work.application.edition.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    page = logged_in.get(work_url(work)).get_data(as_text=True)

    assert "ready.wav" in page
    assert 'class="upload-form"' not in page
    assert "/remove" not in page.split('id="work-files"')[1]


def test_removing_a_file_deletes_it_with_its_copies_and_records_it(logged_in, work):
    media = a_file(work, "take.wav", blind=True)
    paths = [get_storage().local_path(k) for k in (media.storage_key, media.blind_key)]

    response = logged_in.post(remove_url(media))

    assert response.status_code == 302
    assert response.headers["Location"] == work_url(work) + "#work-files"
    assert db.session.scalars(select(MediaFile)).all() == []
    assert not any(path.exists() for path in paths)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "media.removed")).one()
    assert event.before == {"name": "take.wav", "kind": "audio", "size": 2048}


def test_nobody_removes_someone_elses_file(logged_in):
    other = a_file(WorkFactory(application=ApplicationFactory(applicant=UserFactory())))

    logged_in.post(remove_url(other))

    assert db.session.scalars(select(MediaFile.id)).all() == [other.id]
    assert get_storage().exists(other.storage_key)


def test_a_file_cannot_be_removed_through_another_work(logged_in, work):
    media = a_file(work)
    sibling = WorkFactory(application=work.application)

    logged_in.post(f"{work_url(sibling)}/files/{media.public_id}/remove")

    assert db.session.scalars(select(MediaFile.id)).all() == [media.id]


def test_files_stay_after_the_deadline(logged_in, work):
    media = a_file(work)
    work.application.edition.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    logged_in.post(remove_url(media))

    assert db.session.scalars(select(MediaFile.id)).all() == [media.id]
    assert get_storage().exists(media.storage_key)


def test_removing_needs_the_csrf_token(csrf_app, musician, work):
    media = a_file(work)
    client = csrf_app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    client.post(
        "/login",
        data={"email": musician.email, "password": "Klangfarbe-2026!", "csrf_token": token},
    )

    response = client.post(remove_url(media))

    assert response.status_code == 400
    assert db.session.scalars(select(MediaFile.id)).all() == [media.id]
