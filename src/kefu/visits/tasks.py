from __future__ import annotations

import datetime as dt

from django_tasks import task

from kefu.core.scheduler import every
from kefu.visits.services import care_campaigns_send_due, visit_tasks_generate, weekly_summary_send


@every(dt.timedelta(hours=1))  # type: ignore[untyped-decorator]
@task()
def generate_visit_tasks() -> dict[str, int]:
    """Today's visits from the rules; hourly so a missed run is caught up, idempotent by the unique constraint."""
    return visit_tasks_generate()


@every(dt.timedelta(minutes=5))  # type: ignore[untyped-decorator]
@task()
def send_care_campaigns() -> int:
    """Send the care SMS campaigns whose time has come, within the weekly cap."""
    return care_campaigns_send_due()


@every(dt.timedelta(hours=6))  # type: ignore[untyped-decorator]
@task()
def send_weekly_summary() -> int:
    """On Mondays, the visit summary of last week to head office (once per week and person)."""
    return weekly_summary_send()
