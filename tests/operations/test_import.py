"""Bulk import: bad rows reported with row, column and reason, nothing half-done; same file twice → same data."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext
from openpyxl import Workbook

from kefu.operations import importing, selectors
from kefu.operations.models import Order, Shipment, ShipmentLine, TrackingEvent

pytestmark = pytest.mark.django_db

HEADER = [
    "external_number", "customer_number", "goods", "goods_type", "pieces", "declared_value", "origin", "destination",
    "pickup_at", "promised_at", "vehicle_type", "is_custom", "price", "shipment_number", "departed_at",
    "delivered_at", "pieces_delivered", "intact", "signed_by",
]  # fmt: skip


def _row(customer, n, **overrides):
    row = {
        "external_number": f"TMS-{n:05d}",
        "customer_number": customer.number,
        "goods": f"货物{n}",
        "goods_type": "家电",
        "pieces": "10",
        "declared_value": "5000",
        "origin": "上海",
        "destination": "杭州",
        "pickup_at": "2026-11-20 08:00",
        "promised_at": "2026-11-21 18:00",
        "vehicle_type": "box_4_2",
        "is_custom": "否",
        "price": "1200.50",
        "shipment_number": f"YD-TMS-{n:05d}",
        "departed_at": "2026-11-20 07:50",
        "delivered_at": "2026-11-21 17:00" if n % 2 else "",
        "pieces_delivered": "10" if n % 2 else "",
        "intact": "是" if n % 2 else "",
        "signed_by": "收货人" if n % 2 else "",
    }
    row.update(overrides)
    return row


def _xlsx(rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append(list(row.values()))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("orders.xlsx", buffer.getvalue())


def _snapshot():
    return (
        sorted(Order.objects.values_list("external_number", "number", "price", "status", "customer_id")),
        sorted(Shipment.objects.values_list("number", "status", "on_time", "pieces_delivered")),
        ShipmentLine.objects.count(),
        sorted(TrackingEvent.objects.values_list("shipment__number", "kind", "occurred_at", "place")),
    )


def test_same_file_twice_gives_the_same_data(people, customer):
    rows = [_row(customer, n) for n in range(1, 6)]
    kind, parsed = importing.parse_file(_xlsx(rows))
    assert kind == "orders"
    report = importing.orders_upsert(actor=people["supervisor"], rows=parsed)
    assert (report.ok, report.created, report.updated) == (True, 5, 0)
    events = [
        {"shipment_number": f"YD-TMS-{n:05d}", "kind": "departed", "occurred_at": "2026-11-20 07:50", "place": "上海仓"}
        for n in range(1, 6)
    ]
    assert importing.events_upsert(actor=None, rows=events).created == 5
    first = _snapshot()
    again = importing.orders_upsert(actor=people["supervisor"], rows=importing.parse_file(_xlsx(rows))[1])
    assert (again.created, again.updated) == (0, 5)
    assert importing.events_upsert(actor=None, rows=events).created == 0
    assert _snapshot() == first
    assert Shipment.objects.get(number="YD-TMS-00001").on_time is True
    assert Order.objects.get(external_number="TMS-00002").status == "dispatched"


def test_a_changed_row_updates_its_order(customer):
    importing.orders_upsert(actor=None, rows=[_row(customer, 1)])
    importing.orders_upsert(actor=None, rows=[_row(customer, 1, price="999")])
    assert Order.objects.get(external_number="TMS-00001").price == 999
    assert Order.objects.count() == 1


def test_bad_rows_are_reported_and_nothing_is_written(people, customer):
    rows = [
        _row(customer, 1),
        _row(customer, 2, price="abc"),
        _row(customer, 3, customer_number="KH-NOPE"),
        _row(customer, 4, vehicle_type="火箭"),
        _row(customer, 5, promised_at="2026-11-19 08:00"),
        _row(customer, 1, goods="dup"),
    ]
    report = importing.orders_upsert(actor=people["supervisor"], rows=importing.parse_file(_xlsx(rows))[1])
    assert not report.ok
    assert [(r, c) for r, c, _m in report.errors] == [
        (3, "price"),
        (4, "customer_number"),
        (5, "vehicle_type"),
        (6, "promised_at"),
        (7, "external_number"),
    ]
    assert Order.objects.count() == 0 and Shipment.objects.count() == 0


def test_events_for_unknown_shipments_are_refused(customer):
    report = importing.events_upsert(
        actor=None, rows=[{"shipment_number": "YD-NONE", "kind": "departed", "occurred_at": "2026-11-20 08:00"}]
    )
    assert report.errors == [(2, "shipment_number", gettext("no shipment has this number"))]


def test_an_event_batch_with_one_unknown_shipment_writes_nothing_and_names_every_bad_row(customer):
    importing.orders_upsert(actor=None, rows=[_row(customer, 1)])
    event = {"shipment_number": "YD-TMS-00001", "kind": "departed", "occurred_at": "2026-11-20 08:00"}
    rows = [
        event,
        {**event, "shipment_number": "YD-NONE"},
        {**event, "kind": "arrived_hub", "occurred_at": "yesterday"},
        {**event, "shipment_number": "YD-NONE-2", "kind": "delivered"},
    ]
    report = importing.events_upsert(actor=None, rows=rows[:2])
    assert (report.errors, report.created) == ([(3, "shipment_number", gettext("no shipment has this number"))], 0)
    assert not TrackingEvent.objects.exists()
    report = importing.events_upsert(actor=None, rows=rows)
    assert [(r, c) for r, c, _m in report.errors] == [
        (3, "shipment_number"),
        (4, "occurred_at"),
        (5, "shipment_number"),
    ]
    assert not TrackingEvent.objects.exists()
    # Without the bad rows the rows that were good are written (the shipment's own events).
    assert importing.events_upsert(actor=None, rows=[event]).created == 1


def test_agent_may_not_import(people, customer):
    from kefu.core.services import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        importing.orders_upsert(actor=people["agent"], rows=[_row(customer, 1)])


def test_imported_facts_feed_the_kpis(customer):
    import datetime as dt

    from django.utils import timezone

    importing.orders_upsert(actor=None, rows=[_row(customer, n) for n in (1, 3)])
    start = timezone.make_aware(dt.datetime(2026, 11, 21))
    ratio = selectors.kpi_on_time_delivery(start, start + dt.timedelta(days=1))
    assert ratio == selectors.Ratio(2, 2)
