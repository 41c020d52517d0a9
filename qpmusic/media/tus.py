"""The tus 1.0 protocol's constants and header parsing (no Flask)."""

import base64
import binascii

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,creation-with-upload,termination,checksum,expiration"
CHECKSUM_ALGORITHMS = ("sha1", "sha256")
OFFSET_TYPE = "application/offset+octet-stream"


def parse_metadata(header: str) -> dict[str, str]:
    """``Upload-Metadata``: comma-separated ``key base64(value)`` pairs; the value may be absent."""
    metadata = {}
    for pair in filter(None, (p.strip() for p in header.split(","))):
        key, _sep, value = pair.partition(" ")
        try:
            metadata[key] = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as error:
            raise ValueError(key) from error
    return metadata


def parse_checksum(header: str | None) -> tuple[str, bytes] | None:
    if not header:
        return None
    algorithm, _sep, digest = header.strip().partition(" ")
    if algorithm not in CHECKSUM_ALGORITHMS:
        raise ValueError(algorithm)
    try:
        return algorithm, base64.b64decode(digest.strip(), validate=True)
    except binascii.Error as error:
        raise ValueError(digest) from error


def parse_length(value: str | None) -> int | None:
    """A non-negative decimal integer header (``Upload-Length``, ``Upload-Offset``), else None."""
    value = (value or "").strip()
    if not value or len(value) > 20 or not (value.isascii() and value.isdigit()):
        return None
    return int(value)
