from __future__ import annotations

import datetime as dt

from django_tasks import task

from kefu.core.scheduler import every
from kefu.notify.services import messages_deliver_due


@every(dt.timedelta(seconds=15))  # type: ignore[untyped-decorator]
@task()
def deliver_outbox() -> int:
    return messages_deliver_due()
