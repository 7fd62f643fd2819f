"""From a shipment exception to a paid claim in a real browser: the agent reports damage with a photo (the
customer is told and a complaint case opens), the supervisor files, assesses and approves the claim within
their limit, and the customer-service manager records the payment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kefu.accounts.models import Role
from kefu.notify.models import OutboxMessage
from kefu.operations import services
from kefu.operations.models import ApprovalLimit, Claim
from kefu.tickets.models import Case
from tests.conftest import make_user
from tests.customers.factories import make_customer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _submit(page, testid: str) -> None:
    with page.expect_navigation():
        page.get_by_test_id(testid).locator("button[type=submit]").first.click()


def test_exception_report_to_claim_paid(page, login, people, teams, departments, tmp_path):
    manager = make_user("e2e_cs_manager", Role.CS_MANAGER, departments["cs"])
    ApprovalLimit.objects.create(role=Role.SUPERVISOR, max_amount=Decimal("2000"))
    services.compensation_standard_save(
        actor=None, data={"basis": "damage", "goods_type": "家电", "percent_of_value": Decimal("10")}
    )
    customer = make_customer(
        name="浏览器测试商贸有限公司",
        team=teams["cs_east"],
        contacts=[{"name": "周敏", "mobile": "13900002222", "is_primary": True}],
    )
    now = timezone.now()
    order = services.order_create(
        actor=None,
        data={
            "customer": customer,
            "goods": "冰箱 10 台",
            "goods_type": "家电",
            "pieces": 10,
            "declared_value": Decimal("15000"),
            "origin": "上海嘉定仓",
            "destination": "苏州工业园区",
            "pickup_at": now - dt.timedelta(hours=3),
            "promised_at": now + dt.timedelta(hours=20),
            "vehicle_type": "box_4_2",
            "price": Decimal("1500"),
        },
    )
    vehicle = services.vehicle_save(
        actor=None, data={"plate": "沪B·E2E01", "vehicle_type": "box_4_2", "capacity_kg": 4000}
    )
    driver = services.driver_save(actor=None, data={"name": "钱师傅", "phone": "13700003333"})
    shipment = services.order_dispatch(actor=None, order=order, vehicle=vehicle, driver=driver)
    photo = tmp_path / "damage.png"
    photo.write_bytes(PNG)

    # The agent reports the damage with a photo from the shipment page.
    login(people["agent"])
    page.goto(f"/operations/shipments/{shipment.pk}/")
    form = page.get_by_test_id("exception-form")
    form.locator("[name=kind]").select_option("damage")
    form.locator("[name=description]").fill("卸货时发现两台冰箱侧面凹陷,外箱破损。")
    form.locator("[name=photos]").set_input_files(str(photo))
    _submit(page, "exception-form")
    case = Case.objects.get(order_number=shipment.number)
    expect(page.get_by_test_id("case-link")).to_have_text(case.number)
    expect(page.get_by_test_id("exception").locator("img")).to_have_count(1)
    assert OutboxMessage.objects.filter(recipient="13900002222", body__contains=shipment.number).exists()

    # The supervisor files the claim, assesses it by the standard and approves it within their limit.
    page.context.clear_cookies()
    login(people["supervisor"])
    page.goto(f"/operations/shipments/{shipment.pk}/")
    page.get_by_test_id("claim-form").locator("[name=amount_claimed]").fill("3000")
    _submit(page, "claim-form")
    expect(page.get_by_test_id("claim-status")).to_be_visible()
    assess = page.get_by_test_id("assess-form").locator("[name=amount]")
    expect(assess).to_have_value("1500.00")  # 10 % of the declared 15,000
    _submit(page, "assess-form")
    _submit(page, "approve-form")
    claim = Claim.objects.get()
    assert (claim.status, claim.amount_approved) == ("approved", Decimal("1500.00"))

    # The customer-service manager records the payment.
    page.context.clear_cookies()
    login(manager)
    page.goto(f"/operations/claims/{claim.pk}/")
    page.get_by_test_id("pay-form").locator("[name=reference]").fill("BANK-20261123-01")
    _submit(page, "pay-form")
    claim.refresh_from_db()
    assert claim.status == "paid" and claim.payment_reference == "BANK-20261123-01"
    expect(page.get_by_test_id("claim-status")).to_have_text(claim.get_status_display())
    assert OutboxMessage.objects.filter(dedupe_key=f"claim-paid-{claim.pk}").exists()
    assert page.js_errors == []
