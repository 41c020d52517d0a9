"""Coordinators' pre-selection votes: yes / maybe / no with a comment, and their tally."""

import threading
import time
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select, text

from qpmusic.audit.models import AuditEvent
from qpmusic.enums import (
    ApplicationStatus,
    AssignmentStatus,
    ConflictSource,
    ConflictStatus,
    ConflictType,
    Recommendation,
    Role,
    RoundKind,
    RoundStatus,
)
from qpmusic.extensions import db
from qpmusic.jury.models import Assignment, Conflict
from qpmusic.screening import votes
from qpmusic.timestamps import utcnow
from tests.factories import (
    AssignmentFactory,
    ConflictFactory,
    EditionFactory,
    RoundFactory,
    UserFactory,
)
from tests.screening.builders import submitted

TALLY = "{yes} yes · {maybe} maybe · {no} no"


@pytest.fixture
def preselection(edition):
    return RoundFactory(edition=edition, kind=RoundKind.PRESELECTION)


@pytest.fixture
def eligible(edition):
    return submitted(edition, status=ApplicationStatus.ELIGIBLE, artist_name="Moselklang")


@pytest.fixture
def my_assignment(preselection, eligible, coordinator):
    return AssignmentFactory(round=preselection, juror=coordinator, application=eligible)


def reload(row):
    db.session.expire_all()
    return db.session.get(type(row), row.id)


def vote(client, application, recommendation="yes", comment="Strong writing.", version=1):
    return client.post(
        f"/screening/{application.id}/vote",
        data={"recommendation": recommendation, "comment": comment, "version": version},
    )


def voted(round_, application, recommendation, comment="", **user):
    """Another coordinator's final vote."""
    return AssignmentFactory(
        round=round_,
        application=application,
        juror=UserFactory(role=Role.COORDINATOR, **user),
        recommendation=recommendation,
        comment=comment,
        status=AssignmentStatus.FINAL,
    )


def test_the_vote_form_shows_for_an_assigned_coordinator_in_the_open_round(
    client, eligible, my_assignment
):
    text = client.get(f"/screening/{eligible.id}").text

    assert "Your vote" in text
    assert f'action="/screening/{eligible.id}/vote"' in text
    assert 'name="version" type="hidden" value="1"' in text
    assert TALLY.format(yes=0, maybe=0, no=0) in text


def test_a_vote_is_saved_final_with_its_comment(client, coordinator, eligible, my_assignment):
    response = vote(client, eligible, "yes", "  Strong writing for voice.  ")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/screening/{eligible.id}"
    saved = reload(my_assignment)
    assert (saved.recommendation, saved.comment, saved.status, saved.version) == (
        Recommendation.YES,
        "Strong writing for voice.",
        AssignmentStatus.FINAL,
        2,
    )
    assert saved.saved_at is not None
    assert saved.finalized_at == saved.saved_at
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "application.preselection_vote")
    )
    assert (event.actor_id, event.target_id) == (coordinator.id, eligible.id)
    assert (event.before["recommendation"], event.after["recommendation"]) == (None, "yes")
    text = client.get(f"/screening/{eligible.id}").text
    assert "Your vote has been saved." in text
    assert TALLY.format(yes=1, maybe=0, no=0) in text
    assert "Strong writing for voice." in text
    assert "Pre-selection vote" in text


def test_a_vote_can_be_changed_while_the_round_is_open(client, eligible, my_assignment):
    vote(client, eligible, "yes", "First listen.")
    vote(client, eligible, "maybe", "Second listen: the middle drags.", version=2)

    saved = reload(my_assignment)
    assert (saved.recommendation, saved.comment, saved.version) == (
        Recommendation.MAYBE,
        "Second listen: the middle drags.",
        3,
    )
    assert "Change my vote" in client.get(f"/screening/{eligible.id}").text


def test_a_vote_from_an_older_page_is_refused_and_its_text_kept(client, eligible, my_assignment):
    vote(client, eligible, "yes", "From the first tab.")

    response = vote(client, eligible, "no", "From the second tab.", version=1)

    assert response.status_code == 409
    assert "Your vote was changed in another tab or on another device" in response.text
    assert "From the second tab.</textarea>" in response.text
    assert 'name="version" type="hidden" value="2"' in response.text
    saved = reload(my_assignment)
    assert (saved.recommendation, saved.comment, saved.version) == (
        Recommendation.YES,
        "From the first tab.",
        2,
    )


