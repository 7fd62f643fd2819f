"""Reads of the service standards: versions, the one in force on a day, and KPI measurement."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from kefu.core.search import normalize
from kefu.customers.choices import Ownership
from kefu.operations.models import Shipment
from kefu.standards.choices import Measurement, StandardStatus
from kefu.standards.computations import COMPUTATIONS, DRILL_DOWNS, SHIPMENT_DRILL_DOWNS, Computation, Measure
from kefu.standards.models import Indicator, ItemTarget, KpiFigure, KpiSnapshot, Reading, Standard, StandardItem
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
    per_customer: bool = True  # False when a customer is chosen and the records cannot be split by customer

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
    customer: Any = None  # the one customer measured, when one was chosen

    def type_labels(self) -> list[tuple[str, str]]:
        labels = dict(Ownership.choices)
        return [(t, str(labels[t])) for t in self.types]


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """Last month: the most recent whole period."""
    end = today.replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end


def kpi_presets(today: dt.date) -> dict[str, tuple[dt.date, dt.date]]:
    """The periods the KPI page offers in one click (and the worker keeps snapshots of): last month, and
    this month, quarter and year to date."""
    this_month = today.replace(day=1)
    quarter = this_month.replace(month=3 * ((today.month - 1) // 3) + 1)
    return {
        "last_month": default_period(today),
        "this_month": (this_month, today),
        "this_quarter": (quarter, today),
        "this_year": (today.replace(month=1, day=1), today),
    }


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


NO_MEASURE = Measure(None, None, None)


def _measure(
    item: StandardItem,
    computation: Computation | None,
    start: dt.date,
    end: dt.date,
    t: str | None,
    customer_id: int | None = None,
) -> Measure:
    if item.indicator.measurement == Measurement.MANUAL:
        return NO_MEASURE if customer_id is not None else manual_measure(item.indicator, start, end, t)
    if computation is None or (customer_id is not None and not computation.by_customer):
        return NO_MEASURE
    return computation.function(start, end, t, customer_id)


def indicators_beside(standard: Standard | None, start: dt.date, end: dt.date) -> list[tuple[Indicator, str, Measure]]:
    """The active indicators `standard` has no item for, measured over [start, end] company-wide and, where
    the records tell customer types apart, for each default customer type and each type of the standard:
    what a snapshot stores for the trend charts beside the standard's items."""
    items = StandardItem.objects.filter(standard=standard).values("indicator_id") if standard else []
    types = customer_types(standard) if standard else list(DEFAULT_TYPES)
    measured = []
    for indicator in Indicator.objects.filter(is_active=True).exclude(pk__in=items).order_by("position", "pk"):
        computation = computation_of(indicator)
        if indicator.measurement == Measurement.COMPUTED and computation is None:
            continue
        probe = StandardItem(indicator=indicator)
        measured.append((indicator, "", _measure(probe, computation, start, end, None)))
        if indicator.measurement == Measurement.MANUAL or (computation is not None and computation.by_customer_type):
            measured += [(indicator, t, _measure(probe, computation, start, end, t)) for t in types]
    return measured


def _by_type(item: StandardItem, computation: Computation | None) -> bool:
    manual = item.indicator.measurement == Measurement.MANUAL
    return manual or (computation is not None and computation.by_customer_type)


def kpi_report(
    *,
    start: dt.date,
    end: dt.date,
    customer_type: str = "",
    department_id: int | None = None,
    customer: Any = None,
) -> KpiReport:
    """Each item of the standard in force on `start`: actual value per customer type (the company-wide value
    where the records cannot tell types apart), its target, attained or not, and each department's
    weighted score per customer type.

    With one `customer`, the figures are that customer's own (only the indicators whose records name the
    customer; the others show no data) against the targets of the customer's type."""
    standard = standard_in_force(start)
    if standard is None:
        return KpiReport(start, end, None, [], [], customer)
    standard = standard_with_items(standard.pk)
    assert standard is not None  # noqa: S101  (it was just found)
    types = customer_types(standard)
    if customer is not None:
        types = [customer.ownership]
    elif customer_type:
        types = [t for t in types if t == customer_type]
    customer_id = customer.pk if customer is not None else None
    departments: list[DepartmentResult] = []
    for department, items in grouped_items(standard):
        if department_id and department.pk != department_id:
            continue
        results = []
        for item in items:
            computation = computation_of(item.indicator)
            overall = _measure(item, computation, start, end, None, customer_id)
            per_customer = customer is None or (
                item.indicator.measurement == Measurement.COMPUTED
                and computation is not None
                and computation.by_customer
            )
            result = ItemResult(item, computation, overall, per_customer=per_customer)
            targets = item.targets_by_type()
            for t in types:
                by_type = customer is None and _by_type(item, computation)
                actual = _measure(item, computation, start, end, t) if by_type else overall
                target = targets[t].target if t in targets else None
                ok = attained(actual.value, target, item.indicator.direction)
                result.cells[t] = Cell(actual, target, ok)
            results.append(result)
        scores = {t: weighted_score((r.item.weight, r.cells[t].attained) for r in results) for t in types}
        departments.append(DepartmentResult(department, results, scores))
    return KpiReport(start, end, standard, types, departments, customer)


