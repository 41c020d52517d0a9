"""Who may fetch a file: every role, through the stream, the status and the poster URLs."""

import re

import pytest

from qpmusic.enums import ApplicationStatus, MediaKind, MediaStatus, Role, RoundKind, RoundStatus
from qpmusic.extensions import db
from qpmusic.media.access import can_fetch, gets_blind_copy
from tests.factories import AssignmentFactory, RoundFactory, UserFactory
from tests.media.playback import DATA, jury_work, media_file, store

BLIND = b"the same sound without its tags"


def assigned_juror(media, juror=None, *, status=RoundStatus.OPEN, kind=RoundKind.JURY):
    """A juror (new unless given) assigned to ``media``'s application in a round of ``status``."""
    juror = juror or UserFactory(role=Role.JUROR)
    application = media.work.application
    round_ = RoundFactory(edition=application.edition, kind=kind, status=status)
    AssignmentFactory(round=round_, juror=juror, application=application)
    return juror


def urls(media) -> list[str]:
    base = f"/media/{media.public_id}"
    return [base, f"{base}/status"]


def fetch_all(client, media) -> list[int]:
    return [client.get(u).status_code for u in urls(media)]


def test_the_owning_applicant_gets_the_file(client, auth):
    media = media_file()
    auth.login(media.work.application.applicant.email)

    assert fetch_all(client, media) == [200, 200]
    assert client.get(f"/media/{media.public_id}").data == DATA


def test_another_applicant_gets_404(client, auth):
    media = media_file()
    other = UserFactory(role=Role.APPLICANT)
    auth.login(other.email)

    assert fetch_all(client, media) == [404, 404]


def test_a_visitor_with_a_copied_link_gets_404_not_a_login_redirect(client, auth):
    media = media_file()
    auth.login(media.work.application.applicant.email)
    assert client.get(f"/media/{media.public_id}").status_code == 200
    auth.logout()

    assert fetch_all(client, media) == [404, 404]
    assert "Location" not in client.get(f"/media/{media.public_id}").headers


def without_token(html: str) -> str:
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]+', r"\1TOKEN", html)


def test_a_logged_out_visitor_gets_the_same_404_as_for_an_unknown_file(client):
    media = media_file()

    known = client.get(f"/media/{media.public_id}")
    unknown = client.get("/media/AAAAAAAAAAAAAAAAAAAAAA")

    assert (known.status_code, unknown.status_code) == (404, 404)
    # The page repeats the path (language switch), so compare it without; and without the
    # form token, signed with the second it was made in.
    page = known.get_data(as_text=True).replace(media.public_id, "AAAAAAAAAAAAAAAAAAAAAA")
    assert without_token(page) == without_token(unknown.get_data(as_text=True))


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.ADMIN])
def test_coordinators_and_admins_get_the_original(client, auth, role):
    media = media_file(jury_work(blind=True), blind_data=BLIND)
    auth.login(UserFactory(role=role).email)

    assert fetch_all(client, media) == [200, 200]
    assert client.get(f"/media/{media.public_id}").data == DATA


def test_a_juror_assigned_in_an_open_round_gets_the_file(client, auth):
    media = media_file(jury_work())
    auth.login(assigned_juror(media).email)

    assert fetch_all(client, media) == [200, 200]
    assert client.get(f"/media/{media.public_id}").data == DATA


def test_a_juror_not_assigned_gets_404_for_a_shortlisted_file_in_the_jury_phase(client, auth):
    media = media_file(jury_work())
    RoundFactory(edition=media.work.application.edition)
    auth.login(UserFactory(role=Role.JUROR).email)

    assert fetch_all(client, media) == [404, 404]


def test_a_juror_of_a_blind_edition_gets_the_blind_copy(client, auth):
    media = media_file(
        jury_work(blind=True), blind_data=BLIND, original_name="Anna Weber - Study.wav"
    )
    auth.login(assigned_juror(media).email)

    response = client.get(f"/media/{media.public_id}")

    assert response.status_code == 200
    assert response.data == BLIND
    assert response.headers["Content-Length"] == str(len(BLIND))
    assert "Weber" not in response.headers["Content-Disposition"]
    assert response.headers["Content-Disposition"] == (
        f'inline; filename="work-{media.work.position}-audio.wav"; '
        f"filename*=UTF-8''work-{media.work.position}-audio.wav"
    )


def test_a_juror_of_a_blind_edition_gets_ranges_of_the_blind_copy(client, auth):
    media = media_file(jury_work(blind=True), blind_data=BLIND)
    auth.login(assigned_juror(media).email)

    response = client.get(f"/media/{media.public_id}", headers={"Range": "bytes=4-"})

    assert response.status_code == 206
    assert response.data == BLIND[4:]
    assert response.headers["Content-Range"] == f"bytes 4-{len(BLIND) - 1}/{len(BLIND)}"


def test_a_blind_juror_gets_404_while_the_blind_copy_is_missing(client, auth):
    media = media_file(jury_work(blind=True))
    auth.login(assigned_juror(media).email)

    assert client.get(f"/media/{media.public_id}").status_code == 404


def test_the_owner_of_a_blind_edition_gets_the_original(client, auth):
    media = media_file(jury_work(blind=True), blind_data=BLIND)
    auth.login(media.work.application.applicant.email)

    assert client.get(f"/media/{media.public_id}").data == DATA


