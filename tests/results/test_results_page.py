"""The office's results page and the explanation of one application's numbers."""

import html as entities
import re
import xml.etree.ElementTree as ET
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select

from qpmusic.enums import (
    AssignmentStatus,
    ConflictSource,
    ConflictStatus,
    Role,
    RoundKind,
    RoundStatus,
)
from qpmusic.extensions import db
from qpmusic.results.models import ResultSnapshot
from qpmusic.results.snapshots import compute_snapshot
from qpmusic.timestamps import utcnow
from tests.factories import RoundFactory, UserFactory
from tests.results.results_builders import build_jury, conflict, review

DASH, MINUS, TIMES = "\N{EN DASH}", "\N{MINUS SIGN}", "\N{MULTIPLICATION SIGN}"

# Totals per application (both criteria get the same value, so the total is that value).
# Anne is harsh and Bruno has no review of A (a conflict) nor of E (not started): the raw
# mean favours whatever Anne did not score, normalization takes her offset out.
TOTALS = {
    "A": {"Anne": 4, "Carla": 8, "Dora": 7},
    "B": {"Bruno": 8, "Carla": 7, "Dora": 6},
    "C": {"Anne": 5, "Bruno": 7, "Carla": 6, "Dora": 6},
    "D": {"Anne": 5, "Bruno": 7, "Carla": 6, "Dora": 6},
    "E": {"Anne": 6, "Carla": 5},
}


def build_scenario(applications=5):
    jury = build_jury(applications=applications, weights=(1, 1), home_cities=("Metz",))
    for index, letter in enumerate("ABCDE"[:applications]):
        for juror, total in TOTALS[letter].items():
            review(jury, juror, index, (total, total))
    conflict(jury, "Bruno", 0)
    if applications >= 5:
        review(jury, "Bruno", 4, None, status=AssignmentStatus.TODO)
    return jury


@pytest.fixture
def scenario():
    jury = build_scenario()
    compute_snapshot(round_=jury.round, actor=None)
    db.session.commit()
    return jury


@pytest.fixture
def office(auth):
    user = UserFactory(email="office@example.org", role=Role.ADMIN, language="en")
    auth.login("office@example.org")
    return user


def page(client, jury, **query):
    response = client.get(f"/admin/rounds/{jury.round.id}/results", query_string=query)
    assert response.status_code == 200
    return response.text


def row_of(html: str, reference: str) -> str:
    match = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*{reference}(?:(?!</tr>).)*</tr>", html, re.S)
    assert match, reference
    return match.group(0)


def plain(html: str) -> str:
    return entities.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip())


def test_the_page_shows_the_rules_then_every_method_and_rank_side_by_side(client, office, scenario):
    html = page(client, scenario)

    text = plain(html)
    assert "Final order: by Normalized → City-balanced → Median" in text
    assert "No outlier rule was set for this round" in text
    assert f"Criterion 1 1 0{DASH}10" in text
    references = re.findall(r">(QP-\d{4}-000\d)</a> <span", html)
    year = scenario.round.edition.year
    assert references == [f"QP-{year}-{n:04d}" for n in (1, 2, 5, 3, 4)]

    a = plain(row_of(html, f"QP-{year}-0001"))
    # rank, reference, artist, reviews, raw (rank), median (rank), normalized (rank), city (rank)
    assert a.startswith(f"1 QP-{year}-0001 Artist A 3 6.33 2 7.00 1 ▲1")
    assert "6.86 1 ▲1 1 place higher than by the raw mean 5.75 4 ▼2 2 places lower" in a
    assert a.endswith("1.70 1 0")  # spread, conflicts (Bruno), abstentions
    e = plain(row_of(html, f"QP-{year}-0005"))
    assert e.startswith(f"3 QP-{year}-0005 Artist E 2 5.50 5")
    assert "6.21 3 ▲2 2 places higher than by the raw mean" in e
    assert e.endswith("0.50 0 1")
    for letter in (3, 4):
        row = plain(row_of(html, f"QP-{year}-000{letter}"))
        assert row.startswith(f"4 tie: jury decides QP-{year}-000{letter}")
    assert html.count('<span aria-hidden="true">▲2</span>') == 1


def test_the_page_says_which_ranks_each_method_moved_and_why(client, office, scenario):
    text = plain(page(client, scenario))

    assert (
        "Normalized moved 5 applications compared with the raw mean. Jurors scored different "
        "subsets (automatic assignment, conflicts, abstentions)"
    ) in text
    assert "City-balanced moved 3 applications compared with the raw mean. Where a city has" in text
    assert "Median moved 1 application compared with the raw mean." in text
    year = scenario.round.edition.year
    assert f"QP-{year}-0001 : 2 → 1; QP-{year}-0002 : 1 → 2; QP-{year}-0005 : 5 → 3" in text


