"""Business calendar: working hours, statutory holidays, adjusted working days (调休), closures."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from kefu.core.calendar import (
    DEFAULT_WEEKLY_HOURS,
    CalendarError,
    CalendarSpec,
    add_business_time,
    business_time_between,
    parse_weekly_hours,
    statutory_year_known,
)
from kefu.core.models import CalendarDay, WorkCalendar
from kefu.core.selectors import calendar_default, calendar_missing_years, calendar_spec
from kefu.core.services import DomainError, calendar_day_set, calendar_set_weekly_hours

SHANGHAI = ZoneInfo("Asia/Shanghai")
SPEC = CalendarSpec(weekly=parse_weekly_hours(DEFAULT_WEEKLY_HOURS))
PLAIN_SPEC = CalendarSpec(weekly=SPEC.weekly, follow_statutory=False)
HOUR = dt.timedelta(hours=1)


@pytest.fixture(autouse=True)
def _english_messages():
    """Calendar errors are translated; these tests read them in English."""
    with translation.override("en"):
        yield


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def first_unknown_year() -> int:
    year = 2025
    while statutory_year_known(year):
        year += 1
    return year


moments = st.datetimes(
    min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2031, 12, 31), timezones=st.just(SHANGHAI)
)
durations = st.timedeltas(min_value=dt.timedelta(seconds=1), max_value=dt.timedelta(days=20))
specs = st.sampled_from([SPEC, PLAIN_SPEC])


# --- properties ---------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(start=moments, duration=durations, spec=specs)
def test_adding_then_measuring_business_time_round_trips(start, duration, spec):
    """The business time between a start and start + d business time is exactly d."""
    end = add_business_time(start, duration, spec)
    assert business_time_between(start, end, spec) == duration


@settings(max_examples=200, deadline=None)
@given(start=moments, duration=durations, spec=specs)
def test_deadline_always_lies_inside_working_hours(start, duration, spec):
    """A deadline for a positive duration falls inside a working period of a working day."""
    end = add_business_time(start, duration, spec)
    local = end.astimezone(SHANGHAI)
    periods = spec.periods_on(local.date())
    assert periods, f"{local} is not a working day"
    assert any(s <= local.time() <= e for s, e in periods), f"{local.time()} is outside {periods}"
    assert end > start


@settings(max_examples=200, deadline=None)
@given(start=moments, first=durations, second=durations, spec=specs)
def test_deadline_is_monotonic_in_duration(start, first, second, spec):
    """A longer duration never gives an earlier deadline."""
    shorter, longer = sorted([first, second])
    assert add_business_time(start, shorter, spec) <= add_business_time(start, longer, spec)


@settings(max_examples=200, deadline=None)
@given(start=moments, end=moments)
def test_business_time_between_is_antisymmetric_and_bounded(start, end):
    """Measuring backwards gives the negative, and business time never exceeds wall-clock time."""
    forward = business_time_between(start, end, SPEC)
    assert business_time_between(end, start, SPEC) == -forward
    assert abs(forward) <= abs(end - start)


@settings(max_examples=100, deadline=None)
@given(start=moments, duration=durations)
def test_start_given_in_another_time_zone_gives_the_same_deadline(start, duration):
    """The same instant expressed in UTC yields the same deadline as in Shanghai time."""
    in_utc = start.astimezone(dt.UTC)
    assert add_business_time(in_utc, duration, SPEC) == add_business_time(start, duration, SPEC)


# --- examples ------------------------------------------------------------------------------------


def test_zero_duration_returns_start_unchanged():
    """Adding no time returns the start itself, even outside working hours."""
    saturday_night = at(2025, 3, 8, 22)
    assert add_business_time(saturday_night, dt.timedelta(0), SPEC) == saturday_night


def test_one_hour_from_friday_evening_lands_on_monday_morning():
    """Friday 17:30 + 1 business hour = Monday 09:30 (30 min Friday, 30 min Monday)."""
    assert add_business_time(at(2025, 3, 7, 17, 30), HOUR, SPEC) == at(2025, 3, 10, 9, 30)


def test_lunch_break_is_not_business_time():
    """11:30 + 1 hour skips the 12:00-13:30 break and ends at 14:00."""
    assert add_business_time(at(2025, 3, 5, 11, 30), HOUR, SPEC) == at(2025, 3, 5, 14, 0)


def test_start_before_opening_counts_from_opening():
    """A case opened at 07:00 starts its clock at 09:00."""
    assert add_business_time(at(2025, 3, 5, 7), HOUR, SPEC) == at(2025, 3, 5, 10)


def test_negative_duration_is_refused():
    """A negative duration raises CalendarError."""
    with pytest.raises(CalendarError, match="negative"):
        add_business_time(at(2025, 3, 5, 10), -HOUR, SPEC)


def test_national_day_holiday_is_skipped():
    """From the last hour before National Day 2025, one more hour ends on 9 October."""
    assert add_business_time(at(2025, 9, 30, 17), 2 * HOUR, SPEC) == at(2025, 10, 9, 10)
    assert business_time_between(at(2025, 9, 30, 18), at(2025, 10, 9, 9), SPEC) == dt.timedelta(0)


@pytest.mark.parametrize("day", [dt.date(2025, 10, d) for d in range(1, 9)])
def test_national_day_2025_days_are_not_working_days(day):
    """2025-10-01 to 2025-10-08 are statutory days off, whatever the weekday."""
    assert not SPEC.is_working_day(day)


@pytest.mark.parametrize("day", [dt.date(2025, 9, 28), dt.date(2025, 10, 11)])
def test_adjusted_weekend_days_of_2025_are_working_days_with_normal_hours(day):
    """Sunday 2025-09-28 and Saturday 2025-10-11 are worked (调休) with a normal weekday's hours."""
    assert day.isoweekday() in (6, 7)
    assert SPEC.is_working_day(day)
    assert SPEC.periods_on(day) == SPEC.weekly[0]


