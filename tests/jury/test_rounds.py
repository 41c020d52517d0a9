"""The admin's rounds: created and edited with a Luxembourg deadline, opened, closed, reopened."""

import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from flask import current_app
from sqlalchemy import delete, func, select

from qpmusic.audit.models import AuditEvent
from qpmusic.editions.models import Criterion
from qpmusic.enums import (
    ApplicationStatus,
    AssignmentMode,
    AssignmentStatus,
    ConflictSource,
    ConflictType,
    EditionPhase,
    Role,
    RoundKind,
    RoundStatus,
)
from qpmusic.extensions import db
from qpmusic.jury.models import Assignment, Conflict, JuryMember, Round
from qpmusic.jury.rounds import (
    RoundError,
    current_round,
    open_round,
    open_rounds_of_juror,
    update_round,
)
from qpmusic.timestamps import utcnow
from tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    CityFactory,
    CriterionFactory,
    EditionFactory,
    JuryMemberFactory,
    RoundFactory,
    UserFactory,
)

CITY_NAMES = ("Luxembourg", "Metz", "Saarbrücken", "Trier")


def jury_edition(
    *, phase=EditionPhase.JURY, cities=4, per_city=2, shortlisted=3, criteria=True, year=2031
):
    """An edition with ``per_city`` jurors in each city and ``shortlisted`` applications."""
    edition = EditionFactory(
        year=year,
        phase=phase,
        opens_at=utcnow() - timedelta(days=90),
        closes_at=utcnow() - timedelta(days=30),
    )
    places = [CityFactory(name_de=name, name_fr=name, name_en=name) for name in CITY_NAMES[:cities]]
    jurors = [
        JuryMemberFactory(edition=edition, city=city, user__name=f"Juror {city.name_en} {n}")
        for city in places
        for n in (1, 2)[:per_city]
    ]
    applications = [
        ApplicationFactory(
            edition=edition,
            status=ApplicationStatus.SHORTLISTED,
            reference=f"QP-{year}-{n:04d}",
            artist_name=f"Ensemble {n}",
        )
        for n in range(1, shortlisted + 1)
    ]
    if criteria:
        CriterionFactory(edition=edition)
    return SimpleNamespace(
        edition=edition, cities=places, jurors=[m.user for m in jurors], applications=applications
    )


def declare(juror, application) -> Conflict:
    """A conflict the juror declared (in force at once).

    Made by hand: ConflictFactory passes ``edition``, which the Conflict model does not have.
    """
    conflict = Conflict(
        edition_id=application.edition_id,
        juror_id=juror.id,
        application_id=application.id,
        type=ConflictType.TEACHER,
        source=ConflictSource.JUROR,
    )
    db.session.add(conflict)
    db.session.commit()
    return conflict


def draft_round(edition, **settings) -> Round:
    kind = settings.pop("kind", RoundKind.JURY)
    return RoundFactory(
        edition=edition, kind=kind, status=RoundStatus.DRAFT, opened_at=None, **settings
    )


def assignment_pairs(round_) -> set[tuple[int, int]]:
    rows = db.session.execute(
        select(Assignment.juror_id, Assignment.application_id).where(
            Assignment.round_id == round_.id
        )
    )
    return {tuple(row) for row in rows}


def events(action: str) -> list[AuditEvent]:
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    ).all()


def round_form(**overrides) -> dict:
    return {
        "kind": "jury",
        "closes_on": "2035-01-31",
        "closes_time": "23:59",
        "assignment_mode": "all",
        "reviews_per_application": "4",
        "min_cities": "2",
        "min_listening_percent": "",
        **overrides,
    }


def english():
    """A request in English, for reading a service's translated message outside a page."""
    return current_app.test_request_context("/?lang=en")


@pytest.fixture
def admin(auth):
    user = UserFactory(email="office@example.org", role=Role.ADMIN, name="Office", language="en")
    auth.login("office@example.org")
    return user


# --- Creating and editing -------------------------------------------------------------------


