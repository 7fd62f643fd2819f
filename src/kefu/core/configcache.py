"""Configuration read on every request (SLA policies, categories, calendars, webhook subscriptions),
kept per process.

Managers change these records a few times a year while every intake reads them, so a value built
from them is computed once per process and reused. It is rebuilt:

- at once in the process that saves or deletes one of its rows (model signals: services, admin,
  fixtures and factories alike);
- after `CONFIG_CACHE_SECONDS` in every other process (gunicorn workers, the task worker), which
  cannot see that signal: an edit takes effect everywhere within that time.

Tests call `config_caches_clear()` between tests, because a rolled-back transaction sends no signal.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

from django.db.models import Model
from django.db.models.signals import post_delete, post_save

CONFIG_CACHE_SECONDS = 10.0

T = TypeVar("T")

_caches: list[ConfigCache[Any]] = []


class ConfigCache(Generic[T]):
    """`load()` computed at most once per `CONFIG_CACHE_SECONDS` per process, dropped when a row of
    one of `models` is saved or deleted in this process."""

    def __init__(self, load: Callable[[], T], models: Iterable[type[Model]]) -> None:
        self._load = load
        self._lock = threading.Lock()
        self._value: T | None = None
        self._loaded_at = -1.0
        self._generation = 0
        for model in models:
            post_save.connect(self._on_change, sender=model, weak=False)
            post_delete.connect(self._on_change, sender=model, weak=False)
        _caches.append(self)

    def get(self) -> T:
        with self._lock:
            value, loaded_at, generation = self._value, self._loaded_at, self._generation
        if value is not None and time.monotonic() - loaded_at < CONFIG_CACHE_SECONDS:
            return value
        value = self._load()
        with self._lock:
            if generation == self._generation:  # not changed while loading: keep it
                self._value, self._loaded_at = value, time.monotonic()
        return value

    def clear(self) -> None:
        with self._lock:
            self._value = None
            self._generation += 1

    def _on_change(self, **_signal: Any) -> None:
        self.clear()


def config_cache(models: Iterable[type[Model]]) -> Callable[[Callable[[], T]], ConfigCache[T]]:
    """Decorator: `@config_cache([SlaPolicy, SlaTarget])` over a loader makes it a `ConfigCache`."""

    def wrap(load: Callable[[], T]) -> ConfigCache[T]:
        return ConfigCache(load, models)

    return wrap


def config_caches_clear() -> None:
    """Forget every cached configuration in this process (tests; after a bulk change in SQL)."""
    for cache in _caches:
        cache.clear()
