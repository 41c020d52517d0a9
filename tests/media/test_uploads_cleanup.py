"""Unfinished uploads expire: the periodic task removes their rows and bytes, and only theirs."""

from datetime import timedelta

from sqlalchemy import select

from qpmusic.celery_app import bound_task
from qpmusic.enums import MediaKind
from qpmusic.extensions import db
from qpmusic.media.cleanup import expire_uploads
from qpmusic.media.models import MediaFile, MediaUpload
from qpmusic.media.storage import get_storage
from qpmusic.timestamps import utcnow


def an_upload(work, *, expires_in: timedelta, data: bytes = b"partial", **meta) -> MediaUpload:
    storage = get_storage()
    key = storage.new_key()
    storage.create(key)
    storage.local_path(key).write_bytes(data)
    upload = MediaUpload(
        work=work,
        user=work.application.applicant,
        kind=MediaKind.AUDIO,
        filename="take.wav",
        length=1000,
        offset=len(data),
        storage_key=key,
        meta=meta,
        expires_at=utcnow() + expires_in,
    )
    db.session.add(upload)
    db.session.commit()
    return upload


def run_cleanup() -> int:
    return bound_task(expire_uploads).apply().get()


def test_expired_uploads_lose_their_rows_and_bytes(work):
    expired = an_upload(work, expires_in=timedelta(seconds=-1))
    path = get_storage().local_path(expired.storage_key)

    assert run_cleanup() == 1

    assert not path.exists()
    assert db.session.scalars(select(MediaUpload)).all() == []


def test_uploads_still_running_are_left_alone(work):
    running = an_upload(work, expires_in=timedelta(hours=3))

    assert run_cleanup() == 0

    assert get_storage().local_path(running.storage_key).read_bytes() == b"partial"
    assert db.session.scalars(select(MediaUpload.id)).all() == [running.id]


def test_cleanup_twice_changes_nothing_more(work):
    an_upload(work, expires_in=timedelta(minutes=-5))
    an_upload(work, expires_in=timedelta(minutes=-1))

    assert run_cleanup() == 2
    assert run_cleanup() == 0


def test_the_receipt_of_a_finished_upload_goes_but_its_file_stays(work):
    receipt = an_upload(work, expires_in=timedelta(seconds=-1), data=b"RIFF....", media="abc")
    db.session.add(
        MediaFile(
            work=work,
            kind=MediaKind.AUDIO,
            original_name="take.wav",
            storage_key=receipt.storage_key,
            size=8,
        )
    )
    db.session.commit()
    path = get_storage().local_path(receipt.storage_key)

    assert run_cleanup() == 1

    assert path.read_bytes() == b"RIFF...."
    assert db.session.scalars(select(MediaUpload)).all() == []
    assert len(db.session.scalars(select(MediaFile)).all()) == 1


def test_an_expired_upload_whose_bytes_are_already_gone_is_still_removed(work):
    expired = an_upload(work, expires_in=timedelta(seconds=-1))
    get_storage().delete(expired.storage_key)

    assert run_cleanup() == 1
    assert db.session.scalars(select(MediaUpload)).all() == []
