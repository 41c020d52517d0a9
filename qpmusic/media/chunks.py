"""Appending one chunk of an upload to its stored bytes: verified, and cut back on failure.

No Flask and no database: the caller passes the storage, the key and the offset it trusts.
"""

import hashlib
from typing import BinaryIO

from werkzeug.exceptions import ClientDisconnected


class ChunkRefused(Exception):
    """The chunk was not kept; ``code`` says why (the stored bytes end where they did)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class Hashing:
    """A stream that feeds what is read through a hash."""

    def __init__(self, stream: BinaryIO, algorithm: str):
        self.stream = stream
        self.hash = hashlib.new(algorithm)

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.hash.update(data)
        return data


def append_chunk(
    storage,
    key: str,
    *,
    start: int,
    length: int,
    stream: BinaryIO,
    content_length: int | None,
    checksum: tuple[str, bytes] | None = None,
) -> int:
    """Write the chunk at ``start`` of an upload of ``length`` bytes; return the new offset.

    ``checksum`` is ``(algorithm, digest)``: on mismatch the chunk is cut off again. A dropped
    connection keeps what arrived, so the next try resumes from there — unless the chunk has a
    checksum, which cannot be verified half-way.
    """
    if not storage.exists(key):
        raise ChunkRefused("not_found")
    if storage.size(key) != start:
        # The caller's offset is the truth: bytes past it are left from a chunk that broke off.
        storage.truncate(key, start)
    remaining = length - start
    if content_length is not None and content_length > remaining:
        raise ChunkRefused("too_long")
    reader = Hashing(stream, checksum[0]) if checksum else stream
    limit = remaining if content_length is None else content_length
    try:
        written = storage.append(key, reader, limit)
    except ClientDisconnected:
        if checksum:
            storage.truncate(key, start)
            raise ChunkRefused("incomplete") from None
        return min(storage.size(key), length)
    except BaseException:
        storage.truncate(key, start)
        raise
    if checksum and reader.hash.digest() != checksum[1]:
        storage.truncate(key, start)
        raise ChunkRefused("checksum_mismatch")
    return start + written
