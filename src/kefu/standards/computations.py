"""The registry of computed indicators: each one a documented formula over Kefu's own records.

A computation takes a period of whole days [start, end] (both inclusive), when it can tell them
apart a customer type (the archive's ownership classification), and when its records name the customer
one customer (`customer_id`), and returns a `Measure`. The figures
come from the selectors of the apps that own the records; nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

from django.db.models import Avg, DurationField, ExpressionWrapper, F, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kefu.operations import selectors as operations
from kefu.operations.choices import OrderStatus
from kefu.operations.models import Order, Shipment
from kefu.surveys.selectors import satisfaction_index
from kefu.tickets.choices import CaseKind, CaseStatus
from kefu.tickets.models import Case
from kefu.visits.selectors import visit_coverage

HUNDRED = Decimal(100)
TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Measure:
    """The figure of one indicator over one period: value is None when there was nothing to measure."""

    numerator: Decimal | None
    denominator: Decimal | None
    value: Decimal | None


class Compute(Protocol):
    def __call__(
        self, start: dt.date, end: dt.date, customer_type: str | None, customer_id: int | None = None
    ) -> Measure: ...


@dataclass(frozen=True)
class Computation:
    key: str
    numerator: Promise
    denominator: Promise
    records: Promise
    period: Promise
    unit: str
    by_customer_type: bool
    function: Compute
    drill_down: str = ""  # a key of DRILL_DOWNS (cases) or SHIPMENT_DRILL_DOWNS when the records can be listed
    by_customer: bool = True  # False when the records do not name the customer (stock, surveys, visits)


def bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The aware datetimes [start 00:00, the day after end 00:00) in the company's time zone."""
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


def percent(numerator: int | Decimal, denominator: int | Decimal) -> Measure:
    if not denominator:
        return Measure(Decimal(numerator), Decimal(denominator), None)
    value = (HUNDRED * Decimal(numerator) / Decimal(denominator)).quantize(TWO_PLACES, ROUND_HALF_UP)
    return Measure(Decimal(numerator), Decimal(denominator), value)


def _operations(key: str) -> Compute:
    def compute(start: dt.date, end: dt.date, customer_type: str | None, customer_id: int | None = None) -> Measure:
        ratio = (
            operations.KPIS[key](*bounds(start, end))
            if customer_id is None
            else operations.KPIS[key](*bounds(start, end), customer_id)  # type: ignore[call-arg]
        )
        return percent(ratio.numerator, ratio.denominator)

    return compute


# --- cases (客户投诉率, 客户投诉处理时间) -----------------------------------------------------------------


def complaints_received(
    start: dt.date, end: dt.date, customer_type: str | None = None, customer_id: int | None = None
) -> QuerySet[Case]:
    """Valid complaints received in the period (from the customers of `customer_type`, or from one customer,
    when given)."""
    since, until = bounds(start, end)
    cases = Case.objects.filter(kind=CaseKind.COMPLAINT, received_at__gte=since, received_at__lt=until).exclude(
        status=CaseStatus.INVALID
    )
    return _of_customers(cases, customer_type, customer_id)


def _of_customers(records: QuerySet[Any], customer_type: str | None, customer_id: int | None) -> QuerySet[Any]:
    if customer_type:
        records = records.filter(customer__ownership=customer_type)
    if customer_id is not None:
        records = records.filter(customer_id=customer_id)
    return records


def complaints_resolved(
    start: dt.date, end: dt.date, customer_type: str | None = None, customer_id: int | None = None
) -> QuerySet[Case]:
    """Complaints resolved in the period (from the customers of `customer_type`, or one customer, when given)."""
    since, until = bounds(start, end)
    cases = Case.objects.filter(kind=CaseKind.COMPLAINT, resolved_at__gte=since, resolved_at__lt=until)
    return _of_customers(cases, customer_type, customer_id)


def complaint_rate(start: dt.date, end: dt.date, customer_type: str | None, customer_id: int | None = None) -> Measure:
    since, until = bounds(start, end)
    orders = Order.objects.filter(created_at__gte=since, created_at__lt=until).exclude(status=OrderStatus.CANCELLED)
    orders = _of_customers(orders, customer_type, customer_id)
    return percent(complaints_received(start, end, customer_type, customer_id).count(), orders.count())


def complaint_handling_hours(
    start: dt.date, end: dt.date, customer_type: str | None, customer_id: int | None = None
) -> Measure:
    cases = complaints_resolved(start, end, customer_type, customer_id)
    took = ExpressionWrapper(F("resolved_at") - F("received_at"), output_field=DurationField())
    figures: dict[str, Any] = cases.aggregate(mean=Avg(took))
    count = cases.count()
    mean: dt.timedelta | None = figures["mean"]
    if not count or mean is None:
        return Measure(None, Decimal(count), None)
    hours = (Decimal(mean.total_seconds()) / Decimal(3600)).quantize(TWO_PLACES, ROUND_HALF_UP)
    return Measure(hours * count, Decimal(count), hours)


