"""Time to first byte of a Range request in the middle of a 500 MB file: the app against a
plain static file server.

Run: .venv/bin/python bench/streaming.py [--size-mb 500] [--requests 50]

(a) the app's ``media.stream`` under gunicorn (1 sync worker), a temporary instance with SQLite,
    a logged-in applicant's session cookie: access check, database queries and all;
(b) the same file from a static server that only serves files: werkzeug's ``send_file`` with
    ranges (``conditional=True``) as a bare WSGI app under the same gunicorn, so the difference
    is what the app adds. (nginx is not assumed to be installed; http.server has no ranges.)

Each request opens a new connection (as gunicorn's sync worker serves them), asks for 64 KiB
in the middle of the file and reads the whole answer; the time to the first byte includes the
connection. Requests alternate between the two servers after a warm-up, so both see the same
page cache. Target: the app's median at most twice the static server's.
"""

import argparse
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = secrets.token_urlsafe(16)
SLICE = 64 * 1024
# The session remembers the browser it was made for (Flask-Login); the requests then match it.
USER_AGENT = "qpmusic-bench"


def static_app(environ, start_response):
    """The baseline: a file and nothing else (BENCH_STATIC_FILE), ranges by werkzeug."""
    from werkzeug.utils import send_file

    # gunicorn's file wrapper cannot seek, so werkzeug would read up to the range; its own can.
    seekable = {key: value for key, value in environ.items() if key != "wsgi.file_wrapper"}
    response = send_file(
        os.environ["BENCH_STATIC_FILE"], seekable, mimetype="audio/wav", conditional=True
    )
    return response(environ, start_response)


def make_file(path: Path, size: int) -> None:
    block = os.urandom(1024 * 1024)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        for _ in range(size // len(block)):
            out.write(block)
        out.write(block[: size % len(block)])


def prepare_app(size: int) -> tuple[Path, str, str]:
    """A user, an application with one work and a ready file of ``size`` bytes; their cookie."""
    from qpmusic import create_app
    from qpmusic.accounts.models import User, UserRole
    from qpmusic.accounts.passwords import hash_password
    from qpmusic.applications.models import Application, Work
    from qpmusic.editions.models import Edition
    from qpmusic.enums import EditionPhase, MediaKind, MediaStatus, Role
    from qpmusic.extensions import db
    from qpmusic.media.models import MediaFile
    from qpmusic.media.storage import get_storage
    from qpmusic.timestamps import utcnow

    app = create_app({"WTF_CSRF_ENABLED": False})
    with app.app_context():
        db.drop_all()
        db.create_all()
        user = User(
            email="bench@example.org",
            password_hash=hash_password(PASSWORD),
            email_verified_at=utcnow(),
            role_rows=[UserRole(role=Role.APPLICANT)],
        )
        now = utcnow()
        edition = Edition(
            year=2031,
            title_de="Bench",
            title_fr="Bench",
            title_en="Bench",
            opens_at=now,
            closes_at=now,
            phase=EditionPhase.OPEN,
        )
        work = Work(application=Application(edition=edition, applicant=user), title="Bench")
        storage = get_storage()
        key = storage.new_key()
        path = storage.local_path(key)
        make_file(path, size)
        media = MediaFile(
            work=work,
            kind=MediaKind.AUDIO,
            original_name="bench.wav",
            storage_key=key,
            size=size,
            detected_type="audio/wav",
            status=MediaStatus.READY,
        )
        db.session.add(media)
        db.session.commit()
        public_id = media.public_id
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = USER_AGENT
    client.post("/login", data={"email": "bench@example.org", "password": PASSWORD})
    client.get("/")  # reads the welcome message, so the cookie carries the login only
    return path, public_id, client.get_cookie("session").value


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(target: str, port: int, env: dict) -> subprocess.Popen:
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "--workers=1",
        f"--bind=127.0.0.1:{port}",
        "--log-level=warning",
        f"--chdir={ROOT}",
        target,
    ]
    process = subprocess.Popen(command, env=env)  # noqa: S603 - our own gunicorn, fixed arguments
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"gunicorn for {target} did not start")


