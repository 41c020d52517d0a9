"""Every row of every table: a digest to prove a refused request changed nothing, and a copy
to put the database back after an allowed one did its job."""

from sqlalchemy import text

from qpmusic.extensions import db


def _tables():
    return db.metadata.sorted_tables


def database_fingerprint() -> tuple:
    """Per table its name, row count and an md5 of its rows in order: one query, fine for the
    few dozen rows a test builds. Read on its own connection, outside the test's session."""
    # Table names come from our own metadata, never from a request.
    query = " UNION ALL ".join(
        f"SELECT '{t.name}' AS name, count(*) AS n, "  # noqa: S608
        f"md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), '')) AS digest "
        f'FROM "{t.name}" r'
        for t in _tables()
    )
    with db.engine.connect() as connection:
        return tuple(connection.execute(text(query)).all())


def copy_rows() -> dict[str, str]:
    """Each table's rows as JSON text, in PostgreSQL's own encoding of every column type."""
    with db.engine.connect() as connection:
        return {
            t.name: connection.scalar(
                text(f"SELECT coalesce(json_agg(r)::text, '[]') FROM \"{t.name}\" r")  # noqa: S608
            )
            for t in _tables()
        }


def restore_rows(rows: dict[str, str]) -> None:
    """Delete every row and insert the copied ones again, parents first.

    DELETE rather than TRUNCATE: on a few dozen rows it takes milliseconds where TRUNCATE makes
    new files for every table. Sequences are not reset, so later rows get ids above the copies.
    """
    tables = _tables()
    with db.engine.begin() as connection:
        # A reference added after both tables exist (round -> its frozen snapshot) would
        # otherwise stop the deletion in either order.
        for table in tables:
            for constraint in table.foreign_key_constraints:
                if constraint.use_alter:
                    columns = ", ".join(f'"{c.name}" = NULL' for c in constraint.columns)
                    connection.execute(text(f'UPDATE "{table.name}" SET {columns}'))  # noqa: S608
        for table in reversed(tables):
            connection.execute(text(f'DELETE FROM "{table.name}"'))  # noqa: S608
        for table in tables:
            connection.execute(
                text(
                    f'INSERT INTO "{table.name}" SELECT * '  # noqa: S608
                    f'FROM json_populate_recordset(NULL::"{table.name}", CAST(:rows AS json))'
                ),
                {"rows": rows[table.name]},
            )