def test_adjusted_working_sunday_counts_business_time():
    """Sunday 2025-09-28 contributes a full 7.5 hour working day."""
    assert business_time_between(at(2025, 9, 28), at(2025, 9, 29), SPEC) == dt.timedelta(hours=7, minutes=30)


def test_calendar_not_following_statutory_uses_weekly_pattern():
    """With follow_statutory off, 2025-10-01 (Wednesday) is worked and 2025-09-28 (Sunday) is not."""
    assert PLAIN_SPEC.is_working_day(dt.date(2025, 10, 1))
    assert not PLAIN_SPEC.is_working_day(dt.date(2025, 9, 28))


def test_year_without_official_arrangement_uses_weekly_pattern_and_never_raises():
    """For years chinese-calendar does not know (e.g. 2027, 2030) weekdays work, weekends rest."""
    for year in (first_unknown_year(), 2030):
        assert not statutory_year_known(year)
        monday = dt.date(year, 10, 1)
        while monday.weekday() != 0:
            monday += dt.timedelta(days=1)
        assert SPEC.is_working_day(monday)
        assert not SPEC.is_working_day(monday + dt.timedelta(days=5))
        # 1 October, a holiday in every known year, is a working day when it falls on a weekday
        oct_first = dt.date(year, 10, 1)
        assert SPEC.is_working_day(oct_first) == (oct_first.weekday() < 5)
        end = add_business_time(at(year, 12, 31, 17), 10 * HOUR, SPEC)
        assert end.year == year + 1
        assert business_time_between(at(year, 1, 1), at(year + 1, 1, 1), SPEC) > dt.timedelta(0)


def test_deadline_crossing_into_unknown_year_is_computed():
    """A deadline from the last known year into the first unknown year is computed without error."""
    last_known = first_unknown_year() - 1
    start = at(last_known, 12, 31, 17)
    end = add_business_time(start, 40 * HOUR, SPEC)
    assert end.year == last_known + 1
    assert business_time_between(start, end, SPEC) == 40 * HOUR


@pytest.mark.parametrize("naive_arg", ["start", "end"])
def test_naive_datetimes_are_refused(naive_arg):
    """A datetime without time zone raises CalendarError instead of guessing."""
    naive, aware = dt.datetime(2025, 3, 5, 10), at(2025, 3, 5, 10)
    with pytest.raises(CalendarError, match="aware"):
        if naive_arg == "start":
            business_time_between(naive, aware, SPEC)
        else:
            business_time_between(aware, naive, SPEC)
    with pytest.raises(CalendarError, match="aware"):
        add_business_time(naive, HOUR, SPEC)


