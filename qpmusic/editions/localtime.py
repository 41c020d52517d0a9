"""Wall-clock times in Luxembourg ↔ aware UTC instants, with daylight-saving edges made explicit."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

LUXEMBOURG = ZoneInfo("Europe/Luxembourg")


class NonExistentLocalTime(ValueError):
    """The wall-clock time is skipped when the clocks go forward (e.g. 02:30 on a spring night)."""


def local_to_utc(day: date, at: time, zone: ZoneInfo = LUXEMBOURG) -> datetime:
    """The UTC instant the clocks in ``zone`` show ``day`` ``at``.

    A time skipped by the spring change raises ``NonExistentLocalTime``. A time shown twice
    on the autumn night resolves to the *later* instant (standard time, ``fold=1``): nobody
    whose clock still shows a time before the deadline is refused, and opening and closing
    follow the same rule.
    """
    wall = datetime.combine(day, at.replace(tzinfo=None, fold=0))
    earlier = wall.replace(tzinfo=zone, fold=0)
    later = wall.replace(tzinfo=zone, fold=1)
    if earlier.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall:
        raise NonExistentLocalTime(wall.isoformat(sep=" ", timespec="minutes"))
    return later.astimezone(UTC)


def is_ambiguous(day: date, at: time, zone: ZoneInfo = LUXEMBOURG) -> bool:
    """Whether the clocks in ``zone`` show ``day`` ``at`` twice (the autumn change)."""
    wall = datetime.combine(day, at.replace(tzinfo=None))
    return (
        wall.replace(tzinfo=zone, fold=0).utcoffset()
        != wall.replace(tzinfo=zone, fold=1).utcoffset()
    )


def utc_to_local(instant: datetime, zone: ZoneInfo = LUXEMBOURG) -> tuple[date, time]:
    """The date and wall-clock time ``instant`` shows in ``zone`` (for pre-filling a form)."""
    local = instant.astimezone(zone)
    return local.date(), local.time().replace(tzinfo=None, fold=0)
