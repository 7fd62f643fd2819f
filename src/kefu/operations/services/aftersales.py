"""After-sales writes (seed 004 篇5/篇6, 001 §1.6-1.7): cancellations, returns and exchanges, refunds,
repairs (维修通知单), reconciliation statements (对账) and receivables with overdue reminders (催收).

The rules' figures (48 h, 10 %, 7 days, 1 day, 72 h, 24 h) live in `ServiceRules`, a record managers edit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.accounts.models import User
from kefu.core.services import DomainError, StaleVersionError, audit_record, number_next, validate_or_refuse
from kefu.notify.models import Channel
from kefu.notify.services import message_enqueue
from kefu.operations.choices import (
    CancellationStatus,
    ClaimStatus,
    OrderStatus,
    RefundMethod,
    RefundStatus,
    RepairFault,
    RepairStatus,
    RequestChannel,
    ReturnKind,
    ReturnStatus,
    ShipmentStatus,
    StatementStatus,
    StockCheck,
)
from kefu.operations.models import (
    Cancellation,
    Claim,
    CreditAccount,
    Order,
    Receivable,
    Refund,
    RepairNotice,
    ReturnRequest,
    ServiceRules,
    Shipment,
    Statement,
    StatementLine,
    StockItem,
)
from kefu.operations.services.core import _money, _require, _tell_customer, check_time

RULE_FIELDS = (
    "free_cancel_hours",
    "cancel_fee_percent",
    "return_days",
    "repair_contact_hours",
    "repair_answer_hours",
    "satisfaction_call_hours",
    "reminder_every_days",
)
PAYMENT_TERM_DAYS = 30


def service_rules() -> ServiceRules:
    rules = ServiceRules.objects.order_by("pk").first()
    return rules if rules is not None else ServiceRules.objects.create()


@transaction.atomic
def service_rules_save(*, actor: Any, data: Mapping[str, Any], version: int | None = None) -> ServiceRules:
    _require(actor, "operations.manage_standards")
    rules = ServiceRules.objects.select_for_update().get(pk=service_rules().pk)
    if version is not None and version != rules.version:
        raise StaleVersionError()
    changes = {}
    for name in RULE_FIELDS:
        if name in data and getattr(rules, name) != data[name]:
            changes[name] = [str(getattr(rules, name)), str(data[name])]
            setattr(rules, name, data[name])
    validate_or_refuse(rules)
    rules.version += 1
    rules.save()
    audit_record(actor=actor, action="operations.rules.saved", subject=rules, changes=changes)
    return rules


def _finance_emails() -> list[str]:
    return list(
        User.objects.filter(department__code="finance", is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )


def _notify_finance(subject: str, body: str, *, key: str) -> None:
    for index, address in enumerate(_finance_emails()):
        message_enqueue(
            channel=Channel.EMAIL, recipient=address, subject=subject, body=body, dedupe_key=f"{key}-{index}"
        )


def _refund_create(*, order: Order, amount: Decimal, reason: str, **links: Any) -> Refund | None:
    if amount <= 0:
        return None
    return Refund.objects.create(
        number=number_next(prefix="TK"), order=order, amount=_money(amount), reason=reason[:200],
        status=RefundStatus.PENDING, **links,
    )  # fmt: skip


# --- cancellations ------------------------------------------------------------------------------------


def cancellation_fee(order: Order, at: dt.datetime, rules: ServiceRules | None = None) -> tuple[Decimal, Decimal]:
    """(hours since ordering, minimum fee): free within the free period, then at least the fee share of the price."""
    rules = rules or service_rules()
    hours = Decimal((at - order.created_at).total_seconds()) / 3600
    if hours <= rules.free_cancel_hours:
        return hours, Decimal("0")
    return hours, _money(order.price * rules.cancel_fee_percent / 100)


@transaction.atomic
def cancellation_request(
    *,
    actor: Any,
    order: Order,
    reason: str,
    channel: str = RequestChannel.WALK_IN,
    fee: Decimal | None = None,
    at: dt.datetime | None = None,
) -> Cancellation:
    """取消订单: custom orders cannot be cancelled, clearance sales are final; after the free period a fee."""
    _require(actor, "operations.add_order", order)
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.is_custom:
        raise DomainError(_("Custom orders cannot be cancelled."), field="order")
    if order.is_clearance:
        raise DomainError(_("Clearance sales are final: they cannot be cancelled."), field="order")
    if order.status in (OrderStatus.DELIVERED, OrderStatus.CANCELLED, OrderStatus.REJECTED):
        raise DomainError(_("A %s order cannot be cancelled.") % order.get_status_display(), field="order")
    if channel not in RequestChannel.values:
        raise DomainError(_("Unknown channel."), field="channel")
    if not reason.strip():
        raise DomainError(_("Record why the customer cancels."), field="reason")
    if order.cancellations.filter(status=CancellationStatus.REQUESTED).exists():
        raise DomainError(_("This order already has an open cancellation."), field="order", code="conflict")
    at = at or timezone.now()
    hours, minimum = cancellation_fee(order, at)
    if fee is not None and fee < minimum:
        raise DomainError(_("The fee must be at least %s.") % minimum, field="fee")
    cancellation = Cancellation.objects.create(
        number=number_next(prefix="QX"),
        order=order,
        channel=channel,
        reason=reason.strip()[:200],
        requested_at=at,
        hours_after_order=hours.quantize(Decimal("0.01")),
        fee=_money(fee if fee is not None else minimum),
        status=CancellationStatus.REQUESTED,
    )
    audit_record(
        actor=actor, action="operations.cancellation.requested", subject=order,
        changes={"cancellation": cancellation.number, "fee": str(cancellation.fee), "channel": channel},
    )  # fmt: skip
    return cancellation


def _locked_cancellation(cancellation: Cancellation, version: int | None) -> Cancellation:
    locked = Cancellation.objects.select_for_update().select_related("order").get(pk=cancellation.pk)
    if version is not None and version != locked.version:
        raise StaleVersionError()
    if locked.status != CancellationStatus.REQUESTED:
        raise DomainError(_("This application is already decided."), code="conflict")
    return locked


@transaction.atomic
def cancellation_sign(*, actor: Any, cancellation: Cancellation, version: int | None = None) -> Cancellation:
    """The customer signs the application (顾客签字确认)."""
    _require(actor, "operations.add_order", cancellation.order)
    cancellation = _locked_cancellation(cancellation, version)
    cancellation.customer_signed_at = timezone.now()
    cancellation.version += 1
    cancellation.save()
    audit_record(actor=actor, action="operations.cancellation.signed", subject=cancellation.order)
    return cancellation


@transaction.atomic
def cancellation_withdraw(*, actor: Any, cancellation: Cancellation, note: str) -> Cancellation:
    """The reason was solved and the customer keeps the order."""
    _require(actor, "operations.add_order", cancellation.order)
    cancellation = _locked_cancellation(cancellation, None)
    cancellation.status = CancellationStatus.WITHDRAWN
    cancellation.version += 1
    cancellation.save()
    audit_record(
        actor=actor, action="operations.cancellation.withdrawn", subject=cancellation.order, changes={"note": note}
    )
    return cancellation


@transaction.atomic
def cancellation_decide(
    *, actor: Any, cancellation: Cancellation, approve: bool, note: str = "", version: int | None = None
) -> Cancellation:
    """The general manager signs (总经理签字): the order is cancelled, finance told, the refund issued."""
    _require(actor, "operations.approve_cancellation")
    cancellation = _locked_cancellation(cancellation, version)
    if approve and cancellation.customer_signed_at is None:
        raise DomainError(_("The customer has not signed the application yet."), field="customer_signed_at")
    now = timezone.now()
    cancellation.status = CancellationStatus.APPROVED if approve else CancellationStatus.REJECTED
    cancellation.decided_by = actor if getattr(actor, "pk", None) else None
    cancellation.decided_at = now
    cancellation.version += 1
    order = cancellation.order
    if approve:
        if order.shipments.exclude(status=ShipmentStatus.DISPATCHED).exists():
            raise DomainError(_("The goods are already on the way; use a return instead."), field="order")
        Order.objects.filter(pk=order.pk).update(status=OrderStatus.CANCELLED, version=F("version") + 1)
        CreditAccount.objects.filter(customer_id=order.customer_id).update(outstanding=F("outstanding") - order.price)
        if order.stock_item_id and order.stock_check == StockCheck.IN_STOCK:
            StockItem.objects.filter(pk=order.stock_item_id).update(on_hand=F("on_hand") + order.pieces)
        refund = _refund_create(
            order=order,
            amount=order.price - cancellation.fee,
            reason=_("Cancellation %s") % cancellation.number,
            cancellation=cancellation,
        )
        _notify_finance(
            _("Cancellation %(number)s approved: refund %(amount)s") % {
                "number": cancellation.number, "amount": refund.amount if refund else 0,
            },
            _("Order %(order)s is cancelled. Fee %(fee)s CNY. File the approved application and issue the refund.")
            % {"order": order.number, "fee": cancellation.fee},
            key=f"cancellation-finance-{cancellation.pk}",
        )  # fmt: skip
        cancellation.finance_notified_at = now
        _tell_customer(
            order.customer,
            _("Order %(order)s is cancelled. Please come to collect your refund of %(amount)s CNY.")
            % {"order": order.number, "amount": refund.amount if refund else 0},
            key=f"cancellation-customer-{cancellation.pk}",
        )
    cancellation.save()
    audit_record(
        actor=actor, action="operations.cancellation.decided", subject=order,
        changes={"cancellation": cancellation.number, "approved": approve, "note": note},
    )  # fmt: skip
    return cancellation


# --- returns and exchanges ------------------------------------------------------------------------------


def _delivered_at(order: Order) -> dt.datetime | None:
    shipment = order.shipments.filter(delivered_at__isnull=False).order_by("-delivered_at").first()
    return shipment.delivered_at if isinstance(shipment, Shipment) else None


def return_days_elapsed(since: dt.datetime, at: dt.datetime) -> int:
    """Calendar days from delivery (or purchase) to the request, in local dates: day 7 is the last day."""
    return (timezone.localdate(at) - timezone.localdate(since)).days


@transaction.atomic
def return_request(
    *,
    actor: Any,
    order: Order,
    kind: str,
    reason: str,
    quality_problem: bool = False,
    self_pickup: bool = False,
    unopened: bool = False,
    intact: bool = False,
    has_receipts: bool = False,
    at: dt.datetime | None = None,
) -> ReturnRequest:
    """退货换货: quality problem → inspection first; clearance never; custom never; otherwise within the days."""
    _require(actor, "operations.add_order", order)
    if kind not in ReturnKind.values:
        raise DomainError(_("Return or exchange?"), field="kind")
    if not reason.strip():
        raise DomainError(_("Record why the customer returns the goods."), field="reason")
    if order.is_clearance:
        raise DomainError(_("Clearance sales are final: no return or exchange."), field="order")
    at = at or timezone.now()
    rules = service_rules()
    status = ReturnStatus.REQUESTED
    if quality_problem:
        status = ReturnStatus.INSPECTION
    elif order.is_custom:
        raise DomainError(_("Custom goods are neither returned nor exchanged."), field="order")
    else:
        since = order.created_at if self_pickup else _delivered_at(order)
        if since is None:
            raise DomainError(_("The goods are not delivered yet: cancel the order instead."), field="order")
        if return_days_elapsed(since, at) > rules.return_days:
            raise DomainError(
                _("Returns are accepted within %(days)s days; this is day %(n)s.")
                % {"days": rules.return_days, "n": return_days_elapsed(since, at)},
                field="requested_at",
            )
        if not has_receipts:
            raise DomainError(_("The customer must produce the receipts and slips."), field="has_receipts")
        if self_pickup and not unopened:
            raise DomainError(_("Goods the buyer picked up are taken back only unopened."), field="unopened")
        if not self_pickup and not intact:
            raise DomainError(_("Only intact goods are taken back."), field="intact")
    request = ReturnRequest.objects.create(
        number=number_next(prefix="TH"), order=order, kind=kind, reason=reason.strip()[:200],
        quality_problem=quality_problem, self_pickup=self_pickup, unopened=unopened, intact=intact,
        has_receipts=has_receipts, requested_at=at, status=status,
    )  # fmt: skip
    audit_record(
        actor=actor, action="operations.return.requested", subject=order,
        changes={"return": request.number, "kind": kind, "status": status},
    )  # fmt: skip
    return request


def _locked_return(request: ReturnRequest, *allowed: str) -> ReturnRequest:
    locked = ReturnRequest.objects.select_for_update().select_related("order").get(pk=request.pk)
    if locked.status not in allowed:
        raise DomainError(_("This application is already decided."), code="conflict")
    return locked


@transaction.atomic
def return_inspected(*, actor: Any, request: ReturnRequest, product_fault: bool, note: str) -> ReturnRequest:
    """After the technician's inspection: a product fault lets the return go ahead; misuse is charged instead."""
    _require(actor, "operations.add_order", request.order)
    request = _locked_return(request, ReturnStatus.INSPECTION)
    request.status = ReturnStatus.REQUESTED if product_fault else ReturnStatus.REJECTED
    request.decision_note = note.strip()[:200]
    request.version += 1
    request.save()
    audit_record(
        actor=actor, action="operations.return.inspected", subject=request.order,
        changes={"return": request.number, "product_fault": product_fault, "note": note},
    )  # fmt: skip
    return request


