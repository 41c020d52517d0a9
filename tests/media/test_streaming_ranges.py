"""Byte ranges and conditional requests decided from plain values (qpmusic.media.ranges)."""

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qpmusic.media.ranges import (
    Answer,
    ByteRange,
    answer,
    http_date,
    if_range_holds,
    none_match,
    parse_http_date,
    parse_range,
)

ETAG = '"3f2a"'
MODIFIED = datetime(2026, 1, 15, 9, 30, 5, tzinfo=UTC)
MODIFIED_TEXT = "Thu, 15 Jan 2026 09:30:05 GMT"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-499", [ByteRange(0, 499)]),
        ("bytes=500-999", [ByteRange(500, 999)]),
        ("bytes=500-", [ByteRange(500, 999)]),
        ("bytes=-500", [ByteRange(500, 999)]),
        ("bytes=-1", [ByteRange(999, 999)]),
        ("bytes=0-0", [ByteRange(0, 0)]),
        ("bytes=999-999", [ByteRange(999, 999)]),
        ("bytes=900-5000", [ByteRange(900, 999)]),
        ("bytes=-5000", [ByteRange(0, 999)]),
        ("BYTES=1-2", [ByteRange(1, 2)]),
        ("bytes=0-1, 5-6", [ByteRange(0, 1), ByteRange(5, 6)]),
        ("bytes=0-1,,5-6", [ByteRange(0, 1), ByteRange(5, 6)]),
        ("bytes=1000-", []),
        ("bytes=1000-2000", []),
        ("bytes=-0", []),
        ("bytes=1000-, 5-6", [ByteRange(5, 6)]),
    ],
)
def test_parse_range_of_a_thousand_bytes(header, expected):
    assert parse_range(header, 1000) == expected


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "bytes",
        "bytes=",
        "bytes=-",
        "bytes=,",
        "bytes=5",
        "bytes=5-4",
        "bytes=a-b",
        "bytes=+1-2",
        "bytes=1 - 2",
        "bytes=0x10-",
        "bytes=\uff11-\uff12",  # full-width digits are digits to str.isdigit, not to HTTP
        "items=0-1",
        "bytes=0-1;q=1",
        "bytes=0-1, 3-2",
    ],
)
def test_parse_range_ignores_what_it_cannot_read(header):
    assert parse_range(header, 1000) is None


def test_parse_range_of_an_empty_file_satisfies_nothing():
    assert parse_range("bytes=0-", 0) == []
    assert parse_range("bytes=-10", 0) == []


@given(
    size=st.integers(min_value=0, max_value=10**12),
    first=st.integers(min_value=0, max_value=10**12),
    span=st.one_of(st.none(), st.integers(min_value=0, max_value=10**12)),
)
def test_parse_range_of_one_int_range_matches_the_rfc(size, first, span):
    header = f"bytes={first}-" + ("" if span is None else str(first + span))
    last = size - 1 if span is None else min(first + span, size - 1)
    expected = [ByteRange(first, last)] if first < size else []

    assert parse_range(header, size) == expected


@given(size=st.integers(min_value=0, max_value=10**12), suffix=st.integers(0, 10**12))
def test_parse_range_of_a_suffix_gives_the_last_bytes(size, suffix):
    ranges = parse_range(f"bytes=-{suffix}", size)

    if suffix == 0 or size == 0:
        assert ranges == []
    else:
        assert ranges == [ByteRange(max(0, size - suffix), size - 1)]
        assert ranges[0].length == min(size, suffix)


@given(header=st.text(max_size=40), size=st.integers(min_value=0, max_value=10**9))
def test_parse_range_never_fails_and_stays_inside_the_file(header, size):
    ranges = parse_range(header, size)

    for byte_range in ranges or []:
        assert 0 <= byte_range.start <= byte_range.end < size


@given(moment=st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(9999, 1, 1)))
def test_http_date_round_trips_to_the_second(moment):
    aware = moment.replace(tzinfo=UTC)

    assert parse_http_date(http_date(aware)) == aware.replace(microsecond=0)


@pytest.mark.parametrize(
    "text",
    [
        "Thu, 15 Jan 2026 09:30:05 GMT",
        "Thursday, 15-Jan-26 09:30:05 GMT",
        "Thu Jan 15 09:30:05 2026",
        "Thu, 15 Jan 2026 10:30:05 +0100",
    ],
)
def test_parse_http_date_reads_the_three_formats(text):
    assert parse_http_date(text) == MODIFIED