def test_when_every_juror_scores_everything_the_page_says_normalization_changes_little(
    client, office
):
    jury = build_jury(applications=3, weights=(1, 1))
    for index, totals in enumerate([(8, 7, 6, 9), (6, 6, 5, 7), (4, 5, 3, 5)]):
        for juror, total in zip(("Anne", "Bruno", "Carla", "Dora"), totals, strict=True):
            review(jury, juror, index, (total, total))
    compute_snapshot(round_=jury.round, actor=None)
    db.session.commit()

    text = plain(page(client, jury))

    assert (
        "Normalized moved 0 applications compared with the raw mean. Every juror scored every "
        "application, so a juror's constant offset cannot change the raw ranking"
    ) in text
    assert (
        "City-balanced moved 0 applications compared with the raw mean. Every application has "
        "as many counted reviews from each city, so the city-balanced mean equals the raw mean."
    ) in text


def test_conflicts_abstentions_and_jurors_are_listed(client, office, scenario):
    html = page(client, scenario)

    text = plain(html)
    year = scenario.round.edition.year
    assert f"QP-{year}-0005: Bruno (not started)" in text
    assert "Anne Metz 4 5.00 0.71 yes 4.00 (n=1) 5.33 (n=3)" in text
    assert f"Bruno Metz 3 7.33 0.47 yes {DASH} 7.33 (n=3)" in text


def test_every_number_links_to_its_explanation(client, office, scenario):
    html = page(client, scenario)

    snapshot = db.session.scalar(select(ResultSnapshot))
    first = scenario.application(0).id
    base = f"/admin/rounds/{scenario.round.id}/results/{first}?snapshot={snapshot.id}"
    links = set(re.findall(rf'href="{re.escape(base)}(#[a-z_-]+)?"', html))
    assert links == {
        "",
        "#final-rank",
        "#reviews",
        "#method-raw_mean",
        "#method-raw_median",
        "#method-normalized",
        "#method-city_balanced",
        "#spread",
        "#conflicts",
        "#abstentions",
    }


def test_the_page_inlines_three_charts_that_parse_as_svg(client, office, scenario):
    html = page(client, scenario)

    svgs = re.findall(r"<svg .*?</svg>", html, re.S)
    assert len(svgs) == 3
    roots = [ET.fromstring(svg) for svg in svgs]  # noqa: S314 (our own output)
    circles = list(roots[0].iter("{http://www.w3.org/2000/svg}circle"))
    assert len(circles) == 2 * 16  # the jury's row and the jurors' rows: 16 counted reviews
    assert [r.get("id") for r in roots] == ["chart-calibration", "chart-home-bias", "chart-spread"]
    assert "style=" not in "".join(svgs)


def test_earlier_tallies_are_listed_and_can_be_shown(client, office, scenario):
    first = db.session.scalar(select(ResultSnapshot))
    scenario.round.outlier_k = 1
    db.session.commit()
    second = compute_snapshot(round_=scenario.round, actor=None)
    db.session.commit()

    html = page(client, scenario)
    assert f"<code>{second.input_digest}</code>" in html
    assert f"?snapshot={first.id}" in html
    assert "This is not the tally in force." not in html

    earlier = page(client, scenario, snapshot=first.id)
    assert f"<code>{first.input_digest}</code>" in earlier
    assert "This is not the tally in force. Show the tally in force" in plain(earlier)
    assert "tally again" not in earlier


def test_a_snapshot_of_another_round_is_not_found(client, office, scenario):
    other = build_jury(applications=1)
    review(other, "Anne", 0, (5, 5))
    snapshot = compute_snapshot(round_=other.round, actor=None)
    db.session.commit()

    url = f"/admin/rounds/{scenario.round.id}/results"
    assert client.get(url, query_string={"snapshot": snapshot.id}).status_code == 404
    explain = f"{url}/{other.application(0).id}"
    assert client.get(explain, query_string={"snapshot": snapshot.id}).status_code == 404


def test_before_any_tally_the_page_offers_to_tally(client, office):
    jury = build_jury(applications=1)
    assert "No review is final yet: there is nothing to tally." in page(client, jury)
    review(jury, "Anne", 0, (5, 5))

    html = page(client, jury)

    assert "This round has not been tallied yet." in html
    assert f'action="/admin/rounds/{jury.round.id}/results"' in html


