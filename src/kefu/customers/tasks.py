from __future__ import annotations

import datetime as dt

from django_tasks import task

from kefu.core.scheduler import every
from kefu.customers.services import customers_regrade


@every(dt.timedelta(hours=24))  # type: ignore[untyped-decorator]
@task()
def regrade_customers() -> int:
    """Re-grade every customer: grade rules changed, or cooperation years grew overnight."""
    return customers_regrade()
