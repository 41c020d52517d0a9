"""Every refusal and processing note reads as a sentence for a musician, in their language."""

import pytest
from flask_babel import force_locale

from qpmusic.enums import MediaKind, MediaStatus
from qpmusic.media import inspect
from qpmusic.media.labels import (
    REJECTION_MESSAGES,
    STATUS_LABELS,
    human_size,
    note_messages,
    rejection_message,
)

CONTRACT_CODES = {
    "too_large",
    "over_application_limit",
    "bad_name",
    "empty",
    "unknown_type",
    "corrupt",
    "kind_mismatch",
    "checksum_mismatch",
    "expired",
    "processing_failed",
}


def test_every_code_of_the_contract_and_of_inspection_has_a_message():
    problems = {inspect.EMPTY, inspect.UNKNOWN_TYPE, inspect.CORRUPT, inspect.KIND_MISMATCH}

    assert CONTRACT_CODES | problems <= set(REJECTION_MESSAGES)
    assert set(STATUS_LABELS) == set(MediaStatus)


def test_size_limit_is_said_in_human_units(app):
    with app.test_request_context("/?lang=en"):
        message = rejection_message("too_large", kind=MediaKind.AUDIO, limit=1024**3)
        assert message == "The file is larger than the limit of 1 GB for audio."
        assert human_size(50 * 1024**2) == "50 MB"
        assert human_size(1536 * 1024**2) == "1.5 GB"


@pytest.mark.parametrize(
    ("language", "expected"),
    # French and German keep the unit with its number by a (narrow) no-break space.
    [("fr", "1,5\u202fGo"), ("de", "1,5\xa0GB"), ("en", "1.5 GB")],
)
def test_sizes_follow_the_locale(app, language, expected):
    with force_locale(language):
        assert human_size(1536 * 1024**2) == expected


def test_sizes_can_be_written_outside_a_request(app):
    assert human_size(20 * 1024**2) == "20 MB"


@pytest.mark.parametrize(
    ("code", "details", "expected"),
    [
        (
            "kind_mismatch",
            {"kind": MediaKind.AUDIO, "detected": MediaKind.DOCUMENT},
            "This file contains a document, not audio.",
        ),
        (
            "unknown_type",
            {"kind": MediaKind.AUDIO},
            "This file is not a sound file we can read (WAV, FLAC, MP3, Ogg, M4A). "
            "Export your recording in one of these formats and send it again.",
        ),
        ("empty", {}, "The file is empty."),
        ("no_such_code", {}, "This file could not be accepted."),
    ],
)
def test_rejection_message_reads_for_a_musician(app, code, details, expected):
    with app.test_request_context("/?lang=en"):
        assert rejection_message(code, **details) == expected


def test_rejection_message_without_details_falls_back_to_the_plain_sentence(app):
    with app.test_request_context("/?lang=en"):
        assert rejection_message("too_large") == str(REJECTION_MESSAGES["too_large"])


def test_processing_notes_are_translated_line_by_line(app):
    with app.test_request_context("/?lang=en"):
        assert note_messages("pages: 3\nblind_copy_unchanged\nsomething else") == [
            "Pages: 3",
            "The anonymous copy for the jury could not be cleaned of its metadata, so jurors of "
            "a blind edition cannot open this file.",
            "something else",
        ]
        assert note_messages("") == []