def test_tallying_from_the_page_stores_a_snapshot_and_shows_it(client, office):
    jury = build_scenario()

    response = client.post(f"/admin/rounds/{jury.round.id}/results")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/rounds/{jury.round.id}/results"
    snapshot = db.session.scalar(select(ResultSnapshot))
    assert snapshot.computed_by_id == office.id
    html = client.get(response.headers["Location"]).text
    assert "The tally is being computed" in html
    assert f"<code>{snapshot.input_digest}</code>" in html
    assert f"by {office.name}" in html

    client.post(f"/admin/rounds/{jury.round.id}/results")
    assert db.session.scalar(select(func.count(ResultSnapshot.id))) == 1


def test_tallying_an_open_round_with_a_draft_is_refused_with_the_reason(client, office):
    jury = build_jury(applications=1, status=RoundStatus.OPEN)
    review(jury, "Anne", 0, (5, None), status=AssignmentStatus.DRAFT)

    html = page(client, jury)
    assert "1 review is still a draft." in html
    assert "Tally now" not in html

    response = client.post(f"/admin/rounds/{jury.round.id}/results", follow_redirects=True)
    assert "Error: 1 review is still a draft. Wait until it is final" in plain(response.text)
    assert db.session.scalar(select(func.count(ResultSnapshot.id))) == 0


def test_the_explanation_shows_reviews_weights_and_each_method_with_its_numbers(
    client, office, scenario
):
    a = scenario.application(0)
    response = client.get(f"/admin/rounds/{scenario.round.id}/results/{a.id}")

    assert response.status_code == 200
    text = plain(response.text)
    assert "Final rank: 1" in text
    assert "Normalized 1, City-balanced 4, Median 1." in text
    assert f"Anne Metz 4.00 4.00 (1 {TIMES} 4.00 + 1 {TIMES} 4.00) / 2 = 4.00 5.00 / 0.71" in text
    # Anne's z is (4 - 5) / 0.71; the normalized total maps it onto the jury's scale.
    assert f"6.19 {MINUS} 1.41 {TIMES} 1.07 = 4.67 counted" in text
    assert "(4.00 + 8.00 + 7.00) / 3 = 6.33" in text
    assert "4.00 ≤ 7.00 ≤ 8.00 → 7.00" in text
    assert "Metz: (4.00) / 1 = 4.00" in text
    assert "Trier: (8.00 + 7.00) / 2 = 7.50" in text
    assert "(4.00 + 7.50) / 2 = 5.75" in text
    assert "Conflicts of interest Never counted: Bruno." in text
    assert "Spread: 1.70" in text


def test_the_explanation_of_an_application_outside_the_tally_is_not_found(client, office, scenario):
    other = build_jury(applications=1)
    url = f"/admin/rounds/{scenario.round.id}/results/{other.application(0).id}"
    assert client.get(url).status_code == 404


def test_the_outlier_rule_is_explained_with_its_test(client, office):
    jury = build_jury(applications=1, weights=(1, 1))
    for juror, total in (("Anne", 2), ("Bruno", 8), ("Carla", 8), ("Dora", 8)):
        review(jury, juror, 0, (total, total))
    jury.round.outlier_k = 1
    db.session.commit()
    snapshot = compute_snapshot(round_=jury.round, actor=None)
    db.session.commit()
    assert snapshot.rows[0]["outliers"] == [jury.jurors["Anne"].id]

    text = plain(client.get(f"/admin/rounds/{jury.round.id}/results/{jury.application(0).id}").text)

    assert f"Anne: |2.00 {MINUS} 8.00| = 6.00 > 2.60 \N{EM DASH} dropped" in text
    assert f"Anne Metz 2.00 2.00 (1 {TIMES} 2.00 + 1 {TIMES} 2.00) / 2 = 2.00" in text
    assert "dropped by the outlier rule" in text
    assert "(8.00 + 8.00 + 8.00) / 3 = 8.00" in text
    assert "The outlier rule (k = 1) dropped 1 review." in plain(page(client, jury))


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.JUROR, Role.APPLICANT])
def test_everyone_but_the_admin_gets_403(client, auth, scenario, role):
    UserFactory(email="someone@example.org", role=role)
    auth.login("someone@example.org")
    url = f"/admin/rounds/{scenario.round.id}/results"

    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert client.get(f"{url}/{scenario.application(0).id}").status_code == 403


def test_an_unknown_round_is_not_found(client, office):
    assert client.get("/admin/rounds/999/results").status_code == 404


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


