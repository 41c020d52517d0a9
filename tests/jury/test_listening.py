"""What a juror has heard: ranges merged (properties), the player's reports, the minimum share."""

from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from qpmusic.enums import (
    ApplicationStatus,
    AssignmentStatus,
    ConflictSource,
    ConflictType,
    MediaKind,
    Role,
    RoundStatus,
)
from qpmusic.extensions import db
from qpmusic.jury.listening import covered_seconds, merge_ranges, parse_ranges
from qpmusic.jury.models import Assignment, Conflict, Listening
from qpmusic.timestamps import utcnow
from tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    CriterionFactory,
    RoundFactory,
    UserFactory,
    WorkFactory,
)
from tests.media.playback import media_file

# --- the pure merge ---------------------------------------------------------------------------

seconds = st.floats(min_value=-50, max_value=500, allow_nan=False, allow_infinity=False)
pairs = st.lists(st.tuples(seconds, seconds), max_size=20)
durations = st.floats(min_value=1, max_value=400, allow_nan=False, allow_infinity=False)


def covers(ranges, point) -> bool:
    return any(start <= point <= end for start, end in ranges)


@given(pairs, durations)
def test_merged_ranges_are_sorted_disjoint_and_inside_the_file(raw, duration):
    merged = merge_ranges(raw, duration=duration)

    for start, end in merged:
        assert 0 <= start < end <= duration
    for (_, end), (start, _) in pairwise(merged):
        assert end < start


@given(pairs, durations)
def test_merging_again_changes_nothing(raw, duration):
    merged = merge_ranges(raw, duration=duration)

    assert merge_ranges(merged, duration=duration) == merged
    assert merge_ranges(merged + merged, duration=duration) == merged


@given(pairs, pairs, durations)
def test_the_order_of_reports_does_not_matter(first, second, duration):
    one_way = merge_ranges(merge_ranges(first, duration=duration) + second, duration=duration)
    other_way = merge_ranges(merge_ranges(second, duration=duration) + first, duration=duration)

    assert one_way == other_way == merge_ranges(first + second, duration=duration)


@given(pairs, durations, st.floats(min_value=0, max_value=1))
def test_a_point_is_covered_exactly_when_a_clamped_reported_range_covers_it(raw, duration, at):
    merged = merge_ranges(raw, duration=duration)
    point = at * duration
    clamped = [(max(0, a), min(duration, b)) for a, b in raw if min(duration, b) > max(0, a)]

    assert covers(merged, point) == covers(clamped, point)


@given(pairs, durations)
def test_heard_seconds_never_exceed_the_file_nor_fall_below_the_longest_range(raw, duration):
    merged = merge_ranges(raw, duration=duration)
    longest = max((min(duration, b) - max(0, a) for a, b in raw), default=0)

    heard = covered_seconds(merged)

    assert heard <= duration + 1e-9
    assert heard >= max(0, longest) - 1e-9


def test_merge_joins_overlapping_and_touching_ranges_and_drops_junk():
    raw = [[30, 40], [0, 10], [10, 12], [5, 8], [50, 45], ["x", 3], [None], [38, 60]]

    assert merge_ranges(raw, duration=55) == [[0.0, 12.0], [30.0, 55.0]]
    assert covered_seconds(merge_ranges(raw, duration=55)) == 37.0


def test_merge_without_a_known_duration_still_clamps_to_a_day():
    assert merge_ranges([[-5, 10**9]], duration=None) == [[0.0, 86400.0]]


def test_merge_drops_integers_too_large_for_a_float():
    assert merge_ranges([[0, 10**400], [-(10**400), 5], [1, 3]], duration=55) == [[1.0, 3.0]]


def test_ranges_nested_deeper_than_the_parser_goes_are_not_a_list():
    assert parse_ranges("[" * 100_000) is None


# --- the endpoint -----------------------------------------------------------------------------


@pytest.fixture
def jury_round():
    return RoundFactory()


@pytest.fixture
def juror():
    return UserFactory(role=Role.JUROR, language="en")


@pytest.fixture
def application(jury_round):
    return ApplicationFactory(
        edition=jury_round.edition, status=ApplicationStatus.SHORTLISTED, reference="QP-2026-0003"
    )


