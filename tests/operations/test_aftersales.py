"""After-sales rules on their boundaries: 48 h, 10 %, custom, clearance, day 7 vs day 8, repairs, statements, 催收."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from kefu.core.services import DomainError, PermissionDeniedError
from kefu.notify.models import OutboxMessage
from kefu.operations import services
from kefu.operations.models import Order, Receivable, Refund, Shipment
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance(departments):
    from kefu.accounts.models import Role

    return make_user("finance_clerk", Role.AGENT, departments["finance"])


def _aged(order: Order, age: dt.timedelta) -> Order:
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - age)
    order.refresh_from_db()
    return order


@pytest.mark.parametrize(
    ("age", "fee"),
    [
        (dt.timedelta(hours=47, minutes=59), Decimal("0.00")),
        (dt.timedelta(hours=48, minutes=1), Decimal("80.00")),
    ],
)
def test_cancellation_is_free_within_48_hours_then_at_least_10_percent(people, make_order, age, fee):
    order = _aged(make_order(price=Decimal("800")), age)
    cancellation = services.cancellation_request(actor=people["agent"], order=order, reason="客户改期")
    assert cancellation.fee == fee


def test_cancellation_fee_below_the_minimum_is_refused(people, make_order):
    order = _aged(make_order(price=Decimal("800")), dt.timedelta(hours=49))
    with pytest.raises(DomainError) as info:
        services.cancellation_request(actor=people["agent"], order=order, reason="x", fee=Decimal("79.99"))
    assert info.value.field == "fee"
    assert services.cancellation_request(actor=people["agent"], order=order, reason="x", fee=Decimal("120")).fee == 120


@pytest.mark.parametrize("flag", ["is_custom", "is_clearance"])
def test_custom_orders_and_clearance_sales_cannot_be_cancelled(people, make_order, flag):
    order = make_order(**{flag: True})
    with pytest.raises(DomainError):
        services.cancellation_request(actor=people["agent"], order=order, reason="不要了")


def test_approved_cancellation_needs_signature_and_general_manager_then_refunds_and_tells_finance(
    people, make_order, finance
):
    order = _aged(make_order(price=Decimal("800")), dt.timedelta(hours=50))
    cancellation = services.cancellation_request(actor=people["agent"], order=order, reason="项目取消", channel="phone")
    with pytest.raises(PermissionDeniedError):
        services.cancellation_decide(actor=people["cs_manager"], cancellation=cancellation, approve=True)
    with pytest.raises(DomainError):
        services.cancellation_decide(actor=people["general_manager"], cancellation=cancellation, approve=True)
    cancellation = services.cancellation_sign(actor=people["agent"], cancellation=cancellation)
    cancellation = services.cancellation_decide(
        actor=people["general_manager"], cancellation=cancellation, approve=True
    )
    order.refresh_from_db()
    assert order.status == "cancelled"
    refund = Refund.objects.get(cancellation=cancellation)
    assert refund.amount == Decimal("720.00") and refund.status == "pending"
    assert cancellation.finance_notified_at is not None
    assert OutboxMessage.objects.filter(recipient=finance.email, channel="email").exists()
    refund = services.refund_pay(actor=people["cs_manager"], refund=refund, method="bank")
    assert refund.status == "paid"


def _delivered(make_order, fleet, delivered_at, **fields):
    order = make_order(**fields)
    shipment = services.order_dispatch(actor=None, order=order, vehicle=fleet["van"], driver=fleet["driver"])
    Shipment.objects.filter(pk=shipment.pk).update(delivered_at=delivered_at, status="delivered")
    return order


@pytest.mark.parametrize(("days", "accepted"), [(7, True), (8, False)])
def test_returns_within_7_days_of_delivery(people, make_order, fleet, days, accepted):
    order = _delivered(make_order, fleet, timezone.now() - dt.timedelta(days=days))
    kwargs = {"actor": people["agent"], "order": order, "kind": "return", "reason": "不喜欢", "intact": True}
    if accepted:
        assert services.return_request(**kwargs, has_receipts=True).status == "requested"
    else:
        with pytest.raises(DomainError) as info:
            services.return_request(**kwargs, has_receipts=True)
        assert "8" in info.value.message


@pytest.mark.parametrize(("days", "accepted"), [(7, True), (8, False)])
def test_self_pickup_goods_within_7_days_of_purchase_unopened(people, make_order, days, accepted):
    order = _aged(make_order(), dt.timedelta(days=days))
    kwargs = {"actor": people["agent"], "order": order, "kind": "exchange", "reason": "尺寸不合", "self_pickup": True}
    if accepted:
        with pytest.raises(DomainError):
            services.return_request(**kwargs, has_receipts=True)  # opened
        assert services.return_request(**kwargs, has_receipts=True, unopened=True).status == "requested"
    else:
        with pytest.raises(DomainError):
            services.return_request(**kwargs, has_receipts=True, unopened=True)


def test_custom_goods_never_returned_but_quality_problems_go_to_inspection(people, make_order, fleet):
    order = _delivered(make_order, fleet, timezone.now() - dt.timedelta(days=1), is_custom=True)
    with pytest.raises(DomainError):
        services.return_request(
            actor=people["agent"], order=order, kind="return", reason="颜色不喜欢", intact=True, has_receipts=True
        )
    request = services.return_request(
        actor=people["agent"], order=order, kind="return", reason="开裂", quality_problem=True
    )
    assert request.status == "inspection"
    request = services.return_inspected(
        actor=people["agent"], request=request, product_fault=True, note="板材开裂,质量问题"
    )
    request = services.return_decide(actor=people["dept_manager"], request=request, approve=True)
    assert request.status == "approved"
    assert Refund.objects.get(return_request=request).amount == order.price


def test_clearance_goods_are_final_even_with_a_quality_problem(people, make_order):
    order = make_order(is_clearance=True)
    with pytest.raises(DomainError):
        services.return_request(actor=people["agent"], order=order, kind="return", reason="坏了", quality_problem=True)


def test_repair_notice_runs_to_the_satisfaction_call(people, customer):
    repair = services.repair_request(actor=people["agent"], customer=customer, product="三人位沙发", problem="扶手松动")
    repair = services.repair_contact(
        actor=people["agent"], repair=repair, appointment_at=timezone.now() + dt.timedelta(days=1)
    )
    repair = services.repair_diagnose(
        actor=people["agent"], repair=repair, fault="ours", diagnosis="螺丝缺失", charge=Decimal("100")
    )
    assert repair.charge == 0  # our fault: free, and the customer hears an apology
    assert OutboxMessage.objects.filter(dedupe_key=f"repair-answer-{repair.pk}").exists()
    for step in ("repaired", "returned"):
        repair = services.repair_progress(actor=people["agent"], repair=repair, step=step)
    with pytest.raises(DomainError):
        services.repair_progress(actor=people["agent"], repair=repair, step="called")
    repair = services.repair_progress(actor=people["agent"], repair=repair, step="called", opinion="满意")
    assert repair.status == "closed"


def test_repair_deadlines_1_day_contact_and_72_hours_answer(people, customer):
    from kefu.operations import selectors

    now = timezone.now()
    late = services.repair_request(
        actor=None, customer=customer, product="床", problem="异响", at=now - dt.timedelta(hours=24, minutes=1)
    )
    fresh = services.repair_request(
        actor=None, customer=customer, product="柜", problem="门歪", at=now - dt.timedelta(hours=23, minutes=59)
    )
    overdue = selectors.repairs_overdue(now=now)
    assert late in overdue["contact"] and fresh not in overdue["contact"]
    old = services.repair_request(
        actor=None, customer=customer, product="桌", problem="裂", at=now - dt.timedelta(hours=72, minutes=1)
    )
    assert (
        old in selectors.repairs_overdue(now=now)["answer"] and late not in selectors.repairs_overdue(now=now)["answer"]
    )


def test_statement_dispute_resolution_confirmation_and_overdue_reminders(people, make_order, fleet, customer):
    from kefu.customers.models import Customer

    Customer.objects.filter(pk=customer.pk).update(account_manager=people["supervisor"])
    customer.refresh_from_db()
    for price in ("800", "1200"):
        services.order_dispatch(
            actor=None, order=make_order(price=Decimal(price)), vehicle=fleet["van"], driver=fleet["driver"]
        )
    today = timezone.localdate()
    statement = services.statement_generate(
        actor=people["agent"], customer=customer, period_start=today.replace(day=1), period_end=today
    )
    assert statement.total == Decimal("2000") and statement.lines.count() == 2
    line = statement.lines.first()
    services.statement_dispute(actor=people["agent"], line=line, note="这票运费应为 700")
    statement.refresh_from_db()
    with pytest.raises(DomainError):
        services.statement_confirm(actor=people["agent"], statement=statement)
    services.statement_resolve(actor=people["agent"], line=line, resolution="核实后按 700 计", amount=Decimal("700"))
    statement.refresh_from_db()
    assert statement.status == "sent" and statement.total == Decimal("1900")
    receivable = services.statement_confirm(actor=people["agent"], statement=statement)
    assert receivable.amount == Decimal("1900")
    due = receivable.due_date
    assert services.receivables_remind_overdue(today=due) == 0
    assert services.receivables_remind_overdue(today=due + dt.timedelta(days=1)) == 1
    assert services.receivables_remind_overdue(today=due + dt.timedelta(days=2)) == 0  # every 3 days
    assert services.receivables_remind_overdue(today=due + dt.timedelta(days=4)) == 1
    assert (
        OutboxMessage.objects.filter(recipient=people["supervisor"].email, subject__contains=customer.name).count() == 2
    )
    services.receivable_record_payment(actor=people["agent"], receivable=receivable, amount=Decimal("1900"))
    assert services.receivables_remind_overdue(today=due + dt.timedelta(days=9)) == 0
    assert Receivable.objects.get().paid_at is not None
    assert not mail.outbox  # reminders leave through the outbox, not from the request
