"""Tally snapshots: read from the round, stored once per input, refused when they must be."""

import json
import os
from dataclasses import asdict

import pytest
from sqlalchemy import func, select, text

from qpmusic.audit.models import AuditEvent
from qpmusic.enums import AssignmentStatus, ConflictSource, ConflictStatus, Role, RoundStatus
from qpmusic.extensions import db
from qpmusic.jury.models import Assignment, Score
from qpmusic.results import tally
from qpmusic.results.models import ResultSnapshot
from qpmusic.results.snapshots import (
    TallyRefused,
    compute_snapshot,
    conflict_counts,
    current_snapshot,
    newest_snapshot,
    read_round,
    snapshot_in_force,
    tally_input,
)
from qpmusic.results.tasks import compute_results
from qpmusic.timestamps import utcnow
from tests.celery_worker import Worker
from tests.conftest import make_app
from tests.factories import UserFactory
from tests.results.results_builders import build_jury, conflict, review, score_all
from tests.services import DATABASE_URL, REDIS_URL

SCORES = {
    # per application A, B, C: (criterion 1 weight 2, criterion 2 weight 1)
    "Anne": [(8, 6), (6, 6), (4, 7)],
    "Bruno": [(9, 9), (7, 4), (5, 5)],
    "Carla": [(7, 7), (8, 5), (6, 3)],
    "Dora": [(6, 9), (5, 8), (3, 6)],
}


@pytest.fixture
def jury():
    jury = build_jury()
    score_all(jury, SCORES)
    return jury


@pytest.fixture
def office():
    return UserFactory(email="office@example.org", role=Role.ADMIN, language="en")


def snapshot_count(round_id=None) -> int:
    query = select(func.count(ResultSnapshot.id))
    if round_id is not None:
        query = query.where(ResultSnapshot.round_id == round_id)
    return db.session.scalar(query)


def test_tally_input_has_every_final_review_with_city_weights_and_round_rules(jury):
    jury.round.outlier_k = 1.5
    jury.round.tie_break = ["city_balanced", "median"]
    db.session.commit()

    data = tally_input(jury.round)

    assert len(data.reviews) == 12
    anne_a = next(
        r
        for r in data.reviews
        if r.juror_id == jury.jurors["Anne"].id and r.application_id == jury.application(0).id
    )
    c1, c2 = (c.id for c in jury.criteria)
    assert anne_a.values == ((c1, 8.0), (c2, 6.0))
    assert anne_a.city_id == jury.cities["Metz"].id
    assert anne_a.conflicted is False
    assert [(c.id, c.weight, c.scale_min, c.scale_max) for c in data.criteria] == [
        (c1, 2.0, 0.0, 10.0),
        (c2, 1.0, 0.0, 10.0),
    ]
    # The round model's "median" is the engine's "raw_median".
    assert data.tie_break == ("city_balanced", "raw_median")
    assert data.outlier_k == 1.5


def test_reviews_not_final_are_abstentions_and_a_conflicted_final_review_is_marked(office):
    jury = build_jury(applications=2)
    review(jury, "Anne", 0, (7, 7))
    review(jury, "Bruno", 0, (5, None), status=AssignmentStatus.DRAFT)
    review(jury, "Carla", 0, None, status=AssignmentStatus.TODO)
    review(jury, "Dora", 0, (9, 9))
    review(jury, "Dora", 1, None, status=AssignmentStatus.TODO)
    # Named by the applicant and confirmed after Dora finalized: it counts as a conflict.
    conflict(jury, "Dora", 0, source=ConflictSource.APPLICANT, status=ConflictStatus.CONFIRMED)
    conflict(jury, "Dora", 1)

    reading = read_round(jury.round)

    dora, anne = jury.jurors["Dora"].id, jury.jurors["Anne"].id
    first, second = (a.id for a in jury.applications)
    assert sorted((r.juror_id, r.conflicted) for r in reading.data.reviews) == [
        (anne, False),
        (dora, True),
    ]
    assert reading.abstentions == (
        (jury.jurors["Bruno"].id, first, "draft"),
        (jury.jurors["Carla"].id, first, "todo"),
    )
    assert reading.conflicts == ((dora, first), (dora, second))
    assert reading.application_ids == (first, second)

    snapshot = compute_snapshot(round_=jury.round, actor=office)
    [row] = [r for r in snapshot.rows if r["application_id"] == first]
    assert (row["reviews"], row["conflicts"], row["raw_mean"]) == (1, 1, 7.0)


