"""With CSRF protection on, no state-changing request without a valid token gets through."""

import base64

import pytest
from sqlalchemy import func, select

from qpmusic.enums import Role
from qpmusic.extensions import db
from qpmusic.media.models import MediaUpload
from tests.conftest import PASSWORD
from tests.factories import (
    ApplicationFactory,
    CityFactory,
    CriterionFactory,
    EditionFactory,
    EligibilityBasisFactory,
    InvitationFactory,
    UserFactory,
    WorkFactory,
)
from tests.security.access_world import upload_in_progress
from tests.security.fingerprint import database_fingerprint
from tests.translations import translated

SAMPLE_VALUES = {
    "token": "sometoken",
    "invitation_id": 1,
    "edition_id": 1,
    "criterion_id": 1,
    "application_id": 1,
    "basis_id": 1,
    "work_id": 1,
    "city_id": 1,
    "upload_id": "someupload",
    "public_id": "somefile",
    "round_id": 1,
    "juror_id": 1,
    "assignment_id": 1,
    "member_id": 1,
    "conflict_id": 1,
    "kind": "not_finalist",
    "batch_id": 1,
    "message_id": 1,
    "year": 2031,
}
# The tus endpoints are exempt from form tokens (a script sends raw bytes) and check the
# token in the X-CSRFToken header instead; tested separately below.
TUS_PATHS = {"/uploads/", "/uploads/someupload"}


def state_changing_urls(app):
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            methods = rule.methods - {"GET", "HEAD", "OPTIONS"}
            if methods:
                values = {arg: SAMPLE_VALUES[arg] for arg in rule.arguments}
                path = app.url_for(rule.endpoint, **values)
                if path not in TUS_PATHS:
                    yield from ((method, path) for method in sorted(methods))


def test_every_state_changing_endpoint_is_listed(csrf_app):
    paths = {path for _, path in state_changing_urls(csrf_app)}

    assert {
        "/login",
        "/register",
        "/logout",
        "/language",
        "/password/forgot",
        "/profile/",
        "/profile/password",
        "/profile/email",
        "/admin/invitations",
        "/invitation/sometoken",
        "/apply/start",
        "/applications/1/submit",
        "/applications/1/withdraw",
        "/applications/1/profile",
        "/applications/1/works/1/remove",
        "/applications/1/eligibility/1/remove",
        "/admin/cities/1",
        "/applications/1/works/1/files",
        "/applications/1/works/1/files/somefile/remove",
    } <= paths


@pytest.mark.parametrize("token", [None, "forged-token"])
def test_requests_without_a_valid_token_are_refused_and_change_nothing(csrf_app, token):
    UserFactory(email="office@example.org", role=Role.ADMIN)
    InvitationFactory()
    # Rows with id 1 behind every URL, so a request that slipped through would change one.
    CityFactory()
    edition = EditionFactory()
    CriterionFactory(edition=edition)
    application = ApplicationFactory(edition=edition)
    WorkFactory(application=application)
    EligibilityBasisFactory(application=application)
    client = csrf_app.test_client()
    login_page = client.get("/login")
    assert login_page.status_code == 200
    data = {
        "email": "office@example.org",
        "password": PASSWORD,
        "name": "X",
        "confirm": PASSWORD,
        "lang": "fr",
        "role": "admin",
        "language": "fr",
        "current_password": PASSWORD,
    }
    if token:
        data["csrf_token"] = token
    before = database_fingerprint()

    for method, path in state_changing_urls(csrf_app):
        # As a form, and as the JSON the autosave and listening scripts send.
        for body in ({"data": data}, {"json": data}):
            response = client.open(path, method=method, headers={"Accept-Language": "fr"}, **body)
            assert response.status_code == 400, (method, path, list(body))
            assert (
                translated(
                    "The form had expired or was not sent from this site, so nothing was saved. "
                    "Please reload the page and send it again.",
                    "fr",
                )
                in response.text
            )

    assert database_fingerprint() == before


def test_a_valid_token_lets_the_login_through(csrf_app):
    UserFactory(email="mia@example.org")
    client = csrf_app.test_client()
    page = client.get("/login").text
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]

    response = client.post(
        "/login", data={"email": "mia@example.org", "password": PASSWORD, "csrf_token": token}
    )

    assert response.status_code == 302


@pytest.mark.parametrize("token", [None, "forged-token"])
def test_a_tus_upload_without_the_token_header_is_refused(csrf_app, token):
    applicant = UserFactory(email="mia@example.org")
    application = ApplicationFactory(applicant=applicant)
    work = WorkFactory(application=application)
    client = csrf_app.test_client()
    page = client.get("/login").text
    form_token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    client.post(
        "/login", data={"email": applicant.email, "password": PASSWORD, "csrf_token": form_token}
    )
    headers = {
        "Tus-Resumable": "1.0.0",
        "Upload-Length": "4",
        "Upload-Metadata": f"filename {b64('a.wav')},work_id {b64(str(work.id))}",
    }
    if token:
        headers["X-CSRFToken"] = token

    response = client.post("/uploads/", headers=headers)

    assert response.status_code == 403
    assert response.headers["X-QPMusic-Error"] == "csrf"
    assert db.session.scalar(select(func.count()).select_from(MediaUpload)) == 0


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
@pytest.mark.parametrize("token", [None, "forged-token"])
def test_a_tus_chunk_or_cancel_without_the_token_header_is_refused(csrf_app, token, method):
    applicant = UserFactory(email="mia@example.org")
    work = WorkFactory(application=ApplicationFactory(applicant=applicant))
    upload = upload_in_progress(work, applicant)
    db.session.commit()
    upload_id = upload.id
    client = csrf_app.test_client()
    page = client.get("/login").text
    form_token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    client.post(
        "/login", data={"email": applicant.email, "password": PASSWORD, "csrf_token": form_token}
    )
    headers = {"Tus-Resumable": "1.0.0", "Upload-Offset": "0"}
    if token:
        headers["X-CSRFToken"] = token

    response = client.open(
        f"/uploads/{upload_id}",
        method=method,
        headers=headers,
        data=b"RIFF",
        content_type="application/offset+octet-stream",
    )

    assert response.status_code == 403
    assert response.headers["X-QPMusic-Error"] == "csrf"
    db.session.expire_all()
    assert db.session.get(MediaUpload, upload_id).offset == 0


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()
