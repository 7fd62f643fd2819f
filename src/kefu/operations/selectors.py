"""Reads of the operations domain: scoped lists, detail pages, and the facts behind the service KPIs.

Each `kpi_*` function returns the numerator and denominator of one indicator of the 标准单
(seed 000) over a period [start, end); the standards module computes and compares the rates.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from kefu.core.search import normalize
from kefu.core.selectors import keyword_condition
from kefu.customers.models import Customer
from kefu.customers.rules import customer_scope
from kefu.customers.services import SEARCH_KIND as CUSTOMER_SEARCH_KIND
from kefu.operations.choices import ClaimStatus, EventKind, OrderStatus, RepairStatus, ShipmentStatus
from kefu.operations.filters import AfterSalesFilters, ClaimFilters, ExceptionFilters, OrderFilters, ShipmentFilters
from kefu.operations.models import (
    ApprovalLimit,
    Cancellation,
    Claim,
    CompensationStandard,
    CreditAccount,
    Driver,
    Order,
    Refund,
    RepairNotice,
    ReturnRequest,
    Shipment,
    ShipmentException,
    ShipmentLine,
    Statement,
    StockItem,
    StockTake,
    TrackingEvent,
    Vehicle,
)
from kefu.operations.services.core import CLAIM_SEARCH_KIND, EXCEPTION_SEARCH_KIND, ORDER_SEARCH_KIND

DEFAULT_FEEDBACK_LIMIT = dt.timedelta(hours=2)
MAX_CUSTOMERS_LISTED = 1000
_NUMBER_LIKE = re.compile(r"^[A-Za-z]{0,6}[-_]?[A-Za-z0-9-_]*\d{3,}[A-Za-z0-9-_]*$")


def _scoped(queryset: QuerySet[Any], user: Any, prefix: str = "customer__") -> QuerySet[Any]:
    scope = customer_scope(user)
    if scope == Q():
        return queryset
    return queryset.filter(**{f"{prefix}in": _customer_ids(scope)})


def _customer_ids(scope: Q) -> Any:
    return Customer.objects.filter(scope).values("pk")


def _common(
    queryset: QuerySet[Any], filters: Any, *, date_field: str, customer_field: str = "customer_id"
) -> QuerySet[Any]:
    if filters.customer is not None:
        queryset = queryset.filter(**{customer_field: filters.customer})
    if filters.date_from is not None:
        queryset = queryset.filter(**{f"{date_field}__date__gte": filters.date_from})
    if filters.date_to is not None:
        queryset = queryset.filter(**{f"{date_field}__date__lte": filters.date_to})
    return queryset


def _matching_orders(number: str) -> list[int]:
    """Orders whose number or external number is `number` (each an index lookup, never OR-ed in SQL)."""
    ids: set[int] = set()
    for candidate in {number, number.upper()}:
        ids.update(Order.objects.filter(number=candidate).values_list("pk", flat=True))
        ids.update(Order.objects.filter(external_number=candidate).values_list("pk", flat=True))
    return sorted(ids)


def _customers_named(term: str) -> Any:
    """Customers whose name holds `term`, through the customers' search tokens: a list of ids, or the
    query itself when so many match that a list would be longer than the SQL it replaces."""
    named = Customer.objects.filter(keyword_condition(CUSTOMER_SEARCH_KIND, term), name__icontains=term)
    ids = list(named.values_list("pk", flat=True)[: MAX_CUSTOMERS_LISTED + 1])
    return ids if len(ids) <= MAX_CUSTOMERS_LISTED else named.values("pk")


def _order_words(query: str, *, via: str = "") -> Q:
    """Orders (or shipments, `via` their order) holding every word of `query` in their goods and places
    (the orders' search tokens, two-character Chinese words included) or their customer's name."""
    condition = Q()
    for term in normalize(query).split(" "):
        own = keyword_condition(ORDER_SEARCH_KIND, term, via=via)
        customers = _customers_named(term)
        # Most goods and places name no customer: then the condition stays one semi-join on the token index.
        named = not isinstance(customers, list) or bool(customers)
        condition &= (own | Q(customer_id__in=customers)) if named else own
    return condition


def _order_keyword(query: str) -> Q:
    """An exact order or external number when the query is one, else every word of it (`_order_words`)."""
    text = query.strip()
    if _NUMBER_LIKE.match(text):
        return Q(pk__in=_matching_orders(text))
    return _order_words(text)


def _shipment_keyword(query: str) -> Q:
    text = query.strip()
    if _NUMBER_LIKE.match(text):
        ids = set(Shipment.objects.filter(number__in={text, text.upper()}).values_list("pk", flat=True))
        orders = _matching_orders(text)
        if orders:
            ids.update(Shipment.objects.filter(order_id__in=orders).values_list("pk", flat=True))
        return Q(pk__in=sorted(ids))
    return _order_words(text, via="order__")


def _by_shipment_keyword(model: Any, kind: str, query: str) -> Q:
    """Exceptions or claims: by their own number or their shipment's or order's when the query is one,
    else by the words of their text (description, goods, places, customer's name)."""
    text = query.strip()
    if _NUMBER_LIKE.match(text):
        ids = set(model.objects.filter(number__in={text, text.upper()}).values_list("pk", flat=True))
        shipments = Shipment.objects.filter(_shipment_keyword(text)).values("pk")
        ids.update(model.objects.filter(shipment_id__in=shipments).values_list("pk", flat=True))
        return Q(pk__in=sorted(ids))
    return keyword_condition(kind, text)


def order_list(*, user: Any, filters: OrderFilters) -> QuerySet[Order]:
    queryset = _common(_scoped(Order.objects.all(), user), filters, date_field="created_at")
    for name in ("status", "vehicle_type", "is_custom"):
        value = getattr(filters, name)
        if value is not None:
            queryset = queryset.filter(**{name: value})
    if filters.q:
        queryset = queryset.filter(_order_keyword(filters.q))
    return queryset.select_related("customer").order_by("-created_at", "-id")


def order_get(*, user: Any, pk: int) -> Order | None:
    return (
        _scoped(Order.objects.all(), user).select_related("customer", "stock_item", "released_by").filter(pk=pk).first()
    )


def shipment_list(*, user: Any, filters: ShipmentFilters) -> QuerySet[Shipment]:
    queryset = _common(_scoped(Shipment.objects.all(), user), filters, date_field="dispatched_at")
    for name in ("status", "on_time", "intact"):
        value = getattr(filters, name)
        if value is not None:
            queryset = queryset.filter(**{name: value})
    if filters.vehicle_type is not None:
        queryset = queryset.filter(vehicle__vehicle_type=filters.vehicle_type)
    if filters.q:
        queryset = queryset.filter(_shipment_keyword(filters.q))
    return queryset.select_related("customer", "order", "vehicle", "driver").order_by("-dispatched_at", "-id")


def shipment_get(*, user: Any, pk: int | None = None, number: str | None = None) -> Shipment | None:
    """The shipment, if `user` may see it, with whether it has exceptions and claims (see `shipment_detail`)."""
    queryset = (
        _scoped(Shipment.objects.all(), user)
        .select_related("customer", "order", "vehicle", "driver")
        .annotate(
            has_exceptions=Exists(ShipmentException.objects.filter(shipment=OuterRef("pk"))),
            has_claims=Exists(Claim.objects.filter(shipment=OuterRef("pk"))),
        )
    )
    return queryset.filter(pk=pk).first() if pk is not None else queryset.filter(number=number).first()


def shipment_detail(shipment: Shipment) -> dict[str, Any]:
    """What the shipment page shows: its events, lines, exceptions with photos, claims and linked cases.

    Most shipments have no exception and no claim: for a shipment from `shipment_get` (which says
    so) those two queries are skipped, two round trips of a page's nine. A shipment from elsewhere
    is asked."""
    has_exceptions, has_claims = (getattr(shipment, name, True) for name in ("has_exceptions", "has_claims"))
    exceptions = list(shipment.exceptions.prefetch_related("photos").order_by("-reported_at")) if has_exceptions else []
    claims = list(shipment.claims.select_related("exception").order_by("-claimed_at")) if has_claims else []
    return {
        "events": list(shipment.events.order_by("occurred_at", "id")),
        "lines": list(shipment.lines.all()),
        "exceptions": exceptions,
        "claims": claims,
        "case_numbers": sorted({e.case_number for e in exceptions if e.case_number}),
    }


def exception_list(*, user: Any, filters: ExceptionFilters) -> QuerySet[ShipmentException]:
    queryset = _common(
        _scoped(ShipmentException.objects.all(), user, "shipment__customer__"),
        filters,
        date_field="reported_at",
        customer_field="shipment__customer_id",
    )
    if filters.kind is not None:
        queryset = queryset.filter(kind=filters.kind)
    if filters.q:
        queryset = queryset.filter(_by_shipment_keyword(ShipmentException, EXCEPTION_SEARCH_KIND, filters.q))
    return queryset.select_related("shipment", "shipment__customer").order_by("-reported_at", "-id")


def claim_list(*, user: Any, filters: ClaimFilters) -> QuerySet[Claim]:
    queryset = _common(
        _scoped(Claim.objects.all(), user, "shipment__customer__"),
        filters,
        date_field="claimed_at",
        customer_field="shipment__customer_id",
    )
    if filters.status is not None:
        queryset = queryset.filter(status=filters.status)
    if filters.q:
        queryset = queryset.filter(_by_shipment_keyword(Claim, CLAIM_SEARCH_KIND, filters.q))
    return queryset.select_related("shipment", "shipment__customer", "approved_by").order_by("-claimed_at", "-id")


def claim_get(*, user: Any, pk: int) -> Claim | None:
    return (
        _scoped(Claim.objects.all(), user, "shipment__customer__")
        .select_related("shipment", "shipment__order", "shipment__customer", "exception", "approved_by")
        .filter(pk=pk)
        .first()
    )


def exception_get(*, user: Any, pk: int) -> ShipmentException | None:
    return (
        _scoped(ShipmentException.objects.all(), user, "shipment__customer__")
        .select_related("shipment", "shipment__customer")
        .filter(pk=pk)
        .first()
    )


def vehicles() -> QuerySet[Vehicle]:
    return Vehicle.objects.order_by("-is_active", "plate")


def drivers() -> QuerySet[Driver]:
    return Driver.objects.select_related("vehicle").order_by("-is_active", "name")


def stock_items() -> QuerySet[StockItem]:
    return StockItem.objects.annotate(takes_n=Count("takes")).order_by("sku")


def recent_stock_takes(limit: int = 50) -> QuerySet[StockTake]:
    return StockTake.objects.select_related("item", "recorded_by")[:limit]


def approval_limits() -> QuerySet[ApprovalLimit]:
    return ApprovalLimit.objects.all()


def compensation_standards() -> QuerySet[CompensationStandard]:
    return CompensationStandard.objects.all()


# --- facts behind the service KPIs (标准单, seed 000) -------------------------------------------------


@dataclass(frozen=True)
class Ratio:
    numerator: int
    denominator: int

    @property
    def rate(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


def _count(queryset: QuerySet[Any], condition: Q) -> Ratio:
    figures = queryset.aggregate(n=Count("pk", filter=condition), d=Count("pk"))
    return Ratio(figures["n"], figures["d"])


def _of_customer(queryset: QuerySet[Any], customer_id: int | None, field: str = "customer_id") -> QuerySet[Any]:
    return queryset if customer_id is None else queryset.filter(**{field: customer_id})


def kpi_transport_demand_fulfilment(start: dt.datetime, end: dt.datetime, customer_id: int | None = None) -> Ratio:
    """运输需求满足率: orders placed in the period that got a vehicle / orders placed.

    Orders the customer cancelled are left out of both. Every KPI here takes one customer optionally."""
    orders = Order.objects.filter(created_at__gte=start, created_at__lt=end).exclude(status=OrderStatus.CANCELLED)
    return _count(_of_customer(orders, customer_id), Q(status__in=(OrderStatus.DISPATCHED, OrderStatus.DELIVERED)))


def kpi_timely_dispatch(start: dt.datetime, end: dt.datetime, customer_id: int | None = None) -> Ratio:
    """货物及时发送率: orders due for pick-up in the period that left by the requested time / those due."""
    orders = Order.objects.filter(pickup_at__gte=start, pickup_at__lt=end).exclude(
        status__in=(OrderStatus.CANCELLED, OrderStatus.REJECTED)
    )
    # A correlated EXISTS probes each due order's shipments by order id; an IN over every shipment that ever
    # left in time made PostgreSQL scan all of them for each order (minutes at a million shipments).
    left_in_time = Exists(Shipment.objects.filter(order_id=OuterRef("pk"), departed_at__lte=OuterRef("pickup_at")))
    return _count(_of_customer(orders, customer_id), Q(left_in_time))


def shipments_delivered(start: dt.datetime, end: dt.datetime, customer_id: int | None = None) -> QuerySet[Shipment]:
    """The shipments delivered in [start, end): the records behind 货物准时送达率 and 货物完好送达率."""
    return _of_customer(Shipment.objects.filter(delivered_at__gte=start, delivered_at__lt=end), customer_id)


def kpi_on_time_delivery(start: dt.datetime, end: dt.datetime, customer_id: int | None = None) -> Ratio:
    """货物准时送达率: shipments delivered in the period by the promised time / shipments delivered."""
    return _count(shipments_delivered(start, end, customer_id), Q(on_time=True))


def kpi_intact_delivery(start: dt.datetime, end: dt.datetime, customer_id: int | None = None) -> Ratio:
    """货物完好送达率: shipments delivered in the period intact and complete / shipments delivered."""
    return _count(shipments_delivered(start, end, customer_id), Q(intact=True, pieces_delivered=F("pieces_shipped")))


def kpi_timely_feedback(
    start: dt.datetime,
    end: dt.datetime,
    customer_id: int | None = None,
    *,
    limit: dt.timedelta = DEFAULT_FEEDBACK_LIMIT,
) -> Ratio:
    """运输信息及时反馈率: tracking events of the period the customer was told of within `limit` / events."""
    delay = ExpressionWrapper(F("informed_at") - F("occurred_at"), output_field=DurationField())
    events = TrackingEvent.objects.filter(occurred_at__gte=start, occurred_at__lt=end).exclude(kind=EventKind.SIGNED)
    events = _of_customer(events, customer_id, "shipment__customer_id")
    return _count(events.annotate(delay=delay), Q(informed_at__isnull=False, delay__lte=limit))


def kpi_inventory_intact(start: dt.datetime, end: dt.datetime) -> Ratio:
    """库存完好率: pieces counted intact at the period's stock-takes / pieces counted (stock has no customer)."""
    figures = StockTake.objects.filter(taken_at__gte=start, taken_at__lt=end).aggregate(
        counted=Coalesce(Sum("counted"), 0), damaged=Coalesce(Sum("damaged"), 0)
    )
    return Ratio(figures["counted"] - figures["damaged"], figures["counted"])


def kpi_shipping_accuracy(start: dt.datetime, end: dt.datetime, customer_id: int | None = None) -> Ratio:
    """发货准确率: packing-list lines of shipments dispatched in the period shipped as ordered / lines."""
    lines = ShipmentLine.objects.filter(shipment__dispatched_at__gte=start, shipment__dispatched_at__lt=end)
    lines = _of_customer(lines, customer_id, "shipment__customer_id")
    return _count(lines, Q(shipped=F("ordered")))


KPIS = {
    "transport_demand_fulfilment": kpi_transport_demand_fulfilment,
    "timely_dispatch": kpi_timely_dispatch,
    "on_time_delivery": kpi_on_time_delivery,
    "intact_delivery": kpi_intact_delivery,
    "timely_feedback": kpi_timely_feedback,
    "inventory_intact": kpi_inventory_intact,
    "shipping_accuracy": kpi_shipping_accuracy,
}


def customer_operations_counts(customer_id: int) -> dict[str, int]:
    return {
        "orders": Order.objects.filter(customer_id=customer_id).count(),
        "shipments": Shipment.objects.filter(customer_id=customer_id).count(),
        "claims": Claim.objects.filter(shipment__customer_id=customer_id).exclude(status=ClaimStatus.REJECTED).count(),
        "open_shipments": Shipment.objects.filter(customer_id=customer_id)
        .exclude(status=ShipmentStatus.DELIVERED)
        .count(),
    }


def repairs_overdue(*, now: dt.datetime | None = None) -> dict[str, list[RepairNotice]]:
    """Repair notices past a limit: no contact within a day, no answer within 72 h, no call within 24 h of return."""
    from django.utils import timezone

    from kefu.operations.services import service_rules

    now = now or timezone.now()
    rules = service_rules()
    open_repairs = RepairNotice.objects.select_related("customer").exclude(status=RepairStatus.CLOSED)
    return {
        "contact": list(
            open_repairs.filter(
                contacted_at__isnull=True, requested_at__lt=now - dt.timedelta(hours=rules.repair_contact_hours)
            )
        ),
        "answer": list(
            open_repairs.filter(
                answered_at__isnull=True, requested_at__lt=now - dt.timedelta(hours=rules.repair_answer_hours)
            )
        ),
        "call": list(
            open_repairs.filter(
                returned_at__isnull=False,
                satisfaction_call_at__isnull=True,
                returned_at__lt=now - dt.timedelta(hours=rules.satisfaction_call_hours),
            )
        ),
    }


AFTERSALES_CUSTOMER = {
    Cancellation: "order__customer",
    ReturnRequest: "order__customer",
    Refund: "order__customer",
    RepairNotice: "customer",
    Statement: "customer",
}
AFTERSALES_DATE = {
    Cancellation: "requested_at",
    ReturnRequest: "requested_at",
    Refund: "created_at",
    RepairNotice: "requested_at",
    Statement: "created_at",
}


def aftersales_list(model: Any, *, user: Any, filters: AfterSalesFilters) -> QuerySet[Any]:
    """Cancellations, returns, refunds, repairs or statements of the customers `user` may see."""
    customer = AFTERSALES_CUSTOMER[model]
    queryset = _common(
        _scoped(model.objects.all(), user, f"{customer}__"),
        filters,
        date_field=AFTERSALES_DATE[model],
        customer_field=f"{customer}_id",
    )
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.q:
        queryset = queryset.filter(number__icontains=filters.q.strip())
    related = [customer] + (["order"] if customer.startswith("order") else [])
    return queryset.select_related(*related).order_by(f"-{AFTERSALES_DATE[model]}", "-id")


def aftersales_get(model: Any, *, user: Any, pk: int) -> Any:
    return aftersales_list(model, user=user, filters=AfterSalesFilters()).filter(pk=pk).first()


def credit_accounts() -> QuerySet[CreditAccount]:
    return CreditAccount.objects.select_related("customer").order_by("customer__name")


def credit_account_list(*, user: Any) -> QuerySet[CreditAccount]:
    """The open accounts of the customers `user` may see."""
    return _scoped(CreditAccount.objects.all(), user).select_related("customer").order_by("customer_id")


def credit_account_get(*, user: Any, customer_pk: int) -> CreditAccount | None:
    return credit_account_list(user=user).filter(customer_id=customer_pk).first()
