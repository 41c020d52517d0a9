"""A worker is killed in the middle of a tally: no partial snapshot exists, and the task, handed
back to the broker, completes in a fresh worker process."""

import os
import signal
import time

import pytest
from sqlalchemy import func, select, text

from qpmusic.enums import Role
from qpmusic.extensions import db
from qpmusic.results import tally
from qpmusic.results.models import ResultSnapshot
from qpmusic.results.snapshots import read_round
from qpmusic.results.tasks import compute_results
from tests.factories import UserFactory
from tests.results.results_builders import build_jury, score_all

pytestmark = pytest.mark.integration

SCORES = {
    "Anne": [(8, 6), (6, 6), (4, 7)],
    "Bruno": [(9, 9), (7, 4), (5, 5)],
    "Carla": [(7, 7), (8, 5), (6, 3)],
    "Dora": [(6, 9), (5, 8), (3, 6)],
}


def wait_for_blocked_insert(connection, table: str, timeout=60) -> None:
    """Until a session waits for our lock while inserting into ``table``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        waiting = connection.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' "
                "AND query ILIKE :insert"
            ),
            {"insert": f"INSERT INTO {table}%"},
        ).scalar()
        if waiting:
            return
        # pg_stat_activity is read once per transaction: end it to see the next moment.
        connection.rollback()
        time.sleep(0.1)
    raise AssertionError(f"no session started to write into {table}")


def busy_process(celery_app, worker, task_id, timeout=30) -> int:
    """The pid of the worker's child process running ``task_id``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        active = celery_app.control.inspect(destination=[worker.name], timeout=1).active() or {}
        for task in active.get(worker.name, []):
            if task["id"] == task_id:
                return task["worker_pid"]
    raise AssertionError(f"task {task_id} is not running")


def wait_for_line(path, needle: str, timeout=60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log = path.read_text()
        if needle in log:
            return log
        time.sleep(0.2)
    raise AssertionError(f"{needle!r} not in the worker's log:\n{path.read_text()}")


def snapshots() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(ResultSnapshot.id)))


def test_a_worker_killed_mid_tally_leaves_no_snapshot_and_the_retry_completes_it(
    broker_app, start_worker, queue_name
):
    jury = build_jury()
    score_all(jury, SCORES)
    office = UserFactory(email="office@example.org", role=Role.ADMIN, language="en")
    celery_app = broker_app.extensions["celery"]
    worker = start_worker()
    worker.wait_ready(celery_app)

    # Hold the audit log so the tally stops right after it has written its snapshot row (the
    # audit event comes next, in the same transaction): the moment a crash must not leave
    # half a result behind.
    blocker = db.engine.connect()
    blocker.begin()
    blocker.execute(text("LOCK TABLE audit_event IN SHARE MODE"))
    try:
        task = celery_app.tasks[compute_results.name].delay(jury.round.id, office.id)
        with db.engine.connect() as watcher:
            wait_for_blocked_insert(watcher, "audit_event")
        os.kill(busy_process(celery_app, worker, task.id), signal.SIGKILL)
        assert snapshots() == 0
    finally:
        blocker.rollback()
        blocker.close()

    # The broker hands the task back (acks_late, reject_on_worker_lost) to a fresh process.
    log = wait_for_line(worker.log_path, "succeeded in")
    worker.wait_idle(celery_app, queue_name, timeout=60)
    assert "WorkerLostError" in log
    assert log.count(f"Task {compute_results.name}[{task.id}] received") == 2
    assert log.count("succeeded in") == 1
    assert snapshots() == 1
    stored = db.session.scalar(select(ResultSnapshot))
    assert stored.input_digest == tally.digest(read_round(jury.round).data)
    assert len(stored.rows) == 3
