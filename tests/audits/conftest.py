"""Builders for the audits tests: an audit with chosen answers, an evaluation with chosen scores."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kefu.audits import services
from kefu.audits.models import Audit, Evaluation
from tests.standards.conftest import approved, complain, draft  # noqa: F401  (fixtures shared with standards)

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