def test_a_closed_round_refuses_the_vote_with_a_message(
    client, eligible, my_assignment, preselection
):
    preselection.status = RoundStatus.CLOSED
    db.session.commit()

    response = vote(client, eligible)
    text = client.get(f"/screening/{eligible.id}").text

    assert response.status_code == 302
    assert text.count("The pre-selection round is closed; votes can no longer change.") == 2
    assert f'action="/screening/{eligible.id}/vote"' not in text
    saved = reload(my_assignment)
    assert (saved.recommendation, saved.status, saved.version) == (None, AssignmentStatus.TODO, 1)


def test_a_draft_round_shows_no_form(client, eligible, my_assignment, preselection):
    preselection.status = RoundStatus.DRAFT
    db.session.commit()

    text = client.get(f"/screening/{eligible.id}").text

    assert "The pre-selection round has not opened yet." in text
    assert f'action="/screening/{eligible.id}/vote"' not in text


def test_a_coordinator_without_an_assignment_sees_the_votes_but_cannot_vote(
    client, coordinator, eligible, preselection
):
    voted(preselection, eligible, Recommendation.NO, "Not ready.", name="Olga Other")

    text = client.get(f"/screening/{eligible.id}").text
    vote(client, eligible)
    after = client.get(f"/screening/{eligible.id}").text

    assert "Your vote" not in text
    assert "Olga Other" in text and "Not ready." in text
    assert "You have no vote on this application in the pre-selection." in after
    assert db.session.scalar(select(Assignment.juror_id).where(Assignment.version > 1)) is None


def test_the_page_shows_every_vote_and_comment_and_who_has_not_voted(
    client, eligible, my_assignment, preselection
):
    voted(preselection, eligible, Recommendation.YES, "A voice of its own.", name="Ana Alves")
    voted(preselection, eligible, Recommendation.MAYBE, "Good, not new.", name="Ben Brandt")

    text = client.get(f"/screening/{eligible.id}").text

    assert TALLY.format(yes=1, maybe=1, no=0) in text
    assert "<strong>Ana Alves</strong>" in text
    assert '<span class="badge vote-yes">Yes</span>' in text
    assert "A voice of its own." in text
    assert '<span class="badge vote-maybe">Maybe</span>' in text
    assert "Good, not new." in text
    assert "<strong>Clara Coord</strong> (you)" in text
    assert "has not voted yet" in text


def test_an_ineligible_application_cannot_be_voted_on(client, eligible, my_assignment):
    eligible.status = ApplicationStatus.INELIGIBLE
    eligible.screening_reason = "Lives too far away."
    db.session.commit()

    vote(client, eligible)
    text = client.get(f"/screening/{eligible.id}").text

    assert "Only eligible applications are voted on." in text
    assert reload(my_assignment).recommendation is None


def test_a_conflicted_coordinator_cannot_vote(client, coordinator, eligible, my_assignment):
    db.session.add(
        Conflict(
            edition_id=eligible.edition_id,
            juror_id=coordinator.id,
            application_id=eligible.id,
            type=ConflictType.TEACHER,
            source=ConflictSource.JUROR,
        )
    )
    db.session.commit()

    vote(client, eligible)

    assert "you cannot vote on it" in client.get(f"/screening/{eligible.id}").text
    assert reload(my_assignment).recommendation is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"recommendation": "yes", "comment": "  ", "version": 1}, "Write a comment on your vote."),
        ({"comment": "Fine.", "version": 1}, "Please choose yes, maybe or no."),
        ({"recommendation": "perhaps", "comment": "Fine.", "version": 1}, "Not a valid choice"),
    ],
)
def test_an_incomplete_vote_is_refused_with_the_field_marked(
    client, eligible, my_assignment, data, message
):
    response = client.post(f"/screening/{eligible.id}/vote", data=data)

    assert response.status_code == 422
    assert message in response.text
    assert reload(my_assignment).version == 1


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.JUROR])
def test_jurors_and_applicants_get_403(client, auth, eligible, preselection, role):
    user = UserFactory(email="other@example.org", role=role)
    assignment = AssignmentFactory(round=preselection, juror=user, application=eligible)
    auth.login(user.email)

    assert client.get(f"/screening/{eligible.id}").status_code == 403
    assert vote(client, eligible).status_code == 403
    assert reload(assignment).version == 1


