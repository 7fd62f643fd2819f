"""KPI measurement of one customer, the 12-month trend with its target line, and the drill-down from a
delivery figure to the shipments behind it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from kefu.operations import services as operations
from kefu.operations.models import Order
from kefu.standards import selectors, services
from kefu.standards.computations import COMPUTATIONS
from tests.customers.factories import make_customer
from tests.operations.conftest import customer, fleet, make_order, order_data  # noqa: F401  (fixtures)

from .conftest import add_item

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def _orders(buyer, n: int, at: dt.datetime) -> None:
    for _ in range(n):
        order = operations.order_create(actor=None, data=order_data(buyer))
        Order.objects.filter(pk=order.pk).update(created_at=at)


def _standard(people, effective: dt.date, rate: str, hours: str):
    standard = services.standard_draft(actor=people["cs_manager"])  # copies the last version's items
    for item in standard.items.all():
        services.item_remove(actor=people["cs_manager"], item=item, version=None)
    add_item(standard, people["cs_manager"], "complaint_rate", "50", {"foreign": rate, "private": rate})
    add_item(standard, people["cs_manager"], "complaint_handling_time", "40", {"foreign": hours, "private": "48"})
    add_item(standard, people["cs_manager"], "satisfaction_index", "10", {"foreign": "80"})
    services.standard_update(
        actor=people["cs_manager"], standard=standard, data={"effective_from": effective}, version=None
    )
    return services.standard_approve(actor=people["general_manager"], standard=standard, version=None)


@pytest.fixture
def two_foreign(people, complain):
    """March 2026, two 外企 customers. A: 4 orders, 1 complaint resolved in 10 h. B: 2 orders, 1 complaint
    resolved in 30 h. Targets from 2026-01-01: complaint rate ≤ 30 %, handling ≤ 24 h; from 2026-03-01:
    ≤ 20 %, ≤ 12 h."""
    a = make_customer(name="外资甲有限公司", ownership="foreign")
    b = make_customer(name="外资乙有限公司", ownership="foreign")
    march = dt.datetime(2026, 3, 10, 9, tzinfo=SH)
    _orders(a, 4, march)
    _orders(b, 2, march)
    complain(a, march, resolved_hours=10)
    complain(b, march, resolved_hours=30)
    _standard(people, dt.date(2026, 1, 1), "30", "24")
    return {"a": a, "b": b}


def _cs(report):
    (department,) = report.departments
    return {r.item.indicator.code: r for r in department.items}, department.scores


def test_one_customers_own_figures_against_its_types_targets(two_foreign):
    report = selectors.kpi_report(start=dt.date(2026, 2, 1), end=dt.date(2026, 2, 28), customer=two_foreign["a"])
    assert report.types == ["foreign"] and report.customer == two_foreign["a"]
    items, scores = _cs(selectors.kpi_report(start=MARCH[0], end=MARCH[1], customer=two_foreign["a"]))
    assert items["complaint_rate"].overall.value == Decimal("25.00")  # 1 / 4, not the company's 2 / 6
    assert items["complaint_rate"].cells["foreign"].attained is True
    assert items["complaint_handling_time"].cells["foreign"].actual.value == Decimal("10.00")
    assert items["satisfaction_index"].per_customer is False  # surveys do not name the customer here
    assert items["satisfaction_index"].cells["foreign"].actual.value is None
    assert scores == {"foreign": Decimal("100.0")}  # the unmeasured item is left out of the score
    items, scores = _cs(selectors.kpi_report(start=MARCH[0], end=MARCH[1], customer=two_foreign["b"]))
    assert items["complaint_rate"].overall.value == Decimal("50.00")
    assert items["complaint_handling_time"].overall.value == Decimal("30.00")
    assert scores == {"foreign": Decimal("0.0")}
    company, _ = _cs(selectors.kpi_report(start=MARCH[0], end=MARCH[1]))
    assert company["complaint_rate"].overall.value == Decimal("33.33")


def test_the_kpi_page_for_one_customer_and_bad_customer_numbers(two_foreign, client_for):
    client = client_for("cs_manager")
    a = two_foreign["a"]
    page = client.get("/standards/", {"start": "2026-03-01", "end": "2026-03-31", "customer": a.number})
    body = page.content.decode()
    assert page.status_code == 200 and a.name in body and "25.00" in body
    assert f"customer={a.number}" in body  # the drill-down keeps the customer
    cases = client.get(
        "/standards/kpi/cases/",
        {"key": "complaints_received", "start": "2026-03-01", "end": "2026-03-31", "customer": two_foreign["b"].number},
    )
    assert cases.status_code == 200 and two_foreign["b"].name in cases.content.decode()
    assert a.name not in cases.content.decode()
    assert client.get("/standards/", {"customer": "NO-SUCH"}).status_code == 400
    assert client.get("/standards/kpi/cases/", {"key": "complaints_received", "customer": "x"}).status_code == 400


def test_monthly_trend_with_the_target_line_of_the_standard_in_force_each_month(two_foreign, people):
    _standard(people, dt.date(2026, 3, 1), "20", "12")
    trends = {t.indicator.code: t for t in selectors.kpi_trends(last=dt.date(2026, 3, 31), months=4)}
    rate = trends["complaint_rate"]
    assert rate.months == ["2025-12", "2026-01", "2026-02", "2026-03"]
    assert rate.values == [None, None, None, 33.33]  # no orders before March: no data, not zero
    assert rate.targets["foreign"] == [None, 30.0, 30.0, 20.0]  # no standard in force in December
    assert rate.targets["state"] == [None, None, None, None]
    one = {t.indicator.code: t for t in selectors.kpi_trends(last=dt.date(2026, 3, 31), customer=two_foreign["b"])}
    assert len(one["complaint_rate"].months) == 12 and one["complaint_rate"].values[-1] == 50.0
    assert list(one["complaint_rate"].targets) == ["foreign"]
    by_type = {t.indicator.code: t for t in selectors.kpi_trends(last=dt.date(2026, 3, 31), customer_type="private")}
    assert by_type["complaint_rate"].values[-1] is None and list(by_type["complaint_rate"].targets) == ["private"]
    assert selectors.kpi_trends(last=dt.date(2025, 6, 30)) == []


def test_the_trend_fragment(two_foreign, client_for):
    answer = client_for("cs_manager").get("/standards/kpi/trends/", {"start": "2026-03-01", "end": "2026-03-31"})
    body = answer.content.decode()
    assert answer.status_code == 200 and 'id="trends-data"' in body and "客户投诉率" in body and "33.33" in body


def _deliver(new_order, vehicles, buyer, *, late=False):
    order = new_order(customer=buyer)
    shipment = operations.order_dispatch(actor=None, order=order, vehicle=vehicles["van"], driver=vehicles["driver"])
    now = timezone.now()
    Order.objects.filter(pk=order.pk).update(promised_at=now + dt.timedelta(minutes=-1 if late else 1))
    return operations.shipment_record_delivery(
        actor=None, shipment=shipment, delivered_at=now, pieces_delivered=20, intact=True, signed_by="收货人"
    )


def test_delivery_figures_per_customer_and_the_shipments_behind_them(make_order, fleet, customer, client_for):  # noqa: F811
    other = make_customer(name="另一家客户有限公司", ownership="foreign")
    mine = [_deliver(make_order, fleet, customer), _deliver(make_order, fleet, customer, late=True)]
    theirs = _deliver(make_order, fleet, other)
    today = timezone.localdate()
    on_time = COMPUTATIONS["on_time_delivery"].function
    assert on_time(today, today, None).value == Decimal("66.67")
    assert on_time(today, today, None, customer.pk).value == Decimal("50.00")
    assert on_time(today, today, None, other.pk).value == Decimal("100.00")
    assert set(
        selectors.drill_down_shipments(key="deliveries", start=today, end=today, customer_id=customer.pk)
    ) == set(mine)
    page = client_for("cs_manager").get(
        "/standards/kpi/shipments/", {"key": "deliveries", "start": today.isoformat(), "end": today.isoformat()}
    )
    body = page.content.decode()
    assert page.status_code == 200 and all(s.number in body for s in [*mine, theirs])
    assert f"/operations/shipments/{theirs.pk}/" in body
    export = client_for("cs_manager").get("/standards/kpi/shipments/", {"key": "deliveries", "format": "xlsx"})
    assert export.status_code == 200
    assert client_for("cs_manager").get("/standards/kpi/shipments/", {"key": "nope"}).status_code == 404
