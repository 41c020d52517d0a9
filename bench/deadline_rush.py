"""The deadline rush: N applicants log in, save a draft, attach a file and submit at once.

Run: .venv/bin/python bench/deadline_rush.py [--applicants 300] [--concurrency 48]
     [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench]
     [--redis-url redis://127.0.0.1:6379/0]

The production set-up on this machine: gunicorn with qpmusic/gunicorn_conf.py as
docker-compose.yml starts it (gthread, two processes per core plus one, 8 threads each;
--workers/--threads change it), PostgreSQL (the database given, emptied first and migrated),
Redis as broker and rate-limit store (a queue of this run's own), one real `celery worker`
process (concurrency: one per core, Celery's default) that processes the uploaded files and
sends the e-mails to an SMTP server (aiosmtpd) inside this script. An open edition and N verified
applicant accounts are written straight to the database (one argon2 hash, reused).

The load tool is this script: --clients processes (default 2, so the client is not held to
one CPU by the GIL) with --concurrency threads in total, each applicant a `requests` session
doing what the browser does without JavaScript: GET /login, POST /login with the page's CSRF
token, POST /apply/start, then the draft steps (profile, biography, eligibility with a place
typed by hand, a work, consents), the plain form upload of a 1 s WAV, GET review, POST submit,
GET the status page. Every applicant does a step before any starts the next (a barrier), so
each step's throughput is its requests divided by the time from the first start to the last
answer. The client and the server share the machine's CPUs, and the client's own cost per
request is in every rate, the bare one too: where the client is what limits the bare rate, the
ratios come out kinder than the servers' CPU per request alone (printed next to them).

Printed, all from the same run:
- errors: requests answered with another status or redirect than the browser expects, or a
  status page without the reference (target 0);
- lost or duplicated applications, checked in the database and the SMTP server afterwards:
  exactly N submitted applications with N distinct references, N confirmation e-mails in the
  outbox marked sent and N received, one per applicant, no outbox id twice, N uploaded files
  none of them refused (target 0);
- p50/p95/p99 latency of the submit request (POST only, redirect not followed);
- the CPU time the app's gunicorn processes spent per request of each step (read from /proc
  between steps; PostgreSQL's and the worker's time are not in it), to show what limits a step;
- throughput of each step as a ratio of GET /bench-bare, a one-line Flask view served by a
  second gunicorn with the same settings and the same client in the same run (the faster of a
  run before and after the rush). Targets: at least 0.25 for the draft saves and the submit
  (pages that write), 0.5 for the review and status pages (pages that only read); login
  (argon2 on purpose) and the upload are shown for reference.
The exit status is 1 when a target is missed.
"""

import argparse
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _common
from bench._rush_client import run_load

PASSWORD = "Frist-Ansturm-2026!"  # noqa: S105 - throwaway accounts in an emptied database
WRITE_TARGET, READ_TARGET = 0.25, 0.5
TARGETS = {
    "profile": WRITE_TARGET,
    "biography": WRITE_TARGET,
    "eligibility": WRITE_TARGET,
    "work": WRITE_TARGET,
    "consents": WRITE_TARGET,
    "review": READ_TARGET,
    "submit": WRITE_TARGET,
    "status": READ_TARGET,
}


def prepare_database(app, count: int) -> tuple[list[str], int]:
    """An open edition and ``count`` verified applicants; their addresses and the year."""
    from qpmusic.accounts.models import User, UserRole
    from qpmusic.accounts.passwords import hash_password
    from qpmusic.editions.models import Edition
    from qpmusic.enums import EditionPhase, Role
    from qpmusic.extensions import db
    from qpmusic.timestamps import utcnow

    _common.reset_schema(app)
    with app.app_context():
        now = utcnow()
        hashed = hash_password(PASSWORD)
        emails = [f"rush{number:05d}@example.org" for number in range(count)]
        db.session.add(
            Edition(
                year=now.year,
                title_de="Preis",
                title_fr="Prix",
                title_en="Prize",
                opens_at=now.replace(year=now.year - 1),
                closes_at=now.replace(year=now.year + 1),
                phase=EditionPhase.OPEN,
            )
        )
        db.session.add_all(
            User(
                email=email,
                name=f"Musician {number}",
                language=("de", "fr", "en")[number % 3],
                password_hash=hashed,
                email_verified_at=now,
                role_rows=[UserRole(role=Role.APPLICANT)],
            )
            for number, email in enumerate(emails)
        )
        db.session.commit()
        db.engine.dispose()
        return emails, now.year


