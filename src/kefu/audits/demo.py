"""Demo audits for `manage.py seed-demo-audits`: one completed 客户服务检查表 of last quarter and one
客户服务评价表 of last month, scored from the records and countersigned. Through the real services;
deterministic; once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from kefu.accounts.models import Department, Role, User
from kefu.audits import services
from kefu.audits.choices import Level, Result, SignerRole
from kefu.audits.models import Audit, Evaluation
from kefu.standards.selectors import default_period

# A result per question, cycled in checklist order: mostly yes, some partly, a few no, one n.a.
PATTERN = [Result.YES, Result.YES, Result.PARTLY, Result.YES, Result.NO, Result.YES, Result.PARTLY, Result.YES]
EVIDENCE = {Result.YES: "制度文件及抽查记录齐全", Result.PARTLY: "有规定但执行记录不完整", Result.NO: "未见书面规定"}
EXTRA_ITEMS = [("员工服务态度", "客户服务部"), ("投诉处理及时性", "客户服务部")]


def demo_audits_seeded() -> bool:
    return Audit.objects.exists() or Evaluation.objects.exists()


def _user(username: str) -> User | None:
    return User.objects.filter(username=username, is_active=True).first()


def _audit(filler: User, reviewer: User, departments: list[Department], today: dt.date) -> Audit:
    quarter_start = today.replace(month=3 * ((today.month - 1) // 3) + 1, day=1)
    end = quarter_start - dt.timedelta(days=1)
    start = end.replace(month=3 * ((end.month - 1) // 3) + 1, day=1)
    audit = services.audit_create(
        actor=filler,
        data={
            "audited_on": quarter_start,
            "period_start": start,
            "period_end": end,
            "scope": "季度客户服务检查",
            "auditor": reviewer,
            "departments": departments,
        },
    )
    answers = {}
    for index, answer in enumerate(audit.answers.order_by("section_position", "position")):
        result = Result.NOT_APPLICABLE if answer.text == "个别企业特定的其它权限领域" else PATTERN[index % len(PATTERN)]
        answers[answer.pk] = {"result": result, "evidence": EVIDENCE.get(result, ""), "note": ""}
    audit = services.audit_answer(actor=filler, audit=audit, answers=answers, version=None)
    return services.audit_complete(actor=filler, audit=audit, version=None)


def _evaluation(filler: User, departments: list[Department], today: dt.date) -> Evaluation:
    start, end = default_period(today)
    evaluation = services.evaluation_create(
        actor=filler,
        data={
            "filled_on": today,
            "period_start": start,
            "period_end": end,
            "customer_type": "",
            "departments": departments,
            "opinion": "运输准时率与库存完好率基本达标，运输信息反馈偏慢，需与运输配送部共同改进。",
            "remarks": "客户评分取自本期客户服务调查的满意度指数。",
        },
    )
    services.evaluation_prefill(actor=filler, evaluation=evaluation, version=None)
    rows = [
        {
            "content": item.content,
            "customer_score": Level.FAIR if item.customer_score is None else item.customer_score,
            "internal_score": Level.FAIR if item.internal_score is None else item.internal_score,
            "weight": item.weight,
            "evaluator": str(filler),
            "indicator": item.indicator,
            "dimension": item.dimension,
        }
        for item in evaluation.items.select_related("indicator", "dimension")
    ]
    if not rows:
        rows = [
            {"content": content, "customer_score": Level.GOOD, "internal_score": Level.FAIR, "weight": Decimal(1)}
            for content, _department in EXTRA_ITEMS
        ]
    return services.evaluation_items_save(actor=filler, evaluation=evaluation, rows=rows, version=None)


def _sign_all(evaluation: Evaluation, cs_manager: User) -> None:
    for role, department in services.signature_places(evaluation):
        if role == SignerRole.FILLER:
            signer: User | None = evaluation.filled_by
        elif role == SignerRole.DEPT_MANAGER:
            signer = department.manager if department is not None else None
        else:
            signer = cs_manager
        if signer is None:
            return
        services.evaluation_sign(actor=signer, evaluation=evaluation, role=role, department=department, version=None)


@transaction.atomic
def seed_demo_audits() -> int:
    """Returns how many records were made (0 when audits exist or the demo staff is missing)."""
    if demo_audits_seeded():
        return 0
    filler, cs_manager = _user("supervisor1"), _user("csmanager")
    if filler is None or cs_manager is None or cs_manager.role != Role.CS_MANAGER:
        return 0
    departments = list(Department.objects.filter(code__in=("transport", "warehouse", "cs")).order_by("pk"))
    today = timezone.localdate()
    _audit(filler, cs_manager, departments, today)
    managed = [d for d in departments if d.code != "cs" and d.manager_id is not None]
    evaluation = _evaluation(filler, managed or departments, today)
    _sign_all(evaluation, cs_manager)
    return 2