def fetch(port: int, path: str, start: int, cookie: str = "") -> tuple[float, bytes]:
    """Seconds to the first byte of a ranged GET, and the whole answer."""
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        f"User-Agent: {USER_AGENT}",
        f"Range: bytes={start}-{start + SLICE - 1}",
        "Connection: close",
    ]
    if cookie:
        lines.append(f"Cookie: session={cookie}")
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    began = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(request)
        chunks = [sock.recv(1 << 20)]
        first = time.perf_counter() - began
        while chunk := sock.recv(1 << 20):
            chunks.append(chunk)
    return first, b"".join(chunks)


def body_of(answer: bytes) -> tuple[str, bytes]:
    head, _, body = answer.partition(b"\r\n\r\n")
    return head.split(b"\r\n")[0].decode(), body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=500)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument(
        "--database-url",
        default="",
        help="e.g. postgresql+psycopg://postgres@127.0.0.1:5432/bench (emptied first); "
        "default: a temporary SQLite file",
    )
    options = parser.parse_args()
    size = options.size_mb * 1024 * 1024
    work_dir = Path(tempfile.mkdtemp(prefix="qpmusic-bench-"))
    processes = []
    try:
        os.environ.update(
            {
                "QPMUSIC_ENV": "embedded",
                "QPMUSIC_INSTANCE_PATH": str(work_dir / "instance"),
                "QPMUSIC_DATABASE_URL": options.database_url
                or f"sqlite:///{work_dir / 'bench.sqlite'}",
                "QPMUSIC_MEDIA_ROOT": str(work_dir / "media"),
                "QPMUSIC_SECRET_KEY": secrets.token_urlsafe(48),
                "QPMUSIC_MEDIA_ACCEL_PREFIX": "",
            }
        )
        sys.path.insert(0, str(ROOT))
        path, public_id, cookie = prepare_app(size)
        env = {**os.environ, "BENCH_STATIC_FILE": str(path)}
        app_port, static_port = free_port(), free_port()
        processes.append(start_gunicorn("qpmusic:create_app()", app_port, env))
        processes.append(start_gunicorn("bench.streaming:static_app", static_port, env))

        middle = size // 2
        with path.open("rb") as file:
            file.seek(middle)
            expected = file.read(SLICE)
        app_url = f"/media/{public_id}"
        for name, port, url, with_cookie in (
            ("app", app_port, app_url, cookie),
            ("static", static_port, "/", ""),
        ):
            status, body = body_of(fetch(port, url, middle, with_cookie)[1])
            if status.split()[1] != "206":
                raise SystemExit(f"{name} answered {status!r}, not 206")
            if body != expected:
                raise SystemExit(f"{name} sent the wrong bytes")
        for _ in range(5):
            fetch(app_port, app_url, middle, cookie)
            fetch(static_port, "/", middle)

        app_times, static_times = [], []
        for _ in range(options.requests):
            app_times.append(fetch(app_port, app_url, middle, cookie)[0])
            static_times.append(fetch(static_port, "/", middle)[0])
        app_median = statistics.median(app_times) * 1000
        static_median = statistics.median(static_times) * 1000
        print(
            f"{options.size_mb} MB file, {options.requests} requests each for 64 KiB at byte "
            f"{middle:,} (new connection each, gunicorn 1 sync worker); median time to first byte:"
        )
        database = "PostgreSQL" if options.database_url.startswith("postgresql") else "SQLite"
        print(f"app media.stream (session, access check, {database}): {app_median:.2f} ms")
        print(f"static werkzeug send_file (no app, no database) : {static_median:.2f} ms")
        print(f"ratio app / static: {app_median / static_median:.2f} (target: at most 2)")
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)
        shutil.rmtree(work_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
