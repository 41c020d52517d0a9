"""A real Celery worker on Redis processes an uploaded recording once, after the commit."""

import os
import time

import pytest

from qpmusic.enums import MediaStatus
from qpmusic.extensions import db
from qpmusic.media.models import MediaFile
from qpmusic.media.tasks import process_media, schedule_processing
from tests.celery_worker import Worker
from tests.conftest import make_app
from tests.media import files
from tests.media.test_processing import received
from tests.services import DATABASE_URL, REDIS_URL

pytestmark = pytest.mark.integration


@pytest.fixture
def worker_env(queue_name, test_config, monkeypatch):
    values = {
        "QPMUSIC_ENV": "testing",
        "QPMUSIC_DATABASE_URL": DATABASE_URL,
        "QPMUSIC_BROKER_URL": REDIS_URL,
        "QPMUSIC_CELERY_QUEUE": queue_name,
        "QPMUSIC_MEDIA_ROOT": test_config["MEDIA_ROOT"],
        "QPMUSIC_BASE_URL": "http://localhost",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return {**os.environ, **values}


@pytest.fixture
def broker_app(worker_env, test_config):
    """The web side with a real broker: tasks go to Redis instead of running in-process."""
    app = make_app(test_config)
    assert not app.extensions["celery"].conf.task_always_eager
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def worker(worker_env, queue_name, tmp_path, broker_app):
    worker = Worker(worker_env, queue_name, tmp_path / "worker.log")
    worker.wait_ready(broker_app.extensions["celery"])
    yield worker
    worker.stop()


def wait_until_processed(media_id: int, worker: Worker, timeout: float = 60) -> MediaFile:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.expire_all()
        media = db.session.get(MediaFile, media_id)
        if media.status != MediaStatus.PROCESSING:
            return media
        time.sleep(0.2)
    raise AssertionError(f"still processing:\n{worker.log_path.read_text()}")


def test_worker_processes_a_recording_once_also_when_the_task_arrives_twice(
    broker_app, worker, queue_name
):
    celery_app = broker_app.extensions["celery"]
    media = received(files.flac_bytes(2.0), name="take.flac")
    schedule_processing(media)
    db.session.commit()

    done = wait_until_processed(media.id, worker)
    celery_app.tasks[process_media.name].delay(media.id)
    worker.wait_idle(celery_app, queue_name)

    assert (done.status, done.duration_seconds) == (MediaStatus.READY, 2.0)
    assert len(done.peaks) > 700
    assert done.blind_key is not None
    assert worker.log_path.read_text().count("'skipped'") == 1
