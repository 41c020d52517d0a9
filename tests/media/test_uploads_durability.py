"""Which upload commits may skip waiting for the disk: unfinished offsets only, never the file."""

import io

from sqlalchemy import text

from qpmusic.extensions import db
from qpmusic.media import uploads
from qpmusic.timestamps import utcnow
from tests.media.files import wav_bytes


def synchronous_commit() -> str:
    return db.session.execute(text("SHOW synchronous_commit")).scalar_one()


def test_an_unfinished_chunk_commits_without_waiting_but_the_last_one_waits(musician, work):
    data = wav_bytes(0.2)
    half = len(data) // 2
    now = utcnow()
    received = uploads.create_upload(
        user=musician,
        work_id=str(work.id),
        filename="take.wav",
        filetype="",
        length=len(data),
        now=now,
    )
    upload_id = received.upload.id
    db.session.commit()
    assert synchronous_commit() == "on"

    uploads.receive_chunk(
        user=musician,
        upload_id=upload_id,
        offset=0,
        stream=io.BytesIO(data[:half]),
        content_length=half,
        now=now,
    )
    assert synchronous_commit() == "off"
    db.session.commit()
    # SET LOCAL ends with its transaction.
    assert synchronous_commit() == "on"

    finished = uploads.receive_chunk(
        user=musician,
        upload_id=upload_id,
        offset=half,
        stream=io.BytesIO(data[half:]),
        content_length=len(data) - half,
        now=now,
    )
    assert finished.media is not None
    assert synchronous_commit() == "on"
    db.session.commit()
