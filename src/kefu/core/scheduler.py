"""Periodic jobs run by the `worker` command.

An app declares a periodic job in its tasks.py with `every(interval)(some_task)`; the worker
enqueues each job when its interval has passed. Jobs are idempotent, so a job enqueued
twice by two workers does no harm.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone


@dataclass
class PeriodicJob:
    task: Any
    interval: dt.timedelta
    last_enqueued: dt.datetime | None = None

    def due(self, now: dt.datetime) -> bool:
        return self.last_enqueued is None or now - self.last_enqueued >= self.interval


_jobs: dict[str, PeriodicJob] = {}


def every(interval: dt.timedelta) -> Any:
    def register(task: Any) -> Any:
        _jobs[task.module_path] = PeriodicJob(task=task, interval=interval)
        return task

    return register


def periodic_jobs() -> list[PeriodicJob]:
    return list(_jobs.values())


def enqueue_due_jobs(now: dt.datetime | None = None) -> list[str]:
    """Enqueue every job whose interval has passed; returns their names."""
    now = now or timezone.now()
    enqueued = []
    for name, job in _jobs.items():
        if job.due(now):
            job.task.enqueue()
            job.last_enqueued = now
            enqueued.append(name)
    return enqueued