@pytest.mark.parametrize("text", [None, "", "yesterday", "Thu, 45 Jan 2026 09:30:05 GMT", '"x"'])
def test_parse_http_date_gives_none_for_nonsense(text):
    assert parse_http_date(text) is None


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ('"3f2a"', True),
        ('W/"3f2a"', True),
        ('"aaaa", "3f2a"', True),
        ('"aaaa",W/"3f2a"', True),
        ("*", True),
        ('"aaaa"', False),
        ('"3f2a', False),
        ("3f2a", False),
        ("", False),
        (None, False),
    ],
)
def test_none_match_compares_weakly(header, expected):
    assert none_match(header, ETAG) is expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, True),
        ('"3f2a"', True),
        ('W/"3f2a"', False),
        ('"other"', False),
        (MODIFIED_TEXT, True),
        ("Thu, 15 Jan 2026 09:30:04 GMT", False),
        ("Thu, 15 Jan 2026 09:30:06 GMT", False),
        ("not a date", False),
    ],
)
def test_if_range_holds_only_for_our_strong_tag_or_exact_date(header, expected):
    assert if_range_holds(header, ETAG, MODIFIED.replace(microsecond=123)) is expected


def decide(method="GET", size=1000, **headers):
    return answer(method=method, size=size, etag=ETAG, last_modified=MODIFIED, **headers)


def test_answer_without_headers_is_the_whole_file():
    result = decide()

    assert result == Answer(200, 1000, 0, 999)
    assert (result.length, result.has_body, result.content_range) == (1000, True, None)


def test_answer_to_a_range_is_partial_content():
    result = decide(range_header="bytes=100-199")

    assert result == Answer(206, 1000, 100, 199)
    assert (result.length, result.content_range) == (100, "bytes 100-199/1000")


def test_answer_to_an_unsatisfiable_range_is_416_with_the_size():
    result = decide(range_header="bytes=1000-")

    assert (result.status, result.has_body, result.content_range) == (416, False, "bytes */1000")


def test_answer_to_several_ranges_is_the_whole_file():
    assert decide(range_header="bytes=0-1,10-20") == Answer(200, 1000, 0, 999)


def test_answer_to_a_range_on_head_describes_the_whole_file():
    assert decide(method="HEAD", range_header="bytes=0-1") == Answer(200, 1000, 0, 999)


def test_answer_honours_a_range_when_if_range_holds():
    assert decide(range_header="bytes=5-", if_range=ETAG) == Answer(206, 1000, 5, 999)
    assert decide(range_header="bytes=5-", if_range=MODIFIED_TEXT) == Answer(206, 1000, 5, 999)


def test_answer_sends_everything_when_if_range_fails():
    assert decide(range_header="bytes=5-", if_range='"old"') == Answer(200, 1000, 0, 999)
    assert decide(range_header="bytes=5000-", if_range='"old"') == Answer(200, 1000, 0, 999)


def test_answer_is_not_modified_when_the_tag_matches():
    result = decide(if_none_match=ETAG, range_header="bytes=0-1")

    assert (result.status, result.has_body, result.content_range) == (304, False, None)
    assert decide(method="HEAD", if_none_match=ETAG).status == 304


def test_answer_to_another_tag_is_the_file():
    assert decide(if_none_match='"old"').status == 200


def test_answer_uses_if_modified_since_only_without_if_none_match():
    assert decide(if_modified_since=MODIFIED_TEXT).status == 304
    assert decide(if_modified_since="Thu, 15 Jan 2026 09:30:04 GMT").status == 200
    assert decide(if_modified_since=MODIFIED_TEXT, if_none_match='"old"').status == 200
    assert decide(if_modified_since="garbage").status == 200


def test_answer_to_another_method_ignores_conditions_and_ranges():
    assert decide(method="POST", if_none_match=ETAG, range_header="bytes=0-1").status == 200


@given(
    size=st.integers(min_value=1, max_value=10**9),
    first=st.integers(min_value=0, max_value=2 * 10**9),
    last=st.one_of(st.none(), st.integers(min_value=0, max_value=2 * 10**9)),
)
def test_answer_partial_content_always_lies_inside_the_file(size, first, last):
    if last is not None and last < first:
        first, last = last, first
    header = f"bytes={first}-{'' if last is None else last}"

    result = decide(size=size, range_header=header)

    if first >= size:
        assert result.status == 416
    else:
        assert result.status == 206
        assert 0 <= result.start <= result.end < size
        assert result.length == (min(last, size - 1) if last is not None else size - 1) - first + 1


def test_a_range_with_a_number_too_long_for_a_position_is_ignored():
    assert parse_range("bytes=" + "9" * 5000 + "-", 1000) is None
    assert parse_range("bytes=0-" + "9" * 20, 1000) is None