@transaction.atomic
def return_decide(*, actor: Any, request: ReturnRequest, approve: bool, note: str = "") -> ReturnRequest:
    """Takes effect when the department head signs; a return is refunded and filed with finance."""
    _require(actor, "operations.approve_return")
    request = _locked_return(request, ReturnStatus.REQUESTED)
    request.status = ReturnStatus.APPROVED if approve else ReturnStatus.REJECTED
    request.decision_note = note.strip()[:200]
    request.decided_by = actor if getattr(actor, "pk", None) else None
    request.version += 1
    request.save()
    if approve and request.kind == ReturnKind.RETURN:
        refund = _refund_create(
            order=request.order, amount=request.order.price, reason=_("Return %s") % request.number,
            return_request=request,
        )  # fmt: skip
        amount = refund.amount if refund else 0
        _notify_finance(
            _("Return %(number)s approved: refund %(amount)s") % {"number": request.number, "amount": amount},
            _("Order %(order)s: goods taken back. File the application and settle the refund.")
            % {"order": request.order.number},
            key=f"return-finance-{request.pk}",
        )
    audit_record(
        actor=actor, action="operations.return.decided", subject=request.order,
        changes={"return": request.number, "approved": approve, "note": note},
    )  # fmt: skip
    return request


@transaction.atomic
def refund_pay(*, actor: Any, refund: Refund, method: str) -> Refund:
    _require(actor, "operations.pay_claims")
    refund = Refund.objects.select_for_update().get(pk=refund.pk)
    if refund.status == RefundStatus.PAID:
        raise DomainError(_("This refund is already paid."), code="conflict")
    if method not in RefundMethod.values:
        raise DomainError(_("Choose how the money goes back."), field="method")
    refund.status, refund.method, refund.paid_at = RefundStatus.PAID, method, timezone.now()
    refund.save()
    audit_record(actor=actor, action="operations.refund.paid", subject=refund, changes={"method": method})
    return refund


