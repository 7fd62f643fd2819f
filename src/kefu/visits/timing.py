"""When a visit may be due: customers' rest times and their preferred contact time. Pure functions."""

from __future__ import annotations

import datetime as dt
import re

Period = tuple[dt.time, dt.time]

_RANGE = re.compile(r"(\d{1,2})[:：](\d{2})\s*[-~～至到]\s*(\d{1,2})[:：](\d{2})")
DAY_START = dt.time(9, 0)


class RestHoursError(ValueError):
    pass


def parse_periods(text: str) -> list[Period]:
    """ "12:00-14:00,21:00-09:00" as (start, end) pairs; a period may cross midnight."""
    periods = []
    for chunk in (text or "").replace("，", ",").split(","):
        chunk = chunk.strip()
        if not chunk:
            continue
        match = _RANGE.fullmatch(chunk)
        if match is None:
            raise RestHoursError(chunk)
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59:
            raise RestHoursError(chunk)
        end = dt.time(23, 59, 59) if h2 == 24 else dt.time(h2, m2)
        periods.append((dt.time(h1, m1), end))
    return periods


def preferred_window(text: str) -> Period | None:
    """The first "HH:MM-HH:MM" in a contact's free-text preferred contact time, if any."""
    match = _RANGE.search(text or "")
    if match is None:
        return None
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59 or (h1, m1) >= (h2, m2):
        return None
    return dt.time(h1, m1), dt.time(h2, m2)


def _rest_end(local: dt.datetime, periods: list[Period]) -> dt.datetime | None:
    clock = local.time()
    for start, end in periods:
        if start <= end:
            if start <= clock < end:
                return dt.datetime.combine(local.date(), end, tzinfo=local.tzinfo)
        elif clock >= start:
            return dt.datetime.combine(local.date() + dt.timedelta(days=1), end, tzinfo=local.tzinfo)
        elif clock < end:
            return dt.datetime.combine(local.date(), end, tzinfo=local.tzinfo)
    return None


def first_free_moment(local: dt.datetime, periods: list[Period], window: Period | None = None) -> dt.datetime:
    """The first moment at or after `local` (an aware local time) outside every rest period and, when the
    contact named one, inside their preferred window. When the window lies wholly in rest times the
    window is ignored: rest times win."""
    for use_window in (True, False) if window else (False,):
        moment = local
        for _round in range(12):
            if use_window and window:
                start, end = window
                if moment.time() < start:
                    moment = dt.datetime.combine(moment.date(), start, tzinfo=moment.tzinfo)
                elif moment.time() >= end:
                    moment = dt.datetime.combine(moment.date() + dt.timedelta(days=1), start, tzinfo=moment.tzinfo)
            later = _rest_end(moment, periods)
            if later is None:
                if not use_window or window is None or window[0] <= moment.time() < window[1]:
                    return moment
                continue
            moment = later
    return local


def is_resting(local: dt.datetime, periods: list[Period]) -> bool:
    return _rest_end(local, periods) is not None


def period_of(day: dt.date, months: int) -> tuple[dt.date, dt.date]:
    """The [start, end) of the `months`-long period holding `day`; periods start in January."""
    index = (day.month - 1) // months
    start = dt.date(day.year, index * months + 1, 1)
    month = start.month - 1 + months
    end = dt.date(start.year + month // 12, month % 12 + 1, 1)
    return start, end
