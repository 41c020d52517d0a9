"""Choosing the finalists: the proposal from the current tally, ties at the cut, overrides."""

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from qpmusic.audit.models import AuditEvent
from qpmusic.enums import ApplicationStatus, EditionPhase, Role, RoundKind, RoundStatus
from qpmusic.extensions import db
from qpmusic.jury.models import Round
from qpmusic.results import tally as tally_engine
from qpmusic.results.finalists import FinalistError, choose_finalists, cut, propose
from qpmusic.results.models import ResultSnapshot
from qpmusic.results.snapshots import compute_snapshot, read_round
from tests.factories import ApplicationFactory, EditionFactory, RoundFactory, UserFactory
from tests.results.results_builders import build_jury, conflict, score_all

METHODS = ("raw_mean", "raw_median", "normalized", "city_balanced")
COMPUTED = datetime(2031, 11, 20, 10, 0, tzinfo=UTC)


@pytest.fixture
def admin(auth):
    user = UserFactory(email="office@example.org", role=Role.ADMIN, language="en")
    auth.login("office@example.org")
    return user


@pytest.fixture
def jury_round():
    edition = EditionFactory(year=2031, phase=EditionPhase.JURY, finalists_count=2)
    return RoundFactory(
        edition=edition, status=RoundStatus.CLOSED, closed_at=COMPUTED - timedelta(hours=1)
    )


@pytest.fixture
def apps(jury_round):
    """Four shortlisted applications, A to D."""
    return {
        letter: ApplicationFactory(
            edition=jury_round.edition,
            status=ApplicationStatus.SHORTLISTED,
            reference=f"QP-2031-000{n}",
            artist_name=f"Ensemble {letter}",
        )
        for n, letter in enumerate("ABCD", start=1)
    }


def row(app, **ranks) -> dict:
    """A snapshot row as the tally writes it; unnamed methods rank like ``normalized``."""
    ranks = {m: ranks.get(m, ranks["normalized"]) for m in METHODS}
    return {
        "application_id": app.id,
        **{m: round(10 - ranks[m] * 0.5, 2) for m in METHODS},
        "ranks": ranks,
        "rank": ranks["normalized"],
        "tie": False,
    }


def snapshot(round_, rows, computed_at=COMPUTED, current=True) -> ResultSnapshot:
    """A tally of the round's input as it is now (``current``), or of some other input."""
    made = ResultSnapshot(
        round_id=round_.id,
        input_digest=tally_engine.digest(read_round(round_).data) if current else uuid.uuid4().hex,
        parameters={"tie_break": ["normalized", "city_balanced", "raw_median"]},
        inputs={},
        rows=rows,
        jurors=[],
        computed_at=computed_at,
    )
    db.session.add(made)
    db.session.commit()
    return made


@pytest.fixture
def tally(jury_round, apps):
    """Normalized puts A, B, C, D in that order; the raw mean the other way round."""
    a, b, c, d = (apps[x] for x in "ABCD")
    return snapshot(
        jury_round,
        [
            row(a, normalized=1, raw_mean=4),
            row(b, normalized=2, raw_mean=3),
            row(c, normalized=3, raw_mean=2),
            row(d, normalized=4, raw_mean=1),
        ],
    )


def url(round_) -> str:
    return f"/admin/rounds/{round_.id}/finalists"


def ticked(page: str) -> set[int]:
    boxes = re.findall(r'<input type="checkbox" name="finalists" value="(\d+)"[^>]*>', page)
    checked = re.findall(r'<input type="checkbox" name="finalists" value="(\d+)"[^>]*checked', page)
    assert boxes, "no finalist checkboxes on the page"
    return {int(v) for v in checked}


def choose(client, round_, snap, ids, reason="", method="normalized"):
    return client.post(
        url(round_),
        data={
            "snapshot_id": snap.id,
            "method": method,
            "finalists": [a.id for a in ids],
            "reason": reason,
        },
    )


