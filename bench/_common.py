"""Processes the production benchmarks start: gunicorn, Celery workers, an SMTP sink, a schema."""

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from aiosmtpd.controller import Controller
from flask import Flask

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
OUTBOX_ID = re.compile(rb"^X-QPMusic-Outbox-Id:\s*(\d+)", re.MULTILINE | re.IGNORECASE)
RECIPIENT = re.compile(rb"^To:\s*(\S+)", re.MULTILINE | re.IGNORECASE)

# The reference endpoint: the least a Flask view served by the same gunicorn can cost.
bare = Flask("bench_bare")


@bare.get("/bench-bare")
def bench_bare():
    return "ok"


def machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown CPU",
    )
    return f"{os.cpu_count()} CPUs ({len(os.sched_getaffinity(0))} usable), {model}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_env(*, work_dir: Path, database_url: str, broker_url: str, queue: str, **settings) -> dict:
    """The QPMUSIC_* settings of a production process, pointed at this run's services."""
    values = {
        "QPMUSIC_ENV": "production",
        # Plain HTTP on loopback: Secure cookies would never come back to the server.
        "QPMUSIC_SECURE_COOKIES": "0",
        "QPMUSIC_SECRET_KEY": secrets.token_urlsafe(48),
        "QPMUSIC_INSTANCE_PATH": str(work_dir / "instance"),
        "QPMUSIC_MEDIA_ROOT": str(work_dir / "media"),
        "QPMUSIC_DATABASE_URL": database_url,
        "QPMUSIC_BROKER_URL": broker_url,
        "QPMUSIC_CELERY_QUEUE": queue,
    }
    values.update({f"QPMUSIC_{key.upper()}": str(value) for key, value in settings.items()})
    return values


def reset_schema(app) -> None:
    """Empty the database and build the schema the way production does: by migrating."""
    import flask_migrate
    from sqlalchemy import text

    from qpmusic.extensions import db

    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        db.engine.dispose()


def start_gunicorn(port: int, target: str, env: dict, log: Path) -> subprocess.Popen:
    """Gunicorn with the production configuration (qpmusic/gunicorn_conf.py), on loopback.

    Its workers and threads follow QPMUSIC_WEB_WORKERS / QPMUSIC_WEB_THREADS in ``env``; its
    JSON access lines go to ``log`` as they would go to the container's log.
    """
    command = [
        str(BIN / "gunicorn"),
        "--config=python:qpmusic.gunicorn_conf",
        f"--bind=127.0.0.1:{port}",
        f"--chdir={ROOT}",
        target,
    ]
    process = subprocess.Popen(  # noqa: S603 - our own venv's gunicorn
        command, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{log.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.1)
    stop(process)
    raise RuntimeError(f"gunicorn did not start:\n{log.read_text()}")


def tree_cpu_seconds(pid: int) -> float:
    """CPU time of a process, its live children and those it has reaped (gunicorn's workers)."""

    def fields(process: int) -> list[str]:
        return Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()

    ticks = sum(int(value) for value in fields(pid)[11:15])
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        try:
            ticks += sum(int(value) for value in fields(int(child))[11:13])
        except FileNotFoundError:
            continue  # a worker recycled just now; its time is in the reaped sum
    return ticks / os.sysconf("SC_CLK_TCK")


def start_worker(env: dict, queue: str, name: str, log: Path, *, concurrency: int):
    """A `celery worker` process as in production, reading only this run's queue."""
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "worker:celery",
        "worker",
        "--loglevel=INFO",  # as in docker-compose.yml
        f"--concurrency={concurrency}",
        "-Q",
        queue,
        "-n",
        f"{name}@bench",
        "--without-gossip",
        "--without-mingle",
    ]
    return subprocess.Popen(  # noqa: S603 - our own venv's celery
        command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT
    )


def wait_workers_ready(celery_app, names: list[str], processes, logs: list[Path]) -> None:
    wanted = {f"{name}@bench" for name in names}
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if any(process.poll() is not None for process in processes):
            break
        answered = celery_app.control.ping(destination=list(wanted), timeout=1)
        if wanted <= {name for reply in answered for name in reply}:
            return
    text = "\n".join(log.read_text() for log in logs)
    raise RuntimeError(f"Celery workers not ready:\n{text}")


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Sink:
    """An SMTP server that keeps only what the checks need: outbox ids and recipients.

    Parsing every message fully would make the sink, not the senders, the bottleneck.
    """

    def __init__(self):
        self.outbox_ids: list[int] = []
        self.recipients: list[str] = []
        self.last_at = 0.0
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        content = envelope.content
        header = content.split(b"\r\n\r\n", 1)[0]
        found = OUTBOX_ID.search(header)
        to = RECIPIENT.search(header)
        with self._lock:
            self.outbox_ids.append(int(found.group(1)) if found else -1)
            self.recipients.append(to.group(1).decode() if to else "")
            self.last_at = time.perf_counter()
        return "250 OK"

    def count(self) -> int:
        with self._lock:
            return len(self.outbox_ids)

    def clear(self) -> None:
        with self._lock:
            self.outbox_ids.clear()
            self.recipients.clear()

    def wait_for(self, count: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.count() >= count:
                return True
            time.sleep(0.02)
        return False


def start_sink() -> tuple[Controller, Sink]:
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller, sink


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (``share`` in 0..1) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[int(rank) - 1]
