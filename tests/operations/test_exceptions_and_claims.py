"""Exceptions tell the customer first and open or link a complaint case; claims follow the standards and role limits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kefu.core.services import DomainError, PermissionDeniedError, StaleVersionError
from kefu.customers.services import customer_update
from kefu.notify.models import OutboxMessage
from kefu.operations import services
from kefu.operations.filters import ClaimFilters, ExceptionFilters
from kefu.operations.models import ApprovalLimit, Order
from kefu.operations.selectors import claim_list, exception_list
from kefu.tickets.models import Case

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def shipment(make_order, fleet):
    return services.order_dispatch(
        actor=None, order=make_order(declared_value=Decimal("20000")), vehicle=fleet["van"], driver=fleet["driver"]
    )


@pytest.fixture
def limits(db):
    for role, amount in (("supervisor", "2000"), ("cs_manager", "10000"), ("general_manager", "100000")):
        ApprovalLimit.objects.create(role=role, max_amount=Decimal(amount))


def test_exception_notifies_the_customer_and_opens_a_hard_complaint(people, shipment):
    photo = SimpleUploadedFile("broken.png", PNG, content_type="image/png")
    exception = services.exception_report(
        actor=people["agent"], shipment=shipment, kind="damage", description="外箱破损,两台冰箱凹陷", photos=[photo]
    )
    assert exception.photos.count() == 1
    message = OutboxMessage.objects.get(dedupe_key=f"shipment-exception-{exception.pk}")
    assert message.recipient == "13900001111" and shipment.number in message.body
    assert exception.customer_notified_at is not None
    case = Case.objects.get(order_number=shipment.number)
    assert (case.kind, case.nature, case.customer_id) == ("complaint", "hard", shipment.customer_id)
    exception.refresh_from_db()
    assert exception.case_number == case.number
    # The customer hears of the exception first (第一时间反馈), before any message about the case.
    case_messages = OutboxMessage.objects.filter(body__contains=case.number)
    assert all(m.pk > message.pk for m in case_messages)


def test_second_exception_links_the_open_case(people, shipment):
    first = services.exception_report(actor=people["agent"], shipment=shipment, kind="delay", description="堵车")
    second = services.exception_report(actor=people["agent"], shipment=shipment, kind="damage", description="破损")
    second.refresh_from_db()
    first.refresh_from_db()
    assert first.case_number == second.case_number
    assert Case.objects.filter(order_number=shipment.number).count() == 1


def test_exception_refuses_a_non_image_photo(people, shipment):
    bad = SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream")
    with pytest.raises(DomainError) as info:
        services.exception_report(
            actor=people["agent"], shipment=shipment, kind="loss", description="丢失", photos=[bad]
        )
    assert info.value.field == "photos"
    assert not Case.objects.exists()


def test_damage_claim_assessed_by_the_standard_of_the_goods_type(people, shipment, limits):
    services.compensation_standard_save(
        actor=people["cs_manager"], data={"basis": "damage", "goods_type": "", "percent_of_value": Decimal("100")}
    )
    services.compensation_standard_save(
        actor=people["cs_manager"],
        data={"basis": "damage", "goods_type": "家电", "percent_of_value": Decimal("30"), "cap": Decimal("5000")},
    )
    claim = services.claim_file(
        actor=people["supervisor"], shipment=shipment, basis="damage", amount_claimed=Decimal("9000")
    )
    claim = services.claim_assess(actor=people["supervisor"], claim=claim)
    assert claim.amount_assessed == Decimal("5000.00")  # 30 % of 20,000 = 6,000, capped at 5,000


def test_late_delivery_compensation_per_day_late(people, make_order, fleet, limits):
    services.compensation_standard_save(
        actor=people["cs_manager"], data={"basis": "late", "goods_type": "", "per_day": Decimal("200")}
    )
    order = make_order()
    shipment = services.order_dispatch(actor=None, order=order, vehicle=fleet["van"], driver=fleet["driver"])
    now = timezone.now()
    Order.objects.filter(pk=order.pk).update(promised_at=now - dt.timedelta(days=1, minutes=1))
    shipment = services.shipment_record_delivery(
        actor=None, shipment=shipment, delivered_at=now, pieces_delivered=20, intact=True, signed_by="王"
    )
    assert services.compensation_for(shipment=shipment, basis="late") == Decimal("400.00")  # 1 day 1 minute → 2 days


def test_approval_thresholds_by_role_at_the_boundary(people, shipment, limits):
    claim = services.claim_file(
        actor=people["supervisor"], shipment=shipment, basis="damage", amount_claimed=Decimal("2000.01")
    )
    claim = services.claim_assess(actor=people["supervisor"], claim=claim, amount=Decimal("2000.01"))
    with pytest.raises(PermissionDeniedError):
        services.claim_approve(actor=people["supervisor"], claim=claim)
    claim = services.claim_approve(actor=people["cs_manager"], claim=claim)
    assert claim.status == "approved" and claim.amount_approved == Decimal("2000.01")

    small = services.claim_file(
        actor=people["supervisor"], shipment=shipment, basis="damage", amount_claimed=Decimal("2000")
    )
    small = services.claim_assess(actor=people["supervisor"], claim=small, amount=Decimal("2000"))
    assert services.claim_approve(actor=people["supervisor"], claim=small).status == "approved"


def test_claim_paid_tells_the_customer_and_is_final(people, shipment, limits):
    claim = services.claim_file(
        actor=people["supervisor"], shipment=shipment, basis="damage", amount_claimed=Decimal("800")
    )
    claim = services.claim_assess(actor=people["supervisor"], claim=claim, amount=Decimal("900"))
    assert claim.amount_assessed == Decimal("800.00")  # never more than claimed
    claim = services.claim_approve(actor=people["supervisor"], claim=claim)
    with pytest.raises(PermissionDeniedError):
        services.claim_pay(actor=people["supervisor"], claim=claim, reference="X")
    with pytest.raises(StaleVersionError):
        services.claim_pay(actor=people["cs_manager"], claim=claim, reference="BANK-1", version=claim.version - 1)
    claim = services.claim_pay(actor=people["cs_manager"], claim=claim, reference="BANK-1", version=claim.version)
    assert claim.status == "paid" and claim.paid_at is not None
    assert OutboxMessage.objects.filter(dedupe_key=f"claim-paid-{claim.pk}").exists()
    assert (claim.refund.amount, claim.refund.status) == (Decimal("800.00"), "paid")
    with pytest.raises(DomainError):
        services.claim_reject(actor=people["cs_manager"], claim=claim, reason="late")


def test_agent_cannot_handle_claims(people, shipment):
    with pytest.raises(PermissionDeniedError):
        services.claim_file(actor=people["agent"], shipment=shipment, basis="damage", amount_claimed=Decimal("1"))


def test_a_renamed_customers_exceptions_and_claims_are_found_by_the_new_name(people, customer, shipment):

    exception = services.exception_report(
        actor=people["agent"], shipment=shipment, kind="damage", description="外箱破损"
    )
    claim = services.claim_file(
        actor=people["supervisor"],
        shipment=shipment,
        basis="damage",
        amount_claimed=Decimal("900"),
        exception=exception,
    )
    customer.refresh_from_db()
    customer_update(
        actor=people["cs_manager"], customer=customer, version=customer.version, data={"name": "江南云链物流有限公司"}
    )

    def found(q: str) -> tuple[list[int], list[int]]:
        user = people["cs_manager"]
        return (
            [e.pk for e in exception_list(user=user, filters=ExceptionFilters(q=q))],
            [c.pk for c in claim_list(user=user, filters=ClaimFilters(q=q))],
        )

    assert found("云链物流") == ([exception.pk], [claim.pk])
    assert found("华东仓配") == ([], [])
    assert found("外箱破损") == ([exception.pk], [claim.pk])