def statuses(apps) -> dict[str, ApplicationStatus]:
    for app in apps.values():
        db.session.refresh(app)
    return {letter: app.status for letter, app in apps.items()}


# --- the proposal ------------------------------------------------------------------------------


def test_the_proposal_is_the_editions_number_best_by_the_rounds_first_method(
    client, admin, jury_round, apps, tally
):
    page = client.get(url(jury_round)).text

    assert ticked(page) == {apps["A"].id, apps["B"].id}
    assert "Proposed: the 2 best by the method below" in page
    assert "Equal places are then ordered by: City-balanced, Median." in page
    assert "Tie at the cut" not in page


def test_another_method_proposes_its_own_top(client, admin, jury_round, apps, tally):
    page = client.get(url(jury_round) + "?method=raw_mean").text

    assert ticked(page) == {apps["C"].id, apps["D"].id}
    assert '<option value="raw_mean" selected>' in page


def test_a_round_naming_the_median_proposes_by_the_raw_median(client, admin, jury_round, apps):
    jury_round.tie_break = ["median", "normalized"]
    db.session.commit()
    a, b, c, d = (apps[x] for x in "ABCD")
    snap = snapshot(
        jury_round,
        [
            row(a, normalized=1, raw_median=3),
            row(b, normalized=2, raw_median=4),
            row(c, normalized=3, raw_median=1),
            row(d, normalized=4, raw_median=2),
        ],
    )
    snap.parameters = {}
    db.session.commit()

    page = client.get(url(jury_round)).text

    assert ticked(page) == {c.id, d.id}
    assert '<option value="raw_median" selected>' in page


def test_a_tie_at_the_cut_is_flagged_and_nobody_in_it_is_proposed(client, admin, jury_round, apps):
    a, b, c, d = (apps[x] for x in "ABCD")
    snapshot(
        jury_round,
        [row(a, normalized=1), row(b, normalized=2), row(c, normalized=2), row(d, normalized=4)],
    )

    page = client.get(url(jury_round)).text

    assert ticked(page) == {a.id}
    assert "Tie at the cut: the jury decides." in page
    assert "2 applications are level for the last place." in page
    assert page.count("Tie at the cut — jury decides") == 2


def test_ties_broken_by_the_next_method_are_no_tie(jury_round, apps):
    a, b, c, d = (apps[x] for x in "ABCD")
    snap = snapshot(
        jury_round,
        [
            row(a, normalized=1),
            row(b, normalized=2, city_balanced=3),
            row(c, normalized=2, city_balanced=2),
            row(d, normalized=4),
        ],
    )

    proposal = propose(round_=jury_round, snapshot=snap, method="normalized")

    assert (proposal.proposed, proposal.tied) == ({a.id, c.id}, frozenset())
    assert [c.application.id for c in proposal.candidates] == [a.id, c.id, b.id, d.id]


def test_the_cut_leaves_unranked_rows_out():
    rows = [
        {"application_id": 1, "ranks": {"normalized": 2}},
        {"application_id": 2, "ranks": {"normalized": None}},
        {"application_id": 3, "ranks": {"normalized": 1}},
    ]

    result = cut(rows, count=4, order=["normalized"])

    assert (result.ordered, result.proposed, result.tied) == ((3, 1), {1, 3}, frozenset())
    assert result.places == {3: 1, 1: 2}


def test_the_cut_gives_level_rows_one_place_and_counts_the_places_left():
    rows = [
        {"application_id": n, "ranks": {"normalized": r}} for n, r in enumerate([1, 2, 2, 2, 5])
    ]

    result = cut(rows, count=3, order=["normalized"])

    assert result.places == {0: 1, 1: 2, 2: 2, 3: 2, 4: 5}
    assert (result.proposed, result.tied, result.places_open) == ({0}, {1, 2, 3}, 2)


def test_an_application_withdrawn_since_the_tally_is_not_proposed(
    client, admin, jury_round, apps, tally
):
    apps["A"].status = ApplicationStatus.WITHDRAWN
    db.session.commit()

    page = client.get(url(jury_round)).text

    assert ticked(page) == {apps["B"].id, apps["C"].id}
    assert "Ensemble A" not in page


