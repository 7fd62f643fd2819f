"""Builders for the audits tests: an audit with chosen answers, an evaluation with chosen scores."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from kefu.audits import services
from kefu.audits.models import Audit, Evaluation
from kefu.operations import services as operations
from kefu.surveys.models import Invitation, SurveyTemplate
from kefu.surveys.services import response_submit, survey_create
from tests.customers.factories import make_customer
from tests.operations.conftest import order_data
from tests.standards.conftest import approved, complain, draft  # noqa: F401  (fixtures shared with standards)

SH = ZoneInfo("Asia/Shanghai")
PERIOD = {"period_start": dt.date(2026, 3, 1), "period_end": dt.date(2026, 3, 31)}


@pytest.fixture
def managed(people, departments):
    """The sales department is managed by `dept_manager` (a related department of the evaluations)."""
    sales = departments["sales"]
    sales.manager = people["dept_manager"]
    sales.save(update_fields=["manager"])
    return sales


@pytest.fixture
def make_audit(people, departments):
    """make_audit({section title: [result, ...]}, audited_on=...): an audit whose questions of each named
    section get the results in order (the other questions n.a.)."""

    def make(results: dict[str, list[str]], *, audited_on: dt.date = dt.date(2026, 4, 2), complete=True) -> Audit:
        audit = services.audit_create(
            actor=people["supervisor"],
            data={
                **PERIOD,
                "audited_on": audited_on,
                "auditor": people["cs_manager"],
                "departments": [departments["cs"]],
                "scope": "季度检查",
            },
        )
        answers: dict[int, dict[str, str]] = {}
        seen: dict[str, int] = {}
        for answer in audit.answers.order_by("section_position", "position"):
            given = results.get(answer.section_title, [])
            index = seen.get(answer.section_title, 0)
            seen[answer.section_title] = index + 1
            answers[answer.pk] = {"result": given[index] if index < len(given) else "na", "evidence": "", "note": ""}
        audit = services.audit_answer(actor=people["supervisor"], audit=audit, answers=answers, version=None)
        if complete:
            audit = services.audit_complete(actor=people["supervisor"], audit=audit, version=None)
        return audit

    return make


@pytest.fixture
def make_evaluation(people, managed):
    """make_evaluation([(content, customer, internal, weight), ...]): an unsigned evaluation filled in by
    `supervisor`, related department sales (managed by `dept_manager`)."""

    def make(rows: list[tuple[str, Any, Any, Any]], **data: Any) -> Evaluation:
        evaluation = services.evaluation_create(
            actor=people["supervisor"],
            data={**PERIOD, "filled_on": dt.date(2026, 4, 3), "departments": [managed], **data},
        )
        return services.evaluation_items_save(
            actor=people["supervisor"],
            evaluation=evaluation,
            rows=[
                {"content": c, "customer_score": cs, "internal_score": i, "weight": w, "evaluator": "王芳"}
                for c, cs, i, w in rows
            ],
            version=None,
        )

    return make


@pytest.fixture
def march_records(people, complain):  # noqa: F811  (the fixture imported above)
    """March 2026. 外企: 4 orders, 1 complaint resolved in 10 h; 民营: 2 orders, 1 complaint resolved in
    30 h. Surveys:
    one customer answers 非常好 to everything, the other 非常差 on price and 非常好 elsewhere:
    dimensions 100 / 100 / 50 (price) / 100, index 0.35×100 + 0.30×100 + 0.15×50 + 0.20×100 = 92.5."""
    at = dt.datetime(2026, 3, 10, 9, tzinfo=SH)
    template = SurveyTemplate.objects.get(code="customer-service")
    with time_machine.travel(at, tick=False):
        foreign, private = (
            make_customer(
                name=name,
                ownership=ownership,
                contacts=[{"name": "经理", "email": f"{ownership}@example.test", "mobile": mobile, "is_primary": True}],
            )
            for name, ownership, mobile in (
                ("外资物流客户有限公司", "foreign", "13812345671"),
                ("民营贸易客户有限公司", "private", "13812345672"),
            )
        )
        survey = survey_create(
            actor=people["cs_manager"], template=template, name="一季度调查", closes_at=at + dt.timedelta(days=14)
        )
        for customer, n in ((foreign, 4), (private, 2)):
            for _ in range(n):
                operations.order_create(actor=None, data=order_data(customer))
        complain(foreign, at, resolved_hours=10)
        complain(private, at, resolved_hours=30)
        for index, invitation in enumerate(Invitation.objects.filter(survey=survey).order_by("pk")):
            answers = {
                str(q.pk): (1 if index == 1 and q.dimension and q.dimension.code == "price" else 7)
                for q in template.questions.filter(kind="scale").select_related("dimension")
            }
            response_submit(token=invitation.token, answers=answers, now=at)
    return template
