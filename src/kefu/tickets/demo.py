"""Demo cases for `manage.py seed-demo-cases`: complaints, suggestions, inquiries and service requests
of the demo customers, spread over the last weeks and over every step of the loop.

Every case goes through the real services (receive, judge, accept, ...), so the timeline, clocks and
the customers' special records are what a real team would have produced. Deterministic; loads once.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from kefu.accounts.models import Department, Role, User
from kefu.customers.models import Customer
from kefu.tickets import services
from kefu.tickets.choices import CaseChannel, CaseKind
from kefu.tickets.models import Case, Category

DEMO_SEED = 2026

COMPLAINTS = {
    "delay": [
        ("货物晚到两天", "约定周三送达，周五才到，耽误了门店上新。"),
        ("提货司机迟到", "约好上午九点提货，十一点才到。"),
    ],
    "damage": [
        ("外箱破损内件受潮", "收货时三箱外包装压坏，内件受潮。"),
        ("显示器屏幕碎裂", "签收后开箱发现两台显示器屏幕碎了。"),
    ],
    "loss": [("少收一件货", "运单 8 件，实际只收到 7 件。"), ("整票货物丢失", "货物显示已发出，五天没有任何轨迹。")],
    "wrong_goods": [("发错型号", "订的是 A200，到货是 A100。"), ("漏发配件", "主机到了，配件箱没有到。")],
    "attitude": [
        ("客服电话态度差", "打 400 询问时客服不耐烦，直接挂断。"),
        ("司机态度恶劣", "司机卸货时与仓管发生争执。"),
    ],
    "late_info": [("轨迹长时间不更新", "物流信息三天没有更新，无法答复客户。")],
    "billing": [("运费多收", "账单上的运费比报价高 15%。"), ("对账单金额不符", "十月对账单与我方记录差 2,300 元。")],
    "driver": [("司机私自加价", "司机要求额外付 200 元才卸货。")],
}
SUGGESTIONS = [
    ("建议增加夜间配送", "门店希望晚上十点后收货，避开白天高峰。"),
    ("希望微信推送轨迹", "建议签收和异常时推送微信消息。"),
]
INQUIRIES = [
    ("咨询冷链运费", "上海到成都 2 吨冷链整车运费多少？"),
    ("如何开具专票", "月结客户如何申请增值税专用发票？"),
]
STAGES = (
    "received",
    "judged",
    "accepted",
    "investigated",
    "proposed",
    "approved",
    "implemented",
    "confirmed",
    "followed_up",
    "closed",
)


def demo_cases_seeded() -> bool:
    return Case.objects.exists()


def _pick_staff() -> dict[str, Any]:
    users = User.objects.filter(is_active=True).select_related("department")
    by_role: dict[str, list[User]] = {}
    for user in users:
        by_role.setdefault(user.role, []).append(user)
    transport = Department.objects.filter(code="transport").first()
    return {
        "agents": [u for u in by_role.get(Role.AGENT, []) if u.department and u.department.is_customer_service],
        "supervisors": by_role.get(Role.SUPERVISOR, []),
        "cs_manager": (by_role.get(Role.CS_MANAGER) or [None])[0],
        "gm": (by_role.get(Role.GENERAL_MANAGER) or [None])[0],
        "transport": transport,
        "transport_staff": [u for u in users if transport and u.department_id == transport.pk],
    }


def _advance(case: Case, until: str, staff: dict[str, Any], rng: random.Random) -> None:
    supervisor = rng.choice(staff["supervisors"])
    in_transport = case.department_id is not None and case.department == staff["transport"]
    handler = rng.choice(staff["transport_staff"]) if in_transport and staff["transport_staff"] else supervisor
    for stage in STAGES[1 : STAGES.index(until) + 1]:
        case = Case.objects.get(pk=case.pk)
        if stage == "judged":
            department = case.department or staff["transport"]
            services.case_judge(
                actor=None, case=case, valid=True, note="情况属实，转责任部门处理", department=department
            )
        elif stage == "accepted":
            services.case_accept(
                actor=None, case=case, assignee=handler if case.department == staff["transport"] else None
            )
        elif stage == "investigated":
            services.case_investigate(actor=None, case=case, data={"cause": "作业不规范，已与责任人核实"})
        elif stage == "proposed":
            amount = Decimal(rng.choice([0, 200, 800, 1500, 6000]))
            services.solution_propose(
                actor=handler,
                case=case,
                kind="compensation" if amount else "apology",
                description=f"赔偿 {amount} 元并致歉" if amount else "书面致歉并加强培训",
                compensation_amount=amount or None,
            )
        elif stage == "approved":
            services.solution_approve(actor=None, solution=case.solutions.get(status="proposed"))
        elif stage == "implemented":
            services.case_implement(actor=None, case=case, note="已按方案处理", penalty="责任人扣绩效")
        elif stage == "confirmed":
            services.case_confirm(actor=None, case=case, accepted=True, note="客户认可处理结果")
        elif stage == "followed_up":
            services.case_follow_up(
                actor=None,
                case=case,
                satisfaction=rng.choice(["very_satisfied", "satisfied", "satisfied", "neutral"]),
                note="回访客户，表示认可",
            )
        elif stage == "closed":
            services.case_close(actor=supervisor, case=case, root_cause="作业规范执行不到位", lesson="加强培训与抽检")


@transaction.atomic
def seed_demo_cases(*, count: int = 150, seed: int = DEMO_SEED) -> int:
    """Create `count` demo cases unless cases exist already; returns how many were made."""
    if demo_cases_seeded() or count <= 0:
        return 0
    rng = random.Random(seed)
    staff = _pick_staff()
    customers = list(Customer.objects.filter(is_active=True).order_by("pk")[:400])
    categories = {c.code: c for c in Category.objects.all()}
    if not customers or not staff["agents"] or not staff["supervisors"]:
        return 0
    now = timezone.now()
    made = 0
    for index in range(count):
        customer = rng.choice(customers)
        contact = customer.contacts.first()
        received_at = now - dt.timedelta(days=rng.uniform(0, 35) if index % 5 else rng.uniform(0, 2))
        kind = rng.choices([CaseKind.COMPLAINT, CaseKind.SUGGESTION, CaseKind.INQUIRY], weights=[70, 12, 18])[0]
        if kind == CaseKind.COMPLAINT:
            code = rng.choice(list(COMPLAINTS))
            title, description = rng.choice(COMPLAINTS[code])
            nature = "soft" if code in ("attitude", "late_info") else "hard"
        else:
            code, nature = "other", ""
            title, description = rng.choice(SUGGESTIONS if kind == CaseKind.SUGGESTION else INQUIRIES)
        case = services.case_receive(
            actor=None,
            received_at=received_at,
            data={
                "kind": kind,
                "nature": nature,
                "category": categories.get(code),
                "title": title,
                "description": description,
                "customer": customer,
                "contact": contact,
                "severity": rng.choices(["normal", "serious", "major"], weights=[75, 20, 5])[0],
                "channel": rng.choice(
                    [
                        CaseChannel.HOTLINE,
                        CaseChannel.HOTLINE,
                        CaseChannel.EMAIL,
                        CaseChannel.PORTAL,
                        CaseChannel.WALK_IN,
                    ]
                ),
                "order_number": f"YD{rng.randint(10**9, 10**10 - 1)}" if kind == CaseKind.COMPLAINT else "",
            },
        )
        age_days = (now - received_at).days
        if kind != CaseKind.COMPLAINT:
            until = "received" if age_days < 3 else "judged"
        else:
            until = STAGES[min(len(STAGES) - 1, max(0, age_days // 3 + rng.randint(-1, 2)))]
        _advance(case, until, staff, rng)
        made += 1
    return made
