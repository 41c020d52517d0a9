"""The admin's assignments: plan problems explained, rebuilds that keep work, changes by hand."""

import threading
from contextlib import contextmanager
from decimal import Decimal

import pytest
from sqlalchemy import event, select

from qpmusic.enums import ApplicationStatus, AssignmentMode, AssignmentStatus, Role, RoundStatus
from qpmusic.extensions import db
from qpmusic.jury.models import Assignment, Round
from qpmusic.jury.reviews import save_draft
from qpmusic.jury.rounds import open_round, rebuild_round
from qpmusic.timestamps import utcnow
from tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    JuryMemberFactory,
    RoundFactory,
    ScoreFactory,
    UserFactory,
)
from tests.jury.test_rounds import assignment_pairs, declare, draft_round, events, jury_edition


@pytest.fixture
def admin(auth):
    user = UserFactory(email="office@example.org", role=Role.ADMIN, name="Office", language="en")
    auth.login("office@example.org")
    return user


def opened(edition, **settings):
    """A round of ``edition`` opened by the service, so its assignments are built."""
    round_ = draft_round(edition, **settings)
    open_round(round_=round_, actor=None, now=utcnow())
    db.session.commit()
    return round_


def row(round_, juror, application) -> Assignment:
    return db.session.scalar(
        select(Assignment).where(
            Assignment.round_id == round_.id,
            Assignment.juror_id == juror.id,
            Assignment.application_id == application.id,
        )
    )


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


# --- Problems of the automatic plan ---------------------------------------------------------


def test_automatic_mode_explains_which_constraints_cannot_be_met(client, admin):
    setup = jury_edition(cities=2, per_city=2)
    luxembourg_jurors, first = setup.jurors[:2], setup.applications[0]
    for juror in luxembourg_jurors:
        declare(juror, first)
    round_ = draft_round(
        setup.edition,
        assignment_mode=AssignmentMode.AUTOMATIC,
        reviews_per_application=4,
        min_cities=2,
    )
    preview = client.get(f"/admin/rounds/{round_.id}").text

    client.post(f"/admin/rounds/{round_.id}/open")
    page = client.get(f"/admin/rounds/{round_.id}").text

    reviews = "QP-2031-0001 has 2 of 4 reviews: not enough jurors without a conflict."
    cities = "QP-2031-0001 has reviews from 1 city, 2 required."
    assert reviews in preview and cities in preview
    assert "The last build could not meet every requirement:" in page
    assert reviews in page and cities in page
    assert "The jurors' loads differ by more than one." not in page
    assert len(assignment_pairs(round_)) == 2 + 4 + 4


def test_unbalanced_loads_are_explained(client, admin):
    setup = jury_edition(cities=2, per_city=1, shortlisted=2)
    for application in setup.applications:
        declare(setup.jurors[1], application)
    round_ = opened(
        setup.edition,
        assignment_mode=AssignmentMode.AUTOMATIC,
        reviews_per_application=1,
        min_cities=1,
    )

    page = client.get(f"/admin/rounds/{round_.id}").text

    assert "The jurors' loads differ by more than one." in page


def test_an_application_every_juror_is_conflicted_with_is_reported(client, admin):
    setup = jury_edition(cities=1, per_city=2, shortlisted=2)
    for juror in setup.jurors:
        declare(juror, setup.applications[1])
    round_ = opened(setup.edition)

    page = client.get(f"/admin/rounds/{round_.id}").text

    assert "QP-2031-0002 has 0 of 1 reviews: not enough jurors without a conflict." in page
    assert "No reviewer." in page


# --- Rebuilding -----------------------------------------------------------------------------


def test_rebuild_keeps_every_started_manual_or_conflicted_row(client, admin):
    setup = jury_edition()
    round_ = opened(setup.edition)
    first = setup.applications[0]
    scored = row(round_, setup.jurors[0], first)
    ScoreFactory(assignment=scored, value=Decimal("6"))
    row(round_, setup.jurors[1], first).status = AssignmentStatus.DRAFT
    row(round_, setup.jurors[2], first).status = AssignmentStatus.FINAL
    row(round_, setup.jurors[3], first).manual = True
    first.status = ApplicationStatus.ELIGIBLE  # taken off the shortlist
    db.session.commit()
    declare(setup.jurors[4], first)
    newcomer = JuryMemberFactory(edition=setup.edition, city=setup.cities[0]).user

    response = client.post(f"/admin/rounds/{round_.id}/rebuild", follow_redirects=True)

    kept = {(j.id, first.id) for j in setup.jurors[:5]}
    others = {(j.id, a.id) for j in [*setup.jurors, newcomer] for a in setup.applications[1:]}
    assert assignment_pairs(round_) == kept | others
    assert "23 assignments in all: 2 added, 3 removed." in response.text
    assert row(round_, setup.jurors[0], first).id == scored.id
    built = events("round.assignments_built")
    assert built[-1].after["removed"] == 3
    assert built[-1].before == {"assignments": 24}


