"""Media fixtures: a musician's draft work, a live server for real tus clients, tus helpers."""

import base64
import re

import pytest
import requests

from tests.conftest import PASSWORD
from tests.factories import ApplicationFactory, UserFactory, WorkFactory

TUS = {"Tus-Resumable": "1.0.0"}


def tus_metadata(**values) -> str:
    return ",".join(
        f"{key} {base64.b64encode(str(value).encode()).decode()}" for key, value in values.items()
    )


@pytest.fixture
def musician():
    return UserFactory(email="mia@example.org", name="Mia Sommer")


@pytest.fixture
def work(musician):
    """A work of the musician's draft application to an open call."""
    return WorkFactory(application=ApplicationFactory(applicant=musician), title="Nachtstück")


@pytest.fixture
def tus(client, auth, musician, work):
    """The test client logged in as the musician, with tus shorthands."""
    auth.login(musician.email)
    return TusClient(client, work.id)


class TusClient:
    def __init__(self, client, work_id):
        self.client = client
        self.work_id = work_id

    def create(self, length, *, filename="take.wav", headers=None, data=None, **meta):
        metadata = {"filename": filename, "work_id": self.work_id, **meta}
        return self.client.post(
            "/uploads/",
            data=data,
            headers={
                **TUS,
                "Upload-Length": str(length),
                "Upload-Metadata": tus_metadata(**metadata),
                **(headers or {}),
            },
        )

    def patch(self, location, data: bytes, offset: int, headers=None):
        return self.client.patch(
            location,
            data=data,
            headers={
                **TUS,
                "Upload-Offset": str(offset),
                "Content-Type": "application/offset+octet-stream",
                **(headers or {}),
            },
        )

    def head(self, location):
        return self.client.head(location, headers=TUS)

    def send(self, data: bytes, *, filename="take.wav", chunk=None):
        """Create and upload ``data`` whole (or in chunks); the last response."""
        created = self.create(len(data), filename=filename)
        assert created.status_code == 201, created.get_data(as_text=True)
        location, offset, response = created.headers["Location"], 0, created
        step = chunk or max(len(data), 1)
        while offset < len(data):
            response = self.patch(location, data[offset : offset + step], offset)
            if response.status_code != 204:
                return response
            offset = int(response.headers["Upload-Offset"])
        return response


def browser_session(base_url: str, email: str, work) -> tuple[requests.Session, str]:
    """A logged-in ``requests`` session and the CSRF token the work page hands its uploader."""
    session = requests.Session()
    login_page = session.get(f"{base_url}/login").text
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', login_page)
    answer = session.post(
        f"{base_url}/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)},
    )
    assert answer.ok
    page = session.get(f"{base_url}/applications/{work.application_id}/works/{work.id}").text
    return session, re.search(r'data-csrf="([^"]+)"', page).group(1)
