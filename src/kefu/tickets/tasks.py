from __future__ import annotations

import datetime as dt

from django_tasks import task

from kefu.core.scheduler import every
from kefu.tickets.services import cases_reindex_customer, clocks_sweep


@every(dt.timedelta(minutes=1))  # type: ignore[untyped-decorator]
@task()
def sweep_case_clocks() -> dict[str, int]:
    """Warn, mark breaches and escalate; safe to run twice or on two workers at once."""
    return clocks_sweep()


@task()
def reindex_customer_cases(customer_id: int) -> int:
    """A customer was renamed: its cases are found by the new name (by the old one no more)."""
    return cases_reindex_customer(customer_id=customer_id)