def test_a_rebuild_never_deletes_a_row_while_its_juror_saves_a_draft_on_it(app):
    setup = jury_edition()
    round_ = opened(setup.edition)
    first = setup.applications[0]
    started = row(round_, setup.jurors[0], first)
    first.status = ApplicationStatus.ELIGIBLE  # off the shortlist: the rule drops its rows
    db.session.commit()
    # The juror's save is under way (not committed yet) when the admin rebuilds.
    save_draft(assignment=started, version=started.version, values={}, comment="Half a thought.")
    removed = []

    def rebuild_elsewhere():
        with app.test_request_context("/?lang=en"):
            build = rebuild_round(round_=db.session.get(Round, round_.id), actor=None)
            db.session.commit()
            removed.append(build.removed)

    thread = threading.Thread(target=rebuild_elsewhere)
    thread.start()
    thread.join(timeout=1)
    db.session.commit()
    thread.join(timeout=30)

    db.session.expire_all()
    kept = db.session.get(Assignment, started.id)
    assert kept is not None
    assert (kept.status, kept.comment) == (AssignmentStatus.DRAFT, "Half a thought.")
    assert removed == [7]  # the other seven jurors' untouched rows of the application
    assert {a for _, a in assignment_pairs(round_)} == {a.id for a in setup.applications}


def test_rebuild_in_automatic_mode_keeps_the_scored_pair_within_the_target(client, admin):
    setup = jury_edition(shortlisted=4)
    round_ = opened(
        setup.edition,
        assignment_mode=AssignmentMode.AUTOMATIC,
        reviews_per_application=2,
        min_cities=2,
    )
    first = setup.applications[0]
    scored = db.session.scalar(
        select(Assignment)
        .where(Assignment.round_id == round_.id, Assignment.application_id == first.id)
        .order_by(Assignment.id)
        .limit(1)
    )
    ScoreFactory(assignment=scored)
    for city in setup.cities:
        JuryMemberFactory(edition=setup.edition, city=city)

    client.post(f"/admin/rounds/{round_.id}/rebuild")

    pairs = assignment_pairs(round_)
    assert (scored.juror_id, first.id) in pairs
    assert db.session.get(Assignment, scored.id) is not None
    for application in setup.applications:
        assert sum(1 for _, a in pairs if a == application.id) == 2


def test_rebuild_is_refused_unless_the_round_is_open(client, admin):
    round_ = draft_round(jury_edition().edition)

    response = client.post(f"/admin/rounds/{round_.id}/rebuild", follow_redirects=True)

    assert "Assignments are rebuilt only while the round is open." in response.text
    assert assignment_pairs(round_) == set()


# --- Adding and removing by hand ------------------------------------------------------------


def test_admin_adds_an_assignment_by_hand(client, admin):
    setup = jury_edition()
    round_ = opened(
        setup.edition,
        assignment_mode=AssignmentMode.AUTOMATIC,
        reviews_per_application=1,
        min_cities=1,
    )
    application = setup.applications[0]
    juror = next(j for j in setup.jurors if row(round_, j, application) is None)

    response = client.post(
        f"/admin/rounds/{round_.id}/assignments",
        data={"juror": juror.id, "application": application.id},
        follow_redirects=True,
    )

    added = row(round_, juror, application)
    assert "The assignment has been added." in response.text
    assert (added.manual, added.status) == (True, AssignmentStatus.TODO)
    [event] = events("assignment.added")
    assert event.after == {
        "round_id": round_.id,
        "juror_id": juror.id,
        "application_id": application.id,
        "manual": True,
        "status": "todo",
    }
    assert "by hand" in response.text


def _conflicted(setup, round_):
    declare(setup.jurors[0], setup.applications[0])
    return setup.jurors[0].id, setup.applications[0].id


def _stranger(setup, round_):
    return UserFactory(role=Role.JUROR).id, setup.applications[0].id


def _not_shortlisted(setup, round_):
    other = ApplicationFactory(edition=setup.edition, status=ApplicationStatus.ELIGIBLE)
    return setup.jurors[0].id, other.id


def _other_edition(setup, round_):
    return setup.jurors[0].id, ApplicationFactory(status=ApplicationStatus.SHORTLISTED).id


def _taken(setup, round_):
    AssignmentFactory(round=round_, juror=setup.jurors[0], application=setup.applications[0])
    return setup.jurors[0].id, setup.applications[0].id


