"""The numerator and denominator of every transport and warehouse KPI of the 标准单 (seed 000)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from kefu.operations import selectors, services
from kefu.operations.models import Order, Shipment, StockItem, TrackingEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def period():
    now = timezone.now()
    return now - dt.timedelta(days=7), now + dt.timedelta(days=7)


def _deliver(make_order, fleet, *, late=False, intact=True, pieces=20, delivered=20, lines=None):
    order = make_order(pieces=pieces)
    shipment = services.order_dispatch(
        actor=None, order=order, vehicle=fleet["van"], driver=fleet["driver"], lines=lines
    )
    now = timezone.now()
    Order.objects.filter(pk=order.pk).update(promised_at=now + dt.timedelta(minutes=-1 if late else 1))
    return services.shipment_record_delivery(
        actor=None, shipment=shipment, delivered_at=now, pieces_delivered=delivered, intact=intact, signed_by="收货人"
    )


def test_transport_demand_fulfilment_counts_dispatched_over_placed(customer, make_order, fleet, period):
    services.order_dispatch(actor=None, order=make_order(), vehicle=fleet["van"], driver=fleet["driver"])
    make_order()  # accepted, no vehicle yet
    services.credit_account_save(actor=None, customer=customer, order_limit=Decimal("1"), balance_limit=Decimal("1"))
    make_order()  # held
    assert selectors.kpi_transport_demand_fulfilment(*period) == selectors.Ratio(1, 3)


def test_timely_dispatch_compares_departure_with_the_requested_pickup(make_order, fleet, period):
    early, late = make_order(), make_order()
    for order, offset in ((early, -1), (late, 1)):
        shipment = services.order_dispatch(actor=None, order=order, vehicle=fleet["van"], driver=fleet["driver"])
        Shipment.objects.filter(pk=shipment.pk).update(departed_at=order.pickup_at + dt.timedelta(minutes=offset))
    make_order()  # due, not left
    assert selectors.kpi_timely_dispatch(*period) == selectors.Ratio(1, 3)


def test_on_time_and_intact_delivery(make_order, fleet, period):
    _deliver(make_order, fleet)
    _deliver(make_order, fleet, late=True)
    _deliver(make_order, fleet, intact=False)
    _deliver(make_order, fleet, delivered=19)  # intact but a piece short: not 完好送达
    assert selectors.kpi_on_time_delivery(*period) == selectors.Ratio(3, 4)
    assert selectors.kpi_intact_delivery(*period) == selectors.Ratio(2, 4)


def test_deliveries_outside_the_period_are_not_counted(make_order, fleet):
    _deliver(make_order, fleet)
    later = timezone.now() + dt.timedelta(days=1)
    assert selectors.kpi_on_time_delivery(later, later + dt.timedelta(days=1)) == selectors.Ratio(0, 0)
    assert selectors.Ratio(0, 0).rate is None


def test_timely_feedback_measures_the_delay_to_inform_the_customer(make_order, fleet, period):
    shipment = services.order_dispatch(actor=None, order=make_order(), vehicle=fleet["van"], driver=fleet["driver"])
    now = timezone.now()
    TrackingEvent.objects.create(
        shipment=shipment, kind="departed", occurred_at=now, informed_at=now + dt.timedelta(hours=2)
    )
    TrackingEvent.objects.create(
        shipment=shipment, kind="arrived_hub", occurred_at=now, informed_at=now + dt.timedelta(hours=2, seconds=1)
    )
    TrackingEvent.objects.create(shipment=shipment, kind="out_for_delivery", occurred_at=now)  # never told
    assert selectors.kpi_timely_feedback(*period) == selectors.Ratio(1, 3)
    assert selectors.kpi_timely_feedback(*period, limit=dt.timedelta(hours=3)) == selectors.Ratio(2, 3)


def test_inventory_intact_from_stock_takes(period):
    a, b = StockItem.objects.create(sku="A", name="A"), StockItem.objects.create(sku="B", name="B")
    services.stock_take_record(actor=None, item=a, counted=100, damaged=3)
    services.stock_take_record(actor=None, item=b, counted=50, damaged=0)
    assert selectors.kpi_inventory_intact(*period) == selectors.Ratio(147, 150)


def test_shipping_accuracy_compares_shipped_with_ordered_lines(make_order, fleet, period):
    services.order_dispatch(
        actor=None,
        order=make_order(),
        vehicle=fleet["van"],
        driver=fleet["driver"],
        lines=[("冰箱", 5, 5), ("洗衣机", 10, 9), ("空调", 3, 3)],
    )
    assert selectors.kpi_shipping_accuracy(*period) == selectors.Ratio(2, 3)


def test_every_kpi_has_a_selector():
    assert set(selectors.KPIS) == {
        "transport_demand_fulfilment",
        "timely_dispatch",
        "on_time_delivery",
        "intact_delivery",
        "timely_feedback",
        "inventory_intact",
        "shipping_accuracy",
    }
