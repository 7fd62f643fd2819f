from __future__ import annotations

import datetime as dt

from django_tasks import task

from kefu.core.scheduler import every
from kefu.operations.services import receivables_remind_overdue


@every(dt.timedelta(hours=24))  # type: ignore[untyped-decorator]
@task()
def remind_overdue_receivables() -> int:
    """催收: tell account managers about receivables past their due date."""
    return receivables_remind_overdue()
