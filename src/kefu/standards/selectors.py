"""Reads of the service standards: versions, the one in force on a day, and KPI measurement."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from kefu.core.search import normalize
from kefu.customers.choices import Ownership
from kefu.standards.choices import Measurement, StandardStatus
from kefu.standards.computations import COMPUTATIONS, DRILL_DOWNS, Computation, Measure
from kefu.standards.models import Indicator, ItemTarget, Reading, Standard, StandardItem
from kefu.standards.scoring import attained, weighted_score
from kefu.tickets.models import Case

DEFAULT_TYPES = [Ownership.FOREIGN, Ownership.PRIVATE, Ownership.STATE]


def indicators_list(*, q: str = "", department_id: int | None = None) -> QuerySet[Indicator]:
    indicators = Indicator.objects.select_related("department")
    if department_id:
        indicators = indicators.filter(department_id=department_id)
    for term in normalize(q).split():
        indicators = indicators.filter(Q(name__icontains=term) | Q(code__icontains=term))
    return indicators


def computation_of(indicator: Indicator) -> Computation | None:
    if indicator.measurement != Measurement.COMPUTED:
        return None
    return COMPUTATIONS.get(indicator.computation)


def standards_list(*, status: str = "") -> QuerySet[Standard]:
    standards = Standard.objects.select_related("drafted_by", "approved_by")
    if status:
        standards = standards.filter(status=status)
    return standards


def standard_with_items(pk: int) -> Standard | None:
    items = StandardItem.objects.select_related("department", "indicator").prefetch_related(
        Prefetch("targets", queryset=ItemTarget.objects.order_by("customer_type"))
    )
    return (
        Standard.objects.select_related("drafted_by", "approved_by")
        .prefetch_related(Prefetch("items", queryset=items))
        .filter(pk=pk)
        .first()
    )


def standard_in_force(day: dt.date) -> Standard | None:
    """The approved version with the latest effective date on or before `day`."""
    return (
        Standard.objects.filter(status=StandardStatus.APPROVED, effective_from__lte=day)
        .order_by("-effective_from")
        .first()
    )


def customer_types(standard: Standard) -> list[str]:
    """The customer types the standard sets targets for, in the archive's order (外企, 民营, 国有 at least)."""
    used = set(ItemTarget.objects.filter(item__standard=standard).values_list("customer_type", flat=True))
    return [t for t in Ownership.values if t in used or t in DEFAULT_TYPES]


def grouped_items(standard: Standard) -> list[tuple[Any, list[StandardItem]]]:
    """The items grouped by department, in item order (the rows of the 标准单)."""
    groups: dict[int, tuple[Any, list[StandardItem]]] = {}
    for item in standard.items.all():
        groups.setdefault(item.department_id, (item.department, []))[1].append(item)
    return list(groups.values())


# --- measurement -----------------------------------------------------------------------------------------


@dataclass
class Cell:
    actual: Measure | None
    target: Decimal | None
    attained: bool | None


@dataclass
class ItemResult:
    item: StandardItem
    computation: Computation | None
    overall: Measure | None
    cells: dict[str, Cell] = field(default_factory=dict)

    def cell_list(self, types: list[str]) -> list[Cell]:
        return [self.cells[t] for t in types]


@dataclass
class DepartmentResult:
    department: Any
    items: list[ItemResult]
    scores: dict[str, Decimal | None] = field(default_factory=dict)

    def score_list(self, types: list[str]) -> list[Decimal | None]:
        return [self.scores[t] for t in types]


@dataclass
class KpiReport:
    start: dt.date
    end: dt.date
    standard: Standard | None
    types: list[str]
    departments: list[DepartmentResult]

    def type_labels(self) -> list[tuple[str, str]]:
        labels = dict(Ownership.choices)
        return [(t, str(labels[t])) for t in self.types]


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """Last month: the most recent whole period."""
    end = today.replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end


def manual_measure(indicator: Indicator, start: dt.date, end: dt.date, customer_type: str | None) -> Measure:
    """A hand-entered indicator: the mean of the readings of the months [start, end] touches (the customer
    type's own readings, else the readings for all types)."""
    readings = Reading.objects.filter(indicator=indicator, month__gte=start.replace(day=1), month__lte=end)
    values: list[Decimal] = []
    if customer_type:
        values = list(readings.filter(customer_type=customer_type).values_list("value", flat=True))
    if not values:
        values = list(readings.filter(customer_type="").values_list("value", flat=True))
    if not values:
        return Measure(None, Decimal(0), None)
    total = sum(values, Decimal(0))
    return Measure(total, Decimal(len(values)), (total / len(values)).quantize(Decimal("0.01")))


def _measure(
    item: StandardItem, computation: Computation | None, start: dt.date, end: dt.date, t: str | None
) -> Measure:
    if item.indicator.measurement == Measurement.MANUAL:
        return manual_measure(item.indicator, start, end, t)
    if computation is None:
        return Measure(None, None, None)
    return computation.function(start, end, t)


def kpi_report(*, start: dt.date, end: dt.date, customer_type: str = "", department_id: int | None = None) -> KpiReport:
    """Each item of the standard in force on `start`: actual value per customer type (the company-wide value
    where the records cannot tell types apart), its target, attained or not, and each department's
    weighted score per customer type."""
    standard = standard_in_force(start)
    if standard is None:
        return KpiReport(start, end, None, [], [])
    standard = standard_with_items(standard.pk)
    assert standard is not None  # noqa: S101  (it was just found)
    types = customer_types(standard)
    if customer_type:
        types = [t for t in types if t == customer_type]
    departments: list[DepartmentResult] = []
    for department, items in grouped_items(standard):
        if department_id and department.pk != department_id:
            continue
        results = []
        for item in items:
            computation = computation_of(item.indicator)
            overall = _measure(item, computation, start, end, None)
            result = ItemResult(item, computation, overall)
            targets = item.targets_by_type()
            for t in types:
                manual = item.indicator.measurement == Measurement.MANUAL
                by_type = manual or (computation is not None and computation.by_customer_type)
                actual = _measure(item, computation, start, end, t) if by_type else overall
                target = targets[t].target if t in targets else None
                ok = attained(actual.value, target, item.indicator.direction)
                result.cells[t] = Cell(actual, target, ok)
            results.append(result)
        scores = {t: weighted_score((r.item.weight, r.cells[t].attained) for r in results) for t in types}
        departments.append(DepartmentResult(department, results, scores))
    return KpiReport(start, end, standard, types, departments)


def drill_down_cases(*, key: str, start: dt.date, end: dt.date, customer_type: str = "") -> QuerySet[Case]:
    """The cases behind a cases-based figure."""
    return DRILL_DOWNS[key](start, end, customer_type or None).select_related("customer").order_by("-received_at")
