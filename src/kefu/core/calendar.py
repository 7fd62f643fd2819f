"""Business time: working hours, Chinese statutory holidays, adjusted working days (调休) and closures.

Pure functions over an immutable `CalendarSpec`; nothing here touches the database,
so SLA clocks can call them in tight loops and tests can check their properties.

Precedence for a date, highest first:
1. a manager-entered exception (closed / extra working day);
2. the State Council calendar from chinese-calendar, for the years it knows:
   a statutory holiday is a day off, an adjusted working day (e.g. a Saturday) is worked
   with the hours of a normal weekday;
3. the weekly pattern.
For years chinese-calendar does not know yet, rule 2 is skipped and `statutory_year_known`
tells callers so they can warn an admin; nothing raises.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

from chinese_calendar.constants import holidays as _STATUTORY_HOLIDAYS
from chinese_calendar.constants import workdays as _STATUTORY_WORKDAYS
from django.utils.translation import gettext as _

Period = tuple[dt.time, dt.time]

_KNOWN_YEARS = frozenset(d.year for d in _STATUTORY_HOLIDAYS)
_MAX_SEARCH_DAYS = 3 * 366


class CalendarError(ValueError):
    """The calendar cannot answer, e.g. it has no working time at all."""


def statutory_year_known(year: int) -> bool:
    """True when chinese-calendar carries the official holiday arrangement for `year`."""
    return year in _KNOWN_YEARS


def parse_weekly_hours(raw: dict[str, list[list[str]]]) -> tuple[tuple[Period, ...], ...]:
    """Turn {"1": [["09:00", "12:00"], ...]} into a 7-tuple (Monday first) of sorted periods.

    Raises CalendarError naming the weekday when a period is malformed or periods overlap.
    """
    unknown = set(raw) - {str(d) for d in range(1, 8)}
    if unknown:
        raise CalendarError(
            _("weekdays are numbered 1 (Monday) to 7 (Sunday), not %(keys)s") % {"keys": ", ".join(sorted(unknown))}
        )
    week: list[tuple[Period, ...]] = []
    for iso_day in range(1, 8):
        periods: list[Period] = []
        for pair in raw.get(str(iso_day), []):
            try:
                start, end = dt.time.fromisoformat(pair[0]), dt.time.fromisoformat(pair[1])
            except (ValueError, IndexError, TypeError) as exc:
                raise CalendarError(
                    _("weekday %(day)s: %(pair)s is not a pair of HH:MM times") % {"day": iso_day, "pair": pair}
                ) from exc
            if end <= start:
                raise CalendarError(
                    _("weekday %(day)s: period %(start)s-%(end)s ends before it starts")
                    % {"day": iso_day, "start": pair[0], "end": pair[1]}
                )
            periods.append((start, end))
        periods.sort()
        for (_start, prev_end), (next_start, _end) in itertools.pairwise(periods):
            if next_start < prev_end:
                raise CalendarError(_("weekday %(day)s: working periods overlap") % {"day": iso_day})
        week.append(tuple(periods))
    if not any(week):
        raise CalendarError(_("the weekly pattern has no working time"))
    return tuple(week)


@dataclass(frozen=True)
class CalendarSpec:
    """Everything needed to answer business-time questions for one calendar."""

    weekly: tuple[tuple[Period, ...], ...]
    time_zone: str = "Asia/Shanghai"
    follow_statutory: bool = True
    closed_days: frozenset[dt.date] = field(default_factory=frozenset)
    extra_working_days: frozenset[dt.date] = field(default_factory=frozenset)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def normal_day(self) -> tuple[Period, ...]:
        """Hours used on an adjusted or extra working day: the first weekday that has hours."""
        return next(p for p in self.weekly if p)

    def is_working_day(self, day: dt.date) -> bool:
        return bool(self.periods_on(day))

    def periods_on(self, day: dt.date) -> tuple[Period, ...]:
        return _periods_on(self, day)


@lru_cache(maxsize=65536)
def _periods_on(spec: CalendarSpec, day: dt.date) -> tuple[Period, ...]:
    if day in spec.closed_days:
        return ()
    if day in spec.extra_working_days:
        return spec.weekly[day.weekday()] or spec.normal_day
    if spec.follow_statutory and statutory_year_known(day.year):
        if day in _STATUTORY_HOLIDAYS:
            return ()
        if day in _STATUTORY_WORKDAYS and not spec.weekly[day.weekday()]:
            return spec.normal_day
    return spec.weekly[day.weekday()]


def _day_windows(spec: CalendarSpec, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    tz = spec.tz
    return [
        (dt.datetime.combine(day, start, tzinfo=tz), dt.datetime.combine(day, end, tzinfo=tz))
        for start, end in spec.periods_on(day)
    ]


def _require_aware(value: dt.datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise CalendarError(f"{name} must be an aware datetime")


def add_business_time(start: dt.datetime, duration: dt.timedelta, spec: CalendarSpec) -> dt.datetime:
    """The moment when `duration` of working time has passed since `start`.

    A zero duration returns `start` unchanged; otherwise the result always lies inside
    working hours (a deadline of "1 business hour" from Friday 17:30 lands on Monday).
    """
    _require_aware(start, "start")
    if duration < dt.timedelta(0):
        raise CalendarError("duration must not be negative")
    if duration == dt.timedelta(0):
        return start
    cursor = start.astimezone(spec.tz)
    remaining = duration
    day = cursor.date()
    for _day in range(_MAX_SEARCH_DAYS):
        for window_start, window_end in _day_windows(spec, day):
            if window_end <= cursor:
                continue
            begin = max(window_start, cursor)
            available = window_end - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        day += dt.timedelta(days=1)
    raise CalendarError("no working time found within three years")


def business_time_between(start: dt.datetime, end: dt.datetime, spec: CalendarSpec) -> dt.timedelta:
    """Working time between two moments; negative when `end` is before `start`."""
    _require_aware(start, "start")
    _require_aware(end, "end")
    if end < start:
        return -business_time_between(end, start, spec)
    start, end = start.astimezone(spec.tz), end.astimezone(spec.tz)
    total = dt.timedelta(0)
    day = start.date()
    while day <= end.date():
        for window_start, window_end in _day_windows(spec, day):
            overlap = min(window_end, end) - max(window_start, start)
            if overlap > dt.timedelta(0):
                total += overlap
        day += dt.timedelta(days=1)
    return total


DEFAULT_WEEKLY_HOURS: dict[str, list[list[str]]] = {
    str(d): [["09:00", "12:00"], ["13:30", "18:00"]] for d in range(1, 6)
}
