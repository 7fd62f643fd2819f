"""Orders: credit before acceptance, stock check, dispatch by vehicle type, tracking and delivery."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from kefu.core.models import AuditEvent
from kefu.core.services import DomainError, PermissionDeniedError
from kefu.notify.models import OutboxMessage
from kefu.operations import services
from kefu.operations.models import StockItem

pytestmark = pytest.mark.django_db


def test_order_within_limits_is_accepted_and_booked_on_the_account(people, customer, make_order):
    services.credit_account_save(
        actor=people["cs_manager"], customer=customer, order_limit=Decimal("1000"), balance_limit=Decimal("5000")
    )
    order = make_order(actor=people["agent"], price=Decimal("1000"))
    assert order.status == "accepted"
    assert order.hold_reason == ""
    assert customer.credit_account.__class__.objects.get(customer=customer).outstanding == Decimal("1000")
    assert AuditEvent.objects.filter(action="operations.order.created", subject_id=str(order.pk)).exists()


def test_order_over_the_order_limit_is_held_with_the_reason(people, customer, make_order):
    services.credit_account_save(
        actor=people["cs_manager"], customer=customer, order_limit=Decimal("1000"), balance_limit=Decimal("5000")
    )
    order = make_order(actor=people["agent"], price=Decimal("1000.01"))
    assert order.status == "held"
    assert "1000.01" in order.hold_reason


def test_order_that_would_pass_the_balance_limit_is_held(people, customer, make_order):
    services.credit_account_save(
        actor=people["cs_manager"],
        customer=customer,
        order_limit=Decimal("5000"),
        balance_limit=Decimal("5000"),
        outstanding=Decimal("4500"),
    )
    assert make_order(price=Decimal("500")).status == "accepted"
    held = make_order(price=Decimal("0.01"))
    assert held.status == "held"
    assert "5000" in held.hold_reason


def test_only_an_allowed_role_releases_a_held_order_and_the_reason_is_kept(people, customer, make_order):
    services.credit_account_save(
        actor=None, customer=customer, order_limit=Decimal("100"), balance_limit=Decimal("100")
    )
    order = make_order(price=Decimal("800"))
    with pytest.raises(PermissionDeniedError):
        services.order_release(actor=people["agent"], order=order, reason="老客户")
    with pytest.raises(DomainError):
        services.order_release(actor=people["cs_manager"], order=order, reason="  ")
    order = services.order_release(actor=people["cs_manager"], order=order, reason="老客户,总经理口头同意")
    assert order.status == "accepted"
    assert order.released_by == people["cs_manager"]
    assert order.release_note == "老客户,总经理口头同意"
    with pytest.raises(DomainError):
        services.order_release(actor=people["cs_manager"], order=order, reason="again")


def test_customer_without_open_account_is_not_credit_checked(make_order):
    assert make_order(price=Decimal("999999")).status == "accepted"


def test_stock_check_in_stock_reserves_the_goods(make_order):
    item = StockItem.objects.create(sku="TV-55", name="55寸电视", on_hand=20)
    order = make_order(stock_item=item, pieces=20)
    assert (order.status, order.stock_check) == ("accepted", "in_stock")
    item.refresh_from_db()
    assert item.on_hand == 0


def test_stock_check_out_of_stock_tells_the_customer_and_waits(people, make_order):
    item = StockItem.objects.create(sku="TV-65", name="65寸电视", on_hand=19)
    order = make_order(stock_item=item, pieces=20, stock_note="预计 3 天后到货")
    assert (order.status, order.stock_check) == ("awaiting_stock", "out_of_stock")
    message = OutboxMessage.objects.get(dedupe_key=f"order-no-stock-{order.pk}")
    assert order.number in message.body and "预计 3 天后到货" in message.body
    item.refresh_from_db()
    assert item.on_hand == 19
    assert services.order_stock_arrived(actor=people["agent"], order=order).status == "accepted"


def test_order_refuses_a_promise_before_the_pickup(make_order):
    with pytest.raises(DomainError) as info:
        make_order(promised_at=timezone.now() - dt.timedelta(days=1))
    assert info.value.field == "promised_at"


def test_dispatch_refuses_a_vehicle_of_another_type_unless_overridden(people, make_order, fleet):
    order = make_order(vehicle_type="van")
    with pytest.raises(DomainError) as info:
        services.order_dispatch(actor=people["agent"], order=order, vehicle=fleet["box"], driver=fleet["driver"])
    assert info.value.field == "vehicle"
    shipment = services.order_dispatch(
        actor=people["agent"],
        order=order,
        vehicle=fleet["box"],
        driver=fleet["driver"],
        override_reason="面包车全部在外",
    )
    assert shipment.type_override_reason == "面包车全部在外"
    order.refresh_from_db()
    assert order.status == "dispatched"


def test_dispatch_with_the_requested_type_needs_no_reason(people, make_order, fleet):
    shipment = services.order_dispatch(
        actor=people["agent"], order=make_order(), vehicle=fleet["van"], driver=fleet["driver"]
    )
    assert shipment.type_override_reason == ""
    assert shipment.pieces_shipped == 20
    assert [(line.ordered, line.shipped) for line in shipment.lines.all()] == [(20, 20)]


def test_a_held_order_cannot_be_dispatched(people, customer, make_order, fleet):
    services.credit_account_save(actor=None, customer=customer, order_limit=Decimal("1"), balance_limit=Decimal("1"))
    with pytest.raises(DomainError):
        services.order_dispatch(actor=people["agent"], order=make_order(), vehicle=fleet["van"], driver=fleet["driver"])


def test_tracking_event_informs_the_customer_and_records_when(people, make_order, fleet):
    shipment = services.order_dispatch(actor=None, order=make_order(), vehicle=fleet["van"], driver=fleet["driver"])
    at = timezone.now() - dt.timedelta(minutes=10)
    event = services.shipment_add_event(
        actor=people["agent"], shipment=shipment, kind="departed", occurred_at=at, place="嘉定仓"
    )
    assert event.informed_at is not None
    assert OutboxMessage.objects.filter(dedupe_key=f"shipment-event-{event.pk}", channel="sms").exists()
    shipment.refresh_from_db()
    assert shipment.departed_at == at
    assert shipment.status == "in_transit"


def test_delivery_outcome_on_time_pieces_and_damage(people, make_order, fleet):
    order = make_order(pieces=20)
    shipment = services.order_dispatch(actor=None, order=order, vehicle=fleet["van"], driver=fleet["driver"])
    order.refresh_from_db()
    # The promise is in a day; back-date it so this delivery is one minute late.
    type(order).objects.filter(pk=order.pk).update(promised_at=timezone.now() - dt.timedelta(minutes=1))
    shipment = services.shipment_record_delivery(
        actor=people["agent"],
        shipment=shipment,
        delivered_at=timezone.now(),
        pieces_delivered=19,
        intact=False,
        signed_by="张三",
    )
    assert (shipment.on_time, shipment.pieces_delivered, shipment.intact) == (False, 19, False)
    order.refresh_from_db()
    assert order.status == "delivered"
    with pytest.raises(DomainError):
        services.shipment_record_delivery(
            actor=None, shipment=shipment, delivered_at=timezone.now(), pieces_delivered=20, intact=True, signed_by="x"
        )


def test_delivery_exactly_at_the_promise_is_on_time(make_order, fleet):
    order = make_order()
    shipment = services.order_dispatch(actor=None, order=order, vehicle=fleet["van"], driver=fleet["driver"])
    promise = timezone.now() - dt.timedelta(minutes=1)
    type(order).objects.filter(pk=order.pk).update(promised_at=promise)
    shipment = services.shipment_record_delivery(
        actor=None, shipment=shipment, delivered_at=promise, pieces_delivered=20, intact=True, signed_by="李四"
    )
    assert shipment.on_time is True


def test_agent_cannot_order_for_a_customer_outside_their_scope(people, archive):
    from tests.operations.conftest import order_data

    with pytest.raises(PermissionDeniedError):
        services.order_create(actor=people["agent"], data=order_data(archive["south"]))


def test_stock_take_refuses_more_damaged_than_counted(people):
    item = StockItem.objects.create(sku="SOFA", name="沙发", on_hand=5)
    with pytest.raises(DomainError):
        services.stock_take_record(actor=people["supervisor"], item=item, counted=3, damaged=4)
    services.stock_take_record(actor=people["supervisor"], item=item, counted=4, damaged=1)
    item.refresh_from_db()
    assert item.on_hand == 3