def test_calendar_without_any_reachable_working_time_raises():
    """A calendar whose every day is closed cannot place a deadline and says so."""
    start = dt.date(2025, 3, 1)
    closed = frozenset(start + dt.timedelta(days=i) for i in range(4 * 366))
    spec = CalendarSpec(weekly=SPEC.weekly, closed_days=closed)
    with pytest.raises(CalendarError, match="no working time"):
        add_business_time(at(2025, 3, 1), HOUR, spec)


# --- weekly patterns -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"1": [["18:00", "09:00"]]}, "weekday 1: period 18:00-09:00 ends before it starts"),
        ({"2": [["09:00", "09:00"]]}, "weekday 2: period 09:00-09:00 ends before it starts"),
        ({"3": [["09:00", "12:00"], ["11:00", "14:00"]]}, "weekday 3: working periods overlap"),
        ({"4": [["9am", "5pm"]]}, "weekday 4: .* is not a pair of HH:MM times"),
        ({"5": [["09:00"]]}, "weekday 5: .* is not a pair of HH:MM times"),
        ({"1": [None]}, "weekday 1: .* is not a pair of HH:MM times"),
        ({}, "no working time"),
        ({"6": []}, "no working time"),
    ],
)
def test_invalid_weekly_pattern_raises_with_message(raw, message):
    """A malformed or empty weekly pattern raises CalendarError naming the weekday at fault."""
    with pytest.raises(CalendarError, match=message):
        parse_weekly_hours(raw)


def test_weekly_pattern_periods_are_sorted():
    """Periods given out of order are sorted; Saturday-only calendars are valid."""
    week = parse_weekly_hours({"6": [["13:00", "17:00"], ["08:00", "12:00"]]})
    assert week[5] == ((dt.time(8), dt.time(12)), (dt.time(13), dt.time(17)))
    assert all(not day for i, day in enumerate(week) if i != 5)


def test_adjusted_working_day_uses_first_weekday_with_hours():
    """On an adjusted working Sunday a Tuesday-to-Saturday calendar works Tuesday's hours."""
    spec = CalendarSpec(
        weekly=parse_weekly_hours({str(d): [["08:00", "16:00"]] for d in range(2, 7)}),
    )
    assert spec.periods_on(dt.date(2025, 9, 28)) == ((dt.time(8), dt.time(16)),)


@pytest.mark.django_db
def test_setting_invalid_weekly_hours_is_refused_as_domain_error():
    """calendar_set_weekly_hours refuses a bad pattern with a DomainError on field weekly_hours."""
    calendar = WorkCalendar.objects.create(name="east", weekly_hours=DEFAULT_WEEKLY_HOURS)
    with pytest.raises(DomainError) as caught:
        calendar_set_weekly_hours(actor=None, calendar=calendar, weekly_hours={"1": [["12:00", "08:00"]]})
    assert caught.value.field == "weekly_hours"
    assert "weekday 1" in caught.value.message
    calendar.refresh_from_db()
    assert calendar.weekly_hours == DEFAULT_WEEKLY_HOURS
    assert calendar.version == 1


# --- manager exceptions and the database-backed spec ---------------------------------------------


@pytest.mark.django_db
def test_default_spec_exists_without_any_calendar_row():
    """With no calendar in the database the default Monday-Friday pattern applies."""
    WorkCalendar.objects.all().delete()
    spec = calendar_spec()
    assert spec.is_working_day(dt.date(2025, 3, 5))
    assert not spec.is_working_day(dt.date(2025, 3, 8))
    assert not spec.is_working_day(dt.date(2025, 10, 1))


