"""A real Celery worker process on Redis, on a queue of its own, for the integration tests."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import redis

from tests.services import REDIS_URL

ROOT = Path(__file__).resolve().parents[1]


class Worker:
    def __init__(self, env, queue, log_path):
        self.name = f"{queue}@localhost"
        self.log_path = log_path
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "worker",
                "worker",
                "--loglevel=INFO",
                "--concurrency=2",
                "-Q",
                queue,
                "-n",
                self.name,
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=env,
            stdout=log_path.open("w"),
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, celery_app, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"worker exited:\n{self.log_path.read_text()}")
            if celery_app.control.ping(destination=[self.name], timeout=0.5):
                return
        raise AssertionError(f"worker not ready:\n{self.log_path.read_text()}")

    def wait_idle(self, celery_app, queue, timeout=30):
        """Until the queue is empty and the worker holds no task."""
        client = redis.Redis.from_url(REDIS_URL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if client.llen(queue) == 0:
                inspect = celery_app.control.inspect(destination=[self.name], timeout=1)
                active, reserved = inspect.active() or {}, inspect.reserved() or {}
                if active and not any(active.values()) and not any(reserved.values()):
                    return
            time.sleep(0.2)
        raise AssertionError(f"worker still busy:\n{self.log_path.read_text()}")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