# --- repairs (维修通知单) ------------------------------------------------------------------------------------


@transaction.atomic
def repair_request(
    *, actor: Any, customer: Any, product: str, problem: str, order: Order | None = None, at: dt.datetime | None = None
) -> RepairNotice:
    _require(actor, "operations.add_order", customer)
    if not product.strip() or not problem.strip():
        raise DomainError(_("Name the product and describe the problem."), field="problem")
    if order is not None and order.customer_id != customer.pk:
        raise DomainError(_("The order belongs to another customer."), field="order")
    repair = RepairNotice.objects.create(
        number=number_next(prefix="WX"), customer=customer, order=order, product=product.strip()[:120],
        problem=problem.strip(), requested_at=at or timezone.now(), status=RepairStatus.REQUESTED,
    )  # fmt: skip
    audit_record(actor=actor, action="operations.repair.requested", subject=repair)
    return repair


def _locked_repair(repair: RepairNotice, *allowed: str) -> RepairNotice:
    locked = RepairNotice.objects.select_for_update().select_related("customer").get(pk=repair.pk)
    if locked.status not in allowed:
        raise DomainError(
            _("This cannot be done while the repair is %s.") % locked.get_status_display(), code="conflict"
        )
    return locked


@transaction.atomic
def repair_contact(*, actor: Any, repair: RepairNotice, appointment_at: dt.datetime) -> RepairNotice:
    """The service centre contacts the customer and books the inspection."""
    _require(actor, "operations.add_order", repair.customer)
    check_time(appointment_at, "appointment_at")
    repair = _locked_repair(repair, RepairStatus.REQUESTED)
    repair.contacted_at, repair.appointment_at, repair.status = timezone.now(), appointment_at, RepairStatus.CONTACTED
    repair.version += 1
    repair.save()
    audit_record(actor=actor, action="operations.repair.contacted", subject=repair)
    return repair


