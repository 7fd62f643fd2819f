"""The operations API: orders, the idempotent bulk upsert, exceptions by the customer, claims, KPI facts."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext

from kefu.operations import services
from kefu.operations.models import Order, Shipment
from kefu.tickets.models import Case
from tests.customers.factories import bearer
from tests.operations.test_import import _row

pytestmark = pytest.mark.django_db
BASE = "/api/v1/operations"


def _json(client, method, url, user, body):
    return getattr(client, method)(
        url, data=json.dumps(body, default=str), content_type="application/json", **bearer(user)
    )


def test_create_order_held_then_released(client, people, customer):
    services.credit_account_save(
        actor=None, customer=customer, order_limit=Decimal("100"), balance_limit=Decimal("100")
    )
    body = {
        "customer_id": customer.pk,
        "goods": "家具",
        "origin": "上海",
        "destination": "南京",
        "pickup_at": "2030-01-01T08:00:00+08:00",
        "promised_at": "2030-01-02T08:00:00+08:00",
        "vehicle_type": "van",
        "price": "500",
    }
    response = _json(client, "post", f"{BASE}/orders", people["agent"], body)
    assert response.status_code == 201, response.content
    order = response.json()
    assert order["status"] == "held" and order["hold_reason"]
    refused = _json(client, "post", f"{BASE}/orders/{order['id']}/release", people["agent"], {"reason": "ok"})
    assert refused.status_code == 403
    released = _json(client, "post", f"{BASE}/orders/{order['id']}/release", people["cs_manager"], {"reason": "老客户"})
    assert released.json()["status"] == "accepted"


def test_create_order_with_a_bad_promise_is_400_naming_the_field(client, people, customer):
    body = {
        "customer_id": customer.pk,
        "goods": "x",
        "origin": "a",
        "destination": "b",
        "pickup_at": "2030-01-02T08:00:00+08:00",
        "promised_at": "2030-01-01T08:00:00+08:00",
        "vehicle_type": "van",
        "price": "1",
    }
    response = _json(client, "post", f"{BASE}/orders", people["agent"], body)
    assert response.status_code == 400 and response.json()["field"] == "promised_at"


def test_bulk_upsert_twice_is_idempotent(client, people, customer):
    rows = [_row(customer, n) for n in range(1, 4)]
    first = _json(client, "put", f"{BASE}/orders", people["supervisor"], {"rows": rows})
    assert first.status_code == 200 and first.json()["created"] == 3
    before = sorted(Order.objects.values_list("external_number", "number", "status"))
    second = _json(client, "put", f"{BASE}/orders", people["supervisor"], {"rows": rows})
    assert second.json()["created"] == 0 and second.json()["updated"] == 3
    assert sorted(Order.objects.values_list("external_number", "number", "status")) == before
    assert Shipment.objects.count() == 3


def test_bulk_upsert_with_a_bad_row_is_400_with_row_and_column(client, people, customer):
    rows = [_row(customer, 1), _row(customer, 2, pieces="-3")]
    response = _json(client, "put", f"{BASE}/orders", people["supervisor"], {"rows": rows})
    assert response.status_code == 400
    assert response.json()["errors"] == [{"row": 2, "column": "pieces", "reason": gettext("not a whole number")}]
    assert not Order.objects.exists()


def test_customer_reports_an_exception_with_a_photo_through_the_api(client, people, make_order, fleet):
    shipment = services.order_dispatch(actor=None, order=make_order(), vehicle=fleet["van"], driver=fleet["driver"])
    photo = SimpleUploadedFile("p.jpg", b"\xff\xd8\xff", content_type="image/jpeg")
    response = client.post(
        f"{BASE}/shipments/{shipment.number}/exceptions",
        {"kind": "loss", "description": "少了一箱", "reporter": "customer", "photos": [photo]},
        **bearer(people["agent"]),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reporter"] == "customer" and body["customer_notified_at"]
    case = Case.objects.get(number=body["case_number"])
    assert case.channel == "api" and case.order_number == shipment.number
    detail = client.get(f"{BASE}/shipments/{shipment.number}", **bearer(people["agent"])).json()
    assert detail["case_numbers"] == [case.number]
    assert [e["kind"] for e in detail["events"]] == ["exception"]


def test_claim_approval_over_the_limit_is_403_and_stale_version_409(client, people, make_order, fleet):
    from kefu.operations.models import ApprovalLimit

    ApprovalLimit.objects.create(role="supervisor", max_amount=Decimal("100"))
    shipment = services.order_dispatch(actor=None, order=make_order(), vehicle=fleet["van"], driver=fleet["driver"])
    claim = _json(
        client,
        "post",
        f"{BASE}/shipments/{shipment.number}/claims",
        people["supervisor"],
        {"basis": "damage", "amount_claimed": "150"},
    ).json()
    assessed = _json(
        client,
        "post",
        f"{BASE}/claims/{claim['id']}/assess",
        people["supervisor"],
        {"version": claim["version"], "amount": "150"},
    )
    assert assessed.json()["status"] == "assessed"
    stale = _json(
        client, "post", f"{BASE}/claims/{claim['id']}/approve", people["supervisor"], {"version": claim["version"]}
    )
    assert stale.status_code == 409
    over = _json(
        client,
        "post",
        f"{BASE}/claims/{claim['id']}/approve",
        people["supervisor"],
        {"version": assessed.json()["version"]},
    )
    assert over.status_code == 403


def test_kpi_facts_endpoint(client, people):
    response = client.get(f"{BASE}/kpis", {"start": "2026-11-01", "end": "2026-12-01"}, **bearer(people["supervisor"]))
    assert response.status_code == 200
    assert {k["name"] for k in response.json()} >= {"on_time_delivery", "shipping_accuracy"}
    assert (
        client.get(
            f"{BASE}/kpis", {"start": "2026-11-01", "end": "2026-11-01"}, **bearer(people["supervisor"])
        ).status_code
        == 400
    )


def test_lists_are_paginated(client, people, make_order):
    make_order()
    response = client.get(f"{BASE}/orders", {"page_size": 1}, **bearer(people["supervisor"]))
    assert response.json()["count"] == 1


def test_app_order_cancelled_by_phone_through_an_agent(client, people, make_order):
    import datetime as dt

    order = make_order(price=Decimal("600"))
    Order.objects.filter(pk=order.pk).update(created_at=order.created_at - dt.timedelta(hours=48, minutes=1))
    response = _json(
        client,
        "post",
        f"{BASE}/orders/{order.pk}/cancellations",
        people["agent"],
        {"reason": "不需要了", "channel": "phone"},
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["channel"], body["fee"]) == ("phone", "60.00")
    _json(client, "post", f"{BASE}/cancellations/{body['id']}/sign", people["agent"], {})
    decided = _json(
        client, "post", f"{BASE}/cancellations/{body['id']}/decide", people["general_manager"], {"approve": True}
    )
    assert decided.json()["status"] == "approved"
    refunds = client.get(f"{BASE}/refunds", **bearer(people["cs_manager"])).json()
    assert refunds["items"][0]["amount"] == "540.00"


def test_custom_order_cancellation_is_400(client, people, make_order):
    order = make_order(is_custom=True)
    response = _json(client, "post", f"{BASE}/orders/{order.pk}/cancellations", people["agent"], {"reason": "x"})
    assert response.status_code == 400 and response.json()["field"] == "order"


def test_statement_api_dispute_and_confirm(client, people, make_order, fleet, customer):
    from django.utils import timezone

    services.order_dispatch(
        actor=None, order=make_order(price=Decimal("300")), vehicle=fleet["van"], driver=fleet["driver"]
    )
    today = timezone.localdate()
    made = _json(
        client, "post", f"{BASE}/statements", people["agent"],
        {"customer_id": customer.pk, "period_start": today.replace(day=1), "period_end": today},
    )  # fmt: skip
    assert made.status_code == 201, made.content
    statement = made.json()
    line = statement["lines"][0]["id"]
    disputed = _json(
        client, "post", f"{BASE}/statements/{statement['id']}/lines/{line}/dispute", people["agent"], {"note": "重复"}
    )
    assert disputed.json()["status"] == "disputed"
    conflict = _json(
        client,
        "post",
        f"{BASE}/statements/{statement['id']}/confirm",
        people["agent"],
        {"version": disputed.json()["version"]},
    )
    assert conflict.status_code == 409