@pytest.fixture
def recording(application):
    """A 7-minute recording of the application's only work."""
    work = WorkFactory(application=application, title="Moselklang", duration_seconds=420)
    return media_file(work, duration_seconds=420.0)


@pytest.fixture
def assignment(jury_round, juror, application, recording):
    return AssignmentFactory(round=jury_round, juror=juror, application=application)


@pytest.fixture
def as_juror(client, auth, juror):
    auth.login(juror.email)
    return client


def report(client, assignment, media, ranges, **kwargs):
    return client.post(
        f"/jury/assignments/{assignment.id}/listening",
        json={"media": media.public_id, "ranges": ranges},
        **kwargs,
    )


def stored(assignment, media) -> Listening:
    db.session.expire_all()
    return db.session.scalars(
        select(Listening).where(
            Listening.assignment_id == assignment.id, Listening.media_file_id == media.id
        )
    ).one()


def test_reports_are_merged_with_what_was_heard_before(as_juror, assignment, recording):
    first = report(as_juror, assignment, recording, [[0, 100]])
    second = report(as_juror, assignment, recording, [[0, 100], [50, 190], [400, 500]])

    assert first.status_code == second.status_code == 200
    assert second.get_json() == {
        "heard": 210.0,
        "work_id": recording.work_id,
        "label": "You have heard 3:30 of 7:00 (50 %).",
    }
    listening = stored(assignment, recording)
    assert listening.ranges == [[0.0, 190.0], [400.0, 420.0]]
    assert listening.heard_seconds == 210.0


def test_the_same_report_twice_counts_once(as_juror, assignment, recording):
    report(as_juror, assignment, recording, [[10, 70]])
    report(as_juror, assignment, recording, [[10, 70]])

    assert stored(assignment, recording).heard_seconds == 60.0


def test_a_report_may_come_as_a_form_field(as_juror, assignment, recording):
    response = as_juror.post(
        f"/jury/assignments/{assignment.id}/listening",
        data={"media": recording.public_id, "ranges": "[[0, 42]]"},
    )

    assert response.status_code == 200
    assert stored(assignment, recording).heard_seconds == 42.0


def test_a_file_of_another_application_is_not_found(as_juror, assignment, jury_round):
    elsewhere = media_file(
        WorkFactory(
            application=ApplicationFactory(
                edition=jury_round.edition, status=ApplicationStatus.SHORTLISTED
            )
        ),
        duration_seconds=60.0,
    )

    response = report(as_juror, assignment, elsewhere, [[0, 30]])

    assert response.status_code == 404
    assert db.session.scalars(select(Listening)).all() == []


def test_a_score_document_is_not_listened_to(as_juror, assignment, application):
    score = media_file(
        application.works[0], kind=MediaKind.DOCUMENT, detected_type="application/pdf"
    )

    assert report(as_juror, assignment, score, [[0, 30]]).status_code == 404


def test_another_juror_cannot_report_on_this_assignment(client, auth, assignment, recording):
    auth.login(UserFactory(role=Role.JUROR).email)

    assert report(client, assignment, recording, [[0, 30]]).status_code == 404


def test_a_conflicted_juror_reports_nothing(as_juror, assignment, recording, juror):
    db.session.add(
        Conflict(
            edition_id=assignment.application.edition_id,
            juror_id=juror.id,
            application_id=assignment.application_id,
            type=ConflictType.LABEL,
            source=ConflictSource.JUROR,
        )
    )
    db.session.commit()

    assert report(as_juror, assignment, recording, [[0, 30]]).status_code == 409
    assert db.session.scalars(select(Listening)).all() == []


def test_ranges_that_are_not_a_list_are_a_bad_request(as_juror, assignment, recording):
    assert report(as_juror, assignment, recording, "everything").status_code == 400


def test_a_huge_number_in_a_report_is_dropped_not_a_crash(as_juror, assignment, recording):
    response = as_juror.post(
        f"/jury/assignments/{assignment.id}/listening",
        data=f'{{"media": "{recording.public_id}", "ranges": [[0, 1{"0" * 400}], [0, 42]]}}',
        content_type="application/json",
    )

    assert response.status_code == 200
    assert stored(assignment, recording).heard_seconds == 42.0


