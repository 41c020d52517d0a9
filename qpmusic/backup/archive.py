"""A consistent archive of one edition: every row that belongs to it, as JSON, with its files.

The rows are read in one REPEATABLE READ, read-only transaction (PostgreSQL), so the archive shows
the edition at one moment even while jurors save and musicians upload. Stored files are written
once and never changed, so the files the rows name are those of that moment; one deleted since
(retention, an account deletion) is listed as missing rather than stopping the archive.

Which rows belong to an edition follows the foreign keys down from it (criteria, applications,
works, files, rounds, reviews, scores, ballots, …); people and cities those rows name come along
without their own other rows, and without password hashes and login tokens.
"""

import hashlib
import io
import json
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path

from sqlalchemy import or_, select, text

from qpmusic.extensions import db

REFERENCED_ONLY = {"user", "city"}
WITHHELD_COLUMNS = {"user": {"password_hash", "auth_token"}}
MEDIA_KEY_COLUMNS = ("storage_key", "blind_key", "poster_key")
COPY_CHUNK = 1024 * 1024


@dataclass
class ArchiveReport:
    path: Path
    tables: dict[str, int]
    files: int
    missing: list[str] = field(default_factory=list)


def _json_value(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(f"cannot archive {type(value).__name__}")


def _keyed(table, rows) -> dict[tuple, dict]:
    return {tuple(row[c.name] for c in table.primary_key.columns): dict(row) for row in rows}


def _edition_rows(connection, edition_id: int) -> dict[str, list[dict]]:
    """Rows of every table reached from the edition through foreign keys, by table name."""
    tables = {table.name: table for table in db.metadata.sorted_tables}
    edition = tables["edition"]
    found = {
        "edition": _keyed(
            edition,
            connection.execute(select(edition).where(edition.c.id == edition_id)).mappings(),
        )
    }
    # Parents come before children in sorted_tables, so one pass reaches every descendant.
    for table in db.metadata.sorted_tables:
        if table.name in REFERENCED_ONLY or table.name in found:
            continue
        clauses = [
            fk.parent.in_([row[fk.column.name] for row in found[fk.column.table.name].values()])
            for fk in table.foreign_keys
            if fk.column.table.name in found and fk.column.table.name not in REFERENCED_ONLY
        ]
        if clauses:
            query = select(table).where(or_(*clauses))
            found[table.name] = _keyed(table, connection.execute(query).mappings())
    # People and cities named by those rows come along, without their other rows.
    for name in REFERENCED_ONLY:
        wanted = {
            row[fk.parent.name]
            for table_name, rows in list(found.items())
            for fk in tables[table_name].foreign_keys
            if fk.column.table.name == name
            for row in rows.values()
        } - {None}
        table = tables[name]
        withheld = WITHHELD_COLUMNS.get(name, set())
        rows = connection.execute(select(table).where(table.c.id.in_(wanted))).mappings()
        found[name] = {
            (row["id"],): {k: v for k, v in row.items() if k not in withheld} for row in rows
        }
    # The audit trail of those rows (events name their target by table and id, not by a key).
    audit = tables["audit_event"]
    events = {}
    for name, rows in list(found.items()):
        ids = [row["id"] for row in rows.values() if "id" in row]
        if ids:
            query = select(audit).where(audit.c.target_type == name, audit.c.target_id.in_(ids))
            events |= _keyed(audit, connection.execute(query).mappings())
    found["audit_event"] = events
    return {name: list(rows.values()) for name, rows in found.items() if rows}


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


class _Hashing(io.RawIOBase):
    def __init__(self, source):
        self.source = source
        self.hash = hashlib.sha256()

    def read(self, size=-1):
        data = self.source.read(size)
        self.hash.update(data)
        return data


def write_edition_archive(*, edition_id: int, storage, output: Path) -> ArchiveReport:
    """Write the edition's archive (a tar file) to ``output``, replacing it only when complete."""
    isolation = "REPEATABLE READ" if db.engine.dialect.name == "postgresql" else "SERIALIZABLE"
    output.parent.mkdir(parents=True, exist_ok=True)
    engine = db.engine.execution_options(isolation_level=isolation)
    with engine.connect() as connection, connection.begin():
        if db.engine.dialect.name == "postgresql":
            connection.execute(text("SET TRANSACTION READ ONLY"))
            level = connection.execute(text("SHOW transaction_isolation")).scalar()
        else:
            level = isolation.lower()
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        rows = _edition_rows(connection, edition_id)
    [edition] = rows["edition"]
    keys = sorted(
        {row[column] for row in rows.get("media_file", []) for column in MEDIA_KEY_COLUMNS} - {None}
    )
    files, missing = {}, []
    with tempfile.NamedTemporaryFile(dir=output.parent, suffix=".partial", delete=False) as tmp:
        partial = Path(tmp.name)
    try:
        with tarfile.open(partial, "w") as tar:
            for name, table_rows in sorted(rows.items()):
                body = json.dumps(table_rows, default=_json_value, ensure_ascii=False, indent=1)
                _add_bytes(tar, f"data/{name}.json", body.encode())
            for key in keys:
                if not storage.exists(key):
                    missing.append(key)
                    continue
                info = tarfile.TarInfo(f"media/{key}")
                info.size = storage.size(key)
                with storage.open(key) as source:
                    reader = _Hashing(source)
                    tar.addfile(info, reader)
                files[key] = {"size": info.size, "sha256": reader.hash.hexdigest()}
            manifest = {
                "edition": {"id": edition["id"], "year": edition["year"]},
                "schema_revision": revision,
                "isolation": level,
                "tables": {name: len(table_rows) for name, table_rows in sorted(rows.items())},
                "files": files,
                "missing_files": missing,
            }
            _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=1).encode())
        partial.replace(output)
    finally:
        partial.unlink(missing_ok=True)
    return ArchiveReport(path=output, tables=manifest["tables"], files=len(files), missing=missing)


def verify_archive(path: Path) -> list[str]:
    """Problems found in an archive: files whose bytes no longer match the manifest."""
    problems = []
    with tarfile.open(path, "r") as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        names = set(tar.getnames())
        for key, expected in manifest["files"].items():
            member = f"media/{key}"
            if member not in names:
                problems.append(f"{key}: not in the archive")
                continue
            digest = hashlib.sha256()
            source = tar.extractfile(member)
            while chunk := source.read(COPY_CHUNK):
                digest.update(chunk)
            if digest.hexdigest() != expected["sha256"]:
                problems.append(f"{key}: its bytes differ from the manifest")
        for name in manifest["tables"]:
            if f"data/{name}.json" not in names:
                problems.append(f"data/{name}.json: not in the archive")
    return problems
