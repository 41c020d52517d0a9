"""SQL queries and median latency of the main pages with 10, 100, 500 and 1,000 applications.

Run: .venv/bin/python bench/pages.py [--sizes 10,100,500,1000] [--requests 20]
     [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench]

The database (PostgreSQL, default a database ``bench`` on 127.0.0.1) is emptied first and migrated;
for each size it is emptied again and filled in bulk by tests/page_world.py: one edition in its
jury phase with four cities, eight jurors (two per city), a coordinator, an admin, five criteria,
the applications (each with a place, two works and a recording), a closed jury round where every
juror has every application (mostly final reviews, some drafts, some not begun, a few conflicts,
some listening) and its tally. The app is built with ``create_app`` (embedded settings, CSRF off,
no rate limits) and requests go through the Flask test client, one user at a time, in this
process: the figures are what one user waits for the app and the database, without a web server.

Pages, each as the person who reads it: home (a visitor), applicant status (an applicant),
coordinator list (the coordinator, every application on one page), juror list and juror
application page (a juror with every application), progress matrix and results (the admin).

Measured in the same run, per page and size: the SQL statements of one request (after two to
warm up) and the median time of ``--requests`` requests, wall-clock and CPU time of this process
(the app's own work, which a busy machine does not inflate; the database's time is not in it);
per page, the cost per application, the slope of the medians between the smallest and the
largest size. Baseline: a bare Flask
endpoint returning a short text, timed the same way through its own test client.

Targets: the number of queries of a page is the same at every size and at most 15; the juror list
and the progress matrix with 500 applications (all on one page) answer in at most 50 ms (median).
The exit status is 1 when a target is missed.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QPMUSIC_INSTANCE_PATH", tempfile.mkdtemp(prefix="qpmusic-bench-"))
os.environ.pop("QPMUSIC_BROKER_URL", None)

import flask_migrate  # noqa: E402
from flask import Flask  # noqa: E402
from sqlalchemy import event, text  # noqa: E402

from qpmusic import create_app  # noqa: E402
from qpmusic.extensions import db  # noqa: E402
from tests.page_world import PASSWORD, build_world, pages  # noqa: E402

QUERY_BUDGET = 15
LATENCY_TARGET_MS = 50.0
LATENCY_SIZE = 500
LATENCY_PAGES = ("juror list", "progress matrix")


@contextmanager
def counted_statements(engine):
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def median_ms(client, url: str, requests: int) -> tuple[float, float]:
    """Median wall-clock and median CPU time of this process (the app, not PostgreSQL), in ms."""
    wall, cpu = [], []
    for _ in range(requests):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        wall.append((time.perf_counter() - start) * 1e3)
        cpu.append((time.process_time() - start_cpu) * 1e3)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    return statistics.median(wall), statistics.median(cpu)


def bare_app() -> Flask:
    app = Flask("bare")

    @app.route("/")
    def index():
        return "ok"

    return app


def empty_database(app, *, migrate: bool) -> None:
    with app.app_context():
        if migrate:
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
            flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        else:
            tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            with db.engine.begin() as connection:
                connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.session.remove()


def measure(app, size: int, requests: int) -> dict[str, tuple[int, float, float]]:
    """(queries, median ms, median CPU ms) per page with ``size`` applications."""
    empty_database(app, migrate=False)
    with app.app_context():
        began = time.perf_counter()
        world = build_world(size)
        built = time.perf_counter() - began
        db.session.remove()
        engine = db.engine
    print(f"{size} applications (made in {built:.1f} s):")
    figures = {}
    for page, who, url in pages(world):
        client = app.test_client()
        if who is not None:
            login = client.post("/login", data={"email": who, "password": PASSWORD})
            if login.status_code != 302:
                raise RuntimeError(f"{who} could not log in ({login.status_code})")
        median_ms(client, url, 2)
        # No app context here: each request makes its own, as in production.
        with counted_statements(engine) as statements:
            client.get(url)
        figures[page] = (len(statements), *median_ms(client, url, requests))
        queries, wall, cpu = figures[page]
        print(f"  {page:18} {queries:3d} queries  {wall:8.1f} ms  (CPU {cpu:7.1f} ms)")
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/bench"
    )
    parser.add_argument("--sizes", default="10,100,500,1000")
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    sizes = sorted({int(s) for s in args.sizes.split(",")})

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": args.database_url,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "PASSWORD_HASH_FAST": True,
            "MEDIA_ROOT": tempfile.mkdtemp(prefix="qpmusic-bench-media-"),
        }
    )
    empty_database(app, migrate=True)
    bare = bare_app().test_client()
    median_ms(bare, "/", 5)
    baseline, baseline_cpu = median_ms(bare, "/", max(args.requests, 100))
    print(
        f"baseline: a bare Flask endpoint, {baseline:.2f} ms (CPU {baseline_cpu:.2f} ms), "
        "median through its own test client"
    )

    results = {size: measure(app, size, args.requests) for size in sizes}
    missed = []
    small, large = sizes[0], sizes[-1]
    print(
        f"per page (queries at {', '.join(map(str, sizes))}; ms per application {small}→{large}):"
    )
    for page in results[small]:
        counts = [results[size][page][0] for size in sizes]
        slope, slope_cpu = (
            (
                (results[large][page][i] - results[small][page][i]) / (large - small)
                if large > small
                else 0.0
            )
            for i in (1, 2)
        )
        print(
            f"  {page:18} queries {counts}  {slope:7.3f} ms per application "
            f"(CPU {slope_cpu:.3f} ms)"
        )
        if len(set(counts)) > 1:
            missed.append(f"{page}: queries grow with the applications {counts}")
        if max(counts) > QUERY_BUDGET:
            missed.append(f"{page}: {max(counts)} queries (budget {QUERY_BUDGET})")
    if LATENCY_SIZE in results:
        for page in LATENCY_PAGES:
            _, ms, cpu = results[LATENCY_SIZE][page]
            verdict = "ok" if ms <= LATENCY_TARGET_MS else "MISSED"
            print(
                f"target: {page} with {LATENCY_SIZE} applications {ms:.1f} ms, CPU {cpu:.1f} ms "
                f"(at most {LATENCY_TARGET_MS:g} ms) {verdict}"
            )
            if ms > LATENCY_TARGET_MS:
                missed.append(f"{page}: {ms:.1f} ms with {LATENCY_SIZE} applications")
    else:
        print(f"(no latency target checked: {LATENCY_SIZE} is not among the sizes)")
    if missed:
        print("MISSED: " + "; ".join(missed))
        return 1
    print("all targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