def test_compute_snapshot_stores_input_parameters_rows_jurors_and_an_audit_event(jury, office):
    snapshot = compute_snapshot(round_=jury.round, actor=office)
    db.session.commit()

    data = tally_input(jury.round)
    assert snapshot.input_digest == tally.digest(data)
    assert snapshot.inputs == tally.canonical(data)
    assert snapshot.computed_by_id == office.id
    assert snapshot.parameters["tie_break"] == ["normalized", "city_balanced", "raw_median"]
    assert snapshot.parameters["round_status"] == "closed"
    assert snapshot.parameters["abstentions"] == []
    assert [row["application_id"] for row in snapshot.rows] == [a.id for a in jury.applications]
    first = snapshot.rows[0]
    assert first["raw_mean"] == pytest.approx((22 / 3 + 9 + 7 + 7) / 4, abs=1e-6)
    assert (first["rank"], first["tie"], first["reviews"]) == (1, False, 4)
    assert len(snapshot.jurors) == 4
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "results.computed"))
    assert (event.actor_id, event.target_type, event.target_id) == (
        office.id,
        "result_snapshot",
        snapshot.id,
    )
    assert event.after == {
        "round_id": jury.round.id,
        "input_digest": snapshot.input_digest,
        "applications": 3,
    }


def test_the_same_input_twice_gives_the_stored_snapshot_and_no_second_event(jury, office):
    first = compute_snapshot(round_=jury.round, actor=office)
    db.session.commit()

    again = compute_snapshot(round_=jury.round, actor=None)
    db.session.commit()

    assert again.id == first.id
    assert snapshot_count() == 1
    assert db.session.scalar(select(func.count(AuditEvent.id))) == 1


def test_a_changed_review_gives_a_new_snapshot_and_keeps_the_earlier_one(jury, office):
    first = compute_snapshot(round_=jury.round, actor=office)
    db.session.commit()
    # The office reopened Anne's review of A and she finalized it with another score.
    score = db.session.scalar(
        select(Score)
        .join(Assignment)
        .where(
            Assignment.juror_id == jury.jurors["Anne"].id,
            Assignment.application_id == jury.application(0).id,
        )
        .order_by(Score.criterion_id)
        .limit(1)
    )
    score.value = 3
    db.session.commit()

    second = compute_snapshot(round_=jury.round, actor=office)
    db.session.commit()

    assert second.id != first.id
    assert second.input_digest != first.input_digest
    assert snapshot_count(jury.round.id) == 2
    assert second.rows[0]["raw_mean"] != first.rows[0]["raw_mean"]


def test_a_snapshot_recomputed_from_its_stored_input_gives_the_same_digest_and_rows(jury, office):
    jury.round.outlier_k = 1
    db.session.commit()
    compute_snapshot(round_=jury.round, actor=office)
    db.session.commit()
    db.session.expire_all()

    stored = db.session.scalar(select(ResultSnapshot))
    data = tally.from_canonical(stored.inputs)
    result = tally.compute(data)

    assert tally.digest(data) == stored.input_digest
    assert json.loads(json.dumps([asdict(r) for r in result.rows])) == stored.rows
    assert json.loads(json.dumps([asdict(j) for j in result.jurors])) == stored.jurors


def test_an_open_round_with_a_draft_is_refused(app, office):
    jury = build_jury(status=RoundStatus.OPEN)
    review(jury, "Anne", 0, (7, 7))
    review(jury, "Bruno", 0, (5, None), status=AssignmentStatus.DRAFT)

    with pytest.raises(TallyRefused) as refused:
        compute_snapshot(round_=jury.round, actor=office)

    assert refused.value.code == "drafts"
    with app.test_request_context("/?lang=en"):
        message = str(refused.value)
    assert message == (
        "1 review is still a draft. Wait until it is final, or close the round: "
        "drafts then count as abstentions."
    )
    assert snapshot_count() == 0


