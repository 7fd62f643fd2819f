"""Human-readable numbers: PREFIX-YYYYMMDD-NNNN, counted per prefix and day."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine

from kefu.core.services import number_next

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 22)


def test_first_number_of_a_day_has_the_documented_format():
    """The first complaint number of 22 Nov 2026 is TS-20261122-0001."""
    number = number_next(prefix="TS", day=DAY)
    assert number == "TS-20261122-0001"
    assert re.fullmatch(r"TS-\d{8}-\d{4}", number)


def test_numbers_increment_within_a_day():
    """Successive numbers of one prefix and day count up without gaps."""
    assert [number_next(prefix="TS", day=DAY) for _ in range(3)] == [
        "TS-20261122-0001",
        "TS-20261122-0002",
        "TS-20261122-0003",
    ]


def test_each_day_and_prefix_has_its_own_counter():
    """A new day or another prefix starts again at 0001."""
    number_next(prefix="TS", day=DAY)
    number_next(prefix="TS", day=DAY)
    assert number_next(prefix="TS", day=DAY + dt.timedelta(days=1)) == "TS-20261123-0001"
    assert number_next(prefix="KH", day=DAY) == "KH-20261122-0001"
    assert number_next(prefix="TS", day=DAY) == "TS-20261122-0003"


def test_numbers_past_9999_keep_counting():
    """The counter does not wrap after four digits."""
    from kefu.core.models import NumberSequence

    NumberSequence.objects.create(key="TS-20261122", last_value=9999)
    assert number_next(prefix="TS", day=DAY) == "TS-20261122-10000"


def test_default_day_is_the_local_date_in_shanghai():
    """At 00:30 Shanghai time (16:30 UTC the day before) the number carries the Shanghai date."""
    moment = dt.datetime(2026, 11, 22, 0, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(moment, tick=False):
        assert number_next(prefix="TS") == "TS-20261122-0001"