def test_admin_creates_a_jury_round_with_the_deadline_in_luxembourg_time(client, admin):
    edition = jury_edition().edition

    response = client.post(
        f"/admin/editions/{edition.id}/rounds",
        data=round_form(assignment_mode="automatic", min_listening_percent="60"),
    )

    round_ = current_round(edition.id, RoundKind.JURY)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/rounds/{round_.id}"
    assert round_.status == RoundStatus.DRAFT
    assert round_.closes_at == datetime(2035, 1, 31, 22, 59, tzinfo=UTC)
    assert round_.assignment_mode == AssignmentMode.AUTOMATIC
    assert (round_.reviews_per_application, round_.min_cities) == (4, 2)
    assert round_.min_listening_share == Decimal("0.60")
    [event] = events("round.created")
    assert (event.actor_id, event.target_id) == (admin.id, round_.id)
    assert event.after["closes_at"] == "2035-01-31T22:59:00+00:00"


def test_an_empty_listening_share_means_no_minimum(client, admin):
    edition = jury_edition().edition

    client.post(f"/admin/editions/{edition.id}/rounds", data=round_form(kind="preselection"))

    assert current_round(edition.id, RoundKind.PRESELECTION).min_listening_share is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("reviews_per_application", "0", "Please enter a number from 1 to 50."),
        ("reviews_per_application", "many", "Not a valid integer value."),
        ("min_cities", "-1", "Please enter a number from 1 to 20."),
        ("min_cities", "", "Please enter a number."),
        ("min_listening_percent", "101", "Please enter a number from 0 to 100."),
        ("min_listening_percent", "12.5", "Not a valid integer value."),
        ("closes_on", "", "Please enter a date."),
        ("closes_time", "25:00", "Not a valid time value."),
        ("closes_on", "2020-01-31", "The deadline must be in the future."),
        ("kind", "final", "Not a valid choice."),
    ],
)
def test_bad_round_settings_are_form_errors(client, admin, field, value, message):
    edition = jury_edition().edition

    response = client.post(
        f"/admin/editions/{edition.id}/rounds?lang=en", data=round_form(**{field: value})
    )

    assert response.status_code == 200
    assert message in response.text
    assert db.session.scalar(select(func.count()).select_from(Round)) == 0


def test_more_cities_than_reviews_is_refused_in_automatic_mode(client, admin):
    edition = jury_edition().edition

    response = client.post(
        f"/admin/editions/{edition.id}/rounds",
        data=round_form(assignment_mode="automatic", reviews_per_application="2", min_cities="3"),
    )

    assert "There cannot be more cities than reviews per application (2)." in response.text
    assert current_round(edition.id, RoundKind.JURY) is None


def test_a_deadline_in_the_spring_gap_is_refused(client, admin):
    edition = jury_edition().edition

    response = client.post(
        f"/admin/editions/{edition.id}/rounds",
        data=round_form(closes_on="2035-03-25", closes_time="02:30"),
    )

    assert "There is no 02:30 on 2035-03-25 in Luxembourg" in response.text
    assert current_round(edition.id, RoundKind.JURY) is None


def test_one_round_per_kind_and_no_final_round_is_offered(client, admin):
    edition = jury_edition().edition
    draft_round(edition)

    page = client.get(f"/admin/editions/{edition.id}/rounds").text
    response = client.post(f"/admin/editions/{edition.id}/rounds", data=round_form())

    assert '<option value="preselection">Pre-selection</option>' in page
    assert 'value="jury"' not in page
    assert 'value="final"' not in page
    assert "Not a valid choice." in response.text
    assert db.session.scalar(select(func.count()).select_from(Round)) == 1