@transaction.atomic
def repair_diagnose(
    *, actor: Any, repair: RepairNotice, fault: str, diagnosis: str, charge: Decimal = Decimal("0"), parts: str = ""
) -> RepairNotice:
    """The concrete answer: our fault → apology and free; misuse → charged by the price list."""
    _require(actor, "operations.add_order", repair.customer)
    repair = _locked_repair(repair, RepairStatus.REQUESTED, RepairStatus.CONTACTED)
    if fault not in RepairFault.values:
        raise DomainError(_("Whose fault is it?"), field="fault")
    if charge < 0:
        raise DomainError(_("The charge cannot be negative."), field="charge")
    repair.fault, repair.diagnosis, repair.parts = fault, diagnosis.strip(), parts.strip()[:200]
    repair.charge = Decimal("0") if fault == RepairFault.OURS else _money(charge)
    repair.answered_at = timezone.now()
    repair.status = RepairStatus.DIAGNOSED
    repair.version += 1
    repair.save()
    text = (
        _("We sincerely apologise: repair %(number)s is our fault and free of charge.")
        if fault == RepairFault.OURS
        else _("Repair %(number)s: the damage comes from use; the repair costs %(charge)s CNY by our price list.")
    )
    _tell_customer(
        repair.customer, text % {"number": repair.number, "charge": repair.charge}, key=f"repair-answer-{repair.pk}"
    )
    audit_record(
        actor=actor,
        action="operations.repair.diagnosed",
        subject=repair,
        changes={"fault": fault, "charge": str(repair.charge)},
    )
    return repair


