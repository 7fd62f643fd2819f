"""Operations' events reach the visit rules: an order brings its thank-you letter, a delivery its
satisfaction call (seed 004 篇5: 24 小时内电话, 7 天内答谢信)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from kefu.operations import services
from kefu.visits.models import VisitTask

pytestmark = pytest.mark.django_db


def test_a_new_order_schedules_the_thank_you_letter(make_order, customer):
    order = make_order()
    [letter] = VisitTask.objects.filter(customer=customer, rule__code="order-thank-you")
    assert letter.method == "letter"
    assert letter.occasion.endswith(str(order.pk))


def test_a_recorded_delivery_schedules_the_satisfaction_call_once(make_order, fleet, customer):
    order = make_order()
    shipment = services.order_dispatch(actor=None, order=order, vehicle=fleet["van"], driver=fleet["driver"])
    services.shipment_record_delivery(
        actor=None, shipment=shipment, delivered_at=timezone.now(), pieces_delivered=20, intact=True, signed_by="王"
    )
    assert VisitTask.objects.filter(customer=customer, rule__code="delivery-call").count() == 1
