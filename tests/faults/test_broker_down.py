"""The broker is down while a musician submits: the submission stands, the e-mail follows later."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from qpmusic.applications.models import Application
from qpmusic.demo import seed_cities
from qpmusic.enums import ApplicationStatus, OutboxStatus
from qpmusic.extensions import db
from qpmusic.notifications.models import OutboxMessage
from qpmusic.timestamps import utcnow
from tests.applications.conftest import complete_draft
from tests.conftest import Auth, make_app
from tests.factories import EditionFactory, UserFactory
from tests.mail_sink import free_port

pytestmark = pytest.mark.integration


def main_text(response) -> str:
    """What the page says, for a failure message."""
    body = response.get_data(as_text=True)
    start = body.find("<main")
    return " ".join(re.sub(r"<[^>]+>", " ", body[start : start + 4000]).split())


@pytest.fixture
def cities():
    found = seed_cities()
    db.session.commit()
    return found


@pytest.fixture
def dead_broker_app(worker_env, test_config, monkeypatch):
    """The web side with its broker address pointing at a port nobody listens on."""
    monkeypatch.setenv("QPMUSIC_BROKER_URL", f"redis://127.0.0.1:{free_port()}/0")
    app = make_app({k: v for k, v in test_config.items() if not k.startswith("MAIL_")})
    assert not app.extensions["celery"].conf.task_always_eager
    with app.app_context():
        yield app
        db.session.remove()


def test_a_submission_while_the_broker_is_down_stands_and_its_mail_follows(
    dead_broker_app, worker_env, test_config, start_worker, mailbox, queue_name, cities, monkeypatch
):
    musician = UserFactory(email="mia@example.org", name="Mia Klang", language="en")
    edition = EditionFactory(year=utcnow().year)  # the works are recent for this year
    draft = complete_draft(applicant=musician, edition=edition, cities=cities)
    client = dead_broker_app.test_client()
    logged_in = Auth(client).login(musician.email)
    assert logged_in.status_code == 302, main_text(logged_in)

    page = client.post(f"/applications/{draft.id}/submit", follow_redirects=True)

    assert page.status_code == 200
    assert "has been submitted" in page.text, main_text(page)
    status = db.session.scalar(select(Application.status).where(Application.id == draft.id))
    assert status == ApplicationStatus.SUBMITTED
    message = db.session.scalar(select(OutboxMessage))
    assert (message.recipient, message.status, message.attempts) == (
        "mia@example.org",
        OutboxStatus.PENDING,
        0,
    )
    assert mailbox.messages == []

    # The broker is back; beat runs the outbox sweep every minute. The message has waited
    # longer than the sweep's grace period by then.
    message.created_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    monkeypatch.setenv("QPMUSIC_BROKER_URL", worker_env["QPMUSIC_BROKER_URL"])
    working = make_app({k: v for k, v in test_config.items() if not k.startswith("MAIL_")})
    celery_app = working.extensions["celery"]
    worker = start_worker()
    worker.wait_ready(celery_app)
    celery_app.tasks["qpmusic.notifications.tasks.sweep_outbox"].delay()

    [sent] = mailbox.wait_for(1)
    worker.wait_idle(celery_app, queue_name)
    assert sent["To"] == "mia@example.org"
    reference = db.session.scalar(select(Application.reference).where(Application.id == draft.id))
    assert reference in sent.get_body(("plain",)).get_content()
    db.session.refresh(message)
    assert (message.status, message.attempts) == (OutboxStatus.SENT, 1)
    assert len(mailbox.messages) == 1
