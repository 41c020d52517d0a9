"""With MEDIA_ACCEL_PREFIX the app checks access and hands the file to nginx (X-Accel-Redirect)."""

import pytest

from tests.conftest import Auth, make_app
from tests.media.playback import media_file


@pytest.fixture
def accel_client(test_config):
    return make_app({**test_config, "MEDIA_ACCEL_PREFIX": "/_media/"}).test_client()


def test_accel_answers_with_the_storage_key_and_no_body(accel_client):
    media = media_file(original_name="Nachtstück.flac", detected_type="audio/flac")
    Auth(accel_client).login(media.work.application.applicant.email)

    response = accel_client.get(f"/media/{media.public_id}", headers={"Range": "bytes=0-9"})

    assert response.status_code == 200
    assert response.headers["X-Accel-Redirect"] == f"/_media/{media.storage_key}"
    assert response.data == b""
    assert response.headers["Content-Type"] == "audio/flac"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert response.headers["Content-Disposition"] == (
        "inline; filename=\"Nachtstuck.flac\"; filename*=UTF-8''Nachtst%C3%BCck.flac"
    )
    # nginx sets these from the file itself.
    assert "Content-Range" not in response.headers
    assert "ETag" not in response.headers


def test_accel_refuses_a_visitor_without_redirecting(accel_client):
    media = media_file()

    response = accel_client.get(f"/media/{media.public_id}")

    assert response.status_code == 404
    assert "X-Accel-Redirect" not in response.headers


def test_accel_hands_a_blind_juror_the_blind_copy(accel_client):
    from qpmusic.enums import Role
    from tests.factories import UserFactory
    from tests.media.playback import jury_work
    from tests.media.test_access import assigned_juror

    media = media_file(jury_work(blind=True), blind_data=b"clean copy")
    juror = assigned_juror(media, UserFactory(role=Role.JUROR))
    Auth(accel_client).login(juror.email)

    response = accel_client.get(f"/media/{media.public_id}")

    assert response.headers["X-Accel-Redirect"] == f"/_media/{media.blind_key}"
