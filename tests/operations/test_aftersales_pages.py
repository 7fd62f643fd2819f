"""After-sales pages: lists, a record page per kind with its actions, opening from the order page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kefu.operations import services
from kefu.operations.models import Cancellation, RepairNotice, ReturnRequest, Statement

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["cancellations", "returns", "refunds", "repairs", "statements"])
def test_lists_render_and_export(client_for, name):
    client = client_for("supervisor")
    assert client.get(reverse("operations:aftersales", args=[name])).status_code == 200
    assert client.get(reverse("operations:aftersales_export", args=[name])).status_code == 200


def test_unknown_list_is_404(client_for):
    assert client_for("supervisor").get(reverse("operations:aftersales", args=["nope"])).status_code == 404


def test_cancellation_opened_from_the_order_and_approved_by_the_general_manager(client_for, make_order, people):
    order = make_order(price=Decimal("500"))
    agent = client_for("agent")
    response = agent.post(
        reverse("operations:order_aftersales", args=[order.pk, "cancellations"]), {"reason": "改期", "channel": "phone"}
    )
    cancellation = Cancellation.objects.get()
    assert response.url == reverse("operations:aftersales_record", args=["cancellations", cancellation.pk])
    agent.post(reverse("operations:aftersales_action", args=["cancellations", cancellation.pk, "sign"]))
    agent.post(reverse("operations:aftersales_action", args=["cancellations", cancellation.pk, "approve"]))
    cancellation.refresh_from_db()
    assert cancellation.status == "requested"  # an agent may not approve
    client_for("general_manager").post(
        reverse("operations:aftersales_action", args=["cancellations", cancellation.pk, "approve"])
    )
    cancellation.refresh_from_db()
    assert cancellation.status == "approved"
    page = client_for("general_manager").get(
        reverse("operations:aftersales_record", args=["cancellations", cancellation.pk])
    )
    assert cancellation.refund.number in page.content.decode()


def test_custom_order_cancellation_is_refused_with_a_message(client_for, make_order):
    order = make_order(is_custom=True)
    response = client_for("agent").post(
        reverse("operations:order_aftersales", args=[order.pk, "cancellations"]), {"reason": "x"}
    )
    assert response.url == reverse("operations:order", args=[order.pk])
    assert not Cancellation.objects.exists()


def test_return_inspection_and_repair_pages(client_for, make_order):
    order = make_order()
    agent = client_for("agent")
    agent.post(
        reverse("operations:order_aftersales", args=[order.pk, "returns"]), {"reason": "开裂", "quality_problem": "on"}
    )
    request = ReturnRequest.objects.get()
    assert request.status == "inspection"
    agent.post(
        reverse("operations:aftersales_action", args=["returns", request.pk, "inspected"]),
        {"product_fault": "0", "note": "人为损坏"},
    )
    request.refresh_from_db()
    assert request.status == "rejected"
    agent.post(reverse("operations:order_aftersales", args=[order.pk, "repairs"]), {"reason": "门铰链松动"})
    repair = RepairNotice.objects.get()
    when = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    agent.post(
        reverse("operations:aftersales_action", args=["repairs", repair.pk, "contact"]), {"appointment_at": when}
    )
    agent.post(
        reverse("operations:aftersales_action", args=["repairs", repair.pk, "diagnose"]),
        {"fault": "misuse", "charge": "80"},
    )
    repair.refresh_from_db()
    assert (repair.status, repair.charge) == ("diagnosed", Decimal("80.00"))
    assert agent.get(reverse("operations:aftersales_record", args=["repairs", repair.pk])).status_code == 200


def test_statement_made_disputed_and_confirmed_from_the_pages(client_for, make_order, fleet, customer):
    services.order_dispatch(
        actor=None, order=make_order(price=Decimal("900")), vehicle=fleet["van"], driver=fleet["driver"]
    )
    agent = client_for("agent")
    today = timezone.localdate()
    agent.post(
        reverse("operations:statement_create"),
        {"customer_number": customer.number, "period_start": today.replace(day=1), "period_end": today},
    )
    statement = Statement.objects.get()
    line = statement.lines.get()
    url = lambda action: reverse("operations:aftersales_action", args=["statements", statement.pk, action])  # noqa: E731
    agent.post(url("dispute"), {"line": line.pk, "note": "金额不对"})
    agent.post(url("resolve"), {"line": line.pk, "resolution": "按合同价", "amount": "850"})
    agent.post(url("confirm"))
    statement.refresh_from_db()
    assert (statement.status, statement.total) == ("confirmed", Decimal("850.00"))
    tab = agent.get(reverse("operations:customer_tab", args=[customer.pk, "statements"]))
    assert statement.number in tab.content.decode()
