"""Correcting open after-sales applications: only while open, only the fields the step allows, by the right
role, audited, and never over someone else's newer save."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kefu.core.models import AuditEvent
from kefu.core.services import DomainError, PermissionDeniedError, StaleVersionError
from kefu.operations import services
from kefu.operations.models import Cancellation, Order, Refund
from tests.customers.factories import bearer
from tests.operations.test_api import BASE, _json

pytestmark = pytest.mark.django_db


def _aged(order: Order, hours: float) -> Order:
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - dt.timedelta(hours=hours))
    order.refresh_from_db()
    return order


@pytest.fixture
def cancellation(people, make_order) -> Cancellation:
    order = _aged(make_order(price=Decimal("800")), 50)
    return services.cancellation_request(actor=people["agent"], order=order, reason="客户改期")


def test_a_correction_changes_the_fields_bumps_the_version_and_is_audited(people, cancellation):
    corrected = services.cancellation_correct(
        actor=people["agent"],
        cancellation=cancellation,
        data={"reason": " 项目取消 ", "channel": "phone", "fee": Decimal("100")},
        version=1,
    )
    corrected.refresh_from_db()
    assert (corrected.reason, corrected.channel, corrected.fee, corrected.version) == ("项目取消", "phone", 100, 2)
    audit = AuditEvent.objects.get(action="operations.cancellation.corrected")
    assert audit.changes["reason"] == ["客户改期", "项目取消"] and audit.changes["number"] == cancellation.number


def test_a_stale_version_is_refused_and_the_newer_save_kept(people, cancellation):
    services.cancellation_correct(actor=people["agent"], cancellation=cancellation, data={"reason": "甲"}, version=1)
    with pytest.raises(StaleVersionError):
        services.cancellation_correct(
            actor=people["agent"], cancellation=cancellation, data={"reason": "乙"}, version=1
        )
    cancellation.refresh_from_db()
    assert cancellation.reason == "甲"


def test_the_fee_stays_at_least_the_minimum_and_is_fixed_once_the_customer_signs(people, cancellation):
    with pytest.raises(DomainError) as info:
        services.cancellation_correct(
            actor=people["agent"], cancellation=cancellation, data={"fee": Decimal("79.99")}, version=1
        )
    assert info.value.field == "fee"
    signed = services.cancellation_sign(actor=people["agent"], cancellation=cancellation)
    with pytest.raises(DomainError) as info:
        services.cancellation_correct(
            actor=people["agent"], cancellation=signed, data={"fee": Decimal("90")}, version=2
        )
    assert info.value.code == "conflict"
    # the reason can still be put right after the signature
    services.cancellation_correct(actor=people["agent"], cancellation=signed, data={"reason": "改期"}, version=2)


def test_a_decided_application_can_no_longer_be_corrected(people, cancellation):
    services.cancellation_decide(actor=people["general_manager"], cancellation=cancellation, approve=False)
    with pytest.raises(DomainError) as info:
        services.cancellation_correct(actor=people["agent"], cancellation=cancellation, data={"reason": "x"}, version=2)
    assert info.value.code == "conflict"


def test_staff_who_cannot_see_the_customer_may_not_correct(people, cancellation):
    with pytest.raises(PermissionDeniedError):
        services.cancellation_correct(
            actor=people["agent_other"], cancellation=cancellation, data={"reason": "x"}, version=1
        )


def test_repair_fields_follow_its_steps(people, customer):
    repair = services.repair_request(actor=people["agent"], customer=customer, product="空调", problem="不制冷")
    with pytest.raises(DomainError) as info:
        services.repair_correct(actor=people["agent"], repair=repair, data={"charge": Decimal("50")}, version=1)
    assert (info.value.field, info.value.code) == ("charge", "conflict")
    repair = services.repair_correct(
        actor=people["agent"], repair=repair, data={"problem": "不制冷，有异响"}, version=1
    )
    when = timezone.now() + dt.timedelta(days=1)
    repair = services.repair_contact(actor=people["agent"], repair=repair, appointment_at=when)
    later = when + dt.timedelta(hours=3)
    repair = services.repair_correct(actor=people["agent"], repair=repair, data={"appointment_at": later}, version=3)
    assert repair.appointment_at == later
    repair = services.repair_diagnose(
        actor=people["agent"], repair=repair, fault="misuse", diagnosis="进水", charge=Decimal("100")
    )
    repair = services.repair_correct(actor=people["agent"], repair=repair, data={"charge": Decimal("80.5")}, version=5)
    assert repair.charge == Decimal("80.50")
    with pytest.raises(DomainError):
        services.repair_correct(actor=people["agent"], repair=repair, data={"problem": "x"}, version=6)
    repair = services.repair_progress(actor=people["agent"], repair=repair, step="repaired")
    with pytest.raises(DomainError) as info:
        services.repair_correct(actor=people["agent"], repair=repair, data={"charge": Decimal("1")}, version=7)
    assert info.value.code == "conflict"


def test_a_repair_that_is_our_fault_stays_free(people, customer):
    repair = services.repair_request(actor=people["agent"], customer=customer, product="空调", problem="不制冷")
    repair = services.repair_diagnose(actor=people["agent"], repair=repair, fault="ours", diagnosis="零件缺陷")
    with pytest.raises(DomainError) as info:
        services.repair_correct(actor=people["agent"], repair=repair, data={"charge": Decimal("10")}, version=2)
    assert info.value.field == "charge"


def test_a_pending_refund_is_corrected_by_finance_roles_only_and_within_the_price(people, cancellation):
    signed = services.cancellation_sign(actor=people["agent"], cancellation=cancellation)
    services.cancellation_decide(actor=people["general_manager"], cancellation=signed, approve=True)
    refund = Refund.objects.get(cancellation=cancellation)
    with pytest.raises(PermissionDeniedError):
        services.refund_correct(actor=people["agent"], refund=refund, data={"method": "cash"}, version=1)
    with pytest.raises(DomainError) as info:
        services.refund_correct(
            actor=people["cs_manager"], refund=refund, data={"amount": Decimal("800.01")}, version=1
        )
    assert info.value.field == "amount"
    refund = services.refund_correct(
        actor=people["cs_manager"], refund=refund, data={"amount": Decimal("700"), "method": "cash"}, version=1
    )
    assert (refund.amount, refund.method) == (Decimal("700.00"), "cash")
    services.refund_pay(actor=people["cs_manager"], refund=refund, method="cash")
    with pytest.raises(DomainError):
        services.refund_correct(actor=people["cs_manager"], refund=refund, data={"reason": "x"}, version=2)


def test_return_kind_and_reason_until_the_decision(people, make_order):
    order = make_order()
    request = services.return_request(
        actor=people["agent"], order=order, kind="return", reason="质量问题", quality_problem=True
    )
    request = services.return_correct(
        actor=people["agent"], request=request, data={"kind": "exchange", "reason": "屏幕坏点"}, version=1
    )
    assert (request.kind, request.version) == ("exchange", 2)
    with pytest.raises(DomainError) as info:
        services.return_correct(actor=people["agent"], request=request, data={"intact": True}, version=2)
    assert info.value.field == "intact"
    with pytest.raises(DomainError) as info:
        services.return_correct(actor=people["agent"], request=request, data={"kind": "swap"}, version=2)
    assert info.value.field == "kind"


# --- through the API ------------------------------------------------------------------------------------


def test_api_patch_corrects_and_answers_409_on_a_stale_version(client, people, cancellation):
    url = f"{BASE}/cancellations/{cancellation.pk}"
    read = client.get(url, **bearer(people["agent"])).json()
    ok = _json(client, "patch", url, people["agent"], {"reason": "客户资金问题", "version": read["version"]})
    assert ok.status_code == 200 and ok.json()["reason"] == "客户资金问题" and ok.json()["version"] == 2
    stale = _json(client, "patch", url, people["agent"], {"reason": "另一个原因", "version": read["version"]})
    assert stale.status_code == 409 and stale.json()["field"] == "version"


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"reason": "", "version": 1}, 422, "reason"),
        ({"fee": "-1", "version": 1}, 422, "fee"),
        ({"channel": "fax", "version": 1}, 422, "channel"),
        ({"reason": "x"}, 422, "version"),
        ({"fee": "1", "version": 1}, 400, "fee"),
    ],
)
def test_api_bad_corrections_are_4xx_naming_the_field(client, people, cancellation, body, status, field):
    response = _json(client, "patch", f"{BASE}/cancellations/{cancellation.pk}", people["agent"], body)
    assert response.status_code == status, response.content
    assert response.json()["field"] == field


def test_api_repair_and_refund_corrections_follow_the_same_rules(client, people, customer, cancellation):
    repair = services.repair_request(actor=people["agent"], customer=customer, product="空调", problem="不制冷")
    url = f"{BASE}/repairs/{repair.pk}"
    assert _json(client, "patch", url, people["agent"], {"product": "冰箱", "version": 1}).json()["product"] == "冰箱"
    refused = _json(client, "patch", url, people["agent"], {"parts": "压缩机", "version": 2})
    assert refused.status_code == 409 and refused.json()["field"] == "parts"
    signed = services.cancellation_sign(actor=people["agent"], cancellation=cancellation)
    services.cancellation_decide(actor=people["general_manager"], cancellation=signed, approve=True)
    refund = Refund.objects.get(cancellation=cancellation)
    refund_url = f"{BASE}/refunds/{refund.pk}"
    assert _json(client, "patch", refund_url, people["agent"], {"method": "cash", "version": 1}).status_code == 403
    assert _json(client, "patch", refund_url, people["cs_manager"], {"method": "cash", "version": 1}).status_code == 200


# --- on the page ----------------------------------------------------------------------------------------


def test_the_record_page_offers_the_correction_form_while_open_and_saves_it(client_for, cancellation):
    agent = client_for("agent")
    page_url = reverse("operations:aftersales_record", args=["cancellations", cancellation.pk])
    assert 'data-testid="correction-form"' in agent.get(page_url).content.decode()
    edit = reverse("operations:aftersales_action", args=["cancellations", cancellation.pk, "edit"])
    agent.post(edit, {"version": "1", "reason": "地址错误", "channel": "walk_in", "fee": "120"})
    cancellation.refresh_from_db()
    assert (cancellation.reason, cancellation.fee, cancellation.version) == ("地址错误", Decimal("120.00"), 2)
    response = agent.post(edit, {"version": "1", "reason": "旧页面"}, follow=True)
    assert "已有其他人保存了修改" in response.content.decode()  # the stale-version message, in zh-Hans
    cancellation.refresh_from_db()
    assert cancellation.reason == "地址错误"


def test_the_correction_form_is_gone_once_decided(client_for, people, cancellation):
    services.cancellation_decide(actor=people["general_manager"], cancellation=cancellation, approve=False)
    page = client_for("agent").get(reverse("operations:aftersales_record", args=["cancellations", cancellation.pk]))
    assert 'data-testid="correction-form"' not in page.content.decode()