def test_the_rounds_page_lists_status_deadline_mode_and_counts(client, admin):
    setup = jury_edition()
    round_ = RoundFactory(
        edition=setup.edition, closes_at=datetime(2035, 1, 31, 22, 59, tzinfo=UTC)
    )
    AssignmentFactory(round=round_, juror=setup.jurors[0], application=setup.applications[0])
    AssignmentFactory(
        round=round_,
        juror=setup.jurors[1],
        application=setup.applications[0],
        status=AssignmentStatus.FINAL,
    )

    page = client.get(f"/admin/editions/{setup.edition.id}/rounds").text

    assert "Wednesday, January 31, 2035, 11:59\u202fPM" in page
    assert ">Open</span>" in page
    assert "Every juror reviews every application" in page
    assert "2 in all" in page
    assert "To do 1 · Draft 0 · Finalized 1" in page


def test_a_draft_round_changes_every_setting(client, admin):
    round_ = draft_round(jury_edition().edition)

    response = client.post(
        f"/admin/rounds/{round_.id}/settings",
        data=round_form(
            closes_on="2035-02-01",
            closes_time="12:00",
            assignment_mode="automatic",
            reviews_per_application="3",
            min_cities="3",
            min_listening_percent="0",
        ),
    )

    db.session.refresh(round_)
    assert response.status_code == 302
    assert round_.closes_at == datetime(2035, 2, 1, 11, 0, tzinfo=UTC)
    assert (round_.assignment_mode, round_.reviews_per_application) == ("automatic", 3)
    assert (round_.min_cities, round_.min_listening_share) == (3, Decimal("0"))
    [event] = events("round.updated")
    assert event.before["assignment_mode"] == "all"
    assert event.after["min_listening_share"] == "0.00"


def test_the_settings_form_shows_bad_numbers_as_errors(client, admin):
    round_ = draft_round(jury_edition().edition)

    response = client.post(
        f"/admin/rounds/{round_.id}/settings", data=round_form(reviews_per_application="0")
    )

    assert response.status_code == 200
    assert "Please enter a number from 1 to 50." in response.text
    assert 'aria-invalid="true"' in response.text
    db.session.refresh(round_)
    assert round_.reviews_per_application == 4


def test_an_open_round_changes_only_its_deadline(client, admin):
    round_ = RoundFactory(edition=jury_edition().edition)

    response = client.post(
        f"/admin/rounds/{round_.id}/settings",
        data=round_form(closes_on="2035-03-01", assignment_mode="automatic"),
    )

    db.session.refresh(round_)
    assert response.status_code == 302
    assert round_.closes_at == datetime(2035, 3, 1, 22, 59, tzinfo=UTC)
    assert round_.assignment_mode == AssignmentMode.ALL
    with (
        english(),
        pytest.raises(RoundError, match=r"Only the deadline can change while the round is open\."),
    ):
        update_round(
            round_=round_, actor=admin, now=utcnow(), assignment_mode=AssignmentMode.AUTOMATIC
        )


def test_a_closed_round_cannot_be_edited(client, admin):
    round_ = RoundFactory(edition=jury_edition().edition, status=RoundStatus.CLOSED)
    deadline = round_.closes_at

    response = client.post(
        f"/admin/rounds/{round_.id}/settings", data=round_form(), follow_redirects=True
    )

    assert "A closed round cannot be changed; reopen it first." in response.text
    db.session.refresh(round_)
    assert round_.closes_at == deadline


# --- Opening --------------------------------------------------------------------------------


def test_opening_a_jury_round_gives_every_juror_every_application_without_conflict(client, admin):
    setup = jury_edition()
    round_ = draft_round(setup.edition)
    conflicted = (setup.jurors[2].id, setup.applications[1].id)
    declare(setup.jurors[2], setup.applications[1])

    response = client.post(f"/admin/rounds/{round_.id}/open", follow_redirects=True)

    db.session.refresh(round_)
    everyone = {(j.id, a.id) for j in setup.jurors for a in setup.applications}
    assert round_.status == RoundStatus.OPEN
    assert round_.opened_at is not None
    assert assignment_pairs(round_) == everyone - {conflicted}
    assert len(assignment_pairs(round_)) == 23
    assert "The round is open. 23 assignments in all: 23 added, 0 removed." in response.text
    assert "The last build met every requirement." in response.text
    [opened] = events("round.opened")
    [built] = events("round.assignments_built")
    assert (opened.after, built.after["created"], built.after["problems"]) == (
        {"status": "open"},
        23,
        [],
    )


