"""Counting the SQL statements a block of code sends, for the query-budget tests."""

from contextlib import contextmanager

from sqlalchemy import event

from qpmusic.extensions import db


@contextmanager
def counted_statements():
    """Yields a list that collects every statement sent to the database inside the block."""
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
