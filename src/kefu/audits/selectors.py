"""Reads of the audits and evaluations: lists, scores, the comparison of two audits, the survey results beside
the standard's targets."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from kefu.accounts.models import Department
from kefu.audits.choices import SignerRole
from kefu.audits.models import Audit, ChecklistQuestion, ChecklistSection, Evaluation, EvaluationItem
from kefu.audits.scoring import SectionChange, Tally, audit_tallies, compare_sections, composite, total
from kefu.core.search import normalize
from kefu.standards.models import StandardItem
from kefu.standards.selectors import kpi_report, standard_in_force
from kefu.surveys.selectors import satisfaction_index, templates_all

# The computed indicators whose figure comes from the satisfaction surveys.
SURVEY_COMPUTATIONS = frozenset({"satisfaction_index"})


def checklist() -> QuerySet[ChecklistSection]:
    return ChecklistSection.objects.prefetch_related(
        Prefetch("questions", queryset=ChecklistQuestion.objects.order_by("-is_active", "position", "pk"))
    )


def _search(queryset: QuerySet[Any], q: str, fields: tuple[str, ...]) -> QuerySet[Any]:
    for term in normalize(q).split():
        condition = Q()
        for name in fields:
            condition |= Q(**{f"{name}__icontains": term})
        queryset = queryset.filter(condition)
    return queryset


def audits_list(
    *,
    q: str = "",
    status: str = "",
    department_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Audit]:
    audits = Audit.objects.select_related("auditor", "filled_by").prefetch_related("departments")
    if status:
        audits = audits.filter(status=status)
    if department_id:
        audits = audits.filter(departments=department_id)
    if date_from:
        audits = audits.filter(audited_on__gte=date_from)
    if date_to:
        audits = audits.filter(audited_on__lte=date_to)
    return _search(audits, q, ("number", "scope", "note")).distinct()


def audit_get(pk: int) -> Audit | None:
    return (
        Audit.objects.select_related("auditor", "filled_by")
        .prefetch_related("departments", "answers")
        .filter(pk=pk)
        .first()
    )


@dataclass
class AuditScores:
    sections: list[Tally]
    overall: Tally


def audit_scores(audit: Audit) -> AuditScores:
    sections, overall = audit_tallies((a.section_title, a.result) for a in audit.answers.all())
    return AuditScores(sections, overall)


def audit_sections(audit: Audit) -> list[tuple[Tally, list[Any]]]:
    """The answers grouped by section (the rows of the printed 检查表), each with its section's tally."""
    scores = {t.title: t for t in audit_scores(audit).sections}
    groups: dict[str, list[Any]] = {}
    for answer in audit.answers.all():
        groups.setdefault(answer.section_title, []).append(answer)
    return [(scores[title], answers) for title, answers in groups.items()]


def audits_compare(before: Audit, after: Audit) -> tuple[list[SectionChange], SectionChange]:
    a, b = audit_scores(before), audit_scores(after)
    return compare_sections(a.sections, b.sections), SectionChange("", a.overall.score, b.overall.score)


# --- evaluations -------------------------------------------------------------------------------------------


def evaluations_list(
    *, q: str = "", status: str = "", department_id: int | None = None, customer_type: str = ""
) -> QuerySet[Evaluation]:
    evaluations = Evaluation.objects.select_related("filled_by").prefetch_related("departments")
    if status:
        evaluations = evaluations.filter(status=status)
    if department_id:
        evaluations = evaluations.filter(departments=department_id)
    if customer_type:
        evaluations = evaluations.filter(customer_type=customer_type)
    return _search(evaluations, q, ("number", "opinion", "remarks")).distinct()


def evaluation_for_period(*, start: dt.date, end: dt.date, customer_type: str) -> Evaluation | None:
    """The latest evaluation of a period overlapping start..end, for that customer type or for all types."""
    return (
        Evaluation.objects.filter(period_start__lte=end, period_end__gte=start)
        .filter(Q(customer_type=customer_type) | Q(customer_type=""))
        .order_by("-period_end", "-filled_on", "-pk")
        .first()
    )


