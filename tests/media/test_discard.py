"""Removed files and works take their bytes with them, but only once the removal commits."""

from qpmusic.extensions import db
from qpmusic.media.models import MediaFile
from qpmusic.media.storage import delete_after_commit, get_storage
from tests.media.playback import media_file

BLIND = b"the same sound without its tags"


def test_removing_a_work_deletes_its_files_bytes(client, auth):
    media = media_file(blind_data=BLIND)
    keys = [media.storage_key, media.blind_key]
    application, work = media.work.application, media.work
    auth.login(application.applicant.email)

    client.post(f"/applications/{application.id}/works/{work.id}/remove")

    db.session.expire_all()
    assert db.session.query(MediaFile).count() == 0
    assert not any(get_storage().exists(key) for key in keys)


def test_bytes_stay_when_the_removal_is_rolled_back(app):
    media = media_file()

    delete_after_commit([media.storage_key])
    db.session.rollback()
    db.session.commit()

    assert get_storage().exists(media.storage_key)
