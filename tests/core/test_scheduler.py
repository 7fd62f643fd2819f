"""The periodic scheduler of the worker: each job is enqueued once per interval."""

from __future__ import annotations

import datetime as dt

import pytest

import kefu.core.tasks
import kefu.notify.tasks
from kefu.core.models import WorkCalendar
from kefu.core.scheduler import enqueue_due_jobs, periodic_jobs
from kefu.core.selectors import audit_unsealed_count
from kefu.core.services import audit_record

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
SEAL = kefu.core.tasks.seal_audit_events.module_path
DELIVER = kefu.notify.tasks.deliver_outbox.module_path


@pytest.fixture(autouse=True)
def fresh_schedule():
    """Each test starts with no job enqueued yet, and leaves the worker's schedule as it found it."""
    saved = {id(job): job.last_enqueued for job in periodic_jobs()}
    for job in periodic_jobs():
        job.last_enqueued = None
    yield
    for job in periodic_jobs():
        job.last_enqueued = saved.get(id(job))


def test_seal_and_deliver_jobs_are_registered():
    """The audit sealer (30 s) and the outbox delivery (15 s) are periodic jobs."""
    intervals = {job.task.module_path: job.interval for job in periodic_jobs()}
    assert intervals[SEAL] == dt.timedelta(seconds=30)
    assert intervals[DELIVER] == dt.timedelta(seconds=15)


def test_due_jobs_are_enqueued_only_once_per_interval():
    """A job runs at its first tick, not again before its interval has passed, and again after."""
    first = enqueue_due_jobs(T0)
    assert {SEAL, DELIVER} <= set(first)

    assert enqueue_due_jobs(T0) == []
    assert enqueue_due_jobs(T0 + dt.timedelta(seconds=14)) == []
    at_15 = enqueue_due_jobs(T0 + dt.timedelta(seconds=15))
    assert DELIVER in at_15
    assert SEAL not in at_15
    assert enqueue_due_jobs(T0 + dt.timedelta(seconds=16)) == []
    at_30 = enqueue_due_jobs(T0 + dt.timedelta(seconds=30))
    assert {SEAL, DELIVER} <= set(at_30)


def test_enqueued_job_actually_runs():
    """Enqueuing the due jobs runs them (immediate backend): pending audit rows get sealed."""
    calendar = WorkCalendar.objects.create(name="sched", weekly_hours={"1": [["09:00", "18:00"]]})
    audit_record(actor=None, action="test.scheduled", subject=calendar)
    assert audit_unsealed_count() > 0

    enqueue_due_jobs(T0)

    assert audit_unsealed_count() == 0
    audit_record(actor=None, action="test.scheduled", subject=calendar)
    enqueue_due_jobs(T0 + dt.timedelta(seconds=1))
    assert audit_unsealed_count() == 1, "the sealer ran again before its interval"
