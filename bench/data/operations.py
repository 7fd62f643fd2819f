"""Orders with their shipments, packing lines and 5 tracking events each, and shipment exceptions.

Orders, shipments, packing lines and events go through the operations import
(`kefu.operations.importing.orders_upsert` / `events_upsert`, the code behind the Excel/CSV import
page and the upsert API), with the rows `bench.shipments` already composes: the import keeps the
app's invariants (order numbers `DD-<day of import>-NNNN` and their `NumberSequence`, `search_text`
of orders and shipments, status, on-time flag, one packing line per shipment) and writes set-based
(COPY into a temporary table and one `INSERT ... ON CONFLICT` per table on PostgreSQL).

Exceptions (damage, loss, delay) are written as `exception_report` leaves them: a `YC-<day>-NNNN`
number, the customer notified, an `exception` tracking event, and the complaint case that handles
it (`case_number`): one exception per complaint of the categories 货物破损 / 货物遗失 / 运输延误 the
cases generator made, on a shipment of the same customer, up to 2 % of the shipments.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bench.data import Context, columns, generator

BATCH = 50_000  # orders per import (one all-or-nothing import, as a file or an API call would be)
EXCEPTION_SHARE = 0.02
KIND_BY_CATEGORY = {"damage": "damage", "loss": "loss", "delay": "delay"}


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
    info: dict[str, Any] = {"orders": 0, "events": 0}
    # Tops up a database that already holds some (e.g. to time the KPI month over more shipments).
    for start in range(Shipment.objects.count(), count, BATCH):
        orders, events = _rows(start, min(BATCH, count - start), customer_numbers, rng, ctx.now)
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
    return info


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
    return len(exception_rows)
