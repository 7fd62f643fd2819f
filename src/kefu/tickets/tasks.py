from __future__ import annotations

import datetime as dt

from django_tasks import task

from kefu.core.scheduler import every
from kefu.tickets.services import clocks_sweep


@every(dt.timedelta(minutes=1))  # type: ignore[untyped-decorator]
@task()
def sweep_case_clocks() -> dict[str, int]:
    """Warn, mark breaches and escalate; safe to run twice or on two workers at once."""
    return clocks_sweep()
