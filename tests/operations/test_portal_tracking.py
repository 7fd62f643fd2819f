"""A customer sees where the goods are with the shipment number and a contact's mobile number."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from kefu.operations import services

pytestmark = pytest.mark.django_db


def test_the_customer_sees_the_tracking_events(client, make_order, fleet):
    shipment = services.order_dispatch(actor=None, order=make_order(), vehicle=fleet["van"], driver=fleet["driver"])
    services.shipment_add_event(
        actor=None, shipment=shipment, kind="departed", occurred_at=timezone.now(), place="嘉定仓"
    )
    response = client.post(reverse("portal:shipment"), {"number": shipment.number.lower(), "mobile": "13900001111"})
    assert response.status_code == 200
    assert "嘉定仓" in response.content.decode()


def test_a_wrong_mobile_shows_nothing(client, make_order, fleet):
    shipment = services.order_dispatch(actor=None, order=make_order(), vehicle=fleet["van"], driver=fleet["driver"])
    response = client.post(reverse("portal:shipment"), {"number": shipment.number, "mobile": "13900009999"})
    assert response.status_code == 404
    assert (
        shipment.number not in response.content.decode().split("<form")[0] or "嘉定仓" not in response.content.decode()
    )