# --- surveys and visits ------------------------------------------------------------------------------


def satisfaction(start: dt.date, end: dt.date, customer_type: str | None, customer_id: int | None = None) -> Measure:
    rows = satisfaction_index(start=start, end=end)
    row = rows[0] if rows else None
    if row is None or row.index is None:
        return Measure(None, Decimal(row.responses if row else 0), None)
    return Measure(None, Decimal(row.responses), Decimal(row.index).quantize(TWO_PLACES, ROUND_HALF_UP))


def follow_up_coverage(
    start: dt.date, end: dt.date, customer_type: str | None, customer_id: int | None = None
) -> Measure:
    coverage = visit_coverage(start=start, end=end)
    return percent(coverage.done, coverage.planned)


def _ops(
    key: str,
    numerator: Promise,
    denominator: Promise,
    records: Promise,
    period: Promise,
    *,
    drill_down: str = "",
    by_customer: bool = True,
) -> Computation:
    return Computation(
        key, numerator, denominator, records, period, "%", False, _operations(key), drill_down, by_customer
    )


COMPUTATIONS: dict[str, Computation] = {
    c.key: c
    for c in [
        _ops(
            "transport_demand_fulfilment",
            _("Orders that got a vehicle"),
            _("Orders placed, not cancelled by the customer"),
            _("Orders"),
            _("Orders placed in the period"),
        ),
        _ops(
            "timely_dispatch",
            _("Orders that left by the requested pick-up time"),
            _("Orders due for pick-up, not cancelled or rejected"),
            _("Orders"),
            _("Requested pick-up time in the period"),
        ),
        _ops(
            "on_time_delivery",
            _("Shipments delivered by the promised time"),
            _("Shipments delivered"),
            _("Shipments"),
            _("Delivered in the period"),
            drill_down="deliveries",
        ),
        _ops(
            "intact_delivery",
            _("Shipments delivered intact and complete"),
            _("Shipments delivered"),
            _("Shipments"),
            _("Delivered in the period"),
            drill_down="deliveries",
        ),
        _ops(
            "timely_feedback",
            _("Tracking events the customer was told of within 2 hours"),
            _("Tracking events other than signing"),
            _("Tracking events"),
            _("Occurred in the period"),
        ),
        _ops(
            "inventory_intact",
            _("Pieces counted intact"),
            _("Pieces counted"),
            _("Stock-takes"),
            _("Stock-takes in the period"),
            by_customer=False,
        ),
        _ops(
            "shipping_accuracy",
            _("Packing-list lines shipped as ordered"),
            _("Packing-list lines"),
            _("Shipment lines"),
            _("Shipments dispatched in the period"),
        ),
        Computation(
            "complaint_rate",
            _("Valid complaints received"),
            _("Orders placed, not cancelled"),
            _("Complaint cases and orders, by the customer's ownership type"),
            _("Received / placed in the period"),
            "%",
            True,
            complaint_rate,
            drill_down="complaints_received",
        ),
        Computation(
            "complaint_handling_time",
            _("Hours from receiving to resolving, summed"),
            _("Complaints resolved"),
            _("Complaint cases, by the customer's ownership type"),
            _("Resolved in the period"),
            "h",
            True,
            complaint_handling_hours,
            drill_down="complaints_resolved",
        ),
        Computation(
            "satisfaction_index",
            _("Weighted mean of the dimension scores (0-100)"),
            _("Responses to the customer-service survey"),
            _("Survey responses"),
            _("Submitted in the months of the period"),
            "",
            False,
            satisfaction,
            by_customer=False,
        ),
        Computation(
            "follow_up_coverage",
            _("Follow-up visits done"),
            _("Follow-up visits due, not cancelled"),
            _("Follow-up visit tasks"),
            _("Due in the period"),
            "%",
            False,
            follow_up_coverage,
            by_customer=False,
        ),
    ]
}

DRILL_DOWNS: dict[str, Callable[[dt.date, dt.date, str | None, int | None], QuerySet[Case]]] = {
    "complaints_received": complaints_received,
    "complaints_resolved": complaints_resolved,
}


def deliveries(start: dt.date, end: dt.date, customer_id: int | None = None) -> QuerySet[Shipment]:
    """The shipments behind 货物准时送达率 and 货物完好送达率: those delivered in the period."""
    return operations.shipments_delivered(*bounds(start, end), customer_id)


SHIPMENT_DRILL_DOWNS: dict[str, Callable[[dt.date, dt.date, int | None], QuerySet[Shipment]]] = {
    "deliveries": deliveries,
}