def test_the_current_snapshot_makes_the_proposal_not_a_newer_one(
    client, admin, jury_round, apps, tally
):
    a, b, c, d = (apps[x] for x in "ABCD")
    # Computed later from reviews that have changed back since (a conflict confirmed, then
    # dismissed): the tally of the reviews as they are now is the older one.
    snapshot(
        jury_round,
        [row(d, normalized=1), row(c, normalized=2), row(b, normalized=3), row(a, normalized=4)],
        computed_at=COMPUTED + timedelta(hours=1),
        current=False,
    )

    page = client.get(url(jury_round)).text

    assert ticked(page) == {a.id, b.id}
    assert f'name="snapshot_id" value="{tally.id}"' in page


STALE = "The reviews or conflicts changed since the tally; please tally again."


@pytest.fixture
def tallied_jury():
    """A real tally of a closed round whose input then changed: a conflict declared since."""
    jury = build_jury()
    score_all(
        jury,
        {
            "Anne": [(8, 6), (6, 6), (4, 7)],
            "Bruno": [(9, 9), (7, 4), (5, 5)],
            "Carla": [(7, 7), (8, 5), (6, 3)],
        },
    )
    stale = compute_snapshot(round_=jury.round, actor=None)
    db.session.commit()
    conflict(jury, "Anne", 0)
    return jury, stale


def test_a_tally_the_reviews_no_longer_match_cannot_be_chosen_from(client, admin, tallied_jury):
    jury, stale = tallied_jury

    page = client.get(url(jury.round)).text
    response = choose(client, jury.round, stale, jury.applications[:2])

    assert STALE in page
    assert 'type="checkbox"' not in page
    assert response.status_code == 302
    assert STALE in client.get(response.headers["Location"]).text
    db.session.refresh(jury.round)
    assert (jury.round.frozen_at, jury.round.frozen_snapshot_id) == (None, None)
    assert {a.status for a in jury.applications} == {ApplicationStatus.SHORTLISTED}


def test_the_service_refuses_a_tally_the_reviews_no_longer_match(admin, tallied_jury):
    jury, stale = tallied_jury

    with pytest.raises(FinalistError) as refused:
        choose_finalists(
            round_=jury.round,
            snapshot_id=stale.id,
            method="normalized",
            application_ids=[a.id for a in jury.applications[:2]],
            reason="",
            actor=admin,
            now=COMPUTED,
        )
    with force_locale("en"):
        assert str(refused.value) == STALE


def test_tallying_again_lets_the_finalists_be_chosen(client, admin, tallied_jury):
    jury, _stale = tallied_jury
    fresh = compute_snapshot(round_=jury.round, actor=None)
    db.session.commit()

    page = client.get(url(jury.round)).text

    assert STALE not in page
    assert f'name="snapshot_id" value="{fresh.id}"' in page


# --- confirming ------------------------------------------------------------------------------


def test_confirming_the_proposal_needs_no_reason_and_freezes_the_round(
    client, admin, jury_round, apps, tally
):
    response = choose(client, jury_round, tally, [apps["A"], apps["B"]])

    assert response.status_code == 302
    db.session.refresh(jury_round)
    assert jury_round.result_method == "normalized"
    assert jury_round.frozen_snapshot_id == tally.id
    assert jury_round.frozen_at is not None
    assert jury_round.override_reason == ""
    assert statuses(apps) == {
        "A": ApplicationStatus.FINALIST,
        "B": ApplicationStatus.FINALIST,
        "C": ApplicationStatus.NOT_FINALIST,
        "D": ApplicationStatus.NOT_FINALIST,
    }
    [event] = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "round.finalists_chosen")
    ).all()
    assert (event.actor_id, event.target_id) == (admin.id, jury_round.id)
    assert event.after["overridden"] is False
    moved = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.target_type == "application")
    ).all()
    assert sorted(moved) == ["application.finalist"] * 2 + ["application.not_finalist"] * 2