def evaluation_get(pk: int) -> Evaluation | None:
    return (
        Evaluation.objects.select_related("filled_by")
        .prefetch_related(
            "departments",
            Prefetch("items", queryset=EvaluationItem.objects.select_related("indicator", "dimension")),
            "signatures__user",
            "signatures__department",
        )
        .filter(pk=pk)
        .first()
    )


def signature_places(evaluation: Evaluation) -> list[tuple[str, Department | None]]:
    """Who must countersign, in order: the form filler, each related department's manager, the CS manager."""
    departments = list(evaluation.departments.order_by("name"))
    return [
        (SignerRole.FILLER, None),
        *((SignerRole.DEPT_MANAGER, d) for d in departments),
        (SignerRole.CS_MANAGER, None),
    ]


@dataclass
class ScoredItem:
    item: EvaluationItem
    composite: Decimal | None


SEED_LABELS = {"filler": "填表人", "dept_manager": "相关部门经理", "cs_manager": "客户服务部经理"}


@dataclass
class SignaturePlace:
    role: str
    label: str
    department: Department | None
    signature: Any  # the Signature, or None while unsigned

    @property
    def seed_label(self) -> str:
        """The place as the paper form names it (客户服务部经理, 相关部门经理 + the department, 填表人)."""
        return SEED_LABELS[self.role] + (f"({self.department.name})" if self.department else "")


def evaluation_items(evaluation: Evaluation) -> tuple[list[ScoredItem], Decimal | None]:
    rows = [ScoredItem(i, composite(i.customer_score, i.internal_score)) for i in evaluation.items.all()]
    return rows, total((r.item.weight, r.composite) for r in rows)


def evaluation_signatures(evaluation: Evaluation) -> list[SignaturePlace]:
    labels = dict(SignerRole.choices)
    signed = {(s.role, s.department_id): s for s in evaluation.signatures.all()}
    return [
        SignaturePlace(
            role,
            str(labels[role]) + (f" · {department.name}" if department else ""),
            department,
            signed.get((role, department.pk if department else None)),
        )
        for role, department in signature_places(evaluation)
    ]


# --- survey results beside the standard ---------------------------------------------------------------------


@dataclass
class GapRow:
    name: str
    value: Decimal | None
    target: Decimal | None
    attained: bool | None = None

    @property
    def gap(self) -> Decimal | None:
        return None if self.value is None or self.target is None else self.value - self.target


@dataclass
class SurveyComparison:
    start: dt.date
    end: dt.date
    customer_type: str
    standard: Any
    responses: int
    indicators: list[GapRow]
    dimensions: list[GapRow]
    target_index: Decimal | None


def survey_comparison(*, start: dt.date, end: dt.date, customer_type: str) -> SurveyComparison:
    """The survey figures of the period beside the standard in force: each indicator the surveys measure
    (the satisfaction index) against the customer type's target, and each index dimension against the
    survey's target index. Surveys do not record the customer type, so the figures are company-wide."""
    standard = standard_in_force(start)
    surveyed = (
        StandardItem.objects.filter(standard=standard, indicator__computation__in=SURVEY_COMPUTATIONS)
        .values_list("department_id", flat=True)
        .distinct()
    )
    indicators = [
        GapRow(result.item.indicator.name, cell.actual.value if cell.actual else None, cell.target, cell.attained)
        for department_id in (surveyed if standard is not None else [])
        for department in kpi_report(
            start=start, end=end, customer_type=customer_type, department_id=department_id
        ).departments
        for result in department.items
        if result.computation is not None and result.computation.key in SURVEY_COMPUTATIONS
        for t, cell in result.cells.items()
        if t == customer_type
    ]
    template = templates_all().filter(code="customer-service").first()
    rows = satisfaction_index(start=start, end=end, template=template)
    row = rows[0] if rows else None
    target = template.target_index if template else None
    dimensions = [
        GapRow(d.name, row.dimensions.get(d.pk) if row else None, target, None)
        for d in (template.dimensions.all() if template else [])
    ]
    for gap_row in dimensions:
        if gap_row.value is not None and target is not None:
            gap_row.attained = gap_row.value >= target
    return SurveyComparison(
        start, end, customer_type, standard, row.responses if row else 0, indicators, dimensions, target
    )
