"""Memory and throughput of the tus endpoint while it receives a 1 GB upload.

Run: .venv/bin/python bench/uploads.py [--size 1G] [--chunk 8M] [--rounds 3]
     [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench]

The app runs under gunicorn (1 sync worker) with a temporary instance and media folder, and
SQLite (the default) or the PostgreSQL database given (emptied first);
tasks go to an in-memory broker nobody reads, so the processing of the finished file (a separate
Celery worker in production) is not part of the figures. A musician with one work is made
directly in the database; the bench then logs in over HTTP like a browser, takes the work page's
CSRF token and uploads a WAV of the given size with tus in chunks (creation, then PATCHes), the
bytes made on the fly so the client holds one chunk at a time.

Measured in the same run:
- the worker's peak resident memory above its idle level (VmHWM after resetting it through
  /proc/<pid>/clear_refs, and sampled VmRSS as a cross-check); target: under 64 MB;
- upload throughput as a ratio of writing the same bytes straight to a file on the same disk with
  the same durability (1 MB writes, fsync after each chunk); target: at least 0.5. The direct write
  is timed twice, plainly and with the server's early write-back (each 1 MB handed to the disk at
  once, ``write_back_early``), and the faster of the two medians is the baseline.
  The disk's speed on this virtual machine varies by a factor of two from one minute to the
  next, so the upload, the direct write and the bare app below take turns for ``--rounds``
  rounds and the medians are compared.
For reference it also sends the same chunks to a bare WSGI app that only appends the body to a
file, under the same gunicorn: the ceiling of a Python sync worker on this machine, whatever the
app does. The exit status is 1 when a target is missed.
"""

import argparse
import os
import re
import secrets
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
from base64 import b64encode
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Bench-Klang-2026!"  # noqa: S105 - a throwaway account in a temporary database
EMAIL = "bench@example.org"
MB = 1024 * 1024
TARGET_MEMORY_MB = 64
TARGET_RATIO = 0.5


def parse_size(text: str) -> int:
    units = {"": 1, "K": 1024, "M": MB, "G": 1024 * MB}
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([KMG]?)i?B?", text.strip().upper())
    if not match:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 1G, 200M)")
    return int(float(match.group(1)) * units[match.group(2)])


def wav_header(data_size: int, rate: int = 48000, channels: int = 2) -> bytes:
    """A 16-bit PCM WAV header announcing ``data_size`` bytes of samples."""
    block = channels * 2
    return b"".join(
        [
            b"RIFF",
            struct.pack("<I", 36 + data_size),
            b"WAVEfmt ",
            struct.pack("<IHHIIHH", 16, 1, channels, rate, rate * block, block, 16),
            b"data",
            struct.pack("<I", data_size),
        ]
    )


class Payload:
    """The upload's bytes, made on demand: a header, then 1 MB of noise repeated."""

    def __init__(self, size: int):
        self.size = size
        self.header = wav_header(size - 44)
        self.block = os.urandom(MB)

    def chunk(self, offset: int, length: int) -> bytes:
        out = bytearray()
        end = offset + length
        position = offset
        if position < len(self.header):
            out += self.header[position:end]
            position = min(end, len(self.header))
        while position < end:
            inner = (position - len(self.header)) % MB
            take = min(end - position, MB - inner)
            out += self.block[inner : inner + take]
            position += take
        return bytes(out)


def bare_receiver(environ, start_response):
    """Reference: a WSGI app that only appends the body to a file (1 MB reads, one fsync)."""
    from qpmusic.media.storage import write_back_early

    stream, left = environ["wsgi.input"], int(environ.get("CONTENT_LENGTH") or 0)
    with open(os.environ["BENCH_BARE_FILE"], "ab") as out:
        while left > 0:
            data = stream.read(min(MB, left))
            if not data:
                break
            out.write(data)
            out.flush()
            write_back_early(out.fileno(), out.tell() - len(data), len(data))
            left -= len(data)
        out.flush()
        os.fsync(out.fileno())
    start_response("204 No Content", [])
    return [b""]


def bare_upload(base: str, payload: Payload, chunk: int) -> float:
    """Seconds to send the same chunks to ``bare_receiver``."""
    session = requests.Session()
    began = time.perf_counter()
    for offset in range(0, payload.size, chunk):
        answer = session.patch(base, data=payload.chunk(offset, min(chunk, payload.size - offset)))
        answer.raise_for_status()
    return time.perf_counter() - began