def test_the_list_shows_each_application_s_tally(client, edition, eligible, preselection):
    UserFactory(email="admin@example.org", role=Role.ADMIN, language="en")
    other = submitted(edition, status=ApplicationStatus.ELIGIBLE, artist_name="Saarwellen")
    voted(preselection, eligible, Recommendation.YES)
    voted(preselection, eligible, Recommendation.YES)
    voted(preselection, eligible, Recommendation.MAYBE)
    voted(preselection, other, Recommendation.NO)
    AssignmentFactory(round=preselection, application=other, juror=UserFactory(role="coordinator"))
    client.post("/login", data={"email": "admin@example.org", "password": "Klangfarbe-2026!"})

    text = client.get("/screening/").text

    assert '<th scope="col">Pre-selection votes</th>' in text
    row_of = {a: text[text.index(a) :].split("</tr>")[0] for a in ("Moselklang", "Saarwellen")}
    assert TALLY.format(yes=2, maybe=1, no=0) in row_of["Moselklang"]
    assert TALLY.format(yes=0, maybe=0, no=1) in row_of["Saarwellen"]


def test_without_a_pre_selection_round_the_list_has_no_vote_column(client, coordinator, eligible):
    text = client.get("/screening/").text

    assert "Moselklang" in text
    assert "Pre-selection votes</th>" not in text


def test_the_list_sorts_by_votes(client, coordinator, edition, preselection):
    names = ["Low", "High", "Middle"]
    apps = {n: submitted(edition, status=ApplicationStatus.ELIGIBLE, artist_name=n) for n in names}
    voted(preselection, apps["High"], Recommendation.YES)
    voted(preselection, apps["High"], Recommendation.YES)
    voted(preselection, apps["Middle"], Recommendation.YES)
    voted(preselection, apps["Middle"], Recommendation.MAYBE)
    voted(preselection, apps["Low"], Recommendation.NO)

    text = client.get("/screening/?sort=votes").text

    positions = [text.index(f"<td>{n}</td>") for n in ("High", "Middle", "Low")]
    assert positions == sorted(positions)


@contextmanager
def counted_statements():
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def with_votes(edition, number):
    round_ = RoundFactory(edition=edition, kind=RoundKind.PRESELECTION)
    for n in range(number):
        application = submitted(edition, status=ApplicationStatus.ELIGIBLE)
        voted(round_, application, list(Recommendation)[n % 3])


def test_the_tally_costs_one_query_whatever_the_number_of_applications(client, coordinator):
    small, large = EditionFactory(year=2041), EditionFactory(year=2042)
    with_votes(small, 3)
    with_votes(large, 30)

    with counted_statements() as for_3:
        response_3 = client.get(f"/screening/?edition={small.id}")
    with counted_statements() as for_30:
        response_30 = client.get(f"/screening/?edition={large.id}&sort=votes")

    assert response_30.text.count(TALLY.format(yes=1, maybe=0, no=0)) == 10
    assert response_3.text.count(TALLY.format(yes=0, maybe=1, no=0)) == 1
    assert len(for_3) == len(for_30)
    tally_queries = [s for s in for_30 if "GROUP BY" in s and "assignment" in s]
    assert len(tally_queries) == 1


def conflict_of(assignment, **fields):
    return ConflictFactory(application=assignment.application, juror=assignment.juror, **fields)


def test_votes_under_a_conflict_are_left_out_of_the_list_tally(
    client, coordinator, eligible, preselection
):
    counted = voted(preselection, eligible, Recommendation.YES)
    declared = voted(preselection, eligible, Recommendation.YES)
    confirmed = voted(preselection, eligible, Recommendation.NO)
    dismissed = voted(preselection, eligible, Recommendation.MAYBE)
    named = voted(preselection, eligible, Recommendation.MAYBE)
    conflict_of(declared)
    conflict_of(confirmed, source=ConflictSource.APPLICANT, status=ConflictStatus.CONFIRMED)
    conflict_of(dismissed, status=ConflictStatus.DISMISSED)
    # Named by the applicant and not yet confirmed by the office: not in force, the vote counts.
    conflict_of(named, source=ConflictSource.APPLICANT)
    ConflictFactory(application=submitted(eligible.edition), juror=counted.juror)  # elsewhere

    text = client.get("/screening/").text
    row = text[text.index("Moselklang") :].split("</tr>")[0]

    assert TALLY.format(yes=1, maybe=2, no=0) in row


