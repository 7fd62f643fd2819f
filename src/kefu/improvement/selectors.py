"""Reads of the improvement loop: the gaps to the standard in force, the Pareto of the complaints behind
them, the survey comments, measured values before and after, and the state of each step of a cycle."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Case as CaseExpression
from django.db.models import CharField, Count, Q, QuerySet, Value, When
from django.db.models.functions import Trim
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.audits import selectors as audits
from kefu.audits.choices import EvaluationStatus
from kefu.customers.choices import Ownership
from kefu.customers.selectors import customers_visible
from kefu.improvement.choices import ApprovalStep, Decision, PlanStatus
from kefu.improvement.models import Analysis, Approval, Cycle, Plan
from kefu.standards import selectors as standards
from kefu.standards.choices import Direction, StandardStatus
from kefu.surveys.models import Response, Survey
from kefu.surveys.selectors import satisfaction_index, survey_comments
from kefu.tickets.choices import CaseStatus
from kefu.tickets.models import Case, Category
from kefu.tickets.selectors import complaint_register

HUNDRED = Decimal(100)


def cycles_list(*, q: str = "", customer_type: str = "") -> QuerySet[Cycle]:
    cycles = Cycle.objects.select_related("created_by", "plan", "plan__proposed_standard")
    if customer_type:
        cycles = cycles.filter(customer_type=customer_type)
    for word in q.split():
        cycles = cycles.filter(Q(name__icontains=word) | Q(number__icontains=word))
    return cycles


# --- gaps to the standard in force --------------------------------------------------------------------


@dataclass
class Gap:
    """One indicator for one customer type: its value, its target, and how far it falls short."""

    department: Any
    result: standards.ItemResult
    customer_type: str
    actual: Decimal | None
    target: Decimal | None
    attained: bool | None

    @property
    def indicator(self) -> Any:
        return self.result.item.indicator

    @property
    def type_label(self) -> str:
        return str(dict(Ownership.choices).get(self.customer_type, _("All types")))

    @property
    def gap(self) -> Decimal | None:
        """The shortfall, positive when the target is missed (whichever way the indicator points)."""
        if self.actual is None or self.target is None:
            return None
        if self.indicator.direction == Direction.LOWER:
            return self.actual - self.target
        return self.target - self.actual


def gaps(report: standards.KpiReport) -> list[Gap]:
    """Every item × customer type of the report (missed, attained or with no data)."""
    rows = []
    for department in report.departments:
        for result in department.items:
            for t in report.types:
                cell = result.cells[t]
                value = cell.actual.value if cell.actual else None
                rows.append(Gap(department.department, result, t, value, cell.target, cell.attained))
    return rows


def indicator_values(
    *, indicator_ids: Iterable[int], start: dt.date, end: dt.date, customer_type: str = ""
) -> dict[int, Decimal | None]:
    """The value of each indicator over [start, end], measured from the records as the KPI report measures
    it (the customer type's value, or the company-wide value for all types); None when there was nothing to
    measure or the indicator is not in the standard in force."""
    wanted = set(indicator_ids)
    report = standards.kpi_report(start=start, end=end, customer_type=customer_type)
    values: dict[int, Decimal | None] = dict.fromkeys(wanted)
    for department in report.departments:
        for result in department.items:
            pk = result.item.indicator_id
            if pk not in wanted:
                continue
            if customer_type:
                cell = result.cells.get(customer_type)
                values[pk] = cell.actual.value if cell and cell.actual else None
            else:
                values[pk] = result.overall.value if result.overall else None
    return values


# --- the complaints behind the gaps ----------------------------------------------------------------------


@dataclass(frozen=True)
class ParetoRow:
    key: str
    label: str
    count: int
    percent: Decimal
    cumulative: Decimal


def pareto(counts: Iterable[tuple[str, str, int]]) -> list[ParetoRow]:
    """(key, label, count) rows sorted by count (then label), each with its share and the cumulative share
    of the total, in % to one decimal; the cumulative share is computed from the running count, so the last
    row reads 100.0. Empty input gives no rows (no division by zero)."""
    rows = sorted((r for r in counts if r[2] > 0), key=lambda r: (-r[2], r[1]))
    total = sum(r[2] for r in rows)
    result, running = [], 0
    for key, label, count in rows:
        running += count
        result.append(
            ParetoRow(
                key,
                label,
                count,
                (HUNDRED * count / total).quantize(Decimal("0.1"), ROUND_HALF_UP),
                (HUNDRED * running / total).quantize(Decimal("0.1"), ROUND_HALF_UP),
            )
        )
    return result


def complaints(*, user: Any, start: dt.date, end: dt.date, customer_type: str = "") -> QuerySet[Case]:
    """The valid complaints received in the period (from the customer type's customers when given), as the
    complaint register shows them to `user`; annotated with `cause_key`, the root cause recorded at
    closure or else the cause found in the investigation."""
    cases = complaint_register(user=user, start=start, end=end).exclude(status=CaseStatus.INVALID)
    if customer_type:
        cases = cases.filter(customer__ownership=customer_type)
    return cases.annotate(
        cause_key=CaseExpression(
            When(~Q(root_cause=""), then=Trim("root_cause")),
            When(~Q(cause=""), then=Trim("cause")),
            default=Value(""),
            output_field=CharField(),
        )
    )


def category_pareto(cases: QuerySet[Case]) -> list[ParetoRow]:
    counts = dict(cases.order_by().values_list("category_id").annotate(n=Count("id")))
    names = {c.pk: str(c) for c in Category.objects.select_related("parent").filter(pk__in=[k for k in counts if k])}
    return pareto(
        (str(pk or ""), names.get(pk, _("No category")) if pk else _("No category"), n) for pk, n in counts.items()
    )


def cause_pareto(cases: QuerySet[Case]) -> list[ParetoRow]:
    counts = cases.order_by().values_list("cause_key").annotate(n=Count("id"))
    return pareto((cause, cause or _("Cause not recorded yet"), n) for cause, n in counts)


def complaints_filtered(
    cases: QuerySet[Case], *, category: str | None = None, cause: str | None = None
) -> QuerySet[Case]:
    """The drill-down of a Pareto count: the cases of one category ("" for none) or one cause."""
    if category is not None:
        cases = cases.filter(category_id=int(category)) if category.isdigit() else cases.filter(category__isnull=True)
    if cause is not None:
        cases = cases.filter(cause_key=cause)
    return cases


def comments(*, start: dt.date, end: dt.date, customer_type: str = "") -> QuerySet[Response]:
    """The survey comments submitted in the period (by the customer type's customers when given)."""
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    surveys = Survey.objects.filter(opens_at__lt=until, closes_at__gte=since)
    if not surveys:
        return Response.objects.none()
    responses = reduce(or_, (survey_comments(survey=s) for s in surveys))
    responses = responses.filter(submitted_at__gte=since, submitted_at__lt=until)
    if customer_type:
        responses = responses.filter(customer__ownership=customer_type)
    return responses.select_related("survey", "customer").order_by("-submitted_at", "-id")


@dataclass
class AnalysisData:
    report: standards.KpiReport
    missed: list[Gap]
    no_data: list[Gap]
    attained: int
    complaints: int
    categories: list[ParetoRow]
    causes: list[ParetoRow]
    comments: QuerySet[Response]


def analysis_data(*, user: Any, cycle: Cycle) -> AnalysisData:
    report = standards.kpi_report(start=cycle.start, end=cycle.end, customer_type=cycle.customer_type)
    rows = gaps(report)
    cases = complaints(user=user, start=cycle.start, end=cycle.end, customer_type=cycle.customer_type)
    return AnalysisData(
        report=report,
        missed=[g for g in rows if g.attained is False],
        no_data=[g for g in rows if g.actual is None],
        attained=sum(1 for g in rows if g.attained),
        complaints=cases.count(),
        categories=category_pareto(cases),
        causes=cause_pareto(cases),
        comments=comments(start=cycle.start, end=cycle.end, customer_type=cycle.customer_type),
    )


def analysis_of(cycle: Cycle) -> Analysis | None:
    return Analysis.objects.filter(cycle=cycle).prefetch_related("departments", "causes").first()


# --- the plan ---------------------------------------------------------------------------------------------


def plan_with_items(pk: int) -> Plan | None:
    return (
        Plan.objects.select_related("cycle", "filled_by", "proposed_standard")
        .prefetch_related("departments", "items__indicator", "items__owner", "items__progress__by", "approvals__by")
        .filter(pk=pk)
        .first()
    )


def current_approvals(plan: Plan) -> list[Approval]:
    """The signatures of the current round of approval, in the order they were given."""
    return [a for a in plan.approvals.all() if a.round == plan.round and a.decision == Decision.APPROVED]


def signoff(plan: Plan) -> list[tuple[str, str, list[Approval]]]:
    """The sign-off boxes of the form in their order: (step, label, who signed it in the current round)."""
    signed = current_approvals(plan)
    return [(step, str(label), [a for a in signed if a.step == step]) for step, label in ApprovalStep.choices]


def plan_percent(plan: Plan) -> int | None:
    items = list(plan.items.all())
    if not items:
        return None
    return round(sum(i.percent for i in items) / len(items))


# --- the cycle page ---------------------------------------------------------------------------------------


@dataclass
class Step:
    number: int
    title: str
    state: str  # done, current, waiting
    summary: str
    url: str


def customer_counts(user: Any) -> list[tuple[str, int]]:
    counts = dict(
        customers_visible(user).filter(is_active=True).values_list("ownership").annotate(n=Count("id")).order_by()
    )
    return [(str(label), counts.get(value, 0)) for value, label in Ownership.choices]


def _evaluation_step(cycle: Cycle) -> Step:
    evaluation = audits.evaluation_for_period(start=cycle.start, end=cycle.end, customer_type=cycle.customer_type)
    if evaluation is None:
        return Step(
            4,
            _("Customer service evaluation"),
            "waiting",
            _("No evaluation of the period yet"),
            reverse("audits:evaluations"),
        )
    _items, total = audits.evaluation_items(evaluation)
    return Step(
        4,
        _("Customer service evaluation"),
        "done" if evaluation.status == EvaluationStatus.FINAL else "current",
        _("%(number)s: %(status)s, total %(total)s / 10")
        % {
            "number": evaluation.number,
            "status": evaluation.get_status_display(),
            "total": total if total is not None else "—",
        },
        reverse("audits:evaluation", args=[evaluation.pk]),
    )


def cycle_steps(*, user: Any, cycle: Cycle) -> list[Step]:
    """The seven steps of seed 000 for this cycle, each with its state and where to see it."""
    counts = customer_counts(user)
    total = sum(n for _label, n in counts)
    standard = standards.standard_in_force(cycle.start)
    index_rows = satisfaction_index(start=cycle.start, end=cycle.end)
    index = index_rows[0] if index_rows else None
    analysis = analysis_of(cycle)
    plan = getattr(cycle, "plan", None)
    proposed = plan.proposed_standard if plan else None
    steps = [
        Step(
            1,
            _("Customer classification"),
            "done" if total else "waiting",
            ", ".join(f"{label} {n}" for label, n in counts if n) or _("No customers yet"),
            reverse("customers:list"),
        ),
        Step(
            2,
            _("Service standard"),
            "done" if standard else "waiting",
            (
                _("%(number)s version %(version)s, in force since %(date)s")
                % {"number": standard.number, "version": standard.version_no, "date": standard.effective_from}
                if standard
                else _("No approved standard in force at the start of the period")
            ),
            reverse("standards:detail", args=[standard.pk]) if standard else reverse("standards:list"),
        ),
        Step(
            3,
            _("Customer service survey"),
            "done" if index and index.responses else "waiting",
            (
                _("Satisfaction index %(index)s from %(n)s responses")
                % {"index": index.index if index.index is not None else "—", "n": index.responses}
                if index and index.responses
                else _("No survey responses in the period")
            ),
            reverse("surveys:list"),
        ),
        _evaluation_step(cycle),
        Step(
            5,
            _("Service analysis"),
            "done" if analysis and analysis.causes.exists() else ("current" if standard else "waiting"),
            (
                _("%(n)s causes written with %(departments)s")
                % {
                    "n": analysis.causes.count(),
                    "departments": "、".join(d.name for d in analysis.departments.all()) or "—",
                }
                if analysis
                else _("Not written yet")
            ),
            reverse("improvement:analysis", args=[cycle.pk]),
        ),
        Step(
            6,
            _("Service improvement"),
            (
                "done"
                if plan and plan.status == PlanStatus.COMPLETED
                else ("current" if plan or analysis else "waiting")
            ),
            (
                _("%(number)s: %(status)s, %(percent)s%% done")
                % {"number": plan.number, "status": plan.get_status_display(), "percent": plan_percent(plan) or 0}
                if plan
                else _("No improvement plan yet")
            ),
            reverse("improvement:plan", args=[plan.pk]) if plan else reverse("improvement:cycle", args=[cycle.pk]),
        ),
        Step(
            7,
            _("Service standard update"),
            (
                "done"
                if proposed and proposed.status == StandardStatus.APPROVED
                else ("current" if proposed or (plan and plan.status == PlanStatus.COMPLETED) else "waiting")
            ),
            (
                _("%(number)s version %(version)s: %(status)s, effective from %(date)s")
                % {
                    "number": proposed.number,
                    "version": proposed.version_no,
                    "status": proposed.get_status_display(),
                    "date": proposed.effective_from,
                }
                if proposed
                else _("No new version proposed yet")
            ),
            reverse("standards:detail", args=[proposed.pk]) if proposed else reverse("standards:list"),
        ),
    ]
    return steps
