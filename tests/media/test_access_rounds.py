"""A juror hears a file only while assigned to it in an open round, with no conflict in force."""

import pytest
from sqlalchemy import event

from qpmusic.enums import (
    ConflictSource,
    ConflictStatus,
    ConflictType,
    EditionPhase,
    Role,
    RoundKind,
    RoundStatus,
)
from qpmusic.extensions import db
from qpmusic.jury.models import Conflict, Round
from qpmusic.media.access import can_fetch, gets_blind_copy
from tests.conftest import PASSWORD, make_app
from tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    RoundFactory,
    UserFactory,
    WorkFactory,
)
from tests.media.playback import DATA, jury_work, media_file
from tests.media.test_access import BLIND, assigned_juror, fetch_all


def conflict(media, juror, *, source=ConflictSource.JUROR, status=ConflictStatus.DECLARED):
    return conflict_with(media.work.application, juror, source=source, status=status)


def conflict_with(application, juror, *, source, status) -> Conflict:
    # Made by hand: ConflictFactory passes an ``edition`` the model has no relationship for.
    row = Conflict(
        edition_id=application.edition_id,
        application_id=application.id,
        juror_id=juror.id,
        type=ConflictType.TEACHER,
        source=source,
        status=status,
    )
    db.session.add(row)
    db.session.commit()
    return row


@pytest.fixture
def no_memory_client(test_config):
    """A client of an app that remembers no grant, so a lost right shows on the next request."""
    return make_app({**test_config, "MEDIA_GRANT_SECONDS": 0}).test_client()


def login(client, user):
    client.post("/login", data={"email": user.email, "password": PASSWORD})


def test_a_juror_assigned_in_an_open_round_gets_the_file(client, auth):
    media = media_file(jury_work())
    juror = assigned_juror(media)
    auth.login(juror.email)

    assert fetch_all(client, media) == [200, 200]
    assert client.get(f"/media/{media.public_id}").data == DATA
    assert can_fetch(juror, media) is True


def test_a_juror_assigned_in_an_open_round_of_a_blind_edition_gets_the_blind_copy(client, auth):
    media = media_file(jury_work(blind=True), blind_data=BLIND)
    juror = assigned_juror(media)
    auth.login(juror.email)

    assert client.get(f"/media/{media.public_id}").data == BLIND
    assert gets_blind_copy(juror, media) is True


@pytest.mark.parametrize("status", [RoundStatus.CLOSED, RoundStatus.DRAFT])
def test_a_juror_assigned_in_a_round_that_is_not_open_gets_404(client, auth, status):
    media = media_file(jury_work())
    juror = assigned_juror(media, status=status)
    auth.login(juror.email)

    assert fetch_all(client, media) == [404, 404]
    assert can_fetch(juror, media) is False


def test_a_juror_of_the_closed_round_gets_404_while_another_round_is_open(client, auth):
    """Assigned in the (closed) pre-selection round, not in the open jury round."""
    media = media_file(jury_work())
    edition = media.work.application.edition
    juror = assigned_juror(media, status=RoundStatus.CLOSED, kind=RoundKind.PRESELECTION)
    colleague = assigned_juror(media, kind=RoundKind.JURY)
    auth.login(juror.email)

    assert fetch_all(client, media) == [404, 404]
    assert (can_fetch(juror, media), can_fetch(colleague, media)) == (False, True)
    assert edition.phase == EditionPhase.JURY


def test_a_juror_assigned_to_another_application_of_the_open_round_gets_404(client, auth):
    media = media_file(jury_work())
    edition = media.work.application.edition
    jury_round = RoundFactory(edition=edition)
    other = ApplicationFactory(edition=edition, status=media.work.application.status)
    juror = UserFactory(role=Role.JUROR)
    AssignmentFactory(round=jury_round, juror=juror, application=other)
    auth.login(juror.email)

    assert fetch_all(client, media) == [404, 404]
    assert can_fetch(juror, media) is False


def test_a_juror_not_assigned_gets_404(client, auth):
    media = media_file(jury_work())
    assigned_juror(media)
    juror = UserFactory(role=Role.JUROR)
    auth.login(juror.email)

    assert fetch_all(client, media) == [404, 404]
    assert can_fetch(juror, media) is False


@pytest.mark.parametrize(
    ("source", "status"),
    [
        (ConflictSource.JUROR, ConflictStatus.DECLARED),
        (ConflictSource.JUROR, ConflictStatus.CONFIRMED),
        (ConflictSource.APPLICANT, ConflictStatus.CONFIRMED),
        (ConflictSource.ADMIN, ConflictStatus.DECLARED),
    ],
)
def test_a_juror_with_a_conflict_in_force_gets_404(client, auth, source, status):
    media = media_file(jury_work())
    juror = assigned_juror(media)
    conflict(media, juror, source=source, status=status)
    auth.login(juror.email)

    assert fetch_all(client, media) == [404, 404]
    assert can_fetch(juror, media) is False