def test_a_vote_under_a_conflict_is_shown_as_not_counted_on_the_detail_page(
    client, eligible, my_assignment, preselection
):
    voted(preselection, eligible, Recommendation.YES, "A voice of its own.", name="Ana Alves")
    late = voted(preselection, eligible, Recommendation.YES, "My former pupil!", name="Ben Brandt")
    conflict_of(late)

    text = client.get(f"/screening/{eligible.id}").text

    assert TALLY.format(yes=1, maybe=0, no=0) in text
    ben = text[text.index("<strong>Ben Brandt</strong>") :].split("</li>")[0]
    assert "conflict of interest — not counted" in ben
    assert "vote-yes" not in ben
    assert "My former pupil!" not in text
    assert "A voice of its own." in text


def test_a_conflicted_coordinator_sees_no_vote_form(client, eligible, my_assignment):
    conflict_of(my_assignment)

    text = client.get(f"/screening/{eligible.id}").text

    assert f'action="/screening/{eligible.id}/vote"' not in text
    assert (
        "You have a conflict of interest with this application, so you cannot vote on it." in text
    )
    assert "<strong>Clara Coord</strong> (you)" in text
    assert "conflict of interest — not counted" in text


def test_the_vote_form_says_votes_are_cast_here_and_change_while_the_round_is_open(
    client, eligible, my_assignment
):
    text = client.get(f"/screening/{eligible.id}").text

    assert (
        '<p class="help" id="vote-help">Coordinators vote on this page only. You can change your '
        "vote here as long as the pre-selection round is open.</p>"
    ) in text
    assert 'aria-describedby="vote-help"' in text


def refusal(app, application, actor) -> str:
    """The message ``cast_vote`` refuses with, in English (its text is rendered lazily)."""
    with app.test_request_context("/?lang=en"):
        with pytest.raises(votes.VoteError) as refused:
            votes.cast_vote(
                application=application,
                actor=actor,
                recommendation="yes",
                comment="Strong writing.",
                version=1,
                now=utcnow(),
            )
        return str(refused.value)


def test_a_round_closed_in_another_transaction_refuses_a_vote_with_the_stale_round(
    app, coordinator, eligible, my_assignment, preselection
):
    assert preselection.is_open  # loaded as open in this session, and kept so
    engine = db.engine
    closer = engine.connect()
    closer.execute(
        text("UPDATE round SET status = 'closed' WHERE id = :id"), {"id": preselection.id}
    )
    voted_or_waiting = threading.Event()

    def commit_once_the_vote_waits():
        # The close commits while the vote waits on the round's row; without that lock the vote
        # never waits, saves against the open round and commits after the close.
        with engine.connect() as watcher:
            deadline = time.monotonic() + 10
            while not voted_or_waiting.is_set() and time.monotonic() < deadline:
                waiting = watcher.scalar(text("SELECT count(*) FROM pg_locks WHERE NOT granted"))
                watcher.rollback()
                if waiting:
                    break
                time.sleep(0.02)
        closer.commit()

    thread = threading.Thread(target=commit_once_the_vote_waits)
    thread.start()
    try:
        message = refusal(app, eligible, coordinator)
    finally:
        voted_or_waiting.set()
        thread.join()
        closer.close()

    assert message == "The pre-selection round is closed; votes can no longer change."
    db.session.rollback()
    saved = reload(my_assignment)
    assert (saved.recommendation, saved.status, saved.version) == (None, AssignmentStatus.TODO, 1)


def test_a_round_closed_and_committed_meanwhile_refuses_a_vote_with_the_stale_round(
    app, coordinator, eligible, my_assignment, preselection
):
    assert preselection.is_open
    with db.engine.begin() as other:
        other.execute(
            text("UPDATE round SET status = 'closed' WHERE id = :id"), {"id": preselection.id}
        )

    message = refusal(app, eligible, coordinator)

    assert message == "The pre-selection round is closed; votes can no longer change."


def test_the_vote_sort_leaves_out_votes_under_a_conflict(
    client, coordinator, edition, preselection
):
    apps = {
        n: submitted(edition, status=ApplicationStatus.ELIGIBLE, artist_name=n) for n in ("A", "B")
    }
    conflict_of(voted(preselection, apps["A"], Recommendation.YES))
    conflict_of(voted(preselection, apps["A"], Recommendation.YES))
    voted(preselection, apps["B"], Recommendation.YES)

    text = client.get("/screening/?sort=votes").text

    assert text.index("<td>B</td>") < text.index("<td>A</td>")
