"""Configuration kept per process: loaded once, dropped on a change in this process, reloaded after
CONFIG_CACHE_SECONDS for changes made by other processes."""

from __future__ import annotations

import pytest

from kefu.core import configcache
from kefu.core.models import WorkCalendar
from kefu.core.services import calendar_day_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def calendars():
    loads = []

    @configcache.config_cache([WorkCalendar])
    def names() -> list[str]:
        loads.append(1)
        return sorted(WorkCalendar.objects.values_list("name", flat=True))

    return names, loads


def test_loaded_once_then_served_from_memory(calendars, django_assert_num_queries):
    names, loads = calendars
    first = names.get()
    with django_assert_num_queries(0):
        assert names.get() == first
    assert len(loads) == 1


def test_a_saved_row_drops_the_value_in_this_process(calendars):
    names, loads = calendars
    names.get()
    WorkCalendar.objects.create(name="仓库作息", weekly_hours={})
    assert "仓库作息" in names.get()
    assert len(loads) == 2


def test_a_row_of_another_model_leaves_it_alone(calendars):
    import datetime as dt

    names, loads = calendars
    names.get()
    calendar_day_set(actor=None, calendar=WorkCalendar.objects.first(), date=dt.date(2026, 10, 9), kind="closed")
    names.get()
    assert len(loads) == 1


def test_other_processes_changes_are_seen_after_the_time_limit(calendars, monkeypatch):
    names, loads = calendars
    names.get()
    monkeypatch.setattr(configcache, "CONFIG_CACHE_SECONDS", 0.0)
    names.get()
    assert len(loads) == 2


def test_clearing_forgets_every_cache(calendars):
    names, loads = calendars
    names.get()
    configcache.config_caches_clear()
    names.get()
    assert len(loads) == 2