@pytest.mark.django_db
def test_manager_closure_and_extra_working_day_override_everything():
    """A closure closes a working day (even an adjusted one); an extra day opens a weekend or holiday."""
    calendar = calendar_default()
    calendar_day_set(actor=None, calendar=calendar, date=dt.date(2025, 3, 5), kind=CalendarDay.Kind.CLOSED)
    calendar_day_set(actor=None, calendar=calendar, date=dt.date(2025, 9, 28), kind=CalendarDay.Kind.CLOSED)
    calendar_day_set(actor=None, calendar=calendar, date=dt.date(2025, 3, 8), kind=CalendarDay.Kind.WORKING)
    calendar_day_set(actor=None, calendar=calendar, date=dt.date(2025, 10, 3), kind=CalendarDay.Kind.WORKING)

    spec = calendar_spec()

    assert not spec.is_working_day(dt.date(2025, 3, 5))
    assert not spec.is_working_day(dt.date(2025, 9, 28))
    assert spec.periods_on(dt.date(2025, 3, 8)) == spec.weekly[0]
    assert spec.is_working_day(dt.date(2025, 10, 3))
    # Tuesday 17:00 + 2h: 1h Tuesday, Wednesday closed, 1h Thursday
    assert add_business_time(at(2025, 3, 4, 17), 2 * HOUR, spec) == at(2025, 3, 6, 10)


@pytest.mark.django_db
def test_setting_a_day_again_replaces_the_earlier_entry():
    """Entering a date twice keeps one exception with the latest kind."""
    calendar = calendar_default()
    calendar_day_set(actor=None, calendar=calendar, date=dt.date(2025, 3, 8), kind=CalendarDay.Kind.WORKING)
    calendar_day_set(actor=None, calendar=calendar, date=dt.date(2025, 3, 8), kind=CalendarDay.Kind.CLOSED)
    assert CalendarDay.objects.filter(calendar=calendar).count() == 1
    assert not calendar_spec().is_working_day(dt.date(2025, 3, 8))


@pytest.mark.django_db
def test_unknown_kind_of_calendar_day_is_refused():
    """calendar_day_set refuses a kind other than closed/working."""
    calendar = calendar_default()
    with pytest.raises(DomainError):
        calendar_day_set(actor=None, calendar=calendar, date=dt.date(2025, 3, 8), kind="holiday")
    assert not CalendarDay.objects.exists()


@pytest.mark.django_db
def test_exceptions_of_another_calendar_do_not_apply():
    """A closure entered on one calendar leaves the other calendars open."""
    default = calendar_default()
    depot = WorkCalendar.objects.create(name="depot", weekly_hours=DEFAULT_WEEKLY_HOURS)
    calendar_day_set(actor=None, calendar=depot, date=dt.date(2025, 3, 5), kind=CalendarDay.Kind.CLOSED)
    assert calendar_spec(default).is_working_day(dt.date(2025, 3, 5))
    assert not calendar_spec(depot).is_working_day(dt.date(2025, 3, 5))


# --- missing years -------------------------------------------------------------------------------


def test_missing_years_warns_for_next_year_from_november():
    """From 1 November the next year is reported when its arrangement is unknown; before, it is not."""
    last_known = first_unknown_year() - 1
    assert calendar_missing_years(dt.date(last_known, 10, 31)) == []
    assert calendar_missing_years(dt.date(last_known, 11, 1)) == [last_known + 1]
    assert calendar_missing_years(dt.date(last_known, 12, 31)) == [last_known + 1]


def test_missing_years_reports_the_current_unknown_year():
    """In an unknown year the current year itself is reported, and the next one from November."""
    year = first_unknown_year()
    assert calendar_missing_years(dt.date(year, 3, 1)) == [year]
    assert calendar_missing_years(dt.date(year, 11, 2)) == [year, year + 1]


def test_missing_years_is_empty_in_a_known_year():
    """2025 is known and so is 2026: nothing to warn about in November 2025."""
    assert calendar_missing_years(dt.date(2025, 11, 15)) == []


def test_a_weekly_pattern_with_an_unknown_weekday_key_is_refused():
    """A Sunday entered as "0" would silently vanish; the pattern is refused with the reason instead."""
    with pytest.raises(CalendarError, match="1 \\(Monday\\) to 7 \\(Sunday\\)"):
        parse_weekly_hours({"0": [["09:00", "12:00"]], "1": [["09:00", "12:00"]]})
