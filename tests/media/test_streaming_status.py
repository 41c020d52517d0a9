"""GET /media/<public_id>/status: the state the uploads page polls, in the reader's language."""

from qpmusic.enums import MediaStatus
from qpmusic.extensions import db
from tests.media.playback import media_file


def owned_in_english(auth, **fields):
    media = media_file(**fields)
    media.work.application.applicant.language = "en"
    db.session.commit()
    auth.login(media.work.application.applicant.email)
    return media


def test_status_of_a_ready_file(client, auth):
    media = owned_in_english(auth, duration_seconds=252.5)

    response = client.get(f"/media/{media.public_id}/status")

    assert response.status_code == 200
    assert response.json == {
        "status": "ready",
        "status_label": "Ready",
        "message": "",
        "duration": 252.5,
        "size": 10_000,
    }
    assert response.headers["Cache-Control"] == "no-store"


def test_status_of_a_processing_file(client, auth):
    media = owned_in_english(auth, status=MediaStatus.PROCESSING)

    body = client.get(f"/media/{media.public_id}/status").json

    assert (body["status"], body["status_label"], body["message"]) == (
        "processing",
        "Processing",
        "",
    )


def test_status_of_a_rejected_file_gives_the_reason(client, auth):
    media = owned_in_english(auth, status=MediaStatus.REJECTED, rejection_code="kind_mismatch")

    body = client.get(f"/media/{media.public_id}/status").json

    assert body["status"] == "rejected"
    assert body["status_label"] == "Rejected"
    assert body["message"] == (
        "The content of this file does not match the kind of file you chose."
    )


def test_status_renders_for_a_french_reader(client, auth):
    media = media_file(status=MediaStatus.REJECTED, rejection_code="corrupt")
    media.work.application.applicant.language = "fr"
    db.session.commit()
    auth.login(media.work.application.applicant.email)

    body = client.get(f"/media/{media.public_id}/status").json

    assert body["status"] == "rejected"
    assert body["message"]
