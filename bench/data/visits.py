"""Follow-up visits over the last 12 months, per the visit rules the migrations seed.

The tasks are made by the app's own daily job (`kefu.visits.services.visit_tasks_generate`, one
set-based `INSERT ... SELECT` per rule) for the first day of this month and of the 11 before it,
so every periodic rule (key customers and grade A monthly, B quarterly, C half-yearly) has its tasks
per period, due on days spread over the period, outside rest times, with the
customer's primary contact, account manager and team, exactly as in production. Then the visits
due before `now` are given what agents would have recorded: most done (satisfied, so-so or
dissatisfied, by the assignee, within hours of the due time), some not reached after the
policy's attempts, the rest still open (overdue). Visits due later stay open: today's queue has
its visits.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from bench.data import Context, generator

OUTCOMES = (("satisfied", 70), ("neutral", 20), ("dissatisfied", 10))
EVALUATION = {
    "satisfied": "客户对运输时效和服务态度满意",
    "neutral": "客户认为整体一般，希望信息反馈更及时",
    "dissatisfied": "客户对近期货损处理速度不满意",
}


def _month_starts(now: dt.datetime) -> list[dt.date]:
    from django.utils import timezone

    month = timezone.localdate(now).replace(day=1)
    starts = [month]
    for _ in range(11):
        month = (month - dt.timedelta(days=1)).replace(day=1)
        starts.append(month)
    return sorted(starts)


@generator("visits", after=("customers",))
def visits(ctx: Context) -> dict[str, Any]:
    from django.db import transaction
    from django.db.models import F

    from kefu.visits.choices import Outcome, TaskStatus
    from kefu.visits.models import VisitTask
    from kefu.visits.services import policy, visit_tasks_generate

    created = 0
    for day in _month_starts(ctx.now):
        created += sum(visit_tasks_generate(day=day).values())
    rng = ctx.rng("visits")
    attempts = policy().max_attempts
    outcomes, weights = zip(*OUTCOMES, strict=True)
    groups: dict[tuple[str, str, int], list[int]] = defaultdict(list)
    # In the tasks' own key order: the ids the app's INSERT ... SELECT gives them vary between runs on PostgreSQL.
    due = VisitTask.objects.filter(due_at__lt=ctx.now).order_by("customer_id", "rule_id", "occasion")
    for pk in due.values_list("pk", flat=True).iterator():
        draw = rng.random()
        if draw < 0.85:
            groups[(TaskStatus.DONE, rng.choices(outcomes, weights)[0], rng.randint(0, 6))].append(pk)
        elif draw < 0.93:
            groups[(TaskStatus.UNREACHABLE, Outcome.NOT_REACHED, rng.randint(4, 30))].append(pk)
    counts: dict[str, int] = defaultdict(int)
    with transaction.atomic():
        for (status, outcome, hours), ids in sorted(groups.items()):
            for start in range(0, len(ids), 5000):
                VisitTask.objects.filter(pk__in=ids[start : start + 5000]).update(
                    status=status,
                    outcome=outcome,
                    attempts=1 if status == TaskStatus.DONE else attempts,
                    evaluation=EVALUATION.get(outcome, ""),
                    completed_at=F("due_at") + dt.timedelta(hours=hours, minutes=7),
                    completed_by_id=F("assignee_id"),
                    version=2,
                )
            counts[status] += len(ids)
    return {"tasks": created, "done": counts[TaskStatus.DONE], "unreachable": counts[TaskStatus.UNREACHABLE]}