def test_a_closed_round_with_a_draft_is_tallied_and_the_draft_is_an_abstention(office):
    jury = build_jury(status=RoundStatus.CLOSED)
    review(jury, "Anne", 0, (7, 7))
    review(jury, "Bruno", 0, (5, None), status=AssignmentStatus.DRAFT)

    snapshot = compute_snapshot(round_=jury.round, actor=office)

    assert snapshot.parameters["abstentions"] == [
        [jury.jurors["Bruno"].id, jury.application(0).id, "draft"]
    ]
    assert [r["reviews"] for r in snapshot.rows] == [1]


def test_an_open_round_without_drafts_is_tallied(office):
    jury = build_jury(status=RoundStatus.OPEN)
    review(jury, "Anne", 0, (7, 7))
    review(jury, "Bruno", 0, None, status=AssignmentStatus.TODO)

    snapshot = compute_snapshot(round_=jury.round, actor=office)

    assert snapshot.parameters["round_status"] == "open"


def test_a_frozen_round_is_not_tallied_again(jury, office):
    compute_snapshot(round_=jury.round, actor=office)
    db.session.commit()
    jury.round.frozen_at = utcnow()
    db.session.commit()

    with pytest.raises(TallyRefused) as refused:
        compute_snapshot(round_=jury.round, actor=office)

    assert refused.value.code == "frozen"
    db.session.rollback()  # the refused run's lock on the round goes with its transaction
    assert compute_results(jury.round.id, office.id) == "frozen"
    assert snapshot_count() == 1


def test_a_round_not_opened_yet_is_refused(office):
    jury = build_jury(status=RoundStatus.DRAFT)

    with pytest.raises(TallyRefused) as refused:
        compute_snapshot(round_=jury.round, actor=office)

    assert refused.value.code == "not_open"


def test_the_task_stores_one_snapshot_however_often_it_runs(jury, office):
    digest = compute_results(jury.round.id, office.id)
    assert compute_results(jury.round.id, office.id) == digest
    assert compute_results(jury.round.id) == digest

    db.session.expire_all()
    snapshot = db.session.scalar(select(ResultSnapshot))
    assert (snapshot_count(), snapshot.input_digest, snapshot.computed_by_id) == (
        1,
        digest,
        office.id,
    )
    assert compute_results(987654) == "gone"


@pytest.fixture
def failing_audit():
    """The database refuses audit events, as a full disk or a lost connection would, mid-way."""
    statements = [
        "CREATE FUNCTION qp_test_refuse() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'audit log unavailable'; END $$",
        "CREATE TRIGGER qp_test_refuse BEFORE INSERT ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION qp_test_refuse()",
    ]
    with db.engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))
    yield
    with db.engine.begin() as connection:
        connection.execute(text("DROP TRIGGER qp_test_refuse ON audit_event"))
        connection.execute(text("DROP FUNCTION qp_test_refuse()"))


def test_a_failure_after_the_snapshot_row_was_written_leaves_no_snapshot(
    jury, office, failing_audit
):
    with pytest.raises(Exception, match="audit log unavailable"):
        compute_results(jury.round.id, office.id)

    assert snapshot_count() == 0