def test_opening_a_preselection_round_gives_every_coordinator_every_eligible_application(
    client, admin
):
    setup = jury_edition(phase=EditionPhase.PRESELECTION, shortlisted=1)
    coordinators = [
        JuryMemberFactory(edition=setup.edition, role=Role.COORDINATOR, city=None) for _ in range(2)
    ]
    eligible = [
        ApplicationFactory(edition=setup.edition, status=ApplicationStatus.ELIGIBLE)
        for _ in range(2)
    ]
    ApplicationFactory(edition=setup.edition, status=ApplicationStatus.INELIGIBLE)
    round_ = draft_round(setup.edition, kind=RoundKind.PRESELECTION)

    client.post(f"/admin/rounds/{round_.id}/open")

    expected = {(c.user_id, a.id) for c in coordinators for a in [*eligible, *setup.applications]}
    assert assignment_pairs(round_) == expected


def test_opening_twice_builds_one_set_of_assignments(client, admin):
    setup = jury_edition()
    round_ = draft_round(setup.edition)

    client.post(f"/admin/rounds/{round_.id}/open")
    second = client.post(f"/admin/rounds/{round_.id}/open", follow_redirects=True)

    assert len(assignment_pairs(round_)) == 24
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 24
    assert "This round is already open." in second.text
    assert len(events("round.assignments_built")) == 1
    with english(), pytest.raises(RoundError, match=r"This round is already open\."):
        open_round(round_=round_, actor=admin, now=utcnow())


def test_two_admins_opening_at_the_same_moment_build_once(app, admin):
    setup = jury_edition()
    round_id = draft_round(setup.edition).id
    db.session.commit()
    start = threading.Barrier(2)
    outcomes = []

    def open_it():
        with app.test_request_context("/?lang=en"):
            round_ = db.session.get(Round, round_id)
            start.wait()
            try:
                open_round(round_=round_, actor=None, now=utcnow())
                db.session.commit()
                outcomes.append("opened")
            except RoundError as error:
                db.session.rollback()
                outcomes.append(str(error))

    threads = [threading.Thread(target=open_it) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["This round is already open.", "opened"]
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 24


def _no_phase(setup):
    setup.edition.phase = EditionPhase.PRESELECTION


def _no_shortlist(setup):
    for application in setup.applications:
        application.status = ApplicationStatus.ELIGIBLE


def _no_jurors(setup):
    db.session.execute(delete(JuryMember))


def _no_criteria(setup):
    db.session.execute(delete(Criterion))


def _past_deadline(setup):
    current_round(setup.edition.id, RoundKind.JURY).closes_at = utcnow() - timedelta(hours=1)


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        (_no_phase, "The edition is not in the jury phase."),
        (_no_shortlist, "There are no shortlisted applications."),
        (_no_jurors, "The edition has no juror yet."),
        (_no_criteria, "The edition has no scoring criteria."),
        (_past_deadline, "The deadline must be in the future."),
    ],
)
def test_a_jury_round_opens_only_when_ready(client, admin, spoil, reason):
    setup = jury_edition()
    round_ = draft_round(setup.edition)
    spoil(setup)
    db.session.commit()

    page = client.get(f"/admin/rounds/{round_.id}").text
    response = client.post(f"/admin/rounds/{round_.id}/open", follow_redirects=True)

    assert reason in page
    assert 'disabled aria-describedby="open-problems-intro open-problems"' in page
    assert reason in response.text
    db.session.refresh(round_)
    assert round_.status == RoundStatus.DRAFT
    assert assignment_pairs(round_) == set()


