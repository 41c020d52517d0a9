"""The debug-only mailbox shows what the file backend wrote; it does not exist otherwise."""

import pytest

from qpmusic.extensions import db
from qpmusic.notifications.services import queue_email
from tests.conftest import make_app


@pytest.fixture
def debug_app(test_config, tmp_path, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    app = make_app({**test_config, "MAIL_BACKEND": "file", "MAIL_FILE_PATH": str(tmp_path)})
    assert app.debug
    return app


def test_the_mailbox_lists_and_shows_mail_written_to_files(debug_app):
    with debug_app.app_context():
        queue_email(
            to="mia@example.org",
            language="fr",
            template="verify_email",
            context={"name": "Mia", "url": "http://localhost/verify/abc"},
        )
        db.session.commit()
        db.session.remove()
    client = debug_app.test_client()

    listing = client.get("/_debug/mail/")
    assert listing.status_code == 200
    assert "mia@example.org" in listing.text
    link = listing.text.split('href="/_debug/mail/', 1)[1].split('"', 1)[0]
    message = client.get(f"/_debug/mail/{link}")
    assert message.status_code == 200
    assert 'href="http://localhost/verify/abc"' in message.text


def test_the_mailbox_does_not_exist_outside_debug(client):
    assert client.get("/_debug/mail/").status_code == 404