# --- stored measurements (snapshots) ---------------------------------------------------------------------


def kpi_snapshot(start: dt.date, end: dt.date) -> KpiSnapshot | None:
    """The stored measurement of exactly [start, end], computed or only requested, if there is one."""
    return KpiSnapshot.objects.select_related("standard", "requested_by").filter(start=start, end=end).first()


def snapshot_is_usable(snapshot: KpiSnapshot | None) -> bool:
    """Whether the snapshot has figures measured against the standard in force on its first day (a
    standard approved later with an earlier effective date makes the stored targets wrong)."""
    if snapshot is None or snapshot.computed_at is None:
        return False
    in_force = standard_in_force(snapshot.start)
    return (in_force.pk if in_force else None) == snapshot.standard_id


def snapshot_is_provisional(snapshot: KpiSnapshot) -> bool:
    """Computed before the period was over (this month so far): records may still arrive."""
    if snapshot.computed_at is None:
        return True
    return timezone.localtime(snapshot.computed_at).date() <= snapshot.end


def kpi_report_stored(snapshot: KpiSnapshot, *, customer_type: str = "", department_id: int | None = None) -> KpiReport:
    """The `kpi_report` of the snapshot's period rebuilt from its stored figures, with no measurement: the
    same items, values, targets, attainment and weighted scores (one query for the figures)."""
    types = [t for t in snapshot.customer_types if not customer_type or t == customer_type]
    if snapshot.standard is None:
        return KpiReport(snapshot.start, snapshot.end, None, [], [])
    figures = (
        KpiFigure.objects.filter(snapshot=snapshot, item__isnull=False)
        .select_related("item__department", "item__indicator")
        .order_by("item__position", "item_id", "customer_type")
    )
    if department_id:
        figures = figures.filter(department_id=department_id)
    results: dict[int, ItemResult] = {}
    by_type: dict[int, dict[str, Cell]] = {}
    for figure in figures:
        item = figure.item
        assert item is not None  # noqa: S101  (filtered)
        if item.pk not in results:
            results[item.pk] = ItemResult(item, computation_of(item.indicator), None)
            by_type[item.pk] = {}
        measure = Measure(figure.numerator, figure.denominator, figure.value)
        if figure.customer_type:
            by_type[item.pk][figure.customer_type] = Cell(measure, figure.target, figure.attained)
        else:
            results[item.pk].overall = measure
    groups: dict[int, tuple[Any, list[ItemResult]]] = {}
    for pk, result in results.items():
        result.cells = {t: by_type[pk][t] for t in types if t in by_type[pk]}
        groups.setdefault(result.item.department_id, (result.item.department, []))[1].append(result)
    departments = [
        DepartmentResult(
            department,
            items,
            {t: weighted_score((r.item.weight, r.cells[t].attained) for r in items if t in r.cells) for t in types},
        )
        for department, items in groups.values()
    ]
    return KpiReport(snapshot.start, snapshot.end, snapshot.standard, types, departments)


def drill_down_cases(
    *, key: str, start: dt.date, end: dt.date, customer_type: str = "", customer_id: int | None = None
) -> QuerySet[Case]:
    """The cases behind a cases-based figure."""
    cases = DRILL_DOWNS[key](start, end, customer_type or None, customer_id)
    return cases.select_related("customer").order_by("-received_at")


def drill_down_shipments(
    *, key: str, start: dt.date, end: dt.date, customer_id: int | None = None
) -> QuerySet[Shipment]:
    """The shipments behind a shipments-based figure (货物准时送达率, 货物完好送达率)."""
    shipments = SHIPMENT_DRILL_DOWNS[key](start, end, customer_id)
    return shipments.select_related("customer", "order").order_by("-delivered_at", "-id")


