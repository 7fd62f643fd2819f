"""Rest times and preferred contact windows (pure functions)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kefu.visits.timing import (
    RestHoursError,
    first_free_moment,
    is_resting,
    parse_periods,
    period_of,
    preferred_window,
)

TZ = ZoneInfo("Asia/Shanghai")
DEFAULT = parse_periods("12:00-14:00,21:00-09:00")


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=TZ)


def test_parsing_rest_hours():
    assert [(dt.time(12), dt.time(14)), (dt.time(21), dt.time(9))] == DEFAULT
    assert parse_periods("12：00-13：30，22:00~08:00") == [(dt.time(12), dt.time(13, 30)), (dt.time(22), dt.time(8))]
    with pytest.raises(RestHoursError):
        parse_periods("lunch")
    with pytest.raises(RestHoursError):
        parse_periods("25:00-26:00")


def test_preferred_window_is_read_from_free_text():
    assert preferred_window("工作日 10:00-11:30") == (dt.time(10), dt.time(11, 30))
    assert preferred_window("下午 15:00 至 17:00") == (dt.time(15), dt.time(17))
    assert preferred_window("上午") is None
    assert preferred_window("18:00-09:00") is None


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (at(23, 10), at(23, 10)),
        (at(23, 12, 30), at(23, 14)),
        (at(23, 21, 30), at(24, 9)),
        (at(23, 3), at(23, 9)),
    ],
)
def test_first_free_moment_leaves_rest_times(start, expected):
    assert first_free_moment(start, DEFAULT) == expected


def test_preferred_window_within_working_time():
    window = (dt.time(15, 30), dt.time(17))
    assert first_free_moment(at(23, 10), DEFAULT, window) == at(23, 15, 30)
    assert first_free_moment(at(23, 17, 30), DEFAULT, window) == at(24, 15, 30)


def test_a_window_inside_rest_times_gives_way():
    assert first_free_moment(at(23, 10), DEFAULT, (dt.time(12, 15), dt.time(13))) == at(23, 10)


@given(st.integers(min_value=0, max_value=24 * 60 * 3 - 1))
def test_the_result_is_never_resting_nor_earlier(minutes):
    start = at(23, 0) + dt.timedelta(minutes=minutes)
    result = first_free_moment(start, DEFAULT)
    assert result >= start and not is_resting(result, DEFAULT)


def test_periods_start_in_january():
    assert period_of(dt.date(2026, 11, 23), 1) == (dt.date(2026, 11, 1), dt.date(2026, 12, 1))
    assert period_of(dt.date(2026, 11, 23), 3) == (dt.date(2026, 10, 1), dt.date(2027, 1, 1))
    assert period_of(dt.date(2026, 2, 1), 6) == (dt.date(2026, 1, 1), dt.date(2026, 7, 1))
    assert period_of(dt.date(2026, 12, 31), 12) == (dt.date(2026, 1, 1), dt.date(2027, 1, 1))