@transaction.atomic
def repair_progress(*, actor: Any, repair: RepairNotice, step: str, opinion: str = "") -> RepairNotice:
    """repaired → returned → satisfaction call (顾客意见反馈) closes the notice."""
    _require(actor, "operations.add_order", repair.customer)
    now = timezone.now()
    if step == "repaired":
        repair = _locked_repair(repair, RepairStatus.DIAGNOSED)
        repair.repaired_at, repair.status = now, RepairStatus.REPAIRED
    elif step == "returned":
        repair = _locked_repair(repair, RepairStatus.REPAIRED)
        repair.returned_at, repair.status = now, RepairStatus.RETURNED
    elif step == "called":
        repair = _locked_repair(repair, RepairStatus.RETURNED)
        if not opinion.strip():
            raise DomainError(_("Record what the customer said."), field="opinion")
        repair.satisfaction_call_at, repair.satisfaction, repair.status = (
            now,
            opinion.strip()[:200],
            RepairStatus.CLOSED,
        )
    else:
        raise DomainError(_("Unknown step."), field="step")
    repair.version += 1
    repair.save()
    audit_record(actor=actor, action=f"operations.repair.{step}", subject=repair)
    return repair


# --- reconciliation (对账) and receivables (催收) ------------------------------------------------------------


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(start, dt.time(), tzinfo=tz), dt.datetime.combine(
        end + dt.timedelta(days=1), dt.time(), tzinfo=tz
    )