# --- trends ----------------------------------------------------------------------------------------------


@dataclass
class Trend:
    """One indicator over the months: its value each month and each customer type's target each month."""

    indicator: Indicator
    months: list[str]
    values: list[float | None]
    targets: dict[str, list[float | None]]


def months_back(last: dt.date, count: int) -> list[tuple[dt.date, dt.date]]:
    """`count` whole months ending with the month of `last`, oldest first, as (first day, last day)."""
    months = []
    first = last.replace(day=1)
    for _ in range(count):
        next_first = (first + dt.timedelta(days=32)).replace(day=1)
        months.append((first, next_first - dt.timedelta(days=1)))
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return months[::-1]


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _stored_month_values(
    periods: list[tuple[dt.date, dt.date]], in_force: dict[dt.date, Standard | None], customer_type: str
) -> dict[tuple[dt.date, int, str], Decimal | None]:
    """The values the months' snapshots hold (the worker keeps every month of the trend window stored), by
    (first day, indicator, customer type or "" for the company); two queries. Months with no usable
    snapshot, and indicators a month's standard did not have, are absent: the caller measures those."""
    ends = dict(periods)
    snapshots = {
        snapshot.pk: snapshot.start
        for snapshot in KpiSnapshot.objects.filter(start__in=list(ends), computed_at__isnull=False).only(
            "pk", "start", "end", "standard_id"
        )
        if snapshot.end == ends[snapshot.start]
        and snapshot.standard_id == (in_force[snapshot.start].pk if in_force[snapshot.start] else None)
    }
    figures = KpiFigure.objects.filter(snapshot_id__in=list(snapshots), customer_type__in={"", customer_type})
    return {
        (snapshots[snapshot_id], indicator_id, kind): value
        for snapshot_id, indicator_id, kind, value in figures.values_list(
            "snapshot_id", "indicator_id", "customer_type", "value"
        )
    }


def kpi_trends(
    *, last: dt.date, months: int = 12, customer_type: str = "", customer: Any = None, department_id: int | None = None
) -> list[Trend]:
    """The monthly series of the last `months` months (ending with the month of `last`) of each indicator of
    the standard in force on `last`, with the targets of the standard in force each month (a target line
    per customer type; the chosen type or customer's type only when one is chosen). The value is the
    chosen customer's, else the chosen type's where the records tell types apart, else the company's."""
    current = standard_in_force(last)
    if current is None:
        return []
    current = standard_with_items(current.pk)
    assert current is not None  # noqa: S101  (it was just found)
    types = [customer.ownership] if customer is not None else customer_types(current)
    if customer is None and customer_type:
        types = [t for t in types if t == customer_type]
    customer_id = customer.pk if customer is not None else None
    periods = months_back(last, months)
    in_force = {first: standard_in_force(first) for first, _end in periods}
    targets_by_standard: dict[int, dict[int, dict[str, Decimal]]] = {}
    for standard in {s.pk: s for s in in_force.values() if s is not None}.values():
        targets_by_standard[standard.pk] = {}
        for target in ItemTarget.objects.filter(item__standard=standard).select_related("item"):
            targets_by_standard[standard.pk].setdefault(target.item.indicator_id, {})[target.customer_type] = (
                target.target
            )
    stored = {} if customer is not None else _stored_month_values(periods, in_force, customer_type)
    trends = []
    for department, items in grouped_items(current):
        if department_id and department.pk != department_id:
            continue
        for item in items:
            computation = computation_of(item.indicator)
            t = customer_type if customer is None and customer_type and _by_type(item, computation) else None
            values = [
                _number(stored[(first, item.indicator_id, t or "")])
                if (first, item.indicator_id, t or "") in stored
                else _number(_measure(item, computation, first, end, t, customer_id).value)
                for first, end in periods
            ]
            lines: dict[str, list[float | None]] = {}
            for kind in types:
                lines[kind] = []
                for first, _end in periods:
                    standard = in_force[first]
                    found = targets_by_standard.get(standard.pk, {}) if standard else {}
                    lines[kind].append(_number(found.get(item.indicator_id, {}).get(kind)))
            trends.append(Trend(item.indicator, [f"{first:%Y-%m}" for first, _end in periods], values, lines))
    return trends