def _closed(setup, round_):
    round_.status = RoundStatus.CLOSED
    db.session.commit()
    return setup.jurors[0].id, setup.applications[0].id


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (_conflicted, "This reviewer has a conflict of interest with the application."),
        (_stranger, "Only a juror of this edition can review in the jury round."),
        (_not_shortlisted, "Only shortlisted applications are reviewed by the jury."),
        (_other_edition, "Only shortlisted applications are reviewed by the jury."),
        (_taken, "This reviewer already has this application."),
        (_closed, "The round is closed; reopen it to change its assignments."),
    ],
)
def test_adding_by_hand_is_refused_with_a_reason(client, admin, make, reason):
    setup = jury_edition()
    round_ = RoundFactory(edition=setup.edition)
    juror_id, application_id = make(setup, round_)
    before = assignment_pairs(round_)

    response = client.post(
        f"/admin/rounds/{round_.id}/assignments",
        data={"juror": juror_id, "application": application_id},
    )

    assert response.status_code == 200
    assert reason in response.text
    assert assignment_pairs(round_) == before
    assert events("assignment.added") == []


def test_garbage_in_the_add_form_is_a_form_error(client, admin):
    round_ = RoundFactory(edition=jury_edition().edition)

    response = client.post(
        f"/admin/rounds/{round_.id}/assignments", data={"juror": "abc", "application": ""}
    )

    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.text
    assert assignment_pairs(round_) == set()


def test_admin_removes_an_assignment_not_started(client, admin):
    setup = jury_edition()
    round_ = opened(setup.edition)
    doomed = row(round_, setup.jurors[0], setup.applications[0])

    response = client.post(
        f"/admin/rounds/{round_.id}/assignments/{doomed.id}/remove", follow_redirects=True
    )

    assert "The assignment has been removed." in response.text
    assert row(round_, setup.jurors[0], setup.applications[0]) is None
    [event] = events("assignment.removed")
    assert (event.target_id, event.before["juror_id"]) == (doomed.id, setup.jurors[0].id)


@pytest.mark.parametrize(
    ("status", "score", "reason"),
    [
        (AssignmentStatus.FINAL, False, "This review is final; it cannot be removed."),
        (AssignmentStatus.DRAFT, False, "The reviewer has started this review"),
        (AssignmentStatus.TODO, True, "The reviewer has started this review"),
    ],
)
def test_a_started_review_cannot_be_removed(client, admin, status, score, reason):
    assignment = AssignmentFactory(status=status)
    if score:
        ScoreFactory(assignment=assignment)

    response = client.post(
        f"/admin/rounds/{assignment.round_id}/assignments/{assignment.id}/remove",
        follow_redirects=True,
    )

    assert reason in response.text
    assert db.session.get(Assignment, assignment.id) is not None


def test_an_assignment_of_another_round_is_not_found(client, admin):
    assignment = AssignmentFactory()
    other = RoundFactory()

    response = client.post(f"/admin/rounds/{other.id}/assignments/{assignment.id}/remove")

    assert response.status_code == 404
    assert db.session.get(Assignment, assignment.id) is not None


# --- The list -------------------------------------------------------------------------------


def test_the_round_page_lists_reviewers_per_application(client, admin):
    setup = jury_edition(cities=2, per_city=1, shortlisted=1)
    round_ = opened(setup.edition)
    row(round_, setup.jurors[1], setup.applications[0]).status = AssignmentStatus.FINAL
    db.session.commit()

    page = " ".join(client.get(f"/admin/rounds/{round_.id}").text.split())

    assert "QP-2031-0001" in page and "Ensemble 1" in page
    assert "Juror Luxembourg 1 (Luxembourg) · To do" in page
    assert "Juror Metz 1 (Metz) · Final" in page
    assert "2 cities" in page


def test_the_round_page_takes_the_same_number_of_queries_for_3_and_30_applications(client, admin):
    small = opened(jury_edition(shortlisted=3, year=2031).edition)
    large_setup = jury_edition(shortlisted=30, year=2033)
    large = opened(large_setup.edition)
    declare(large_setup.jurors[0], large_setup.applications[5])
    ScoreFactory(assignment=row(large, large_setup.jurors[1], large_setup.applications[2]))

    with counted_statements() as for_3:
        response_3 = client.get(f"/admin/rounds/{small.id}")
    with counted_statements() as for_30:
        response_30 = client.get(f"/admin/rounds/{large.id}")

    assert response_3.status_code == response_30.status_code == 200
    assert response_30.text.count('<th scope="row">') == 30
    assert len(for_3) == len(for_30)