@transaction.atomic
def statement_generate(*, actor: Any, customer: Any, period_start: dt.date, period_end: dt.date) -> Statement:
    """The customer's statement: shipments dispatched in the period (charges), claims paid (credits)."""
    _require(actor, "operations.reconcile", customer)
    if period_end < period_start:
        raise DomainError(_("The period ends before it starts."), field="period_end")
    if Statement.objects.filter(customer=customer, period_start=period_start, period_end=period_end).exists():
        raise DomainError(_("A statement for this period exists already."), field="period_start", code="conflict")
    start, end = _bounds(period_start, period_end)
    lines: list[tuple[str, str, Decimal]] = []
    for shipment in (
        Shipment.objects.filter(customer=customer, dispatched_at__gte=start, dispatched_at__lt=end)
        .select_related("order")
        .order_by("dispatched_at")
    ):
        order = shipment.order
        lines.append((shipment.number, f"{order.origin} → {order.destination} · {order.goods}"[:200], order.price))
    for claim in Claim.objects.filter(
        shipment__customer=customer, status=ClaimStatus.PAID, paid_at__gte=start, paid_at__lt=end
    ):
        lines.append((claim.number, _("Compensation paid"), -(claim.amount_approved or Decimal("0"))))
    statement = Statement.objects.create(
        number=number_next(prefix="DZ"), customer=customer, period_start=period_start, period_end=period_end,
        total=sum((amount for _r, _d, amount in lines), Decimal("0")), status=StatementStatus.SENT,
    )  # fmt: skip
    StatementLine.objects.bulk_create(
        StatementLine(statement=statement, reference=r, description=d, amount=a) for r, d, a in lines
    )
    _tell_customer(
        customer,
        _("Statement %(number)s (%(start)s to %(end)s): %(total)s CNY. Please confirm it or name the wrong lines.")
        % {"number": statement.number, "start": period_start, "end": period_end, "total": statement.total},
        key=f"statement-sent-{statement.pk}",
    )
    audit_record(
        actor=actor,
        action="operations.statement.sent",
        subject=statement,
        changes={"lines": len(lines), "total": str(statement.total)},
    )
    return statement


@transaction.atomic
def statement_dispute(*, actor: Any, line: StatementLine, note: str) -> StatementLine:
    """The customer disputes a line; the statement waits until every dispute is resolved."""
    _require(actor, "operations.reconcile", line.statement.customer)
    if not note.strip():
        raise DomainError(_("Record what the customer disputes."), field="note")
    statement = Statement.objects.select_for_update().get(pk=line.statement_id)
    if statement.status == StatementStatus.CONFIRMED:
        raise DomainError(_("The statement is confirmed already."), code="conflict")
    line.disputed, line.dispute_note, line.resolution, line.resolved_at = True, note.strip()[:200], "", None
    line.save()
    statement.status = StatementStatus.DISPUTED
    statement.version += 1
    statement.save()
    audit_record(
        actor=actor,
        action="operations.statement.disputed",
        subject=statement,
        changes={"line": line.reference, "note": note},
    )
    return line