def test_a_nul_byte_in_the_json_report_is_a_bad_request(as_juror, assignment, recording):
    response = report(as_juror, assignment, recording, [[0, 10], "\x00"])
    nul_media = as_juror.post(
        f"/jury/assignments/{assignment.id}/listening", json={"media": "\x00", "ranges": []}
    )

    assert response.status_code == nul_media.status_code == 400
    assert db.session.scalars(select(Listening)).all() == []


def test_a_json_report_nested_too_deep_is_a_bad_request(as_juror, assignment):
    response = as_juror.post(
        f"/jury/assignments/{assignment.id}/listening",
        data="[" * 100_000,
        content_type="application/json",
    )

    assert response.status_code == 400
    assert db.session.scalars(select(Listening)).all() == []


def test_a_ranges_field_nested_too_deep_is_a_bad_request(as_juror, assignment, recording):
    response = as_juror.post(
        f"/jury/assignments/{assignment.id}/listening",
        data={"media": recording.public_id, "ranges": "[" * 100_000},
    )

    assert response.status_code == 400
    assert db.session.scalars(select(Listening)).all() == []


@pytest.mark.parametrize("body", [[[0, 30]], 42, "ranges"], ids=["array", "number", "string"])
def test_a_json_body_that_is_not_an_object_is_a_bad_request(as_juror, assignment, body):
    response = as_juror.post(f"/jury/assignments/{assignment.id}/listening", json=body)

    assert response.status_code == 400
    assert response.get_json() == {"code": "bad_request"}
    assert db.session.scalars(select(Listening)).all() == []


def test_nothing_is_recorded_once_the_round_is_closed(as_juror, assignment, recording, jury_round):
    jury_round.status = RoundStatus.CLOSED
    jury_round.closed_at = utcnow()
    db.session.commit()

    response = report(as_juror, assignment, recording, [[0, 30]])

    assert response.status_code == 409
    assert response.get_json() == {"code": "closed"}
    assert db.session.scalars(select(Listening)).all() == []


def test_the_page_shows_the_jurors_own_coverage_and_the_players_report_url(
    as_juror, assignment, recording
):
    report(as_juror, assignment, recording, [[0, 190]])

    page = as_juror.get(f"/jury/assignments/{assignment.id}").get_data(as_text=True)

    assert "You have heard 3:10 of 7:00 (45 %)." in page
    assert f'data-listening-url="/jury/assignments/{assignment.id}/listening"' in page
    assert f'data-media="{recording.public_id}"' in page


def test_the_applicants_own_page_does_not_report_listening(client, auth, application, recording):
    auth.login(application.applicant.email)

    page = client.get(f"/applications/{application.id}/review").get_data(as_text=True)

    assert recording.public_id in page
    assert "data-listening-url" not in page


# --- the minimum share before finalizing ------------------------------------------------------


def finalize(client, assignment, criterion):
    db.session.expire_all()
    version = db.session.get(Assignment, assignment.id).version
    return client.post(
        f"/jury/assignments/{assignment.id}/review",
        data={"version": version, f"score-{criterion.id}": "7", "action": "finalize"},
    )


def status_of(assignment) -> AssignmentStatus:
    db.session.expire_all()
    return db.session.get(Assignment, assignment.id).status


def test_a_minimum_share_blocks_finalizing_until_enough_was_heard(
    as_juror, assignment, recording, jury_round
):
    jury_round.min_listening_share = Decimal("0.60")
    db.session.commit()
    criterion = CriterionFactory(edition=jury_round.edition)
    report(as_juror, assignment, recording, [[0, 210]])

    refused = finalize(as_juror, assignment, criterion)
    page = as_juror.get(f"/jury/assignments/{assignment.id}").get_data(as_text=True)

    assert refused.status_code == 302
    assert status_of(assignment) == AssignmentStatus.DRAFT
    assert "You have heard 50% of “Moselklang”; at least 60% is needed." in page

    report(as_juror, assignment, recording, [[200, 260]])
    assert finalize(as_juror, assignment, criterion).status_code == 302
    assert status_of(assignment) == AssignmentStatus.FINAL


def test_without_a_minimum_share_nothing_needs_to_be_heard(as_juror, assignment, jury_round):
    criterion = CriterionFactory(edition=jury_round.edition)

    finalize(as_juror, assignment, criterion)

    assert status_of(assignment) == AssignmentStatus.FINAL
