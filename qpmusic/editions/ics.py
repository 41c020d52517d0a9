"""The call's deadline as an iCalendar file (RFC 5545) for the visitor's own calendar."""

from datetime import UTC, datetime, timedelta

from icalendar import Alarm, Calendar, Event

from qpmusic.editions.models import Edition

PRODID = "-//QuattroPole//qpmusic//EN"
# A deadline is an instant, but DTEND must lie after DTSTART: the event is the last hour.
EVENT_LENGTH = timedelta(hours=1)


def deadline_uid(edition: Edition, host: str) -> str:
    """Stable across downloads and edits, so calendars update the event instead of adding one."""
    return f"edition-{edition.id}-deadline@{host}"


def deadline_calendar(
    *, edition: Edition, summary: str, description: str, url: str, host: str, now: datetime
) -> bytes:
    """A VCALENDAR with one VEVENT, the hour before the deadline, its times in UTC."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", deadline_uid(edition, host))
    event.add("dtstamp", now)
    # In UTC: no VTIMEZONE to ship, and every calendar shows it in its own zone; the
    # description states the deadline in Luxembourg time in words.
    event.add("dtstart", (edition.closes_at - EVENT_LENGTH).astimezone(UTC))
    event.add("dtend", edition.closes_at.astimezone(UTC))
    event.add("summary", summary)
    event.add("description", description)
    event.add("url", url)
    event.add("transp", "TRANSPARENT")
    reminder = Alarm()
    reminder.add("action", "DISPLAY")
    reminder.add("description", summary)
    reminder.add("trigger", timedelta(days=-1))
    event.add_component(reminder)
    calendar.add_component(event)
    return calendar.to_ical()