@transaction.atomic
def statement_resolve(
    *, actor: Any, line: StatementLine, resolution: str, amount: Decimal | None = None
) -> StatementLine:
    _require(actor, "operations.reconcile", line.statement.customer)
    if not line.disputed or line.resolved_at is not None:
        raise DomainError(_("This line is not in dispute."), code="conflict")
    if not resolution.strip():
        raise DomainError(_("Record how the dispute was resolved."), field="resolution")
    statement = Statement.objects.select_for_update().get(pk=line.statement_id)
    if amount is not None:
        line.amount = amount
    line.resolution, line.resolved_at = resolution.strip()[:200], timezone.now()
    line.save()
    statement.total = statement.lines.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    if not statement.lines.filter(disputed=True, resolved_at__isnull=True).exists():
        statement.status = StatementStatus.SENT
    statement.version += 1
    statement.save()
    audit_record(
        actor=actor,
        action="operations.statement.resolved",
        subject=statement,
        changes={"line": line.reference, "resolution": resolution},
    )
    return line


@transaction.atomic
def statement_confirm(*, actor: Any, statement: Statement, version: int | None = None) -> Receivable:
    """The customer confirms: the balance becomes a receivable due within the payment term."""
    _require(actor, "operations.reconcile", statement.customer)
    statement = Statement.objects.select_for_update().get(pk=statement.pk)
    if version is not None and version != statement.version:
        raise StaleVersionError()
    if statement.status != StatementStatus.SENT:
        raise DomainError(_("Only a statement without open disputes can be confirmed."), code="conflict")
    statement.status, statement.confirmed_at = StatementStatus.CONFIRMED, timezone.now()
    statement.version += 1
    statement.save()
    receivable = Receivable.objects.create(
        customer_id=statement.customer_id, statement=statement, amount=statement.total,
        due_date=timezone.localdate() + dt.timedelta(days=PAYMENT_TERM_DAYS),
    )  # fmt: skip
    audit_record(actor=actor, action="operations.statement.confirmed", subject=statement)
    return receivable


@transaction.atomic
def receivable_record_payment(*, actor: Any, receivable: Receivable, amount: Decimal) -> Receivable:
    _require(actor, "operations.reconcile", receivable.customer)
    if amount <= 0:
        raise DomainError(_("The amount must be more than zero."), field="amount")
    receivable = Receivable.objects.select_for_update().get(pk=receivable.pk)
    receivable.paid_amount += amount
    if receivable.paid_amount >= receivable.amount:
        receivable.paid_at = timezone.now()
    receivable.save()
    CreditAccount.objects.filter(customer_id=receivable.customer_id).update(outstanding=F("outstanding") - amount)
    audit_record(
        actor=actor, action="operations.receivable.paid", subject=receivable.statement, changes={"amount": str(amount)}
    )
    return receivable


def receivables_remind_overdue(*, today: dt.date | None = None) -> int:
    """催收: remind the account manager of each overdue receivable, at most every `reminder_every_days`."""
    today = today or timezone.localdate()
    every = service_rules().reminder_every_days
    sent = 0
    overdue = Receivable.objects.filter(paid_at__isnull=True, due_date__lt=today).select_related(
        "customer__account_manager", "statement"
    )
    for receivable in overdue:
        if receivable.last_reminded_on and (today - receivable.last_reminded_on).days < every:
            continue
        manager = receivable.customer.account_manager
        with transaction.atomic():
            if manager is not None and manager.email:
                message_enqueue(
                    channel=Channel.EMAIL,
                    recipient=manager.email,
                    subject=_("Overdue: %(customer)s owes %(amount)s CNY") % {
                        "customer": receivable.customer.name, "amount": receivable.amount - receivable.paid_amount,
                    },
                    body=_("Statement %(number)s was due on %(due)s. Please contact the customer to collect it.")
                    % {"number": receivable.statement.number, "due": receivable.due_date},
                    dedupe_key=f"receivable-reminder-{receivable.pk}-{today:%Y%m%d}",
                )  # fmt: skip
            Receivable.objects.filter(pk=receivable.pk).update(last_reminded_on=today, reminders=F("reminders") + 1)
            audit_record(
                actor=None, action="operations.receivable.reminded", subject=receivable.statement,
                changes={"days_overdue": (today - receivable.due_date).days},
            )  # fmt: skip
        sent += 1
    return sent
