"""Pages: lists with filters, search, pagination and Excel export; detail pages and their actions."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from kefu.operations import services
from kefu.operations.models import ApprovalLimit, Claim, Order, Shipment
from tests.operations.conftest import order_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipment(make_order, fleet):
    return services.order_dispatch(actor=None, order=make_order(), vehicle=fleet["van"], driver=fleet["driver"])


@pytest.mark.parametrize("name", ["orders", "shipments", "exceptions", "claims"])
def test_every_list_renders_empty_and_exports(client_for, name):
    client = client_for("supervisor")
    response = client.get(reverse(f"operations:{name}"))
    assert response.status_code == 200
    export = client.get(reverse(f"operations:{name}_export"))
    assert export.status_code == 200
    assert load_workbook(io.BytesIO(export.content)).active.max_row == 1


def test_order_list_filters_search_and_export(client_for, make_order, customer):
    make_order(goods="冰箱 5 台", vehicle_type="van")
    other = make_order(goods="沙发 2 套", vehicle_type="box_4_2")
    client = client_for("supervisor")
    assert b"\xe6\xb2\x99\xe5\x8f\x91" in client.get(reverse("operations:orders"), {"q": "沙发"}).content
    page = client.get(reverse("operations:orders"), {"vehicle_type": "van"})
    assert other.number not in page.content.decode()
    assert client.get(reverse("operations:orders"), {"q": other.number}).context["page"].paginator.count == 1
    export = client.get(reverse("operations:orders_export"), {"vehicle_type": "box_4_2"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet.max_row == 2 and sheet.cell(2, 1).value == other.number


def test_bad_filter_is_a_400_not_a_500(client_for):
    assert client_for("supervisor").get(reverse("operations:orders"), {"status": "nope"}).status_code == 400
    assert client_for("supervisor").get(reverse("operations:orders_export"), {"date_from": "x"}).status_code == 400


def test_agent_sees_only_their_customers_orders(client_for, make_order, archive):
    mine = make_order()
    services.order_create(actor=None, data=order_data(archive["south"]))
    page = client_for("agent").get(reverse("operations:orders"))
    assert [o.pk for o in page.context["page"]] == [mine.pk]


def test_order_form_creates_and_dispatches(client_for, customer, fleet):
    client = client_for("agent")
    data = {k: v for k, v in order_data(customer).items() if k != "customer"}
    data.update(
        customer_number=customer.number,
        pickup_at=data["pickup_at"].strftime("%Y-%m-%dT%H:%M"),
        promised_at=data["promised_at"].strftime("%Y-%m-%dT%H:%M"),
        volume_m3="0",
    )
    response = client.post(reverse("operations:order_create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    order = Order.objects.get()
    response = client.post(
        reverse("operations:order_action", args=[order.pk, "dispatch"]),
        {"vehicle": fleet["box"].pk, "driver": fleet["driver"].pk},
    )
    assert Shipment.objects.count() == 0  # wrong type, no reason
    response = client.post(
        reverse("operations:order_action", args=[order.pk, "dispatch"]),
        {"vehicle": fleet["van"].pk, "driver": fleet["driver"].pk},
    )
    shipment = Shipment.objects.get()
    assert response.url == reverse("operations:shipment", args=[shipment.pk])


def test_order_form_refuses_an_unknown_customer(client_for):
    response = client_for("agent").post(reverse("operations:order_create"), {"customer_number": "KH-X"})
    assert response.status_code == 400


def test_shipment_page_shows_events_exception_claims_and_case(client_for, shipment, people):
    client = client_for("supervisor")
    photo = SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\n", content_type="image/png")
    client.post(
        reverse("operations:shipment_action", args=[shipment.pk, "exception"]),
        {"kind": "damage", "description": "纸箱压坏", "photos": [photo]},
    )
    exception = shipment.exceptions.get()
    client.post(
        reverse("operations:shipment_action", args=[shipment.pk, "claim"]),
        {"basis": "damage", "amount_claimed": "300", "exception": exception.pk},
    )
    page = client.get(reverse("operations:shipment", args=[shipment.pk]))
    html = page.content.decode()
    assert exception.number in html and "纸箱压坏" in html
    exception.refresh_from_db()
    assert exception.case_number and exception.case_number in html
    assert Claim.objects.get().number in html

    # The photo is served to whoever sees the shipment, never from a public /media/ address.
    photo_url = reverse("operations:exception_photo", args=[exception.pk, exception.photos.get().pk])
    assert photo_url in html and "/media/" not in html
    served = client.get(photo_url)
    assert (served.status_code, served["Content-Type"]) == (200, "image/png")
    assert b"".join(served.streaming_content) == b"\x89PNG\r\n\x1a\n"
    assert client_for("agent_other").get(photo_url).status_code == 404


def test_shipment_page_without_exceptions_or_claims_skips_their_queries(
    client_for, shipment, django_assert_num_queries
):
    client = client_for("supervisor")
    url = reverse("operations:shipment", args=[shipment.pk])
    client.get(url)
    with django_assert_num_queries(7) as captured:  # session, user, department, shipment, events, lines, unread
        assert client.get(url).status_code == 200
    tables = ('"operations_claim"', '"operations_shipmentexception"')
    assert not [
        q["sql"] for q in captured.captured_queries if q["sql"].startswith(tuple(f"SELECT {t}." for t in tables))
    ]


def test_claim_page_walks_to_paid(client_for, shipment, people):
    ApprovalLimit.objects.create(role="supervisor", max_amount=Decimal("1000"))
    claim = services.claim_file(actor=None, shipment=shipment, basis="damage", amount_claimed=Decimal("500"))
    sup, mgr = client_for("supervisor"), client_for("cs_manager")
    sup.post(reverse("operations:claim_action", args=[claim.pk, "assess"]), {"amount": "450", "version": claim.version})
    claim.refresh_from_db()
    sup.post(reverse("operations:claim_action", args=[claim.pk, "approve"]), {"version": claim.version})
    claim.refresh_from_db()
    mgr.post(reverse("operations:claim_action", args=[claim.pk, "pay"]), {"reference": "T-1", "version": claim.version})
    claim.refresh_from_db()
    assert (claim.status, claim.amount_approved) == ("paid", Decimal("450.00"))
    assert "T-1" in mgr.get(reverse("operations:claim", args=[claim.pk])).content.decode()


def test_customer_tabs_are_served_by_operations(client_for, make_order, customer):
    order = make_order()
    client = client_for("agent")
    assert (
        reverse("operations:customer_tab", args=[customer.pk, "orders"])
        in client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    )
    tab = client.get(reverse("operations:customer_tab", args=[customer.pk, "orders"]))
    assert order.number in tab.content.decode()
    assert client.get(reverse("operations:customer_tab", args=[customer.pk, "nope"])).status_code == 404


def test_customer_tab_of_an_invisible_customer_is_404(client_for, archive):
    assert (
        client_for("agent").get(reverse("operations:customer_tab", args=[archive["south"].pk, "orders"])).status_code
        == 404
    )


@pytest.mark.parametrize("page", ["fleet", "stock", "standards", "import"])
def test_settings_pages_render(client_for, page):
    assert client_for("cs_manager").get(reverse(f"operations:{page}")).status_code == 200


def test_import_page_reports_an_unreadable_file(client_for):
    upload = SimpleUploadedFile("x.txt", b"hello")
    assert client_for("supervisor").post(reverse("operations:import"), {"file": upload}).status_code == 400


def test_fleet_page_adds_a_vehicle(client_for):
    client = client_for("supervisor")
    client.post(
        reverse("operations:fleet"),
        {"form": "vehicle", "plate": "沪C00001", "vehicle_type": "truck_9_6", "capacity_kg": 15000},
    )
    assert "沪C00001" in client.get(reverse("operations:fleet")).content.decode()


def test_credit_page_sets_limits_and_agents_may_not(client_for, customer):
    from kefu.operations.models import CreditAccount

    data = {"customer_number": customer.number, "order_limit": "5000", "balance_limit": "20000"}
    assert client_for("agent").post(reverse("operations:credit"), data).status_code == 403
    response = client_for("cs_manager").post(reverse("operations:credit"), data)
    assert response.status_code == 302
    account = CreditAccount.objects.get(customer=customer)
    assert (account.order_limit, account.balance_limit) == (Decimal("5000"), Decimal("20000"))
    assert customer.name in client_for("agent").get(reverse("operations:credit")).content.decode()