def test_a_juror_who_is_also_coordinator_gets_the_original(client, auth):
    from qpmusic.accounts.models import UserRole

    media = media_file(jury_work(blind=True), blind_data=BLIND)
    both = UserFactory(role=Role.JUROR)
    both.role_rows.append(UserRole(role=Role.COORDINATOR))
    db.session.commit()
    auth.login(both.email)

    assert client.get(f"/media/{media.public_id}").data == DATA


def test_an_unready_file_is_404_for_everyone_but_its_owner(client, auth):
    media = media_file(status=MediaStatus.PROCESSING)
    auth.login(UserFactory(role=Role.ADMIN).email)

    assert client.get(f"/media/{media.public_id}").status_code == 404


def test_a_deactivated_owner_gets_404(client, auth):
    media = media_file()
    auth.login(media.work.application.applicant.email)
    media.work.application.applicant.active = False
    db.session.commit()

    assert client.get(f"/media/{media.public_id}").status_code == 404


def test_the_poster_follows_the_same_rule(client, auth):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
    media = media_file(kind=MediaKind.VIDEO, detected_type="video/mp4", poster_key=store(png))
    poster = f"/media/{media.public_id}/poster"

    assert client.get(poster).status_code == 404
    auth.login(UserFactory(role=Role.APPLICANT).email)
    assert client.get(poster).status_code == 404
    auth.logout()
    auth.login(media.work.application.applicant.email)
    response = client.get(poster)
    assert response.status_code == 200
    assert response.data == png
    assert response.headers["Content-Type"] == "image/png"


def test_a_video_without_a_poster_has_none(client, auth):
    media = media_file(kind=MediaKind.VIDEO, detected_type="video/mp4")
    auth.login(media.work.application.applicant.email)

    assert client.get(f"/media/{media.public_id}/poster").status_code == 404


def test_can_fetch_refuses_nobody_and_anonymous():
    from flask_login import AnonymousUserMixin

    media = media_file()

    assert can_fetch(None, media) is False
    assert can_fetch(AnonymousUserMixin(), media) is False
    assert gets_blind_copy(media.work.application.applicant, media) is False


def test_a_user_back_through_the_remember_me_cookie_gets_the_file(client, auth):
    media = media_file()
    auth.login(media.work.application.applicant.email, remember="y")
    client.delete_cookie("session")

    response = client.get(f"/media/{media.public_id}")

    assert response.status_code == 200
    assert response.data == DATA


def test_a_session_of_an_account_logged_out_everywhere_gets_404(client, auth):
    from qpmusic.accounts.models import new_auth_token

    media = media_file()
    owner = media.work.application.applicant
    auth.login(owner.email)
    owner.auth_token = new_auth_token()
    db.session.commit()

    assert fetch_all(client, media) == [404, 404]


def scenario(name):
    """(user or None, media, expected) for one line of the access table."""
    if name == "owner":
        media = media_file()
        return media.work.application.applicant, media, True
    if name == "other applicant":
        return UserFactory(role=Role.APPLICANT), media_file(jury_work()), False
    if name == "visitor":
        return None, media_file(), False
    if name in ("coordinator", "admin"):
        return UserFactory(role=Role(name)), media_file(), True
    if name == "juror assigned in an open round":
        media = media_file(jury_work())
        return assigned_juror(media), media, True
    if name == "juror not assigned":
        return UserFactory(role=Role.JUROR), media_file(jury_work()), False
    if name == "juror assigned in a closed round":
        media = media_file(jury_work())
        return assigned_juror(media, status=RoundStatus.CLOSED), media, False
    if name == "juror assigned in a draft round":
        media = media_file(jury_work())
        return assigned_juror(media, status=RoundStatus.DRAFT), media, False
    raise AssertionError(name)


@pytest.mark.parametrize(
    "name",
    [
        "owner",
        "other applicant",
        "visitor",
        "coordinator",
        "admin",
        "juror assigned in an open round",
        "juror not assigned",
        "juror assigned in a closed round",
        "juror assigned in a draft round",
    ],
)
def test_can_fetch_and_the_stream_agree_for_every_role(client, auth, name):
    user, media, expected = scenario(name)
    if user is not None:
        auth.login(user.email)

    assert can_fetch(user, media) is expected
    assert client.get(f"/media/{media.public_id}").status_code == (200 if expected else 404)


def test_the_office_sees_what_processing_noted_and_the_applicant_does_not(client, auth):
    media = media_file()
    media.processing_note = "no_ffmpeg"
    application = media.work.application
    application.status = ApplicationStatus.SUBMITTED
    application.reference = "QP-2030-0001"
    db.session.commit()
    office = UserFactory(email="office@example.org", role=Role.ADMIN, language="en")
    note = "No poster frame: the video tool (ffmpeg) is not installed on the server."

    auth.login(office.email)
    office_page = client.get(f"/screening/{application.id}?lang=en")
    auth.logout()
    application.applicant.language = "en"
    db.session.commit()
    auth.login(application.applicant.email)
    own_page = client.get(f"/applications/{application.id}/review")

    assert note in office_page.text
    assert note not in own_page.text
