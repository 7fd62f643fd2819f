"""Pages of cancellations, returns and exchanges, refunds, repairs and statements: lists, one record page
with the actions its status allows, and the forms that open them from an order or a customer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kefu.core.services import DomainError
from kefu.core.ui import posted_version, render_page
from kefu.customers.models import Customer
from kefu.customers.selectors import customer_get
from kefu.operations import selectors, services
from kefu.operations.choices import (
    CancellationStatus,
    RefundMethod,
    RefundStatus,
    RepairFault,
    RepairStatus,
    RequestChannel,
    ReturnKind,
    ReturnStatus,
    StatementStatus,
)
from kefu.operations.filters import AfterSalesFilters
from kefu.operations.models import Cancellation, Refund, RepairNotice, ReturnRequest, Statement
from kefu.operations.views import CUSTOMER_TABS, Listing, _export, _list_page, _when

KINDS: dict[str, Any] = {
    "cancellations": Cancellation,
    "returns": ReturnRequest,
    "refunds": Refund,
    "repairs": RepairNotice,
    "statements": Statement,
}


def _select(model: Any) -> Any:
    def select(*, user: Any, filters: AfterSalesFilters) -> Any:
        return selectors.aftersales_list(model, user=user, filters=filters)

    return select


def _customer_of(record: Any) -> Any:
    return record.customer if hasattr(record, "customer_id") else record.order.customer


def _link(name: str) -> Any:
    return lambda r: reverse("operations:aftersales_record", args=[name, r.pk])


LISTINGS = {
    "cancellations": Listing(
        name="cancellations",
        title=gettext_lazy("Cancellations"),
        filters=AfterSalesFilters,
        select=_select(Cancellation),
        columns=[
            (gettext_lazy("Application number"), lambda r: r.number),
            (gettext_lazy("Order number"), lambda r: r.order.number),
            (gettext_lazy("Customer"), lambda r: r.order.customer.name),
            (gettext_lazy("Reason"), lambda r: r.reason),
            (gettext_lazy("Hours after ordering"), lambda r: r.hours_after_order),
            (gettext_lazy("Cancellation fee (CNY)"), lambda r: r.fee),
            (gettext_lazy("Status"), lambda r: r.get_status_display()),
            (gettext_lazy("Requested"), lambda r: _when(r.requested_at)),
        ],
        link=_link("cancellations"),
        choices=[("status", gettext_lazy("Status"), CancellationStatus.choices)],
        empty=gettext_lazy("No cancellations match these filters."),
    ),
    "returns": Listing(
        name="returns",
        title=gettext_lazy("Returns and exchanges"),
        filters=AfterSalesFilters,
        select=_select(ReturnRequest),
        columns=[
            (gettext_lazy("Application number"), lambda r: r.number),
            (gettext_lazy("Order number"), lambda r: r.order.number),
            (gettext_lazy("Customer"), lambda r: r.order.customer.name),
            (gettext_lazy("Kind"), lambda r: r.get_kind_display()),
            (gettext_lazy("Reason"), lambda r: r.reason),
            (gettext_lazy("Status"), lambda r: r.get_status_display()),
            (gettext_lazy("Requested"), lambda r: _when(r.requested_at)),
        ],
        link=_link("returns"),
        choices=[("status", gettext_lazy("Status"), ReturnStatus.choices)],
        empty=gettext_lazy("No returns or exchanges match these filters."),
    ),
    "refunds": Listing(
        name="refunds",
        title=gettext_lazy("Refunds"),
        filters=AfterSalesFilters,
        select=_select(Refund),
        columns=[
            (gettext_lazy("Refund number"), lambda r: r.number),
            (gettext_lazy("Order number"), lambda r: r.order.number),
            (gettext_lazy("Customer"), lambda r: r.order.customer.name),
            (gettext_lazy("Amount (CNY)"), lambda r: r.amount),
            (gettext_lazy("Reason"), lambda r: r.reason),
            (gettext_lazy("Method"), lambda r: r.get_method_display()),
            (gettext_lazy("Status"), lambda r: r.get_status_display()),
            (gettext_lazy("Paid at"), lambda r: _when(r.paid_at)),
        ],
        link=_link("refunds"),
        choices=[("status", gettext_lazy("Status"), RefundStatus.choices)],
        empty=gettext_lazy("No refunds match these filters."),
    ),
    "repairs": Listing(
        name="repairs",
        title=gettext_lazy("Repairs"),
        filters=AfterSalesFilters,
        select=_select(RepairNotice),
        columns=[
            (gettext_lazy("Notice number"), lambda r: r.number),
            (gettext_lazy("Customer"), lambda r: r.customer.name),
            (gettext_lazy("Product"), lambda r: r.product),
            (gettext_lazy("Status"), lambda r: r.get_status_display()),
            (gettext_lazy("Requested"), lambda r: _when(r.requested_at)),
            (gettext_lazy("Customer contacted"), lambda r: _when(r.contacted_at)),
            (gettext_lazy("Concrete answer given"), lambda r: _when(r.answered_at)),
        ],
        link=_link("repairs"),
        choices=[("status", gettext_lazy("Status"), RepairStatus.choices)],
        empty=gettext_lazy("No repairs match these filters."),
    ),
    "statements": Listing(
        name="statements",
        title=gettext_lazy("Statements"),
        filters=AfterSalesFilters,
        select=_select(Statement),
        columns=[
            (gettext_lazy("Statement number"), lambda r: r.number),
            (gettext_lazy("Customer"), lambda r: r.customer.name),
            (gettext_lazy("From"), lambda r: r.period_start.isoformat()),
            (gettext_lazy("To"), lambda r: r.period_end.isoformat()),
            (gettext_lazy("Balance due (CNY)"), lambda r: r.total),
            (gettext_lazy("Status"), lambda r: r.get_status_display()),
        ],
        link=_link("statements"),
        choices=[("status", gettext_lazy("Status"), StatementStatus.choices)],
        empty=gettext_lazy("No statements match these filters."),
    ),
}
CUSTOMER_TABS["statements"] = LISTINGS["statements"]


def _listing(name: str) -> Listing:
    if name not in LISTINGS:
        raise Http404()
    return LISTINGS[name]


@login_required
@permission_required("operations.view", raise_exception=True)
def aftersales_list(request: HttpRequest, name: str) -> HttpResponse:
    return _list_page(request, _listing(name), list_name="aftersales", kwargs={"name": name})


@login_required
@permission_required("operations.export", raise_exception=True)
def aftersales_export(request: HttpRequest, name: str) -> HttpResponse:
    return _export(request, _listing(name))


def _record(request: HttpRequest, name: str, pk: int) -> Any:
    if name not in KINDS:
        raise Http404()
    record = selectors.aftersales_get(KINDS[name], user=request.user, pk=pk)
    if record is None:
        raise Http404(_("No such record, or it is outside what you may see."))
    return record


@login_required
@permission_required("operations.view", raise_exception=True)
def aftersales_record(request: HttpRequest, name: str, pk: int) -> HttpResponse:
    record = _record(request, name, pk)
    context = {
        "kind": name,
        "record": record,
        "listing": LISTINGS[name],
        "customer": _customer_of(record),
        "refund": getattr(record, "refund", None) if name in ("cancellations", "returns") else None,
        "lines": list(record.lines.all()) if name == "statements" else [],
        "receivable": getattr(record, "receivable", None) if name == "statements" else None,
        "methods": RefundMethod.choices,
        "faults": RepairFault.choices,
        "correction": _correction_fields(request, name, record),
        "nav": "operations",
        "section": name,
    }
    return render_page(request, "operations/aftersales_record.html", context)


CORRECTION_CHOICES = {"channel": RequestChannel.choices, "kind": ReturnKind.choices, "method": RefundMethod.choices}
CORRECTORS: dict[str, Any] = {
    "cancellations": lambda user, record, **kw: services.cancellation_correct(actor=user, cancellation=record, **kw),
    "returns": lambda user, record, **kw: services.return_correct(actor=user, request=record, **kw),
    "refunds": lambda user, record, **kw: services.refund_correct(actor=user, refund=record, **kw),
    "repairs": lambda user, record, **kw: services.repair_correct(actor=user, repair=record, **kw),
}
DECIMAL_FIELDS = frozenset({"fee", "charge", "amount"})


def _correction_fields(request: HttpRequest, name: str, record: Any) -> list[dict[str, Any]]:
    """The fields of the page's correction form: what the record's step still allows and the user may change."""
    if name not in CORRECTORS:
        return []
    allowed = (
        request.user.has_perm("operations.pay_claims")
        if name == "refunds"
        else request.user.has_perm("operations.add_order", _customer_of(record))
    )
    if not allowed:
        return []
    fields = []
    for field in services.editable_fields(record):
        value = getattr(record, field)
        if field == "appointment_at" and value:
            value = timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")
        fields.append(
            {
                "name": field,
                "label": record._meta.get_field(field).verbose_name,
                "value": "" if value is None else value,
                "choices": CORRECTION_CHOICES.get(field),
                "long": field in ("problem", "diagnosis"),
            }
        )
    return fields


def _correct(request: HttpRequest, name: str, record: Any) -> None:
    post = request.POST
    data: dict[str, Any] = {}
    for field in services.editable_fields(record):
        if field not in post:
            continue
        if field in DECIMAL_FIELDS:
            data[field] = _decimal(post[field], field)
        elif field == "appointment_at":
            data[field] = _datetime(post[field], field)
        else:
            data[field] = post[field]
    version = posted_version(request)
    if version is None:
        raise DomainError(_("Reload the page and edit again."), field="version")
    CORRECTORS[name](request.user, record, data=data, version=version)


def _decimal(value: str | None, field: str) -> Decimal | None:
    if not value:
        return None
    try:
        return Decimal(value)
    except InvalidOperation as exc:
        raise DomainError(_("Enter a number."), field=field) from exc


def _datetime(value: str | None, field: str) -> dt.datetime:
    parsed = parse_datetime(value or "")
    if parsed is None:
        raise DomainError(_("Enter a date and time."), field=field)
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _act(request: HttpRequest, name: str, record: Any, action: str) -> None:
    post, user = request.POST, request.user
    note = post.get("note", "")
    if action == "edit" and name in CORRECTORS:
        _correct(request, name, record)
    elif name == "cancellations":
        if action == "sign":
            services.cancellation_sign(actor=user, cancellation=record)
        elif action in ("approve", "reject"):
            services.cancellation_decide(actor=user, cancellation=record, approve=action == "approve", note=note)
        elif action == "withdraw":
            services.cancellation_withdraw(actor=user, cancellation=record, note=note)
        else:
            raise Http404()
    elif name == "returns":
        if action == "inspected":
            services.return_inspected(
                actor=user, request=record, product_fault=post.get("product_fault") == "1", note=note
            )
        elif action in ("approve", "reject"):
            services.return_decide(actor=user, request=record, approve=action == "approve", note=note)
        else:
            raise Http404()
    elif name == "refunds" and action == "pay":
        services.refund_pay(actor=user, refund=record, method=post.get("method", ""))
    elif name == "repairs":
        if action == "contact":
            services.repair_contact(
                actor=user, repair=record, appointment_at=_datetime(post.get("appointment_at"), "appointment_at")
            )
        elif action == "diagnose":
            services.repair_diagnose(
                actor=user,
                repair=record,
                fault=post.get("fault", ""),
                diagnosis=post.get("diagnosis", ""),
                charge=_decimal(post.get("charge"), "charge") or Decimal("0"),
                parts=post.get("parts", ""),
            )
        elif action in ("repaired", "returned", "called"):
            services.repair_progress(actor=user, repair=record, step=action, opinion=post.get("opinion", ""))
        else:
            raise Http404()
    elif name == "statements":
        if action == "confirm":
            services.statement_confirm(actor=user, statement=record)
        elif action in ("dispute", "resolve"):
            line = record.lines.filter(pk=post.get("line") or 0).first()
            if line is None:
                raise DomainError(_("Choose a line."), field="line")
            if action == "dispute":
                services.statement_dispute(actor=user, line=line, note=note)
            else:
                services.statement_resolve(
                    actor=user,
                    line=line,
                    resolution=post.get("resolution", ""),
                    amount=_decimal(post.get("amount"), "amount"),
                )
        elif action == "payment":
            receivable = getattr(record, "receivable", None)
            if receivable is None:
                raise DomainError(_("The statement is not confirmed yet."))
            services.receivable_record_payment(
                actor=user, receivable=receivable, amount=_decimal(post.get("amount"), "amount") or Decimal("0")
            )
        else:
            raise Http404()
    else:
        raise Http404()


@login_required
@require_POST
def aftersales_action(request: HttpRequest, name: str, pk: int, action: str) -> HttpResponse:
    record = _record(request, name, pk)
    try:
        _act(request, name, record, action)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Saved."))
    return redirect("operations:aftersales_record", name=name, pk=pk)


@login_required
@require_POST
def order_aftersales(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Open a cancellation, a return/exchange or a repair notice from the order page."""
    order = selectors.order_get(user=request.user, pk=pk)
    if order is None:
        raise Http404()
    post = request.POST
    try:
        if kind == "cancellations":
            record: Any = services.cancellation_request(
                actor=request.user,
                order=order,
                reason=post.get("reason", ""),
                channel=post.get("channel") or RequestChannel.WALK_IN,
                fee=_decimal(post.get("fee"), "fee"),
            )
        elif kind == "returns":
            record = services.return_request(
                actor=request.user,
                order=order,
                kind=post.get("kind") or ReturnKind.RETURN,
                reason=post.get("reason", ""),
                **{
                    f: post.get(f) == "on"
                    for f in ("quality_problem", "self_pickup", "unopened", "intact", "has_receipts")
                },
            )
        elif kind == "repairs":
            record = services.repair_request(
                actor=request.user,
                customer=order.customer,
                order=order,
                product=order.goods,
                problem=post.get("reason", ""),
            )
        else:
            raise Http404()
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("operations:order", pk=order.pk)
    return redirect("operations:aftersales_record", name=kind, pk=record.pk)


@login_required
@require_POST
def statement_create(request: HttpRequest) -> HttpResponse:
    customer = Customer.objects.filter(number=request.POST.get("customer_number", "").strip()).first()
    start, end = parse_date(request.POST.get("period_start", "")), parse_date(request.POST.get("period_end", ""))
    try:
        if customer is None or customer_get(user=request.user, pk=customer.pk) is None:
            raise DomainError(_("No such customer, or it is outside what you may see."), field="customer_number")
        if start is None or end is None:
            raise DomainError(_("Enter the period."), field="period_start")
        statement = services.statement_generate(
            actor=request.user, customer=customer, period_start=start, period_end=end
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("operations:aftersales", name="statements")
    return redirect("operations:aftersales_record", name="statements", pk=statement.pk)
