"""Demo visits for `manage.py seed-demo-visits`: this and last month's periodic visits of the demo
customers, most of the past ones recorded (satisfied, so-so, dissatisfied, not reached), a few cases
opened from unhappy visits, and two care SMS campaigns. Through the real services; deterministic; once."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kefu.visits import services
from kefu.visits.choices import Outcome, RuleKind, TaskStatus
from kefu.visits.models import CareCampaign, VisitTask

DEMO_SEED = 2026
EVALUATIONS = {
    Outcome.SATISFIED: ["服务很好，司机很准时", "对接专员很负责", "整体满意，继续合作", "物流信息更新及时"],
    Outcome.NEUTRAL: ["还可以，偶尔有延误", "价格偏高一点", "服务一般，响应有点慢"],
    Outcome.DISSATISFIED: ["上个月两次晚到", "货物包装破损没人跟进", "电话经常打不通"],
}
IMPROVEMENTS = ["提高准点率", "加强装卸培训", "客服电话增加人手", "对账单按时发送", "价格再优惠一些"]


def demo_visits_seeded() -> bool:
    return VisitTask.objects.filter(rule__kind=RuleKind.PERIODIC).exists()


@transaction.atomic
def seed_demo_visits(*, seed: int = DEMO_SEED, record_limit: int = 300) -> int:
    """Generate and partly record the demo visits unless periodic visits exist; returns how many were made."""
    if demo_visits_seeded():
        return 0
    rng = random.Random(seed)
    today = timezone.localdate()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    made = sum(services.visit_tasks_generate(day=last_month).values())
    made += sum(services.visit_tasks_generate(day=today).values())
    now = timezone.now()
    due = list(
        VisitTask.objects.filter(status=TaskStatus.OPEN, due_at__lt=now)
        .select_related("rule", "customer", "contact")
        .order_by("due_at", "id")[:record_limit]
    )
    for index, task in enumerate(due):
        if index % 9 == 0:
            continue  # left overdue
        outcome = rng.choices(
            [Outcome.SATISFIED, Outcome.NEUTRAL, Outcome.DISSATISFIED, Outcome.NOT_REACHED], weights=[62, 18, 8, 12]
        )[0]
        if outcome == Outcome.NOT_REACHED:
            services.visit_record_outcome(actor=None, task=task, outcome=outcome, notes="无人接听")
            continue
        task = services.visit_record_outcome(
            actor=None,
            task=task,
            outcome=outcome,
            evaluation=rng.choice(EVALUATIONS[outcome]),
            improvement=rng.choice(IMPROVEMENTS) if outcome != Outcome.SATISFIED else "",
            complaints="多次延误，希望给个说法" if outcome == Outcome.DISSATISFIED else "",
            suggestions="建议开通微信查询" if rng.random() < 0.1 else "",
        )
        if outcome == Outcome.DISSATISFIED and rng.random() < 0.5:
            services.visit_open_case(actor=None, task=task, kind="complaint")
    # the visits were made when they were due, not now
    VisitTask.objects.filter(pk__in=[t.pk for t in due], completed_at__isnull=False).update(
        completed_at=F("due_at") + dt.timedelta(minutes=40)
    )
    if not CareCampaign.objects.exists():
        sent = services.care_campaign_create(
            actor=None,
            data={
                "name": "重点客户周末问候",
                "body": "{contact}您好，{company}祝您周末愉快！",
                "key_customers_only": True,
                "send_at": now - dt.timedelta(days=2),
            },
        )
        services.care_campaign_send(campaign=sent, now=now - dt.timedelta(days=2))
        services.care_campaign_create(
            actor=None,
            data={
                "name": "元旦祝福",
                "body": "{contact}您好，{company}恭祝您元旦快乐、万事如意！",
                "send_at": dt.datetime(today.year + 1, 1, 1, 10, 0, tzinfo=timezone.get_current_timezone())
                if today.month == 12
                else now + dt.timedelta(days=30),
            },
        )
    return made