@pytest.mark.parametrize(
    ("coordinators", "eligible", "phase", "reason"),
    [
        (1, 1, EditionPhase.CLOSED, "The edition is not in the pre-selection phase."),
        (0, 1, EditionPhase.PRESELECTION, "The edition has no coordinator yet."),
        (1, 0, EditionPhase.PRESELECTION, "There are no eligible applications to pre-select."),
    ],
)
def test_a_preselection_round_opens_only_when_ready(
    client, admin, coordinators, eligible, phase, reason
):
    edition = EditionFactory(phase=phase)
    for _ in range(coordinators):
        JuryMemberFactory(edition=edition, role=Role.COORDINATOR, city=None)
    for _ in range(eligible):
        ApplicationFactory(edition=edition, status=ApplicationStatus.ELIGIBLE)
    round_ = draft_round(edition, kind=RoundKind.PRESELECTION)

    response = client.post(f"/admin/rounds/{round_.id}/open", follow_redirects=True)

    assert reason in response.text
    db.session.refresh(round_)
    assert round_.status == RoundStatus.DRAFT


def test_a_draft_round_previews_what_opening_gives(client, admin):
    round_ = draft_round(jury_edition().edition)

    page = client.get(f"/admin/rounds/{round_.id}").text

    assert "Opening gives 24 assignments." in page
    assert "Assignment check" not in page


# --- Closing and reopening ------------------------------------------------------------------


def test_closing_with_drafts_left_needs_close_anyway(client, admin):
    setup = jury_edition()
    round_ = RoundFactory(edition=setup.edition)
    AssignmentFactory(round=round_, status=AssignmentStatus.DRAFT)
    AssignmentFactory(round=round_, status=AssignmentStatus.DRAFT)
    AssignmentFactory(round=round_, status=AssignmentStatus.FINAL)

    page = client.get(f"/admin/rounds/{round_.id}").text
    refused = client.post(f"/admin/rounds/{round_.id}/close", follow_redirects=True)
    db.session.refresh(round_)
    still_open = round_.status
    closed = client.post(f"/admin/rounds/{round_.id}/close", data={"anyway": "y"})

    assert "2 reviews are still drafts." in page
    assert 'name="anyway"' in page
    assert (
        "2 reviews are still drafts. Tick “Close anyway” to close the round all the same."
        in refused.text
    )
    assert still_open == RoundStatus.OPEN
    assert closed.status_code == 302
    db.session.refresh(round_)
    assert round_.status == RoundStatus.CLOSED
    assert round_.closed_at is not None
    [event] = events("round.closed")
    assert event.after == {"status": "closed", "drafts_left": 2}


def test_a_round_without_drafts_closes_at_once(client, admin):
    round_ = RoundFactory(edition=jury_edition().edition)
    AssignmentFactory(round=round_, status=AssignmentStatus.FINAL)
    AssignmentFactory(round=round_, status=AssignmentStatus.TODO)

    page = client.get(f"/admin/rounds/{round_.id}").text
    client.post(f"/admin/rounds/{round_.id}/close")

    assert 'name="anyway"' not in page
    db.session.refresh(round_)
    assert round_.status == RoundStatus.CLOSED


def test_a_closed_round_reopens_only_with_a_reason(client, admin):
    setup = jury_edition()
    round_ = RoundFactory(
        edition=setup.edition,
        status=RoundStatus.CLOSED,
        closes_at=utcnow() - timedelta(days=1),
        closed_at=utcnow(),
    )
    form = {"closes_on": "2035-04-30", "closes_time": "18:00", "reason": "  "}

    page = client.get(f"/admin/rounds/{round_.id}").text
    refused = client.post(f"/admin/rounds/{round_.id}/reopen", data=form)
    db.session.refresh(round_)
    status_after_refusal = round_.status
    reopened = client.post(
        f"/admin/rounds/{round_.id}/reopen",
        data={**form, "reason": "A juror from Trier was ill."},
        follow_redirects=True,
    )

    assert "Reopen the round" in page
    assert "The deadline must be in the future." not in page
    assert "Please give a reason for reopening the round." in refused.text
    assert status_after_refusal == RoundStatus.CLOSED
    assert "The round is open again. 24 assignments in all: 24 added, 0 removed." in reopened.text
    db.session.refresh(round_)
    assert round_.status == RoundStatus.OPEN
    assert round_.closed_at is None
    assert round_.closes_at == datetime(2035, 4, 30, 16, 0, tzinfo=UTC)
    [event] = events("round.reopened")
    assert event.after["reason"] == "A juror from Trier was ill."


