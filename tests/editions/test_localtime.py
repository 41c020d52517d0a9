"""Luxembourg wall-clock times and UTC, across both daylight-saving changes (pure, no database)."""

from datetime import UTC, date, datetime, time

import pytest

from qpmusic.editions.localtime import (
    NonExistentLocalTime,
    is_ambiguous,
    local_to_utc,
    utc_to_local,
)

# In 2031 the clocks go forward on 30 March (02:00 → 03:00) and back on 26 October (03:00 → 02:00).
SPRING = date(2031, 3, 30)
AUTUMN = date(2031, 10, 26)


def test_winter_time_is_one_hour_ahead_of_utc():
    assert local_to_utc(date(2031, 1, 15), time(10, 0)) == datetime(2031, 1, 15, 9, 0, tzinfo=UTC)


def test_summer_time_is_two_hours_ahead_of_utc():
    assert local_to_utc(date(2031, 7, 31), time(23, 59)) == datetime(
        2031, 7, 31, 21, 59, tzinfo=UTC
    )


@pytest.mark.parametrize("at", [time(2, 0), time(2, 30), time(2, 59)])
def test_a_time_skipped_by_the_spring_change_does_not_exist(at):
    with pytest.raises(NonExistentLocalTime):
        local_to_utc(SPRING, at)


def test_the_minutes_around_the_spring_gap_exist():
    assert local_to_utc(SPRING, time(1, 59)) == datetime(2031, 3, 30, 0, 59, tzinfo=UTC)
    assert local_to_utc(SPRING, time(3, 0)) == datetime(2031, 3, 30, 1, 0, tzinfo=UTC)


def test_a_time_shown_twice_in_autumn_resolves_to_the_later_winter_time_instant():
    assert is_ambiguous(AUTUMN, time(2, 30))
    # 02:30 CEST would be 00:30 UTC; the rule picks 02:30 CET, one hour later.
    assert local_to_utc(AUTUMN, time(2, 30)) == datetime(2031, 10, 26, 1, 30, tzinfo=UTC)


def test_an_ordinary_time_is_not_ambiguous():
    assert not is_ambiguous(AUTUMN, time(12, 0))


def test_utc_instants_read_back_as_the_wall_clock_time_entered():
    for day, at in [(SPRING, time(3, 30)), (AUTUMN, time(2, 30)), (date(2031, 7, 1), time(9, 5))]:
        assert utc_to_local(local_to_utc(day, at)) == (day, at)