def check_database(app, sink, emails: list[str], timeout: float) -> dict:
    """Count what was lost or doubled, once the worker has sent every confirmation."""
    from sqlalchemy import func, select

    from qpmusic.applications.models import Application
    from qpmusic.enums import ApplicationStatus, OutboxStatus
    from qpmusic.extensions import db
    from qpmusic.media.models import MediaFile
    from qpmusic.notifications.models import OutboxMessage

    count = len(emails)
    sink.wait_for(count, timeout)
    time.sleep(1)  # a late duplicate would arrive now
    with app.app_context():
        submitted = db.session.scalars(
            select(Application.reference).where(Application.status == ApplicationStatus.SUBMITTED)
        ).all()
        confirmations = db.session.execute(
            select(OutboxMessage.status, func.count())
            .where(OutboxMessage.template == "application_submitted")
            .group_by(OutboxMessage.status)
        ).all()
        media = db.session.execute(
            select(MediaFile.status, func.count()).group_by(MediaFile.status)
        ).all()
        db.session.remove()
    received, ids = list(sink.recipients), list(sink.outbox_ids)
    outcome = {
        "submitted": len(submitted),
        "references": len({r for r in submitted if r}),
        "outbox": sum(n for _, n in confirmations),
        "sent": dict(confirmations).get(OutboxStatus.SENT, 0),
        "received": len(received),
        "recipients": len(set(received) & set(emails)),
        "twice": max(len(received) - len(set(received)), len(ids) - len(set(ids))),
        "media": {status.value: n for status, n in media},
    }
    # A file still being checked has arrived; a refused one is lost to its applicant.
    files = sum(n for status, n in media if status.value != "rejected")
    outcome["lost"] = count - min(
        outcome["submitted"], outcome["references"], outcome["sent"], outcome["recipients"], files
    )
    outcome["duplicated"] = max(
        outcome["submitted"] - count, outcome["outbox"] - count, outcome["twice"], files - count
    )
    return outcome


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applicants", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=48, help="client threads in all")
    parser.add_argument("--clients", type=int, default=2, help="client processes")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=900, help="seconds for the whole rush")
    parser.add_argument(
        "--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/bench"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    options = parser.parse_args()
    work_dir = Path(tempfile.mkdtemp(prefix="qpmusic-bench-rush-"))
    queue = f"bench-rush-{uuid.uuid4().hex[:8]}"
    controller, sink = _common.start_sink()
    env = _common.app_env(
        work_dir=work_dir,
        database_url=options.database_url,
        broker_url=options.redis_url,
        queue=queue,
        ratelimit_storage_uri=options.redis_url,
        mail_backend="smtp",
        mail_server="127.0.0.1",
        mail_port=controller.port,
        base_url="http://127.0.0.1",
        web_workers=options.workers,
        web_threads=options.threads,
    )
    os.environ.update(env)
    # The app's INFO logs (migrations, start-up) would bury the figures; warnings still show.
    logging.disable(logging.INFO)
    from qpmusic import create_app

    app = create_app()
    processes = []
    try:
        emails, year = prepare_database(app, options.applicants)
        server_env = {**os.environ, **env}
        worker_log, web_log = work_dir / "worker.log", work_dir / "web.log"
        worker = _common.start_worker(
            server_env, queue, "rush", worker_log, concurrency=os.cpu_count() or 1
        )
        processes.append(worker)
        _common.wait_workers_ready(app.extensions["celery"], ["rush"], [worker], [worker_log])
        port, bare_port = _common.free_port(), _common.free_port()
        processes.append(_common.start_gunicorn(port, "qpmusic:create_app()", server_env, web_log))
        processes.append(
            _common.start_gunicorn(
                bare_port, "bench._common:bare", server_env, work_dir / "bare.log"
            )
        )
        began = time.perf_counter()
        phases = run_load(
            options,
            base=f"http://127.0.0.1:{port}",
            bare_base=f"http://127.0.0.1:{bare_port}",
            servers={"app": processes[1].pid, "bare": processes[2].pid},
            emails=emails,
            password=PASSWORD,
            year=year,
        )
        rush_seconds = time.perf_counter() - began
        outcome = check_database(app, sink, emails, timeout=max(60.0, options.applicants / 2))
    finally:
        for process in reversed(processes):
            _common.stop(process)
        controller.stop()
    status = report(options, phases, outcome, rush_seconds)
    if status == 0:
        shutil.rmtree(work_dir, ignore_errors=True)
    else:
        print(f"logs of the servers and the worker: {work_dir}")
    return status


def report(options, phases: dict, outcome: dict, rush_seconds: float) -> int:
    count = options.applicants
    bare_rate = max(phases["bare before"]["rate"], phases["bare after"]["rate"])
    errors = sum(len(p["errors"]) for p in phases.values())
    print(f"machine       : {_common.machine()}")
    print(
        f"deadline rush : {count} applicants, {options.concurrency} client threads in "
        f"{options.clients} processes; gunicorn {options.workers} gthread workers x "
        f"{options.threads} threads, PostgreSQL, Redis, 1 Celery worker "
        f"(concurrency {os.cpu_count()}); "
        f"{rush_seconds:.0f} s"
    )
    ok = errors == 0
    print(f"errors        : {errors} (target 0) {'OK' if errors == 0 else 'MISSED'}")
    for name, phase in phases.items():
        for error in sorted(set(phase["errors"]))[:3]:
            print(f"    {name}: {error}")
    sound = outcome["lost"] == 0 and outcome["duplicated"] == 0
    ok &= sound
    print(
        f"applications  : {outcome['submitted']} submitted, {outcome['references']} distinct "
        f"references; confirmations: {outcome['outbox']} in the outbox, {outcome['sent']} sent, "
        f"{outcome['received']} received for {outcome['recipients']} applicants, "
        f"{outcome['twice']} twice"
    )
    print(
        f"lost/doubled  : {outcome['lost']} lost, {outcome['duplicated']} duplicated "
        f"(target 0) {'OK' if sound else 'MISSED'}"
    )
    print(f"files         : {outcome['media']} (processed by the worker)")
    submit = phases["submit"]["latencies"]
    print(
        "submit        : "
        + ", ".join(
            f"p{round(share * 100)} {_common.percentile(submit, share) * 1000:.0f} ms"
            for share in (0.5, 0.95, 0.99)
        )
    )
    bare_cpu = min(phases["bare before"]["cpu_ms"], phases["bare after"]["cpu_ms"])
    print(
        f"bare endpoint : {bare_rate:.0f} req/s (GET /bench-bare, the faster of two runs), "
        f"{bare_cpu:.1f} ms of gunicorn CPU per request"
    )
    print(
        f"{'step':<14}{'requests':>9}{'req/s':>9}{'ratio':>8}{'median ms':>11}"
        f"{'CPU ms/req':>12}  target"
    )
    for name, phase in phases.items():
        if name.startswith("bare"):
            continue
        ratio = phase["rate"] / bare_rate if bare_rate else 0.0
        target = TARGETS.get(name)
        verdict = "reference"
        if target is not None:
            verdict = f">= {target} {'OK' if ratio >= target else 'MISSED'}"
            ok &= ratio >= target
        print(
            f"{name:<14}{phase['requests']:>9}{phase['rate']:>9.1f}{ratio:>8.2f}"
            f"{statistics.median(phase['latencies']) * 1000:>11.0f}{phase['cpu_ms']:>12.1f}"
            f"  {verdict}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
