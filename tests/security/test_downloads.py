"""Every file handed out says how to treat it (Content-Disposition) and is never sniffed."""

import re
from urllib.parse import unquote

import pytest

from qpmusic.enums import Role
from tests.factories import EditionFactory, JuryMemberFactory, UserFactory
from tests.results.export_builders import admin_user, build_scene, final_ballot, media_file
from tests.security.hostile_world import logged_in

# Built by the app from fixed words, the year and the time: nothing a person typed.
SAFE_NAME = r"[A-Za-z0-9._-]+"
ATTACHMENT = re.compile(rf'^attachment; filename="?({SAFE_NAME})"?$')


@pytest.fixture
def scene():
    scene = build_scene(year=2031)
    final_ballot(scene)
    return scene


@pytest.fixture
def office(app, scene):
    return logged_in(app, admin_user())


def attachment_name(response) -> str:
    disposition = response.headers["Content-Disposition"]
    match = ATTACHMENT.match(disposition)
    assert match, disposition
    return match.group(1)


def assert_download(response, *, mimetype: str, name: str) -> None:
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert re.fullmatch(name, attachment_name(response)), attachment_name(response)


@pytest.mark.parametrize(
    "what, mimetype",
    [
        ("applications.csv", "text/csv"),
        ("applications.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("rounds/{round}/reviews.csv", "text/csv"),
        (
            "rounds/{round}/reviews.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("rounds/{round}/results.csv", "text/csv"),
        (
            "rounds/{round}/results.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ],
)
def test_spreadsheet_exports_are_attachments_kept_out_of_caches(office, scene, what, mimetype):
    path = f"/admin/editions/{scene.edition.id}/exports/" + what.format(round=scene.round.id)

    response = office.get(path)

    extension = what.rsplit(".", 1)[1]
    kind = what.rsplit("/", 1)[-1].split(".")[0]
    assert_download(
        response, mimetype=mimetype, name=rf"qpmusic-2031-{kind}-\d{{8}}-\d{{4}}\.{extension}"
    )
    assert response.headers["Cache-Control"] == "private, no-store"


def test_media_zip_is_an_attachment_kept_out_of_caches(office, scene):
    response = office.get(f"/admin/editions/{scene.edition.id}/exports/media.zip")

    assert_download(
        response, mimetype="application/zip", name=r"qpmusic-2031-media-\d{8}-\d{4}\.zip"
    )
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.data[:4] == b"PK\x03\x04"


def test_protocol_pdf_is_an_attachment_kept_out_of_caches(office, scene):
    response = office.get(f"/admin/editions/{scene.edition.id}/exports/protocol.pdf?lang=fr")

    assert_download(
        response, mimetype="application/pdf", name=r"qpmusic-2031-protocol-fr-\d{8}-\d{4}\.pdf"
    )
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.data[:5] == b"%PDF-"


def test_audit_csv_is_an_attachment_kept_out_of_caches(office):
    response = office.get("/admin/audit/export.csv")

    assert_download(response, mimetype="text/csv", name=r"qpmusic-audit-\d{8}-\d{4}\.csv")
    assert response.headers["Cache-Control"] == "private, no-store"


def test_screening_csv_is_an_attachment(app, scene):
    coordinator = JuryMemberFactory(edition=scene.edition, role=Role.COORDINATOR).user

    response = logged_in(app, coordinator).get(f"/screening/export.csv?edition={scene.edition.id}")

    assert_download(response, mimetype="text/csv", name=r"qpmusic-screening-2031-\d{8}-\d{4}\.csv")
    assert response.headers["Cache-Control"] == "private, no-store"


def test_an_applicants_own_data_is_an_attachment_kept_out_of_caches(app, scene):
    applicant = logged_in(app, scene.applications[0].applicant)

    response = applicant.post("/profile/data.zip")

    assert_download(response, mimetype="application/zip", name=r"qpmusic-my-data-\d{8}-\d{4}\.zip")
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.data[:4] == b"PK\x03\x04"


def test_deadline_calendar_is_an_attachment(client):
    EditionFactory(year=2035)

    response = client.get("/editions/2035/deadline.ics")

    assert_download(response, mimetype="text/calendar", name=r"quattropole-2035-deadline\.ics")


HOSTILE_NAMES = [
    ('take "one"; filename=evil.html.flac', "take _one__ filename=evil.html.flac"),
    ("Étude №1 \N{EN DASH} Größe.flac", "Etude No1  Groe.flac"),
    ("a\r\nSet-Cookie: x=1.flac", "a__Set-Cookie: x=1.flac"),
    ("\\..\\..\\boot.ini.flac", "_.._.._boot.ini.flac"),
]


@pytest.mark.parametrize("name, fallback", HOSTILE_NAMES)
def test_a_stream_is_inline_under_a_harmless_name_and_never_sniffed(app, scene, name, fallback):
    work = scene.applications[0].works[0]
    media = media_file(work, name=name)
    owner = logged_in(app, scene.applications[0].applicant)

    response = owner.get(f"/media/{media.public_id}")

    assert response.status_code == 200
    assert response.mimetype == "audio/flac"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    match = re.fullmatch(
        r"inline; filename=\"([^\"\\\r\n]*)\"; filename\*=UTF-8''([^\s;\"]+)", disposition
    )
    assert match, disposition
    assert match.group(1) == fallback
    assert unquote(match.group(2)) == name


def test_a_stream_through_nginx_keeps_the_headers(app, scene):
    app.config["MEDIA_ACCEL_PREFIX"] = "/_media"
    try:
        media = media_file(scene.applications[0].works[0], name="take.flac")
        response = logged_in(app, scene.applications[0].applicant).get(f"/media/{media.public_id}")
    finally:
        app.config["MEDIA_ACCEL_PREFIX"] = ""

    assert response.headers["X-Accel-Redirect"] == f"/_media/{media.storage_key}"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith('inline; filename="take.flac"')


def test_someone_elses_file_is_not_found(app, scene):
    media = media_file(scene.applications[0].works[0], name="take.flac")
    stranger = UserFactory(email="stranger@example.org")

    response = logged_in(app, stranger).get(f"/media/{media.public_id}")

    assert response.status_code == 404
    assert "Content-Disposition" not in response.headers
