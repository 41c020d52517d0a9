"""A real tus client (tuspy) and a real HTTP server: interrupted half-way, resumed, identical."""

import hashlib
import socket
import time
from urllib.parse import urlsplit

from sqlalchemy import select
from tusclient.client import TusClient

from qpmusic.enums import MediaKind, MediaStatus
from qpmusic.extensions import db
from qpmusic.media.models import MediaFile, MediaUpload
from qpmusic.media.storage import get_storage
from tests.media.conftest import browser_session
from tests.media.files import wav_bytes

MB = 1024 * 1024
CHUNK = 4 * MB


def cut_off_patch(url: str, headers: dict, offset: int, declared: int, sent: bytes) -> None:
    """Announce ``declared`` bytes, send only ``sent``, and drop the connection."""
    parts = urlsplit(url)
    lines = [
        f"PATCH {parts.path} HTTP/1.1",
        f"Host: {parts.netloc}",
        "Tus-Resumable: 1.0.0",
        f"Upload-Offset: {offset}",
        "Content-Type: application/offset+octet-stream",
        f"Content-Length: {declared}",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    with socket.create_connection((parts.hostname, parts.port)) as connection:
        connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + sent)


def server_offset(uploader) -> int:
    return uploader.get_offset()


def test_a_50_mb_upload_interrupted_half_way_resumes_and_arrives_identical(
    live_server, musician, work, tmp_path
):
    data = wav_bytes(50 * MB / (44100 * 4))
    assert len(data) >= 50 * MB - 4 * 1024
    source = tmp_path / "Nachtstück (live).wav"
    source.write_bytes(data)
    expected = hashlib.sha256(data).hexdigest()
    session, token = browser_session(live_server, musician.email, work)
    cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
    headers = {"Cookie": cookie, "X-CSRFToken": token}
    metadata = {"filename": source.name, "filetype": "audio/wav", "work_id": str(work.id)}

    # First client: half of the file in 4 MB chunks, each with a sha1 the server verifies.
    first = TusClient(f"{live_server}/uploads/", headers=headers).uploader(
        str(source), chunk_size=CHUNK, metadata=metadata, upload_checksum=True
    )
    half = len(data) // 2
    first.upload(stop_at=half)
    location = first.url
    assert server_offset(first) == half

    # The connection drops in the middle of the next chunk: what arrived is kept.
    cut_off_patch(location, headers, half, CHUNK, data[half : half + MB + MB // 2])
    deadline = time.monotonic() + 10
    while server_offset(first) == half and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server_offset(first) == half + MB + MB // 2

    # A fresh client knows only the URL; it asks the server (HEAD) where to go on.
    second = TusClient(f"{live_server}/uploads/", headers=headers).uploader(
        str(source), url=location, chunk_size=CHUNK, upload_checksum=True
    )
    assert second.offset == half + MB + MB // 2
    second.upload()

    db.session.expire_all()
    media = db.session.scalars(select(MediaFile)).one()
    stored = get_storage().local_path(media.storage_key)
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == expected
    assert media.size == len(data)
    assert media.kind == MediaKind.AUDIO
    assert media.original_name == "Nachtstück (live).wav"
    # Processing ran eagerly after the last chunk's commit and verified the same checksum.
    assert media.status == MediaStatus.READY
    assert media.sha256 == expected
    # Only the receipt of the finished upload is left, and it points at the file.
    assert db.session.scalars(select(MediaUpload.meta)).one()["media"] == media.public_id


def test_a_real_client_without_the_csrf_header_cannot_create_uploads(
    live_server, musician, work, tmp_path
):
    source = tmp_path / "take.wav"
    source.write_bytes(wav_bytes(0.2))
    session, _token = browser_session(live_server, musician.email, work)
    cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
    client = TusClient(f"{live_server}/uploads/", headers={"Cookie": cookie})
    uploader = client.uploader(str(source), metadata={"work_id": str(work.id)})

    try:
        uploader.upload()
    except Exception as error:  # tuspy raises its own communication error
        assert getattr(error, "status_code", None) == 403
    else:
        raise AssertionError("the upload was accepted without a CSRF token")
    assert db.session.scalars(select(MediaUpload)).all() == []