def test_a_choice_that_differs_from_the_proposal_without_a_reason_is_refused(
    client, admin, jury_round, apps, tally
):
    response = choose(client, jury_round, tally, [apps["A"], apps["C"]])

    assert response.status_code == 200
    assert "This choice differs from the proposal: please give a reason." in response.text
    assert ticked(response.text) == {apps["A"].id, apps["C"].id}
    db.session.refresh(jury_round)
    assert jury_round.frozen_at is None
    assert set(statuses(apps).values()) == {ApplicationStatus.SHORTLISTED}


def test_a_choice_that_differs_with_a_reason_is_recorded_with_the_proposal(
    client, admin, jury_round, apps, tally
):
    reason = "B withdrew from the concert date; the jury takes C."

    response = choose(client, jury_round, tally, [apps["A"], apps["C"]], reason=reason)

    assert response.status_code == 302
    db.session.refresh(jury_round)
    assert jury_round.override_reason == reason
    assert statuses(apps)["C"] == ApplicationStatus.FINALIST
    assert statuses(apps)["B"] == ApplicationStatus.NOT_FINALIST
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "round.finalists_chosen")
    )
    assert event.before == {
        "snapshot_id": tally.id,
        "method": "normalized",
        "proposal": sorted([apps["A"].id, apps["B"].id]),
        "tied_at_cut": [],
    }
    assert event.after == {
        "snapshot_id": tally.id,
        "method": "normalized",
        "finalists": sorted([apps["A"].id, apps["C"].id]),
        "overridden": True,
        "reason": reason,
    }


def test_settling_a_tie_at_the_cut_needs_a_reason(client, admin, jury_round, apps):
    a, b, c, d = (apps[x] for x in "ABCD")
    snap = snapshot(
        jury_round,
        [row(a, normalized=1), row(b, normalized=2), row(c, normalized=2), row(d, normalized=4)],
    )

    refused = choose(client, jury_round, snap, [a, b])
    accepted = choose(client, jury_round, snap, [a, b], reason="The jury voted 5 to 3 for B.")

    assert "A tie at the cut is decided by the jury: please give the reason" in refused.text
    assert accepted.status_code == 302
    db.session.refresh(jury_round)
    assert jury_round.override_reason == "The jury voted 5 to 3 for B."
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "round.finalists_chosen")
    )
    assert event.before["tied_at_cut"] == sorted([b.id, c.id])
    assert event.before["proposal"] == [a.id]


def test_choosing_by_another_method_records_it(client, admin, jury_round, apps, tally):
    choose(client, jury_round, tally, [apps["C"], apps["D"]], method="raw_mean")

    db.session.refresh(jury_round)
    assert jury_round.result_method == "raw_mean"
    assert jury_round.override_reason == ""


def test_choosing_nobody_is_refused(client, admin, jury_round, apps, tally):
    response = choose(client, jury_round, tally, [], reason="none")

    assert "Please choose at least one finalist." in response.text
    db.session.refresh(jury_round)
    assert jury_round.frozen_at is None


def test_a_frozen_round_shows_the_decision_and_refuses_a_second_choice(
    client, admin, jury_round, apps, tally
):
    choose(client, jury_round, tally, [apps["A"], apps["B"]])

    page = client.get(url(jury_round)).text
    again = choose(client, jury_round, tally, [apps["C"], apps["D"]], reason="Changed our mind.")

    assert 'type="checkbox"' not in page
    assert "The round's result is frozen" in page
    assert page.count("Finalist</strong>") == 2
    assert again.status_code == 302
    followed = client.get(again.headers["Location"]).text
    assert "The finalists of this round have already been chosen." in followed
    assert statuses(apps)["A"] == ApplicationStatus.FINALIST
    assert statuses(apps)["C"] == ApplicationStatus.NOT_FINALIST


