"""Demo for `manage.py seed-demo-improvement`: last month's PDCA cycle for the 民营 customers, with its cause
analysis written with the departments and an approved 改进表 in progress. Through the real services;
deterministic; once. Run after seed-demo-standards."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from kefu.accounts.models import Department, Role, User
from kefu.customers.choices import Ownership
from kefu.improvement import selectors, services
from kefu.improvement.models import Cycle
from kefu.standards import selectors as standards
from kefu.standards.choices import Direction

# by indicator code: the cause found with the department
CAUSES = {
    "transport_demand_fulfilment": "旺季运力不足，临时外协车辆未纳入调度计划",
    "timely_dispatch": "提货时间窗与车辆排班不匹配，司机到场晚",
    "on_time_delivery": "干线中转等待时间长，末端派送路线未优化",
    "intact_delivery": "装卸作业不规范，易碎品包装不达标",
    "timely_feedback": "在途异常未及时录入系统，客户未收到通知",
    "inventory_intact": "库内搬运与堆码不规范",
    "shipping_accuracy": "出库复核环节缺失，拣货差错未能在发货前发现",
    "complaint_rate": "装卸与时效问题集中，投诉处理后未闭环整改",
    "complaint_handling_time": "投诉登记后未及时转派责任部门，回复超时",
    "satisfaction_index": "信息反馈和对账问题拉低满意度",
    "follow_up_coverage": "回访计划排期不足，客户休息时间外可联系时段少",
}
OTHER_CAUSE = "作业标准执行不到位，过程检查不足"
ACTIONS = {
    "transport": "建立旺季运力储备与外协车辆准入，调度每日核对运力缺口",
    "warehouse": "出库前双人复核，差错周报",
    "cs": "投诉2小时内转派并跟踪，超时自动升级",
}
ITEMS = 3


def _user(role: str, department: Department | None = None) -> User | None:
    users = User.objects.filter(role=role, is_active=True)
    if department is not None:
        users = users.filter(department=department)
    return users.order_by("pk").first()


def _improved(target: Decimal | None, value: Decimal | None, direction: str) -> Decimal:
    """A target a step beyond the standard's: the plan aims past the line it missed."""
    base = target if target is not None else (value or Decimal(0))
    if direction == Direction.LOWER:
        return (base * Decimal("0.9")).quantize(Decimal("0.01"))
    return min(Decimal(100), base + Decimal(1))


@transaction.atomic
def seed_demo_improvement() -> int:
    """Returns 1 when the demo cycle was made, 0 when a cycle exists or the demo staff or standard is missing."""
    if Cycle.objects.exists():
        return 0
    manager = _user(Role.CS_MANAGER)
    gm = _user(Role.GENERAL_MANAGER)
    start, end = standards.default_period(timezone.localdate())
    if manager is None or gm is None or standards.standard_in_force(start) is None:
        return 0
    cycle = services.cycle_create(
        actor=manager, name=f"{start:%Y年%m月}民营客户服务改进", start=start, end=end, customer_type=Ownership.PRIVATE
    )
    data = selectors.analysis_data(user=manager, cycle=cycle)
    every = selectors.gaps(data.report)
    gaps = data.missed[:ITEMS] or [g for g in every if g.actual is not None][:ITEMS] or every[:ITEMS]
    departments = list({g.department.pk: g.department for g in gaps}.values())
    signers = {d.pk: _user(Role.DEPT_MANAGER, d) for d in departments if not d.is_customer_service}
    related = [d for d in departments if signers.get(d.pk)]
    if not related:  # customer service's own indicators: the transport department signs with it
        transport = Department.objects.filter(code="transport").first()
        related = [transport] if transport is not None and _user(Role.DEPT_MANAGER, transport) else []
    services.analysis_save(
        actor=manager,
        cycle=cycle,
        version=0,
        causes={g.indicator.pk: CAUSES.get(g.indicator.code, OTHER_CAUSE) for g in gaps},
        departments=[*departments, *related],
        summary="客户服务部会同相关部门逐项分析未达标指标，确定改进措施与责任人。",
    )
    plan = services.plan_create(actor=manager, cycle=cycle)
    services.plan_update(actor=manager, plan=plan, version=None, departments=related, note="实施期两个月，按月跟踪。")
    today = timezone.localdate()
    for gap in gaps:
        services.plan_item_save(
            actor=manager,
            plan=plan,
            version=None,
            indicator=gap.indicator,
            target=_improved(gap.target, gap.actual, gap.indicator.direction),
            actions=ACTIONS[gap.department.code] if gap.department.code in ACTIONS else ACTIONS["cs"],
            owner=signers.get(gap.department.pk) or manager,
            starts_on=today - dt.timedelta(days=10),
            ends_on=today + dt.timedelta(days=50),
        )
    if not related:
        return 1
    services.plan_submit(actor=manager, plan=plan, version=None)
    for signer in [manager, *(_user(Role.DEPT_MANAGER, d) for d in related), gm]:
        plan = services.plan_approve(actor=signer, plan=plan, version=None)
    for index, item in enumerate(plan.items.all()):
        services.progress_record(
            actor=item.owner,
            item=item,
            on=today - dt.timedelta(days=3),
            status="in_progress",
            percent=30 + 20 * index,
            note="措施已部署，正在试行",
        )
    return 1
