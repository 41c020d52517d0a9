"""The deadline as an iCalendar file: parsed back, times checked, RFC 5545 line format."""

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from qpmusic.enums import EditionPhase
from qpmusic.extensions import db
from tests.factories import EditionFactory

# 23:59:59 on 31 July 2031 in Luxembourg (summer time, UTC+2).
DEADLINE = datetime(2031, 7, 31, 21, 59, 59, tzinfo=UTC)


@pytest.fixture
def edition():
    return EditionFactory(year=2031, closes_at=DEADLINE)


def event_of(response):
    calendar = Calendar.from_ical(response.data)
    [event] = calendar.walk("VEVENT")
    return calendar, event


def test_the_deadline_file_is_a_calendar_with_one_event_ending_at_the_deadline(client, edition):
    response = client.get("/editions/2031/deadline.ics?lang=en")

    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="quattropole-2031-deadline.ics"'
    )
    calendar, event = event_of(response)
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"] == "-//QuattroPole//qpmusic//EN"
    assert event.decoded("DTEND") == DEADLINE
    assert event.decoded("DTSTART") == DEADLINE - timedelta(hours=1)
    assert event.decoded("DTSTAMP").tzinfo is not None
    assert str(event["SUMMARY"]) == "Application deadline: QuattroPole Music Prize 2031"
    assert str(event["URL"]) == "http://localhost/"
    assert "Thursday, July 31, 2031, 11:59:59\u202fPM" in str(event["DESCRIPTION"])
    [alarm] = event.walk("VALARM")
    assert alarm.decoded("TRIGGER") == timedelta(days=-1)


@pytest.mark.parametrize(
    ("language", "summary"),
    [
        ("de", "QuattroPole Musikpreis 2031"),
        ("fr", "Prix de musique QuattroPole 2031"),
    ],
)
def test_the_summary_is_in_the_request_language(client, edition, language, summary):
    _, event = event_of(client.get(f"/editions/2031/deadline.ics?lang={language}"))

    assert summary in str(event["SUMMARY"])
    assert "2031" in str(event["DESCRIPTION"])


def test_lines_end_with_crlf_and_long_lines_are_folded(client):
    title = "QuattroPole Music Prize 2031 — " + "sound " * 20
    EditionFactory(year=2031, title_en=title)

    raw = client.get("/editions/2031/deadline.ics?lang=en").data

    assert raw.endswith(b"\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")
    lines = raw.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)
    assert any(line.startswith(b" ") for line in lines), "the long summary is folded"
    _, event = event_of(client.get("/editions/2031/deadline.ics?lang=en"))
    assert str(event["SUMMARY"]) == f"Application deadline: {title}"


def test_the_uid_stays_the_same_when_the_deadline_moves(client, edition):
    _, before = event_of(client.get("/editions/2031/deadline.ics"))
    edition.closes_at = DEADLINE + timedelta(days=7)
    db.session.commit()
    _, after = event_of(client.get("/editions/2031/deadline.ics"))

    assert str(before["UID"]) == str(after["UID"]) == f"edition-{edition.id}-deadline@localhost"
    assert after.decoded("DTEND") == DEADLINE + timedelta(days=7)


def test_a_deadline_in_winter_time_keeps_its_instant(client):
    EditionFactory(year=2031, closes_at=datetime(2031, 12, 1, 22, 59, tzinfo=UTC))

    response = client.get("/editions/2031/deadline.ics?lang=de")

    _, event = event_of(response)
    assert event.decoded("DTEND") == datetime(2031, 12, 1, 22, 59, tzinfo=UTC)
    assert "23:59" in str(event["DESCRIPTION"])


def test_a_draft_or_missing_edition_has_no_deadline_file(client):
    EditionFactory(year=2031, phase=EditionPhase.DRAFT)

    assert client.get("/editions/2031/deadline.ics").status_code == 404
    assert client.get("/editions/1999/deadline.ics").status_code == 404