def test_a_special_prize_for_a_non_finalist_does_not_make_a_finalist_of_it(
    client, admin, jury_round, apps, tally
):
    choose(client, jury_round, tally, [apps["A"], apps["B"]])
    apps["A"].status = ApplicationStatus.WINNER
    apps["B"].status = ApplicationStatus.SPECIAL_PRIZE
    apps["C"].status = ApplicationStatus.SPECIAL_PRIZE
    db.session.commit()

    page = client.get(url(jury_round)).text

    assert page.count("Finalist</strong>") == 2
    rows = {
        letter: re.search(rf"<tr>(?:(?!</tr>).)*Ensemble {letter}(?:(?!</tr>).)*</tr>", page, re.S)
        for letter in "ABCD"
    }
    assert "★" in rows["A"].group(0) and "★" in rows["B"].group(0)
    assert "★" not in rows["C"].group(0)
    assert "Special prize" in rows["C"].group(0)


def test_the_service_refuses_a_second_choice(jury_round, apps, tally, admin):
    choose_finalists(
        round_=jury_round,
        snapshot_id=tally.id,
        method="normalized",
        application_ids=[apps["A"].id, apps["B"].id],
        reason="",
        actor=admin,
        now=COMPUTED,
    )
    db.session.commit()

    with pytest.raises(FinalistError) as refused:
        choose_finalists(
            round_=jury_round,
            snapshot_id=tally.id,
            method="normalized",
            application_ids=[apps["C"].id],
            reason="again",
            actor=admin,
            now=COMPUTED,
        )
    with force_locale("en"):
        assert str(refused.value) == "The finalists of this round have already been chosen."


def test_a_choice_on_an_older_tally_is_refused(client, admin, jury_round, apps, tally):
    # The input changed and was tallied again after the page was opened.
    jury_round.outlier_k = 1
    db.session.commit()
    snapshot(
        jury_round,
        [row(apps[x], normalized=n) for n, x in enumerate("ABCD", start=1)],
        computed_at=COMPUTED + timedelta(hours=1),
    )

    response = choose(client, jury_round, tally, [apps["A"], apps["B"]])

    assert response.status_code == 302
    assert "The results were computed again" in client.get(response.headers["Location"]).text
    db.session.refresh(jury_round)
    assert jury_round.frozen_at is None


def test_an_open_round_is_refused(client, admin, jury_round, apps, tally):
    jury_round.status = RoundStatus.OPEN
    db.session.commit()

    page = client.get(url(jury_round)).text
    choose(client, jury_round, tally, [apps["A"], apps["B"]])

    assert "Close the round before choosing the finalists." in page
    assert 'type="checkbox"' not in page
    db.session.refresh(jury_round)
    assert jury_round.frozen_at is None
    assert set(statuses(apps).values()) == {ApplicationStatus.SHORTLISTED}


def test_a_round_without_results_is_refused(client, admin, jury_round, apps):
    page = client.get(url(jury_round)).text
    response = client.post(
        url(jury_round),
        data={"snapshot_id": 1, "method": "normalized", "finalists": [apps["A"].id]},
    )

    assert "Compute the results of the round before choosing the finalists." in page
    assert response.status_code == 302
    db.session.refresh(jury_round)
    assert jury_round.frozen_at is None


def test_a_preselection_round_has_no_finalist_page(client, admin, jury_round):
    other = Round(
        edition_id=jury_round.edition_id, kind=RoundKind.PRESELECTION, status=RoundStatus.CLOSED
    )
    db.session.add(other)
    db.session.commit()

    assert client.get(url(other)).status_code == 404


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.JUROR, Role.APPLICANT])
def test_others_than_admins_get_403(client, auth, jury_round, apps, tally, role):
    UserFactory(email="someone@example.org", role=role)
    auth.login("someone@example.org")

    assert client.get(url(jury_round)).status_code == 403
    assert choose(client, jury_round, tally, [apps["A"], apps["B"]]).status_code == 403
    db.session.refresh(jury_round)
    assert jury_round.frozen_at is None
