from __future__ import annotations

import datetime as dt

from django_tasks import task

from kefu.core.scheduler import every
from kefu.standards.services import kpi_snapshot_compute_queued, kpi_snapshots_refresh


# Below the default priority: a month of KPIs takes seconds at scale, and the outbox and the audit seals
# should not wait behind a queue of them.
@task(priority=-10)
def compute_kpi_snapshot(snapshot_id: int) -> str:
    """Measure a period that is asked for: opened with no figures, "recompute now", or the periodic job."""
    snapshot = kpi_snapshot_compute_queued(snapshot_id=snapshot_id)
    return f"{snapshot.start}/{snapshot.end}" if snapshot else ""


@every(dt.timedelta(minutes=15))  # type: ignore[untyped-decorator]
@task()
def refresh_kpi_snapshots() -> list[str]:
    """Keep the KPI page's periods and the months of its trend charts measured: ended periods once after they
    end (last month early on the 1st), running ones (this month, quarter, year so far) at most an hour old.
    Queues a `compute_kpi_snapshot` for what is missing or stale only, so running it often costs a few
    queries and two runs never measure twice."""
    return kpi_snapshots_refresh()
