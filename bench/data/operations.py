"""Orders with their shipments, packing lines and 5 tracking events each, and shipment exceptions.

Orders, shipments, packing lines and events go through the operations import
(`kefu.operations.importing.orders_upsert` / `events_upsert`, the code behind the Excel/CSV import
page and the upsert API), with the rows `bench.shipments` already composes: the import keeps the
app's invariants (order numbers `DD-<day of import>-NNNN` and their `NumberSequence`, `search_text`
of orders and shipments, status, on-time flag, one packing line per shipment) and writes set-based
(COPY into a temporary table and one `INSERT ... ON CONFLICT` per table on PostgreSQL).

Shipments are in the states a carrier's book holds: those picked up in the last days still on the road
(dispatched, in transit, out for delivery, with the events so far), a few older ones stuck in transit
(held at a hub, lost), the others delivered, about a third of them late and 2 % damaged.

Exceptions (damage, loss, delay) are written as `exception_report` leaves them: a `YC-<day>-NNNN`
number, the customer notified, an `exception` tracking event, the complaint case that handles
it (`case_number`) and its search text and tokens: one exception per complaint of the categories
货物破损 / 货物遗失 / 运输延误 the cases generator made, on a shipment of the same customer, up to 2 % of
the shipments.

Warehouse stock-takes (盘点) behind 库存完好率: one stocked product per goods and warehouse city,
counted monthly over the last twelve months with a few damaged pieces.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bench.data import Context, columns, generator

BATCH = 50_000  # orders per import (one all-or-nothing import, as a file or an API call would be)
EXCEPTION_SHARE = 0.02
KIND_BY_CATEGORY = {"damage": "damage", "loss": "loss", "delay": "delay"}
ON_THE_ROAD = dt.timedelta(days=3)  # shipments picked up since are not all delivered yet
STUCK_SHARE = 0.003  # older shipments held at a hub or lost: never delivered
EVENTS_BY_STAGE = {"dispatched": 0, "in_transit": 2, "at_hub": 3, "out_for_delivery": 4, "stuck": 3}
STOCK_WAREHOUSES = 5
STOCK_TAKE_MONTHS = 12


@generator("operations", after=("customers", "cases"))
def operations(ctx: Context) -> dict[str, Any]:
    from bench.shipments import _rows
    from kefu.customers.models import Customer
    from kefu.operations import importing
    from kefu.operations.models import Shipment, ShipmentException

    rng = ctx.rng("operations")
    number_of = dict(Customer.objects.filter(is_active=True).values_list("pk", "number"))
    customer_numbers = [number_of[pk] for pk, *_rest in ctx.shared["customers"]]
    count = ctx.plan.shipments
    info: dict[str, Any] = {"orders": 0, "events": 0, **dict.fromkeys(EVENTS_BY_STAGE, 0)}
    # Tops up a database that already holds some (e.g. to time the KPI month over more shipments).
    for start in range(Shipment.objects.count(), count, BATCH):
        orders, events = _rows(start, min(BATCH, count - start), customer_numbers, rng, ctx.now)
        events = _not_all_delivered(orders, events, rng, ctx.now, info)
        report = importing.orders_upsert(actor=None, rows=orders)
        if not report.ok:
            raise RuntimeError(f"order rows refused: {report.errors[:5]}")
        event_report = importing.events_upsert(actor=None, rows=events)
        if not event_report.ok:
            raise RuntimeError(f"event rows refused: {event_report.errors[:5]}")
        info["orders"] += report.created
        info["events"] += event_report.created
        ctx.log(f"    {start + len(orders):,} / {count:,} orders with shipments and events")
    info["exceptions"] = _exceptions(ctx, int(count * EXCEPTION_SHARE) - ShipmentException.objects.count())
    info["stock_takes"] = _stock_takes(ctx)
    return info


def _stage(row: dict[str, Any], rng: Any, now: dt.datetime) -> str:
    """Where a shipment is: on the road when picked up lately, stuck for a few older ones, else delivered."""
    if row["pickup_at"] < now - ON_THE_ROAD:
        return "stuck" if rng.random() < STUCK_SHARE else "delivered"
    if row["departed_at"] > now:
        return "dispatched"
    return rng.choice(("dispatched", "in_transit", "at_hub", "out_for_delivery", "delivered"))


def _not_all_delivered(
    orders: list[dict[str, Any]], events: list[dict[str, Any]], rng: Any, now: dt.datetime, info: dict[str, Any]
) -> list[dict[str, Any]]:
    """Undo the delivery of the shipments still on the road (`_stage`); their events end where they are.

    `orders` are changed in place; the events kept are returned (`_rows` gives 5 per order, in order)."""
    per_order = len(events) // len(orders) if orders else 0
    kept: list[dict[str, Any]] = []
    for index, row in enumerate(orders):
        own = events[index * per_order : (index + 1) * per_order]
        stage = _stage(row, rng, now)
        if stage == "delivered":
            kept += own
            continue
        info[stage] += 1
        row.update(delivered_at=None, pieces_delivered=None, intact=None, signed_by="")
        if stage == "dispatched":
            row["departed_at"] = None
        kept += own[: EVENTS_BY_STAGE[stage]]
    return kept


def _exceptions(ctx: Context, wanted: int) -> int:
    from django.db import transaction
    from django.utils import timezone

    from kefu.core.models import NumberSequence
    from kefu.operations.choices import EventKind, ExceptionKind, Reporter
    from kefu.operations.models import Shipment, ShipmentException, TrackingEvent
    from kefu.tickets.models import Case

    rng = ctx.rng("operations-exceptions")
    writer = ctx.writer
    shipments_of: dict[int, list[int]] = {}
    for pk, customer_id in Shipment.objects.order_by("pk").values_list("pk", "customer_id").iterator(chunk_size=20_000):
        held = shipments_of.setdefault(customer_id, [])
        if len(held) < 20:
            held.append(pk)
    if wanted <= 0:
        return 0
    complaints = list(
        Case.objects.filter(category__code__in=KIND_BY_CATEGORY, customer_id__in=shipments_of)
        .exclude(number__in=ShipmentException.objects.values("case_number"))
        .order_by("pk")
        .values_list("number", "title", "received_at", "customer_id", "category__code")
    )
    chosen = sorted(rng.sample(complaints, min(wanted, len(complaints))))
    sequences = dict(NumberSequence.objects.filter(key__startswith="YC-").values_list("key", "last_value"))
    existing = set(sequences)
    labels = dict(ExceptionKind.choices)
    exception_rows, event_rows = [], []
    seen: set[tuple[int, dt.datetime]] = set()
    for case_number, title, received_at, customer_id, code in chosen:
        shipment_id = rng.choice(shipments_of[customer_id])
        reported_at = received_at - dt.timedelta(seconds=rng.randint(1, 5))  # just before the case it opened
        if (shipment_id, reported_at) in seen:
            continue
        seen.add((shipment_id, reported_at))
        key = f"YC-{timezone.localdate(reported_at):%Y%m%d}"
        sequences[key] = sequences.get(key, 0) + 1
        kind = KIND_BY_CATEGORY[code]
        notified = reported_at + dt.timedelta(seconds=1)
        exception_rows.append(
            (
                f"{key}-{sequences[key]:04d}",
                shipment_id,
                kind,
                title,
                rng.choice(Reporter.values),
                reported_at,
                notified,
                case_number,
            )
        )
        event_rows.append((shipment_id, EventKind.EXCEPTION, reported_at, "", str(labels[kind]), notified))
    with transaction.atomic():
        writer.insert(
            ShipmentException,
            columns("number shipment_id kind description reporter reported_at customer_notified_at case_number"),
            exception_rows,
        )
        writer.insert(TrackingEvent, columns("shipment_id kind occurred_at place note informed_at"), event_rows)
        writer.insert(
            NumberSequence, ["key", "last_value"], [(k, v) for k, v in sequences.items() if k not in existing]
        )
        for key in existing:
            NumberSequence.objects.filter(key=key).update(last_value=sequences[key])
        writer.reset_sequences(ShipmentException, TrackingEvent, NumberSequence)
        _index_exceptions([row[0] for row in exception_rows])
    return len(exception_rows)


def _index_exceptions(numbers: list[str]) -> None:
    """The search text and tokens `exception_report` gives an exception (its words and its order's)."""
    from kefu.core.services import search_index_bulk
    from kefu.operations.models import ShipmentException
    from kefu.operations.services import EXCEPTION_SEARCH_KIND, exception_search_text

    fields = ("description", "shipment__order__goods", "shipment__order__origin", "shipment__order__destination")
    texts = {
        pk: exception_search_text(
            description=description, goods=goods, origin=origin, destination=destination, customer_name=name
        )
        for pk, description, goods, origin, destination, name in ShipmentException.objects.filter(
            number__in=numbers
        ).values_list("pk", *fields, "shipment__customer__name")
    }
    ShipmentException.objects.bulk_update(
        [ShipmentException(pk=pk, search_text=text.lower()) for pk, text in texts.items()],
        ["search_text"],
        batch_size=1000,
    )
    search_index_bulk(kind=EXCEPTION_SEARCH_KIND, texts=texts.items())


def _stock_takes(ctx: Context) -> int:
    """Stocked products (one per goods and warehouse city) counted monthly, a few pieces damaged (库存完好率)."""
    from bench.shipments import CITIES, GOODS
    from kefu.operations.models import StockItem, StockTake

    if StockItem.objects.exists():
        return 0
    rng = ctx.rng("operations-stock")
    items = [
        (f"SKU-{g:02d}{w:02d}", f"{CITIES[w]}仓 {goods}", 0)
        for g, (_kind, goods) in enumerate(GOODS)
        for w in range(STOCK_WAREHOUSES)
    ]
    ctx.writer.insert(StockItem, ["sku", "name", "on_hand"], items)
    takes, on_hand = [], {}
    for pk in StockItem.objects.order_by("pk").values_list("pk", flat=True):
        for months_ago in range(STOCK_TAKE_MONTHS, 0, -1):
            counted = rng.randrange(200, 2000)
            damaged = int(counted * rng.random() * 0.01)
            taken_at = ctx.now - dt.timedelta(days=30 * months_ago - rng.randrange(0, 5), hours=rng.randrange(0, 8))
            takes.append((pk, taken_at, counted, damaged))
            on_hand[pk] = counted - damaged
    ctx.writer.insert(StockTake, ["item_id", "taken_at", "counted", "damaged"], takes)
    for pk, count in on_hand.items():  # the last count is the stock on hand, as stock_take_record leaves it
        StockItem.objects.filter(pk=pk).update(on_hand=count)
    return len(takes)
