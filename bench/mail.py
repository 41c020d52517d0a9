"""Notification e-mails through the outbox: two Celery worker processes to a local SMTP server.

Run: .venv/bin/python bench/mail.py [--messages 1000] [--workers 2]
     [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench]
     [--redis-url redis://127.0.0.1:6379/0]

The production path on this machine: PostgreSQL (the database given, emptied first and migrated),
Redis as broker (a queue of this run's own), --workers `celery worker` processes (each its own
process, concurrency 1) and an SMTP server (aiosmtpd) inside this script that records each
message's X-QPMusic-Outbox-Id and recipient. The script queues --messages deadline reminders
(de/fr/en in turn) with qpmusic.notifications.services.queue_email in transactions of 100; each
commit sends the delivery tasks to Redis, and the workers claim, render and send each message
on its own SMTP connection, then mark it sent.

Printed, from the same run:
- messages per second through the outbox: messages over the time from the first queue_email
  to the last message received;
- lost (queued but never received, or not marked sent) and twice (an outbox id received more
  than once); target 0 for both;
- the baseline: the same messages, rendered beforehand, sent straight with flask_mailman over
  one SMTP connection to the same server, and the outbox's rate as a ratio of it.
The exit status is 1 when a message is lost or sent twice.
"""

import argparse
import logging
import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _common

BATCH = 100


def reminder_context(number: int) -> dict:
    return {
        "name": f"Musician {number}",
        "days": 1 + number % 7,
        "deadline": "2026-12-01T23:59:00+00:00",
        "edition_titles": {"de": "Preis 2026", "fr": "Prix 2026", "en": "Prize 2026"},
        "status_url": "http://127.0.0.1/apply/",
    }


def queue_all(app, count: int) -> list[int]:
    """Queue ``count`` reminders in transactions of BATCH; their outbox ids."""
    from qpmusic.extensions import db
    from qpmusic.notifications.services import queue_email

    ids = []
    with app.app_context():
        for start in range(0, count, BATCH):
            for number in range(start, min(count, start + BATCH)):
                message = queue_email(
                    to=f"mail{number:05d}@example.org",
                    language=("de", "fr", "en")[number % 3],
                    template="application_reminder",
                    context=reminder_context(number),
                )
                ids.append(message.id)
            db.session.commit()
        db.session.remove()
    return ids


def outbox_state(app) -> dict:
    from sqlalchemy import func, select

    from qpmusic.extensions import db
    from qpmusic.notifications.models import OutboxMessage

    with app.app_context():
        rows = db.session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        ).all()
        db.session.remove()
    return {status.value: count for status, count in rows}


def direct_send(app) -> float:
    """Seconds to send every outbox message, rendered beforehand, over one SMTP connection."""
    from flask import current_app
    from flask_mailman import EmailMultiAlternatives
    from sqlalchemy import select

    from qpmusic.extensions import db, mail
    from qpmusic.notifications.models import OutboxMessage
    from qpmusic.notifications.templates import render_email

    with app.app_context():
        messages = []
        for row in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)):
            subject, text, html = render_email(
                template=row.template, language=row.language, context=row.context
            )
            email = EmailMultiAlternatives(
                subject=subject,
                body=text,
                from_email=current_app.config["MAIL_DEFAULT_SENDER"],
                to=[row.recipient],
                headers={"Content-Language": row.language, "X-QPMusic-Outbox-Id": str(row.id)},
            )
            email.attach_alternative(html, "text/html")
            messages.append(email)
        db.session.remove()
        began = time.perf_counter()
        with mail.get_connection() as connection:
            sent = connection.send_messages(messages)
        seconds = time.perf_counter() - began
    if sent != len(messages):
        raise RuntimeError(f"the direct send delivered {sent} of {len(messages)}")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2, help="celery worker processes")
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for all")
    parser.add_argument(
        "--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/bench"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    options = parser.parse_args()
    count = options.messages
    work_dir = Path(tempfile.mkdtemp(prefix="qpmusic-bench-mail-"))
    queue = f"bench-mail-{uuid.uuid4().hex[:8]}"
    controller, sink = _common.start_sink()
    env = _common.app_env(
        work_dir=work_dir,
        database_url=options.database_url,
        broker_url=options.redis_url,
        queue=queue,
        mail_backend="smtp",
        mail_server="127.0.0.1",
        mail_port=controller.port,
    )
    os.environ.update(env)
    # The app's INFO logs (migrations, start-up) would bury the figures; warnings still show.
    logging.disable(logging.INFO)
    from qpmusic import create_app

    app = create_app()
    names = [f"mail{number + 1}" for number in range(options.workers)]
    logs = [work_dir / f"{name}.log" for name in names]
    workers = []
    try:
        _common.reset_schema(app)
        worker_env = {**os.environ, **env}
        workers = [
            _common.start_worker(worker_env, queue, name, log, concurrency=1)
            for name, log in zip(names, logs, strict=True)
        ]
        _common.wait_workers_ready(app.extensions["celery"], names, workers, logs)
        began = time.perf_counter()
        queued = queue_all(app, count)
        queued_seconds = time.perf_counter() - began
        arrived = sink.wait_for(count, options.timeout)
        outbox_seconds = sink.last_at - began
        time.sleep(2)  # a message sent twice would arrive now
        received = list(sink.outbox_ids)
        state = outbox_state(app)
        sink.clear()
        direct_seconds = direct_send(app)
        direct_received = sink.count()
    finally:
        for worker in workers:
            _common.stop(worker)
        controller.stop()

    lost = max(len(set(queued) - set(received)), count - state.get("sent", 0))
    twice = len(received) - len(set(received))
    rate, direct_rate = count / outbox_seconds, count / direct_seconds
    print(f"machine  : {_common.machine()}")
    print(
        f"mail     : {count} reminders through the outbox, {options.workers} celery worker "
        f"processes (concurrency 1 each), PostgreSQL, Redis, aiosmtpd on loopback"
    )
    print(
        f"outbox   : {rate:.0f} messages/s ({outbox_seconds:.1f} s from the first queue_email "
        f"to the last message received; queueing and commits took {queued_seconds:.1f} s)"
        + ("" if arrived else " - NOT ALL ARRIVED")
    )
    print(f"outbox   : {state} in the database")
    print(f"lost     : {lost} (target 0) {'OK' if lost == 0 else 'MISSED'}")
    print(f"twice    : {twice} (target 0) {'OK' if twice == 0 else 'MISSED'}")
    print(
        f"baseline : {direct_rate:.0f} messages/s, the same {direct_received} messages rendered "
        f"beforehand and sent over one SMTP connection; outbox/baseline {rate / direct_rate:.2f}"
    )
    if lost or twice:
        print(f"worker logs: {work_dir}")
    else:
        shutil.rmtree(work_dir, ignore_errors=True)
    return 0 if lost == 0 and twice == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