def prepare_database() -> str:
    """A musician with a draft application and one work; the work page's path."""
    from qpmusic import create_app
    from qpmusic.accounts.models import User, UserRole
    from qpmusic.accounts.passwords import hash_password
    from qpmusic.applications.models import Application, Work
    from qpmusic.editions.models import Edition
    from qpmusic.enums import EditionPhase, Role
    from qpmusic.extensions import db
    from qpmusic.timestamps import utcnow

    app = create_app()
    with app.app_context():
        db.drop_all()
        db.create_all()
        now = utcnow()
        user = User(
            email=EMAIL,
            name="Bench",
            language="en",
            password_hash=hash_password(PASSWORD),
            email_verified_at=now,
            role_rows=[UserRole(role=Role.APPLICANT)],
        )
        edition = Edition(
            year=2031,
            title_de="Bench",
            title_fr="Bench",
            title_en="Bench",
            opens_at=now.replace(year=now.year - 1),
            closes_at=now.replace(year=now.year + 1),
            phase=EditionPhase.OPEN,
        )
        work = Work(application=Application(edition=edition, applicant=user), title="Bench")
        db.session.add(work)
        db.session.commit()
        return f"/applications/{work.application_id}/works/{work.id}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(port: int, target: str = "qpmusic:create_app()") -> subprocess.Popen:
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "--workers=1",
        "--timeout=300",
        f"--bind=127.0.0.1:{port}",
        "--log-level=warning",
        f"--chdir={ROOT}",
        target,
    ]
    process = subprocess.Popen(command, env=dict(os.environ))  # noqa: S603 - our own venv's gunicorn
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def worker_pid(master: int) -> int:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("no gunicorn worker found")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


class RssSampler(threading.Thread):
    """Samples a process's VmRSS every few milliseconds; ``peak`` in kB."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.running = True

    def run(self):
        while self.running:
            self.peak = max(self.peak, status_kb(self.pid, "VmRSS"))
            time.sleep(0.005)


def log_in(base: str, work_page: str) -> tuple[requests.Session, str]:
    """Log in as a browser would; the session and the work page's CSRF token for tus."""
    session = requests.Session()
    page = session.get(f"{base}/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    session.post(f"{base}/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token})
    page = session.get(base + work_page).text
    return session, re.search(r'data-csrf="([^"]+)"', page).group(1)


def tus_upload(session, base: str, token: str, work_id: int, payload: Payload, chunk: int) -> str:
    """Create the upload and send every chunk; the finished file's public id."""
    tus = {"Tus-Resumable": "1.0.0", "X-CSRFToken": token}
    metadata = ",".join(
        f"{key} {b64encode(value.encode()).decode()}"
        for key, value in {"filename": "bench.wav", "work_id": str(work_id)}.items()
    )
    created = session.post(
        f"{base}/uploads/",
        headers={**tus, "Upload-Length": str(payload.size), "Upload-Metadata": metadata},
    )
    if created.status_code != 201:
        raise RuntimeError(f"creation refused: {created.status_code} {created.text}")
    url = base + created.headers["Location"]
    offset, answer = 0, created
    while offset < payload.size:
        answer = session.patch(
            url,
            data=payload.chunk(offset, min(chunk, payload.size - offset)),
            headers={
                **tus,
                "Upload-Offset": str(offset),
                "Content-Type": "application/offset+octet-stream",
            },
        )
        if answer.status_code != 204:
            raise RuntimeError(f"chunk at {offset} refused: {answer.status_code} {answer.text}")
        offset = int(answer.headers["Upload-Offset"])
    return answer.headers.get("X-QPMusic-Media", "")