def test_reopening_with_a_past_deadline_is_refused(client, admin):
    round_ = RoundFactory(edition=jury_edition().edition, status=RoundStatus.CLOSED)

    response = client.post(
        f"/admin/rounds/{round_.id}/reopen",
        data={"closes_on": "2020-01-01", "closes_time": "12:00", "reason": "Late jurors."},
    )

    assert "The deadline must be in the future." in response.text
    db.session.refresh(round_)
    assert round_.status == RoundStatus.CLOSED


# --- Who may, and look-ups for the other pages ----------------------------------------------


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.JUROR, Role.APPLICANT])
def test_non_admins_get_403(client, auth, role):
    round_ = RoundFactory(status=RoundStatus.DRAFT)
    UserFactory(email="someone@example.org", role=role)
    auth.login("someone@example.org")

    pages = [f"/admin/editions/{round_.edition_id}/rounds", f"/admin/rounds/{round_.id}"]
    for path in pages:
        assert client.get(path).status_code == 403, path
    for action in ("open", "close", "rebuild", "settings", "reopen", "assignments"):
        assert client.post(f"/admin/rounds/{round_.id}/{action}").status_code == 403, action
    db.session.refresh(round_)
    assert round_.status == RoundStatus.DRAFT


def test_anonymous_visitors_are_sent_to_the_login(client):
    round_ = RoundFactory()

    response = client.get(f"/admin/rounds/{round_.id}")
    opening = client.post(f"/admin/rounds/{round_.id}/open")

    assert response.status_code == opening.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_open_rounds_of_a_juror_are_those_they_review_in(app):
    setup = jury_edition()
    juror = setup.jurors[0]
    mine = RoundFactory(edition=setup.edition)
    other_edition = jury_edition(year=2033)
    by_hand = RoundFactory(edition=other_edition.edition)
    AssignmentFactory(round=by_hand, juror=juror)
    RoundFactory(edition=jury_edition(year=2035).edition)
    closed = jury_edition(year=2037)
    JuryMemberFactory(edition=closed.edition, user=juror)
    RoundFactory(edition=closed.edition, status=RoundStatus.CLOSED)
    preselection = RoundFactory(edition=setup.edition, kind=RoundKind.PRESELECTION)

    found = open_rounds_of_juror(juror.id)

    assert {r.id for r in found} == {mine.id, by_hand.id}
    assert preselection not in found
    assert current_round(setup.edition.id, RoundKind.PRESELECTION) == preselection
    assert current_round(setup.edition.id, RoundKind.FINAL) is None


def test_the_final_round_is_the_ballot_page_not_a_scoring_round(client, admin):
    from qpmusic.enums import RoundKind

    final = RoundFactory(kind=RoundKind.FINAL, edition=EditionFactory(phase=EditionPhase.FINAL))

    response = client.get(f"/admin/rounds/{final.id}")

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/editions/{final.edition_id}/final")


def test_a_round_whose_finalists_were_chosen_cannot_be_reopened(client, admin):
    round_ = RoundFactory(
        edition=jury_edition().edition, status=RoundStatus.CLOSED, frozen_at=utcnow()
    )

    response = client.post(
        f"/admin/rounds/{round_.id}/reopen",
        data={"closes_on": "2035-04-30", "closes_time": "18:00", "reason": "More listening."},
    )

    assert "The finalists were chosen from this round; it cannot be reopened." in response.text
    db.session.refresh(round_)
    assert round_.status == RoundStatus.CLOSED