def test_the_page_runs_the_same_number_of_queries_for_more_applications(client, office):
    counts = []
    for applications in (2, 5):
        jury = build_scenario(applications)
        compute_snapshot(round_=jury.round, actor=None)
        db.session.commit()
        with counting() as statements:
            page(client, jury)
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_the_outlier_rule_never_leaves_fewer_than_two_reviews_and_says_so(client, office):
    jury = build_jury(
        applications=1, jurors=(("Anne", "Metz"), ("Bruno", "Metz"), ("Carla", "Trier"))
    )
    for juror, total in (("Anne", 0), ("Bruno", 5), ("Carla", 10)):
        review(jury, juror, 0, (total, total))
    jury.round.outlier_k = 0.5
    db.session.commit()
    snapshot = compute_snapshot(round_=jury.round, actor=None)
    db.session.commit()
    assert snapshot.rows[0]["outliers"] == []

    text = plain(client.get(f"/admin/rounds/{jury.round.id}/results/{jury.application(0).id}").text)

    assert "Anne: |0.00 " in text and "= 7.50 > 2.04" in text
    assert "Dropping would have left fewer than two reviews, so none was dropped." in text


def test_the_page_renders_in_german(client, auth, scenario):
    UserFactory(email="buero@example.org", role=Role.ADMIN, language="de")
    auth.login("buero@example.org")

    html = page(client, scenario)

    assert '<html lang="de">' in html
    assert "6,33" in html


def test_a_frozen_round_shows_the_tally_the_finalists_came_from_and_no_tally_button(
    client, office, scenario
):
    snapshot = db.session.scalar(select(ResultSnapshot))
    scenario.round.frozen_snapshot_id = snapshot.id
    scenario.round.frozen_at = snapshot.computed_at
    db.session.commit()

    text = plain(page(client, scenario))

    assert "the result of this round is frozen." in text
    assert "The result of this round is frozen: the finalists were chosen from it." in text
    assert "Tally now" not in text
    assert "· the finalists were chosen from this tally" in text


STALE = "The reviews or conflicts changed since this tally; tally again."


def test_the_page_shows_the_tally_of_the_reviews_now_not_the_one_computed_last(
    client, office, scenario
):
    first = db.session.scalar(select(ResultSnapshot))
    claim = conflict(scenario, "Carla", 0, source=ConflictSource.APPLICANT)
    claim.status = ConflictStatus.CONFIRMED
    db.session.commit()
    second = compute_snapshot(round_=scenario.round, actor=None)
    db.session.commit()
    claim.status = ConflictStatus.DISMISSED
    db.session.commit()
    assert compute_snapshot(round_=scenario.round, actor=None).id == first.id
    db.session.commit()

    html = page(client, scenario)

    assert f"<code>{first.input_digest}</code>" in html
    assert f"<code>{second.input_digest}</code>" not in html
    assert STALE not in html


def test_a_tally_the_reviews_no_longer_match_is_shown_with_a_notice(client, office, scenario):
    snapshot = db.session.scalar(select(ResultSnapshot))
    conflict(scenario, "Anne", 2)

    html = page(client, scenario)

    assert f"<code>{snapshot.input_digest}</code>" in html
    assert STALE in html
    assert "This is not the tally in force." not in html


def test_a_frozen_round_shows_its_frozen_tally_though_another_is_current(client, office, scenario):
    frozen = db.session.scalar(select(ResultSnapshot))
    scenario.round.outlier_k = 1
    db.session.commit()
    current = compute_snapshot(round_=scenario.round, actor=None)
    scenario.round.frozen_snapshot_id = frozen.id
    scenario.round.frozen_at = utcnow()
    db.session.commit()

    html = page(client, scenario)
    first = scenario.application(0).id
    explained = client.get(f"/admin/rounds/{scenario.round.id}/results/{first}")

    assert f"<code>{frozen.input_digest}</code>" in html
    assert STALE not in html
    assert f"digest {frozen.input_digest[:12]}" in explained.text
    assert "This is not the tally in force." in page(client, scenario, snapshot=current.id)


def test_the_final_round_has_no_results_page(client, office, scenario):
    final = RoundFactory(
        edition=scenario.round.edition, kind=RoundKind.FINAL, status=RoundStatus.CLOSED
    )
    application = scenario.application(0).id
    db.session.add(
        ResultSnapshot(
            round_id=final.id,
            input_digest="f" * 64,
            parameters={"method": "schulze", "unranked": "last"},
            inputs={"candidates": [application], "ballots": []},
            rows=[{"place": 1, "application_ids": [application]}],
            jurors=[],
        )
    )
    db.session.commit()
    url = f"/admin/rounds/{final.id}/results"

    assert client.get(url).status_code == 404
    assert client.get(f"{url}/{application}").status_code == 404
    assert client.post(url).status_code == 404
