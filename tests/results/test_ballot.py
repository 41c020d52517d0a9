"""The final ballot: the office opens and closes it, jurors rank the finalists, Schulze decides."""

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select

from qpmusic.audit.models import AuditEvent
from qpmusic.enums import EditionPhase, Role, RoundStatus
from qpmusic.extensions import db
from qpmusic.results.ballot_result import final_result
from qpmusic.results.ballot_roll import final_round, open_ballots_of_juror
from qpmusic.results.models import Ballot, ResultSnapshot
from qpmusic.timestamps import utcnow
from tests.factories import ConflictFactory, JuryMemberFactory
from tests.results.ballot_builders import (
    admin_post,
    client_for,
    final_edition,
    open_ballot,
    vote,
)


def html(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def text(response) -> str:
    """What a reader sees: the page without tags, white space collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def ballot_of(round_id, juror) -> Ballot | None:
    db.session.expire_all()
    return db.session.scalar(
        select(Ballot).where(Ballot.round_id == round_id, Ballot.juror_id == juror.user_id)
    )


def test_admin_pages_refuse_non_admins(app):
    final = final_edition()
    juror = client_for(app, final.jurors[0].user)
    edition_id = final.edition.id

    assert juror.get(f"/admin/editions/{edition_id}/final").status_code == 403
    assert (
        juror.post(f"/admin/editions/{edition_id}/final", data={"action": "create"}).status_code
        == 403
    )
    assert juror.get(f"/admin/editions/{edition_id}/awards").status_code == 403
    assert juror.post(f"/admin/editions/{edition_id}/publish").status_code == 403
    assert final_round(edition_id) is None


def test_open_outside_the_final_phase_is_refused_with_the_reason(app):
    final = final_edition(phase=EditionPhase.JURY)
    admin = client_for(app, final.admin)
    admin_post(admin, final.edition, "create")

    page = admin.get(f"/admin/editions/{final.edition.id}/final?lang=en")
    assert "The edition is not in the final phase." in text(page)
    response = admin_post(admin, final.edition, "open")

    assert response.status_code == 302
    db.session.expire_all()
    assert final_round(final.edition.id).status == RoundStatus.DRAFT
    page = admin.get(f"/admin/editions/{final.edition.id}/final?lang=en")
    assert "Error: The edition is not in the final phase." in text(page)
    assert 'class="flash flash-error"' in html(page)


def test_schulze_winner_through_the_pages(app):
    final = final_edition()
    a, b, c = final.finalists
    admin = client_for(app, final.admin)
    round_id = open_ballot(admin, final.edition)
    ballots = [{a: 1, b: 2, c: 3}, {a: 1, c: 2, b: 3}, {b: 1, c: 2, a: 3}]
    for member, ranks in zip(final.jurors, ballots, strict=True):
        response = vote(client_for(app, member.user), round_id, ranks)
        assert response.status_code == 302

    page = text(admin.get(f"/admin/editions/{final.edition.id}/final?lang=en"))
    assert "3 of 3 jurors have voted." in page
    assert admin_post(admin, final.edition, "close").status_code == 302

    response = admin.get(f"/admin/editions/{final.edition.id}/final?lang=en")
    assert "Winner by the Schulze method: Aurora" in text(response)
    assert "3 ballots counted." in text(response)
    page = html(response)
    # Rows and columns in ranking order: Aurora, Basalt, Cirrus; names as headers.
    pairwise = page.split("Pairwise preferences")[1].split("Strongest paths")[0]
    assert (
        '<th scope="col">Aurora</th><th scope="col">Basalt</th><th scope="col">Cirrus</th>'
        in pairwise
    )
    row = '<th scope="row">{}</th>' + ' <td class="num">{}</td>' * 3
    assert row.format("Aurora", "—", 2, 2) in pairwise
    assert row.format("Cirrus", 1, 1, "—") in pairwise
    strongest = page.split("Strongest paths")[1]
    # Basalt loses to Aurora 1:2, and no chain of wins leads from Basalt back to Aurora.
    assert '<th scope="row">Basalt</th> <td class="num">0</td> <td class="num">—</td>' in strongest
    assert strongest.count("(ahead)") == 3
    snapshot = db.session.scalar(select(ResultSnapshot).where(ResultSnapshot.round_id == round_id))
    assert snapshot.rows == [
        {"place": 1, "application_ids": [a.id]},
        {"place": 2, "application_ids": [b.id]},
        {"place": 3, "application_ids": [c.id]},
    ]
    assert snapshot.parameters == {"method": "schulze", "unranked": "last", "conflicts": "excluded"}


def test_tie_for_first_is_shown_as_the_jury_decides(app):
    final = final_edition(jurors=2)
    a, b, c = final.finalists
    admin = client_for(app, final.admin)
    round_id = open_ballot(admin, final.edition)
    vote(client_for(app, final.jurors[0].user), round_id, {a: 1, b: 2, c: 3})
    vote(client_for(app, final.jurors[1].user), round_id, {b: 1, a: 2, c: 3})
    admin_post(admin, final.edition, "close")

    response = admin.get(f"/admin/editions/{final.edition.id}/final?lang=en")

    page = text(response)
    assert "Tie for first place: Aurora, Basalt." in page
    assert "the jury decides. Nothing is drawn at random." in page
    assert "Winner by the Schulze method" not in page
    assert '<li value="1">Aurora = Basalt <span class="muted">(tied)</span></li>' in html(response)


def test_equal_ranks_are_saved_as_a_tie(app):
    final = final_edition()
    a, b, c = final.finalists
    round_id = open_ballot(client_for(app, final.admin), final.edition)
    juror = final.jurors[0]

    response = vote(client_for(app, juror.user), round_id, {a: 2, b: 1, c: 1})

    assert response.status_code == 302
    ballot = ballot_of(round_id, juror)
    assert ballot.ranking == [sorted([b.id, c.id]), [a.id]]
    assert ballot.version == 1
    page = html(client_for(app, juror.user).get(f"/jury/final/{round_id}"))
    selected = re.findall(r'name="rank-(\d+)".*?<option value="(\d)" selected>', page)
    assert sorted((int(a), int(r)) for a, r in selected) == sorted(
        [(a.id, 2), (b.id, 1), (c.id, 1)]
    )


def test_a_save_from_a_stale_page_is_refused_and_overwrites_nothing(app):
    final = final_edition()
    a, b, c = final.finalists
    round_id = open_ballot(client_for(app, final.admin), final.edition)
    juror = final.jurors[0]
    juror.user.language = "en"
    db.session.commit()
    phone, laptop = client_for(app, juror.user), client_for(app, juror.user)

    assert vote(phone, round_id, {a: 1, b: 2, c: 3}, version=0).status_code == 302
    response = vote(laptop, round_id, {c: 1, b: 2, a: 3}, version=0)

    assert response.status_code == 409
    assert "Your ballot was changed in another tab or on another device." in text(response)
    assert "The ranks you had chosen" in text(response)
    assert ballot_of(round_id, juror).ranking == [[a.id], [b.id], [c.id]]
    # From the page as it is now (version 1) the change goes through.
    assert vote(laptop, round_id, {c: 1, b: 2, a: 3}, version=1).status_code == 302
    assert ballot_of(round_id, juror).ranking == [[c.id], [b.id], [a.id]]


def test_every_finalist_needs_a_rank(app):
    final = final_edition()
    a, b, _ = final.finalists
    round_id = open_ballot(client_for(app, final.admin), final.edition)
    juror = final.jurors[0]

    response = vote(client_for(app, juror.user), round_id, {a: 1, b: 2})

    assert response.status_code == 422
    assert ballot_of(round_id, juror) is None


@pytest.mark.parametrize("rank", ["²", "9" * 5000, "\u0661"])
def test_a_rank_that_is_no_plain_number_is_missing(app, rank):
    final = final_edition()
    a, b, c = final.finalists
    round_id = open_ballot(client_for(app, final.admin), final.edition)
    juror = final.jurors[0]

    response = vote(client_for(app, juror.user), round_id, {a: rank, b: 2, c: 3})

    assert response.status_code == 422
    assert ballot_of(round_id, juror) is None


def test_someone_not_on_the_jury_gets_404(app):
    final = final_edition()
    round_id = open_ballot(client_for(app, final.admin), final.edition)
    elsewhere = JuryMemberFactory()  # a juror of another edition
    coordinator = JuryMemberFactory(edition=final.edition, role=Role.COORDINATOR, city=None)
    applicant = final.finalists[0].applicant

    for user in (elsewhere.user, coordinator.user, applicant, final.admin):
        client = client_for(app, user)
        assert client.get(f"/jury/final/{round_id}").status_code == 404
        assert vote(client, round_id, dict.fromkeys(final.finalists, 1)).status_code == 404
    assert db.session.scalar(select(Ballot)) is None


def test_a_vote_after_closing_is_refused(app):
    final = final_edition()
    a, b, c = final.finalists
    admin = client_for(app, final.admin)
    round_id = open_ballot(admin, final.edition)
    first, late = final.jurors[0], final.jurors[1]
    vote(client_for(app, first.user), round_id, {a: 1, b: 2, c: 3})
    assert admin_post(admin, final.edition, "close", anyway="y").status_code == 302

    response = vote(client_for(app, late.user), round_id, {a: 1, b: 2, c: 3})
    again = vote(client_for(app, first.user), round_id, {c: 1, b: 2, a: 3}, version=1)

    assert response.status_code == 409
    assert again.status_code == 409
    assert ballot_of(round_id, late) is None
    assert ballot_of(round_id, first).ranking == [[a.id], [b.id], [c.id]]


def test_closing_with_jurors_yet_to_vote_needs_close_anyway(app):
    final = final_edition()
    a, b, c = final.finalists
    admin = client_for(app, final.admin)
    round_id = open_ballot(admin, final.edition)
    vote(client_for(app, final.jurors[0].user), round_id, {a: 1, b: 2, c: 3})

    admin_post(admin, final.edition, "close")
    db.session.expire_all()
    assert final_round(final.edition.id).status == RoundStatus.OPEN
    admin_post(admin, final.edition, "close", anyway="y")
    db.session.expire_all()
    assert final_round(final.edition.id).status == RoundStatus.CLOSED
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "round.closed"))
    assert event.after["not_voted"] == 2


def test_a_conflicted_juror_ranks_the_others_only(app):
    final = final_edition()
    a, b, c = final.finalists
    juror = final.jurors[0]
    ConflictFactory(application=c, juror=juror.user)
    juror.user.language = "en"
    db.session.commit()
    admin = client_for(app, final.admin)
    round_id = open_ballot(admin, final.edition)
    client = client_for(app, juror.user)

    page = text(client.get(f"/jury/final/{round_id}?lang=en"))
    assert "You do not rank this finalist (conflict of interest)." in page
    assert f'name="rank-{c.id}"' not in page
    # A rank sent for the conflicted finalist (no such field on the page) is not counted.
    assert vote(client, round_id, {a: 2, b: 1, c: 1}).status_code == 302
    assert ballot_of(round_id, juror).ranking == [[b.id], [a.id]]

    admin_post(admin, final.edition, "close", anyway="y")
    snapshot = db.session.scalar(select(ResultSnapshot))
    assert snapshot.inputs["ballots"] == [
        {"juror_id": juror.user_id, "ranking": [[b.id], [a.id]], "excluded": [c.id]}
    ]
    page = text(admin.get(f"/admin/editions/{final.edition.id}/final?lang=en"))
    assert (
        "A juror with a conflict of interest with a finalist does not rank that finalist; their "
        "ballot is left out of every comparison that involves that finalist." in page
    )
    # Cirrus is in no comparison of the only ballot: not placed behind Aurora and Basalt.
    result = final_result(final_round(final.edition.id)).result
    assert (result.pairwise[a.id, c.id], result.pairwise[b.id, c.id]) == (0, 0)
    assert result.ranking == (tuple(sorted((b.id, c.id))), (a.id,))


def test_a_conflicted_jurors_ballot_does_not_decide_between_the_two_finalists(app):
    # X vs Y with three jurors: one is conflicted with X and ranks only Y, the others split.
    final = final_edition(finalists=("Xenon", "Yarrow"))
    x, y = final.finalists
    conflicted, first, second = final.jurors
    ConflictFactory(application=x, juror=conflicted.user)
    db.session.commit()
    admin = client_for(app, final.admin)
    round_id = open_ballot(admin, final.edition)
    for member, ranks in ((conflicted, {y: 1}), (first, {x: 1, y: 2}), (second, {y: 1, x: 2})):
        assert vote(client_for(app, member.user), round_id, ranks).status_code == 302

    assert admin_post(admin, final.edition, "close").status_code == 302

    result = final_result(final_round(final.edition.id)).result
    assert result.pairwise == {(x.id, y.id): 1, (y.id, x.id): 1}
    assert result.winners == (x.id, y.id)
    page = text(admin.get(f"/admin/editions/{final.edition.id}/final?lang=en"))
    assert "Tie for first place: Xenon, Yarrow." in page
    assert "Winner by the Schulze method" not in page
    assert "3 ballots counted." in page


def test_a_closed_ballot_reopens_with_a_reason_until_the_prize_is_recorded(app):
    final = final_edition()
    admin = client_for(app, final.admin)
    open_ballot(admin, final.edition)
    admin_post(admin, final.edition, "close", anyway="y")

    assert admin_post(admin, final.edition, "reopen", reason="").status_code == 422
    assert (
        admin_post(admin, final.edition, "reopen", reason="A juror's phone died").status_code == 302
    )
    db.session.expire_all()
    assert final_round(final.edition.id).status == RoundStatus.OPEN


def test_the_jurors_vote_link_is_on_the_office_page(app):
    final = final_edition()
    admin = client_for(app, final.admin)
    round_id = open_ballot(admin, final.edition)

    page = admin.get(f"/admin/editions/{final.edition.id}/final").get_data(as_text=True)

    assert f'href="/jury/final/{round_id}"' in page


def test_closing_again_on_ballots_counted_before_shows_their_result(app):
    final = final_edition(jurors=1)
    a, b, c = final.finalists
    admin = client_for(app, final.admin)
    round_id = open_ballot(admin, final.edition)
    juror = client_for(app, final.jurors[0].user)
    url = f"/admin/editions/{final.edition.id}/final?lang=en"

    vote(juror, round_id, {a: 1, b: 2, c: 3}, version=0)
    admin_post(admin, final.edition, "close")
    admin_post(admin, final.edition, "reopen", reason="Recount")
    vote(juror, round_id, {b: 1, a: 2, c: 3}, version=1)
    admin_post(admin, final.edition, "close")
    assert "Winner by the Schulze method: Basalt" in text(admin.get(url))
    admin_post(admin, final.edition, "reopen", reason="Changed back")
    vote(juror, round_id, {a: 1, b: 2, c: 3}, version=2)
    admin_post(admin, final.edition, "close")

    assert "Winner by the Schulze method: Aurora" in text(admin.get(url))
    assert db.session.scalar(select(func.count()).select_from(ResultSnapshot)) == 2


def test_the_open_ballot_is_found_for_each_juror_of_the_edition(app):
    final = final_edition()
    round_id = open_ballot(client_for(app, final.admin), final.edition)
    outsider = JuryMemberFactory()

    assert [r.id for r in open_ballots_of_juror(final.jurors[0].user_id)] == [round_id]
    assert open_ballots_of_juror(outsider.user_id) == []


@contextmanager
def counting():
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_the_office_page_runs_the_same_number_of_queries_for_2_and_8_jurors(app):
    counts = []
    for jurors in (2, 8):
        final = final_edition(jurors=jurors)
        a, b, c = final.finalists
        admin = client_for(app, final.admin)
        round_id = open_ballot(admin, final.edition)
        for member in final.jurors:
            # Each juror is conflicted with Cirrus, voted, and is listed with name and city.
            ConflictFactory(application=c, juror=member.user)
            ranking = [[a.id], [b.id]] if member.id % 2 else [[b.id], [a.id]]
            db.session.add(
                Ballot(
                    round_id=round_id,
                    juror_id=member.user_id,
                    ranking=ranking,
                    submitted_at=utcnow(),
                )
            )
        db.session.commit()
        assert admin_post(admin, final.edition, "close").status_code == 302
        url = f"/admin/editions/{final.edition.id}/final?lang=en"
        assert admin.get(url).status_code == 200  # the first request fills per-process caches

        with counting() as statements:
            page = admin.get(url)

        assert f"{jurors} ballots counted." in text(page)
        shown = text(page)
        for member in final.jurors:
            assert f"{member.user.display_name} {member.city.name_en} " in shown
        counts.append(len(statements))
    assert counts[0] == counts[1]