@pytest.mark.parametrize("source", [ConflictSource.JUROR, ConflictSource.APPLICANT])
def test_a_juror_whose_conflict_was_dismissed_gets_the_file(client, auth, source):
    media = media_file(jury_work())
    juror = assigned_juror(media)
    conflict(media, juror, source=source, status=ConflictStatus.DISMISSED)
    auth.login(juror.email)

    assert fetch_all(client, media) == [200, 200]
    assert can_fetch(juror, media) is True


def test_a_relationship_named_by_the_applicant_counts_once_confirmed(no_memory_client):
    media = media_file(jury_work())
    juror = assigned_juror(media)
    named = conflict(media, juror, source=ConflictSource.APPLICANT, status=ConflictStatus.DECLARED)
    login(no_memory_client, juror)

    assert fetch_all(no_memory_client, media) == [200, 200]
    assert can_fetch(juror, media) is True

    named.status = ConflictStatus.CONFIRMED
    db.session.commit()

    assert fetch_all(no_memory_client, media) == [404, 404]
    assert can_fetch(juror, media) is False


def test_a_conflict_with_another_application_changes_nothing(client, auth):
    media = media_file(jury_work())
    juror = assigned_juror(media)
    other = ApplicationFactory(edition=media.work.application.edition)
    conflict_with(other, juror, source=ConflictSource.JUROR, status=ConflictStatus.DECLARED)
    auth.login(juror.email)

    assert fetch_all(client, media) == [200, 200]


def test_closing_the_round_ends_hearing(no_memory_client):
    media = media_file(jury_work())
    juror = assigned_juror(media)
    login(no_memory_client, juror)
    assert no_memory_client.get(f"/media/{media.public_id}").status_code == 200

    jury_round = db.session.scalars(db.select(Round)).one()
    jury_round.status = RoundStatus.CLOSED
    db.session.commit()

    assert fetch_all(no_memory_client, media) == [404, 404]


def test_a_visitor_with_a_juror_s_copied_link_gets_404(client, auth):
    media = media_file(jury_work())
    auth.login(assigned_juror(media).email)
    assert client.get(f"/media/{media.public_id}/status").status_code == 200
    auth.logout()

    assert fetch_all(client, media) == [404, 404]
    assert "Location" not in client.get(f"/media/{media.public_id}").headers


def test_another_applicant_gets_404_while_jurors_hear_the_file(client, auth):
    media = media_file(jury_work())
    assigned_juror(media)
    other = UserFactory(role=Role.APPLICANT)
    WorkFactory(application=ApplicationFactory(applicant=other))
    auth.login(other.email)

    assert fetch_all(client, media) == [404, 404]
    assert can_fetch(other, media) is False


def test_an_applicant_assigned_by_mistake_is_no_juror(client, auth):
    """The juror rule asks for the juror role: a row for an applicant opens nothing."""
    media = media_file(jury_work())
    applicant = assigned_juror(media, UserFactory(role=Role.APPLICANT))
    auth.login(applicant.email)

    assert fetch_all(client, media) == [404, 404]


class Queries:
    def __init__(self):
        self.count = 0

    def __call__(self, *args):
        self.count += 1


def test_a_juror_s_first_request_costs_one_query_and_a_seek_none(client, auth):
    media = media_file(jury_work())
    auth.login(assigned_juror(media).email)
    url = f"/media/{media.public_id}"
    counter = Queries()
    event.listen(db.engine, "before_cursor_execute", counter)
    try:
        first = client.get(url, headers={"Range": "bytes=0-9"})
        after_first = counter.count
        seek = client.get(url, headers={"Range": "bytes=10-19"})
    finally:
        event.remove(db.engine, "before_cursor_execute", counter)

    assert (first.status_code, seek.status_code) == (206, 206)
    assert (after_first, counter.count) == (1, 1)


def test_can_fetch_for_a_juror_costs_one_query(app):
    media = media_file(jury_work())
    juror = assigned_juror(media)
    # A page's user and file are loaded already; only the access question is left.
    db.session.refresh(media)
    juror.roles  # noqa: B018
    counter = Queries()
    event.listen(db.engine, "before_cursor_execute", counter)
    try:
        allowed = can_fetch(juror, media)
    finally:
        event.remove(db.engine, "before_cursor_execute", counter)

    assert (allowed, counter.count) == (True, 1)
