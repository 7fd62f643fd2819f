from __future__ import annotations

import datetime as dt

from django_tasks import task

from kefu.core.scheduler import every
from kefu.core.services import audit_seal_pending


@every(dt.timedelta(seconds=30))  # type: ignore[untyped-decorator]
@task()
def seal_audit_events() -> int:
    """Seal every committed audit row into hash-chained batches; returns how many seals were made."""
    seals = 0
    while audit_seal_pending() is not None:
        seals += 1
    return seals