def direct_write(path: Path, payload: Payload, chunk: int, *, early: bool) -> float:
    """Seconds to write the same bytes straight to disk: 1 MB writes, fsync per chunk."""
    from qpmusic.media.storage import write_back_early

    began = time.perf_counter()
    with path.open("wb") as out:
        for offset in range(0, payload.size, chunk):
            data = payload.chunk(offset, min(chunk, payload.size - offset))
            for start in range(0, len(data), MB):
                out.write(data[start : start + MB])
                if early:
                    out.flush()
                    write_back_early(out.fileno(), offset + start, len(data[start : start + MB]))
            out.flush()
            os.fsync(out.fileno())
    return time.perf_counter() - began


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=parse_size, default=parse_size("1G"))
    parser.add_argument("--chunk", type=parse_size, default=parse_size("8M"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--database-url",
        default="",
        help="e.g. postgresql+psycopg://postgres@127.0.0.1:5432/bench (emptied first); "
        "default: a temporary SQLite file",
    )
    options = parser.parse_args()
    work_dir = Path(tempfile.mkdtemp(prefix="qpmusic-bench-uploads-"))
    media = work_dir / "media"
    os.environ.update(
        {
            "QPMUSIC_ENV": "embedded",
            "QPMUSIC_INSTANCE_PATH": str(work_dir / "instance"),
            "QPMUSIC_DATABASE_URL": options.database_url
            or f"sqlite:///{work_dir / 'bench.sqlite'}",
            "QPMUSIC_MEDIA_ROOT": str(media),
            "QPMUSIC_SECRET_KEY": secrets.token_urlsafe(48),
            # Finished files are queued for processing in memory; no worker runs them here.
            "QPMUSIC_BROKER_URL": "memory://",
            "QPMUSIC_MEDIA_LIMIT_AUDIO": str(max(options.size, 1024 * MB)),
            "QPMUSIC_MEDIA_LIMIT_APPLICATION": str(max(2 * options.size, 8 * 1024 * MB)),
        }
    )
    sys.path.insert(0, str(ROOT))
    server = bare = None
    try:
        work_page = prepare_database()
        work_id = int(work_page.rsplit("/", 1)[1])
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_gunicorn(port)
        pid = worker_pid(server.pid)
        session, token = log_in(base, work_page)
        payload = Payload(options.size)
        # Warm-up: a small complete upload, so every module the upload path needs is loaded.
        tus_upload(session, base, token, work_id, Payload(2 * MB), options.chunk)
        idle = status_kb(pid, "VmRSS")
        reset = Path(f"/proc/{pid}/clear_refs")
        try:
            reset.write_text("5")  # resets VmHWM to the current RSS
            hwm_reset = True
        except OSError:
            hwm_reset = False
        sampler = RssSampler(pid)
        sampler.start()
        os.environ["BENCH_BARE_FILE"] = str(media / "bare.bin")
        bare_port = free_port()
        bare = start_gunicorn(bare_port, "bench.uploads:bare_receiver")
        bare_url = f"http://127.0.0.1:{bare_port}/"
        bare_upload(bare_url, Payload(2 * MB), options.chunk)
        upload_times, plain_times, early_times, bare_times, cpu = [], [], [], [], []
        for number in range(options.rounds):
            began, cpu_began = time.perf_counter(), cpu_seconds(pid)
            public_id = tus_upload(session, base, token, work_id, payload, options.chunk)
            upload_times.append(time.perf_counter() - began)
            cpu.append(cpu_seconds(pid) - cpu_began)
            if number == 0:
                sampler.running = False
                sampler.join()
                peak = max(sampler.peak, status_kb(pid, "VmHWM") if hwm_reset else 0)
            stored = [
                p for p in media.rglob("*") if p.is_file() and p.stat().st_size == payload.size
            ]
            assert public_id and stored, "the uploaded file is not where it should be"
            for path in stored:
                path.unlink()  # room on the disk for the next run
            for early, times in ((False, plain_times), (True, early_times)):
                seconds = direct_write(media / "direct.bin", payload, options.chunk, early=early)
                times.append(seconds)
                (media / "direct.bin").unlink()
            bare_times.append(bare_upload(bare_url, payload, options.chunk))
            (media / "bare.bin").unlink()
        upload_seconds = statistics.median(upload_times)
        plain_seconds = statistics.median(plain_times)
        early_seconds = statistics.median(early_times)
        direct_seconds = min(plain_seconds, early_seconds)
        bare_seconds = statistics.median(bare_times)
        worker_cpu = statistics.median(cpu)
    finally:
        for process in (server, bare):
            if process is not None:
                process.terminate()
                process.wait(timeout=10)
        shutil.rmtree(work_dir, ignore_errors=True)

    above = (peak - idle) / 1024
    ratio = direct_seconds / upload_seconds
    size_mb = options.size / MB
    memory_ok, ratio_ok = above < TARGET_MEMORY_MB, ratio >= TARGET_RATIO
    database = "PostgreSQL" if options.database_url.startswith("postgresql") else "SQLite"
    print(
        f"tus upload of {size_mb:.0f} MB in {options.chunk / MB:.0f} MB chunks "
        f"to gunicorn (1 sync worker, {database}); medians of {options.rounds} rounds"
    )
    print(
        f"worker memory : idle {idle / 1024:.1f} MB, peak {peak / 1024:.1f} MB, "
        f"{above:.1f} MB above idle (target < {TARGET_MEMORY_MB} MB) "
        f"{'OK' if memory_ok else 'MISSED'}"
    )
    print(
        f"throughput    : upload {size_mb / upload_seconds:.0f} MB/s, direct write "
        f"{size_mb / direct_seconds:.0f} MB/s (plain {size_mb / plain_seconds:.0f}, early "
        f"write-back {size_mb / early_seconds:.0f}; the faster counts), ratio {ratio:.2f} "
        f"(target >= {TARGET_RATIO}) {'OK' if ratio_ok else 'MISSED'}"
    )
    print(
        "each round    : "
        + ", ".join(
            f"{size_mb / u:.0f}/{size_mb / p:.0f}/{size_mb / e:.0f}/{size_mb / b:.0f}"
            for u, p, e, b in zip(upload_times, plain_times, early_times, bare_times, strict=True)
        )
        + " MB/s (upload/direct plain/direct early/bare)"
    )
    print(
        f"for reference : the same chunks to a bare WSGI app under the same gunicorn "
        f"{size_mb / bare_seconds:.0f} MB/s (ratio {direct_seconds / bare_seconds:.2f}); "
        f"the qpmusic worker used {worker_cpu:.1f} s of CPU for the upload"
    )
    # The third figure of the issue, Range time-to-first-byte, lives in streaming.py; run it
    # here too so one command prints all three.
    streaming = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, str(Path(__file__).with_name("streaming.py")), "--size-mb", "500"],
        check=False,
    )
    return 0 if memory_ok and ratio_ok and streaming.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