@pytest.fixture
def broker_app(smtp, queue_name, test_config, monkeypatch):
    """The web side with a real broker and the environment a worker process starts from."""
    values = {
        "QPMUSIC_ENV": "testing",
        "QPMUSIC_DATABASE_URL": DATABASE_URL,
        "QPMUSIC_BROKER_URL": REDIS_URL,
        "QPMUSIC_CELERY_QUEUE": queue_name,
        "QPMUSIC_MAIL_BACKEND": "smtp",
        "QPMUSIC_MAIL_SERVER": "127.0.0.1",
        "QPMUSIC_MAIL_PORT": str(smtp[1]),
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    app = make_app({k: v for k, v in test_config.items() if not k.startswith("MAIL_")})
    assert not app.extensions["celery"].conf.task_always_eager
    with app.app_context():
        yield app, {**os.environ, **values}
        db.session.remove()


@pytest.mark.integration
def test_a_real_worker_running_the_task_twice_stores_one_snapshot(
    broker_app, jury, office, queue_name, tmp_path
):
    app, env = broker_app
    celery_app = app.extensions["celery"]
    worker = Worker(env, queue_name, tmp_path / "worker.log")
    try:
        worker.wait_ready(celery_app)
        task = celery_app.tasks[compute_results.name]
        task.delay(jury.round.id, office.id)
        task.delay(jury.round.id, office.id)
        worker.wait_idle(celery_app, queue_name)
    finally:
        worker.stop()

    assert snapshot_count(jury.round.id) == 1
    snapshot = db.session.scalar(select(ResultSnapshot))
    assert snapshot.input_digest == tally.digest(tally_input(jury.round))
    assert worker.log_path.read_text().count("succeeded in") == 2
    assert db.session.scalar(select(func.count(AuditEvent.id))) == 1


def test_a_round_without_any_final_review_is_refused(office):
    jury = build_jury(status=RoundStatus.CLOSED)
    review(jury, "Anne", 0, (5, None), status=AssignmentStatus.DRAFT)

    with pytest.raises(TallyRefused) as refused:
        compute_snapshot(round_=jury.round, actor=office)

    assert refused.value.code == "empty"


def test_recomputing_the_digest_from_the_stored_scores_finds_the_stored_snapshot(jury, office):
    jury.round.outlier_k = 1.5
    jury.round.tie_break = ["city_balanced", "median"]
    db.session.commit()
    compute_snapshot(round_=jury.round, actor=office)
    db.session.commit()
    db.session.expire_all()

    stored = db.session.scalar(select(ResultSnapshot))
    again = tally.digest(read_round(jury.round).data)

    assert again == stored.input_digest
    assert current_snapshot(jury.round).id == stored.id


def test_the_current_snapshot_matches_the_reviews_now_not_the_newest(jury, office):
    claim = conflict(jury, "Anne", 0, source=ConflictSource.APPLICANT)
    first = compute_snapshot(round_=jury.round, actor=office)
    db.session.commit()
    claim.status = ConflictStatus.CONFIRMED
    db.session.commit()
    second = compute_snapshot(round_=jury.round, actor=office)
    db.session.commit()
    claim.status = ConflictStatus.DISMISSED
    db.session.commit()

    again = compute_snapshot(round_=jury.round, actor=office)
    db.session.commit()

    # The dismissed conflict gives the first input back: its stored snapshot is current,
    # though the one computed last holds the confirmed conflict.
    assert again.id == first.id
    assert newest_snapshot(jury.round.id).id == second.id
    assert current_snapshot(jury.round).id == first.id
    assert snapshot_in_force(jury.round).id == first.id


def test_no_snapshot_is_current_before_a_tally_or_once_a_review_changed(jury, office):
    assert current_snapshot(jury.round) is None
    compute_snapshot(round_=jury.round, actor=office)
    db.session.commit()

    conflict(jury, "Bruno", 1)

    assert current_snapshot(jury.round) is None
    assert newest_snapshot(jury.round.id) is not None


def test_a_frozen_round_keeps_its_snapshot_in_force_whatever_changes_after(jury, office):
    snapshot = compute_snapshot(round_=jury.round, actor=office)
    jury.round.frozen_snapshot_id = snapshot.id
    jury.round.frozen_at = utcnow()
    db.session.commit()

    conflict(jury, "Bruno", 1)

    assert current_snapshot(jury.round) is None
    assert snapshot_in_force(jury.round).id == snapshot.id


def test_conflict_counts_count_every_conflict_in_force_reviewed_or_not(office):
    jury = build_jury(applications=2)
    review(jury, "Anne", 0, (7, 7))
    review(jury, "Bruno", 0, (6, 6))
    review(jury, "Carla", 1, (5, 5))
    review(jury, "Dora", 1, None, status=AssignmentStatus.TODO)
    conflict(jury, "Bruno", 0)  # on a final review
    conflict(jury, "Dora", 1)  # on a review never started
    conflict(jury, "Carla", 0)  # not assigned at all

    snapshot = compute_snapshot(round_=jury.round, actor=office)

    first, second = (a.id for a in jury.applications)
    assert conflict_counts(snapshot) == {first: 2, second: 1}
    # The row counts only the conflicted final reviews.
    assert {r["application_id"]: r["conflicts"] for r in snapshot.rows} == {first: 1, second: 0}
