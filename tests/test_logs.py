"""Logs: JSON lines in production, every line of a request and of its tasks with one id."""

import io
import json
import logging
import time

import pytest

from tests.accounts.test_registration import register
from tests.conftest import make_app


@pytest.fixture
def logged(test_config):
    """The app writing JSON log lines into a buffer, as production writes them to stderr."""
    stream = io.StringIO()
    app = make_app({**test_config, "LOG_FORMAT": "json", "LOG_STREAM": stream})
    yield app, stream
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "qpmusic", False)]:
        root.removeHandler(handler)


def lines(stream) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_every_answer_carries_a_request_id(client):
    first = client.get("/").headers["X-Request-ID"]
    second = client.get("/").headers["X-Request-ID"]

    assert len(first) == 32
    assert first != second


def test_a_request_id_from_the_front_proxy_is_kept_when_well_formed(client):
    kept = client.get("/", headers={"X-Request-ID": "edge-7f3a9c1d"})
    assert kept.headers["X-Request-ID"] == "edge-7f3a9c1d"

    for hostile in ("short", "x" * 65, "id with spaces", "abc\tdefghij", "café-1234567"):
        answer = client.get("/", headers={"X-Request-ID": hostile})
        assert answer.headers["X-Request-ID"] != hostile
        assert len(answer.headers["X-Request-ID"]) == 32


def test_a_task_logs_with_the_id_of_the_request_that_queued_it(logged, mailbox):
    app, stream = logged
    mailbox.refuse = True  # the verification e-mail fails and its task logs why
    with app.app_context():
        response = register(app.test_client())
    request_id = response.headers["X-Request-ID"]

    [failure] = [line for line in lines(stream) if "attempt 1 failed" in line["message"]]
    assert failure["request_id"] == request_id
    assert failure["level"] == "WARNING"
    assert failure["logger"] == "qpmusic.notifications.tasks"
    assert {"time", "message"} <= failure.keys()


def test_text_logs_name_the_request_id_too(test_config, mailbox):
    stream = io.StringIO()
    app = make_app({**test_config, "LOG_FORMAT": "text", "LOG_STREAM": stream})
    try:
        mailbox.refuse = True
        with app.app_context():
            response = register(app.test_client())
    finally:
        root = logging.getLogger()
        for handler in [h for h in root.handlers if getattr(h, "qpmusic", False)]:
            root.removeHandler(handler)

    [failure] = [line for line in stream.getvalue().splitlines() if "attempt 1 failed" in line]
    assert f"[{response.headers['X-Request-ID']}]" in failure
    assert " WARNING qpmusic.notifications.tasks " in failure


@pytest.mark.integration
def test_a_worker_logs_json_with_the_id_of_the_request_that_queued_its_task(
    broker_app, start_worker, mailbox, queue_name
):
    celery_app = broker_app.extensions["celery"]
    worker = start_worker(QPMUSIC_LOG_FORMAT="json", QPMUSIC_MAIL_RETRY_BACKOFF="1")
    worker.wait_ready(celery_app)
    mailbox.refuse = True

    response = register(broker_app.test_client())
    request_id = response.headers["X-Request-ID"]
    deadline = time.monotonic() + 60
    while "attempt 1 failed" not in worker.log_path.read_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    mailbox.refuse = False
    worker.wait_idle(celery_app, queue_name)

    records = [
        json.loads(line)
        for line in worker.log_path.read_text().splitlines()
        if line.startswith("{")
    ]
    [failure] = [r for r in records if "attempt 1 failed" in r["message"]]
    assert failure["request_id"] == request_id
    assert any(r["message"].endswith("ready.") for r in records)  # Celery's own lines too
