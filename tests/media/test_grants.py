"""A player's seeks: a granted stream is remembered briefly, so they skip the access query."""

import pytest
from sqlalchemy import event, select

from qpmusic.enums import RoundStatus
from qpmusic.extensions import db
from qpmusic.jury.models import Round
from qpmusic.media.grants import GrantCache
from tests.conftest import make_app
from tests.media.playback import media_file


class Queries:
    def __init__(self):
        self.count = 0

    def __call__(self, *args):
        self.count += 1


@pytest.fixture
def queries(app):
    counter = Queries()
    event.listen(db.engine, "before_cursor_execute", counter)
    yield counter
    event.remove(db.engine, "before_cursor_execute", counter)


def test_a_seek_after_a_granted_request_needs_no_query(client, auth, queries):
    media = media_file()
    auth.login(media.work.application.applicant.email)
    client.get(f"/media/{media.public_id}", headers={"Range": "bytes=0-9"})

    before = queries.count
    seek = client.get(f"/media/{media.public_id}", headers={"Range": "bytes=10-19"})

    assert seek.status_code == 206
    assert queries.count == before


def test_logging_out_ends_a_remembered_grant_at_once(client, auth):
    media = media_file()
    auth.login(media.work.application.applicant.email)
    assert client.get(f"/media/{media.public_id}").status_code == 200

    auth.logout()

    assert client.get(f"/media/{media.public_id}").status_code == 404


def test_without_the_memory_a_lost_right_takes_effect_at_once(test_config, auth):
    from tests.factories import UserFactory

    app = make_app({**test_config, "MEDIA_GRANT_SECONDS": 0})
    client = app.test_client()
    from tests.media.test_access import assigned_juror

    media = media_file()
    juror = assigned_juror(media, UserFactory(email="juror@example.org", role="juror"))
    client.post("/login", data={"email": juror.email, "password": "Klangfarbe-2026!"})
    assert client.get(f"/media/{media.public_id}").status_code == 200

    jury_round = db.session.scalars(select(Round)).one()
    jury_round.status = RoundStatus.CLOSED
    db.session.commit()

    assert client.get(f"/media/{media.public_id}").status_code == 404


def test_grants_expire_and_the_memory_stays_bounded(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr("qpmusic.media.grants.time.monotonic", lambda: clock[0])
    cache = GrantCache(seconds=15, size=2)

    cache.put("a", 1)
    cache.put("b", 2)
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (None, 2, 3)

    clock[0] += 16
    assert cache.get("b") is None
