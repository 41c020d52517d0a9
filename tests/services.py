"""The real services the suite runs against, and a clear stop when one is missing."""

import os

import psycopg
import redis

DATABASE_URL = os.environ.get(
    "QPMUSIC_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("QPMUSIC_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def missing_services() -> list[str]:
    problems = []
    try:
        with psycopg.connect(DATABASE_URL.replace("+psycopg", ""), connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:
        problems.append(f"PostgreSQL at {DATABASE_URL} is not reachable ({exc}).")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as exc:
        problems.append(f"Redis at {REDIS_URL} is not reachable ({exc}).")
    return problems
