"""HTTP byte ranges and conditional GETs (RFC 9110 §13-14), decided from plain values.

No Flask here: the streaming view hands over the request's headers and the file's size and
validators, and gets back what to answer. Choices where the RFC leaves room:

- A Range header that cannot be parsed, or names another unit, is ignored: the whole file (200).
- Several ranges are answered with the whole file (200), not multipart: media players never
  ask for them, and one 200 is simpler and safe for every client.
- Range applies to GET only (RFC 9110 §14.2); HEAD describes the whole file.
- If-Match and If-Unmodified-Since are not handled: they matter for writes, and files never change.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

# At most 19 digits (int64): a longer number cannot be a position, and int() of thousands of
# digits is refused by Python; such a header is ignored like any malformed one.
_SPEC = re.compile(r"([0-9]{0,19})-([0-9]{0,19})")
_ENTITY_TAG = re.compile(r'\s*(?:W/)?("[\x21\x23-\x7e\x80-\xff]*")\s*(?:,|$)')


@dataclass(frozen=True)
class ByteRange:
    """Bytes ``start`` to ``end`` of a representation, both included."""

    start: int
    end: int

    @property
    def length(self) -> int:
        return self.end - self.start + 1


def parse_range(header: str | None, size: int) -> list[ByteRange] | None:
    """The satisfiable ranges that ``header`` asks of ``size`` bytes, clipped to the end.

    ``None`` means "no usable Range" (absent, another unit, bad syntax: send everything);
    an empty list means the header was valid but nothing in it can be served (416).
    """
    if not header:
        return None
    unit, equals, specs = header.strip().partition("=")
    if not equals or unit.strip().lower() != "bytes":
        return None
    ranges = []
    seen_one = False
    for element in specs.split(","):
        element = element.strip(" \t")
        if not element:
            # The list syntax allows empty elements ("0-1,,5-6"); they mean nothing.
            continue
        match = _SPEC.fullmatch(element)
        if not match or match.group(0) == "-":
            return None
        first, last = match.groups()
        seen_one = True
        if first:
            start = int(first)
            end = int(last) if last else size - 1
            if last and end < start:
                return None
            if start < size:
                ranges.append(ByteRange(start, min(end, size - 1)))
        else:
            suffix = int(last)
            if suffix > 0 and size > 0:
                ranges.append(ByteRange(max(0, size - suffix), size - 1))
    return ranges if seen_one else None


def http_date(moment: datetime) -> str:
    """``Sun, 06 Nov 1994 08:49:37 GMT`` for an aware datetime."""
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def parse_http_date(value: str | None) -> datetime | None:
    """An aware UTC datetime from any of HTTP's three date formats, or ``None``."""
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _opaque(tag: str) -> str:
    return tag[2:] if tag.startswith("W/") else tag


def none_match(if_none_match: str | None, etag: str) -> bool:
    """Whether If-None-Match names ``etag`` (weak comparison, ``*`` matches anything)."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    wanted = _opaque(etag)
    position, value = 0, if_none_match
    while position < len(value):
        match = _ENTITY_TAG.match(value, position)
        if not match:
            return False
        if match.group(1) == wanted:
            return True
        position = match.end()
    return False


def if_range_holds(if_range: str | None, etag: str, last_modified: datetime) -> bool:
    """Whether the client's copy is current, so its Range may be served (strong comparison).

    An entity tag must equal ours and not be weak; a date must equal our Last-Modified.
    """
    if if_range is None:
        return True
    value = if_range.strip()
    if value.startswith("W/"):
        return False
    if value.startswith('"'):
        return not etag.startswith("W/") and value == etag
    moment = parse_http_date(value)
    return moment is not None and moment == _seconds(last_modified)


def _seconds(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(microsecond=0)


@dataclass(frozen=True)
class Answer:
    """What to send: a status and, for 200/206, the bytes ``start``..``end`` (inclusive)."""

    status: int
    size: int
    start: int = 0
    end: int = -1

    @property
    def length(self) -> int:
        return max(0, self.end - self.start + 1)

    @property
    def has_body(self) -> bool:
        return self.status in (200, 206)

    @property
    def content_range(self) -> str | None:
        if self.status == 206:
            return f"bytes {self.start}-{self.end}/{self.size}"
        if self.status == 416:
            return f"bytes */{self.size}"
        return None


def answer(
    *,
    method: str,
    size: int,
    etag: str,
    last_modified: datetime,
    range_header: str | None = None,
    if_range: str | None = None,
    if_none_match: str | None = None,
    if_modified_since: str | None = None,
) -> Answer:
    """Decide the response to a GET or HEAD of a file of ``size`` bytes."""
    full = Answer(200, size, 0, size - 1)
    if method not in ("GET", "HEAD"):
        return full
    if if_none_match is not None:
        if none_match(if_none_match, etag):
            return Answer(304, size)
    else:
        since = parse_http_date(if_modified_since)
        if since is not None and _seconds(last_modified) <= since:
            return Answer(304, size)
    if method != "GET":
        return full
    ranges = parse_range(range_header, size)
    if ranges is None or not if_range_holds(if_range, etag, last_modified):
        return full
    if not ranges:
        return Answer(416, size)
    if len(ranges) > 1:
        return full
    return Answer(206, size, ranges[0].start, ranges[0].end)
