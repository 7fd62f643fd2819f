"""Pages of orders, shipments, exceptions and claims: thin views that parse, call a service or selector, render."""

from __future__ import annotations

import mimetypes
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from kefu.core.exports import xlsx_bytes, xlsx_response
from kefu.core.services import DomainError
from kefu.core.ui import paginate, query_without_page, render_page, stored_file_response
from kefu.customers.models import Customer
from kefu.customers.selectors import customer_get
from kefu.operations import forms, importing, selectors, services
from kefu.operations.choices import (
    ClaimStatus,
    ExceptionKind,
    OrderStatus,
    RequestChannel,
    ReturnKind,
    ShipmentStatus,
    VehicleType,
)
from kefu.operations.filters import ClaimFilters, ExceptionFilters, OrderFilters, ShipmentFilters
from kefu.operations.models import CompensationStandard, Order, Shipment, ShipmentException

YES_NO = [("true", gettext_lazy("Yes")), ("false", gettext_lazy("No"))]


def _attach_error(form: Any, exc: DomainError) -> None:
    field = form.fields.get(exc.field) if exc.field else None
    target = exc.field if field is not None and not field.widget.is_hidden else None
    form.add_error(target, ValidationError(exc.message, code=exc.code))


def _when(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _yes_no(value: bool | None) -> str:
    return "" if value is None else (_("Yes") if value else _("No"))


@dataclass(frozen=True)
class Listing:
    """One list page: its filters, its columns (label, value of a row), where a row links to."""

    name: str
    title: Any
    filters: type[BaseModel]
    select: Callable[..., Any]
    columns: list[tuple[Any, Callable[[Any], Any]]]
    link: Callable[[Any], str]
    choices: list[tuple[str, Any, Any]]
    empty: Any


def _filters(request: HttpRequest, model: type[BaseModel]) -> tuple[Any, list[str]]:
    try:
        return model.model_validate(request.GET.dict()), []
    except PydanticValidationError as exc:
        return model(), [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]


def _rows(listing: Listing, records: Iterable[Any]) -> list[dict[str, Any]]:
    return [{"url": listing.link(r), "cells": [value(r) for _label, value in listing.columns]} for r in records]


def _list_page(
    request: HttpRequest, listing: Listing, *, list_name: str | None = None, kwargs: dict[str, Any] | None = None
) -> HttpResponse:
    filters, problems = _filters(request, listing.filters)
    page = paginate(request, listing.select(user=request.user, filters=filters))
    context = {
        "listing": listing,
        "page": page,
        "rows": _rows(listing, page),
        "filters": filters,
        "problems": problems,
        "query": query_without_page(request),
        "list_url": reverse(f"operations:{list_name or listing.name}", kwargs=kwargs),
        "export_url": reverse(f"operations:{list_name or listing.name}_export", kwargs=kwargs),
        "nav": "operations",
        "section": listing.name,
    }
    return render_page(request, "operations/list.html", context, fragment="results", status=400 if problems else 200)


def _export(request: HttpRequest, listing: Listing) -> HttpResponse:
    filters, problems = _filters(request, listing.filters)
    if problems:
        return HttpResponse("; ".join(problems), status=400)
    records = listing.select(user=request.user, filters=filters)[:50000]
    content = xlsx_bytes(
        str(listing.title),
        [str(label) for label, _value in listing.columns],
        ([_cell(value(r)) for _label, value in listing.columns] for r in records.iterator(chunk_size=2000)),
    )
    return xlsx_response(f"{listing.name}-{timezone.localdate():%Y%m%d}.xlsx", content)


def _cell(value: Any) -> Any:
    return value if isinstance(value, int | Decimal | str) or value is None else str(value)


ORDERS = Listing(
    name="orders",
    title=gettext_lazy("Orders"),
    filters=OrderFilters,
    select=selectors.order_list,
    columns=[
        (gettext_lazy("Order number"), lambda o: o.number),
        (gettext_lazy("External number"), lambda o: o.external_number or ""),
        (gettext_lazy("Customer"), lambda o: o.customer.name),
        (gettext_lazy("Goods"), lambda o: o.goods),
        (gettext_lazy("Route"), lambda o: f"{o.origin} → {o.destination}"),
        (gettext_lazy("Vehicle type"), lambda o: o.get_vehicle_type_display()),
        (gettext_lazy("Price (CNY)"), lambda o: o.price),
        (gettext_lazy("Status"), lambda o: o.get_status_display()),
        (gettext_lazy("Ordered at"), lambda o: _when(o.created_at)),
    ],
    link=lambda o: reverse("operations:order", args=[o.pk]),
    choices=[
        ("status", gettext_lazy("Status"), OrderStatus.choices),
        ("vehicle_type", gettext_lazy("Vehicle type"), VehicleType.choices),
        ("is_custom", gettext_lazy("Custom order"), YES_NO),
    ],
    empty=gettext_lazy("No orders match these filters."),
)
SHIPMENTS = Listing(
    name="shipments",
    title=gettext_lazy("Shipments"),
    filters=ShipmentFilters,
    select=selectors.shipment_list,
    columns=[
        (gettext_lazy("Shipment number"), lambda s: s.number),
        (gettext_lazy("Order number"), lambda s: s.order.number),
        (gettext_lazy("Customer"), lambda s: s.customer.name),
        (gettext_lazy("Destination"), lambda s: s.order.destination),
        (gettext_lazy("Vehicle"), lambda s: s.vehicle.plate if s.vehicle else ""),
        (gettext_lazy("Status"), lambda s: s.get_status_display()),
        (gettext_lazy("Dispatched"), lambda s: _when(s.dispatched_at)),
        (gettext_lazy("Delivered"), lambda s: _when(s.delivered_at)),
        (gettext_lazy("On time"), lambda s: _yes_no(s.on_time)),
        (gettext_lazy("Intact"), lambda s: _yes_no(s.intact)),
    ],
    link=lambda s: reverse("operations:shipment", args=[s.pk]),
    choices=[
        ("status", gettext_lazy("Status"), ShipmentStatus.choices),
        ("vehicle_type", gettext_lazy("Vehicle type"), VehicleType.choices),
        ("on_time", gettext_lazy("On time"), YES_NO),
        ("intact", gettext_lazy("Intact"), YES_NO),
    ],
    empty=gettext_lazy("No shipments match these filters."),
)
EXCEPTIONS = Listing(
    name="exceptions",
    title=gettext_lazy("Exceptions"),
    filters=ExceptionFilters,
    select=selectors.exception_list,
    columns=[
        (gettext_lazy("Exception number"), lambda e: e.number),
        (gettext_lazy("Shipment number"), lambda e: e.shipment.number),
        (gettext_lazy("Customer"), lambda e: e.shipment.customer.name),
        (gettext_lazy("Kind"), lambda e: e.get_kind_display()),
        (gettext_lazy("Reported by"), lambda e: e.get_reporter_display()),
        (gettext_lazy("Reported"), lambda e: _when(e.reported_at)),
        (gettext_lazy("Customer notified"), lambda e: _when(e.customer_notified_at)),
        (gettext_lazy("Complaint case"), lambda e: e.case_number),
    ],
    link=lambda e: reverse("operations:shipment", args=[e.shipment_id]),
    choices=[("kind", gettext_lazy("Kind"), ExceptionKind.choices)],
    empty=gettext_lazy("No exceptions match these filters."),
)
CLAIMS = Listing(
    name="claims",
    title=gettext_lazy("Claims"),
    filters=ClaimFilters,
    select=selectors.claim_list,
    columns=[
        (gettext_lazy("Claim number"), lambda c: c.number),
        (gettext_lazy("Shipment number"), lambda c: c.shipment.number),
        (gettext_lazy("Customer"), lambda c: c.shipment.customer.name),
        (gettext_lazy("Basis"), lambda c: c.get_basis_display()),
        (gettext_lazy("Claimed (CNY)"), lambda c: c.amount_claimed),
        (gettext_lazy("Assessed (CNY)"), lambda c: c.amount_assessed),
        (gettext_lazy("Approved (CNY)"), lambda c: c.amount_approved),
        (gettext_lazy("Status"), lambda c: c.get_status_display()),
        (gettext_lazy("Claimed at"), lambda c: _when(c.claimed_at)),
    ],
    link=lambda c: reverse("operations:claim", args=[c.pk]),
    choices=[("status", gettext_lazy("Status"), ClaimStatus.choices)],
    empty=gettext_lazy("No claims match these filters."),
)
LISTINGS = {listing.name: listing for listing in (ORDERS, SHIPMENTS, EXCEPTIONS, CLAIMS)}


@login_required
@permission_required("operations.view", raise_exception=True)
def record_list(request: HttpRequest, name: str) -> HttpResponse:
    return _list_page(request, LISTINGS[name])


@login_required
@permission_required("operations.export", raise_exception=True)
def record_export(request: HttpRequest, name: str) -> HttpResponse:
    return _export(request, LISTINGS[name])


# --- orders ---------------------------------------------------------------------------------------


def _visible_order(request: HttpRequest, pk: int) -> Order:
    order = selectors.order_get(user=request.user, pk=pk)
    if order is None:
        raise Http404(_("No such order, or it is outside what you may see."))
    return order


@login_required
@permission_required("operations.add_order", raise_exception=True)
def order_create(request: HttpRequest) -> HttpResponse:
    form = forms.OrderForm(request.POST or None, initial={"customer_number": request.GET.get("customer", "")})
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "customer_number"}
        customer = Customer.objects.filter(number=form.cleaned_data["customer_number"].strip()).first()
        if customer is None or customer_get(user=request.user, pk=customer.pk) is None:
            form.add_error("customer_number", _("No such customer, or it is outside what you may see."))
        else:
            try:
                order = services.order_create(actor=request.user, data={**data, "customer": customer})
            except DomainError as exc:
                _attach_error(form, exc)
            else:
                messages.success(request, _("Order %s created.") % order.number)
                return redirect("operations:order", pk=order.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "nav": "operations", "section": "orders"}
    return render_page(request, "operations/order_form.html", context, status=status)


@login_required
@permission_required("operations.view", raise_exception=True)
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = _visible_order(request, pk)
    context = {
        "order": order,
        "shipments": order.shipments.select_related("vehicle", "driver"),
        "reason_form": forms.ReasonForm(),
        "dispatch_form": forms.DispatchForm(),
        "rules": services.service_rules(),
        "channels": RequestChannel.choices,
        "return_kinds": ReturnKind.choices,
        "return_checks": [
            ("quality_problem", _("Quality problem")),
            ("self_pickup", _("Picked up by the buyer")),
            ("unopened", _("Unopened")),
            ("intact", _("Intact")),
            ("has_receipts", _("Receipts produced")),
        ],
        "nav": "operations",
        "section": "orders",
    }
    return render_page(request, "operations/order_detail.html", context)


def _order_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    order = _visible_order(request, pk)
    try:
        if action in ("release", "reject"):
            form = forms.ReasonForm(request.POST)
            if not form.is_valid():
                raise DomainError(_("Give a reason."), field="reason")
            call = services.order_release if action == "release" else services.order_reject
            call(actor=request.user, order=order, reason=form.cleaned_data["reason"])
        elif action == "stock":
            services.order_stock_arrived(actor=request.user, order=order)
        else:
            form = forms.DispatchForm(request.POST)
            if not form.is_valid():
                raise DomainError(_("Choose a vehicle and a driver."), field="vehicle")
            shipment = services.order_dispatch(actor=request.user, order=order, **form.cleaned_data)
            messages.success(request, _("Shipment %s dispatched.") % shipment.number)
            return redirect("operations:shipment", pk=shipment.pk)
    except DomainError as exc:
        messages.error(request, exc.message)
        response = redirect("operations:order", pk=order.pk)
        response.status_code = 303
        return response
    return redirect("operations:order", pk=order.pk)


@login_required
@require_POST
def order_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ("release", "reject", "stock", "dispatch"):
        raise Http404()
    return _order_action(request, pk, action)


# --- shipments ------------------------------------------------------------------------------------


def _visible_shipment(request: HttpRequest, pk: int) -> Shipment:
    shipment = selectors.shipment_get(user=request.user, pk=pk)
    if shipment is None:
        raise Http404(_("No such shipment, or it is outside what you may see."))
    return shipment


@login_required
@permission_required("operations.view", raise_exception=True)
def exception_photo(request: HttpRequest, pk: int, photo_pk: int) -> FileResponse:
    """A photo of an exception, to whoever may see the shipment."""
    exception = selectors.exception_get(user=request.user, pk=pk)
    if exception is None:
        raise Http404
    photo = get_object_or_404(exception.photos, pk=photo_pk)
    name = Path(photo.file.name).name
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return stored_file_response(photo.file, filename=name, content_type=content_type)


@login_required
@permission_required("operations.view", raise_exception=True)
def shipment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    shipment = _visible_shipment(request, pk)
    now = timezone.localtime().replace(second=0, microsecond=0)
    context = {
        "shipment": shipment,
        **selectors.shipment_detail(shipment),
        "event_form": forms.EventForm(initial={"occurred_at": now}),
        "delivery_form": forms.DeliveryForm(
            initial={"delivered_at": now, "pieces_delivered": shipment.pieces_shipped, "intact": True}
        ),
        "exception_form": forms.ExceptionForm(),
        "claim_form": forms.ClaimForm(),
        "nav": "operations",
        "section": "shipments",
    }
    return render_page(request, "operations/shipment_detail.html", context)


@login_required
@require_POST
def shipment_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    shipment = _visible_shipment(request, pk)
    form_class = {
        "event": forms.EventForm,
        "delivery": forms.DeliveryForm,
        "exception": forms.ExceptionForm,
        "claim": forms.ClaimForm,
    }.get(action)
    if form_class is None:
        raise Http404()
    form = form_class(request.POST, request.FILES)
    try:
        if not form.is_valid():
            first = next(iter(form.errors.items()))
            raise DomainError(f"{form.fields[first[0]].label}: {' '.join(first[1])}", field=first[0])
        data = form.cleaned_data
        if action == "event":
            services.shipment_add_event(actor=request.user, shipment=shipment, **data)
        elif action == "delivery":
            services.shipment_record_delivery(actor=request.user, shipment=shipment, **data)
        elif action == "exception":
            exception = services.exception_report(
                actor=request.user,
                shipment=shipment,
                kind=data["kind"],
                description=data["description"],
                photos=data["photos"],
            )
            messages.success(request, _("Exception %s reported; the customer has been told.") % exception.number)
        else:
            exception = None
            if data.get("exception"):
                exception = get_object_or_404(ShipmentException, pk=data["exception"], shipment=shipment)
            claim = services.claim_file(
                actor=request.user,
                shipment=shipment,
                basis=data["basis"],
                amount_claimed=data["amount_claimed"],
                exception=exception,
            )
            return redirect("operations:claim", pk=claim.pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("operations:shipment", pk=shipment.pk)


# --- claims ---------------------------------------------------------------------------------------


@login_required
@permission_required("operations.view", raise_exception=True)
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = selectors.claim_get(user=request.user, pk=pk)
    if claim is None:
        raise Http404(_("No such claim, or it is outside what you may see."))
    suggested = services.compensation_for(shipment=claim.shipment, basis=claim.basis)
    context = {
        "claim": claim,
        "suggested": suggested,
        "my_limit": services.approval_limit_for(request.user),
        "assess_form": forms.AssessForm(initial={"version": claim.version, "amount": suggested}),
        "pay_form": forms.PayForm(initial={"version": claim.version}),
        "reason_form": forms.ReasonForm(),
        "nav": "operations",
        "section": "claims",
    }
    return render_page(request, "operations/claim_detail.html", context)


@login_required
@require_POST
def claim_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    claim = selectors.claim_get(user=request.user, pk=pk)
    if claim is None:
        raise Http404()
    version = forms.VersionForm(request.POST)
    version_value = int(request.POST["version"]) if version.is_valid() else None
    try:
        if action == "assess":
            form = forms.AssessForm(request.POST)
            if not form.is_valid():
                raise DomainError(_("Enter a valid amount."), field="amount")
            services.claim_assess(
                actor=request.user, claim=claim, amount=form.cleaned_data["amount"], version=version_value
            )
        elif action == "approve":
            services.claim_approve(actor=request.user, claim=claim, version=version_value)
        elif action == "pay":
            services.claim_pay(
                actor=request.user, claim=claim, reference=request.POST.get("reference", ""), version=version_value
            )
        elif action == "reject":
            services.claim_reject(
                actor=request.user, claim=claim, reason=request.POST.get("reason", ""), version=version_value
            )
        else:
            raise Http404()
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("operations:claim", pk=claim.pk)


# --- fleet, stock, standards ----------------------------------------------------------------------


@login_required
@permission_required("operations.view", raise_exception=True)
def fleet(request: HttpRequest) -> HttpResponse:
    vehicle_form = forms.VehicleForm(request.POST if request.POST.get("form") == "vehicle" else None)
    driver_form = forms.DriverForm(request.POST if request.POST.get("form") == "driver" else None)
    status = 200
    if request.method == "POST":
        form = vehicle_form if request.POST.get("form") == "vehicle" else driver_form
        saver = services.vehicle_save if form is vehicle_form else services.driver_save
        if form.is_valid():
            try:
                saver(actor=request.user, data=form.cleaned_data)
            except DomainError as exc:
                _attach_error(form, exc)
            else:
                return redirect("operations:fleet")
        status = 400
    context = {
        "vehicles": selectors.vehicles(),
        "drivers": selectors.drivers(),
        "vehicle_form": vehicle_form,
        "driver_form": driver_form,
        "nav": "operations",
        "section": "fleet",
    }
    return render_page(request, "operations/fleet.html", context, status=status)


@login_required
@permission_required("operations.view", raise_exception=True)
def stock(request: HttpRequest) -> HttpResponse:
    form = forms.StockTakeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.stock_take_record(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                _attach_error(form, exc)
            else:
                return redirect("operations:stock")
        status = 400
    context = {
        "items": selectors.stock_items(),
        "takes": selectors.recent_stock_takes(),
        "form": form,
        "nav": "operations",
        "section": "stock",
    }
    return render_page(request, "operations/stock.html", context, status=status)


@login_required
@permission_required("operations.view", raise_exception=True)
def standards(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    standard = get_object_or_404(CompensationStandard, pk=pk) if pk else None
    form = forms.StandardForm(
        request.POST or None, instance=standard, initial={"version": getattr(standard, "version", None)}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                services.compensation_standard_save(
                    actor=request.user, data=data, standard=standard, version=form.cleaned_data.get("version")
                )
            except DomainError as exc:
                _attach_error(form, exc)
            else:
                return redirect("operations:standards")
        status = 400
    context = {
        "standards": selectors.compensation_standards(),
        "limits": selectors.approval_limits(),
        "form": form,
        "editing": standard,
        "nav": "operations",
        "section": "standards",
    }
    return render_page(request, "operations/standards.html", context, status=status)


# --- a customer's tabs (loaded by the customer page) ----------------------------------------------


def _list_url(name: str) -> str:
    if name in LISTINGS:
        return reverse(f"operations:{name}")
    return reverse("operations:aftersales", kwargs={"name": name})


CUSTOMER_TABS = {"orders": ORDERS, "shipments": SHIPMENTS, "claims": CLAIMS}


@login_required
@permission_required("operations.view", raise_exception=True)
def customer_tab(request: HttpRequest, customer_pk: int, tab: str) -> HttpResponse:
    listing = CUSTOMER_TABS.get(tab)
    if listing is None or customer_get(user=request.user, pk=customer_pk) is None:
        raise Http404()
    filters = listing.filters(customer=customer_pk)
    page = paginate(request, listing.select(user=request.user, filters=filters), per_page=10)
    context = {
        "listing": listing,
        "rows": _rows(listing, page),
        "page": page,
        "query": "",
        "more_url": f"{_list_url(listing.name)}?customer={customer_pk}",
        "customer_pk": customer_pk,
    }
    return render_page(request, "operations/customer_tab.html", context)


# --- bulk import ----------------------------------------------------------------------------------


@login_required
@permission_required("operations.import", raise_exception=True)
def import_page(request: HttpRequest) -> HttpResponse:
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            kind, rows = importing.parse_file(form.cleaned_data["file"])
        except DomainError as exc:
            _attach_error(form, exc)
            status = 400
        else:
            upsert = importing.orders_upsert if kind == "orders" else importing.events_upsert
            report = upsert(actor=request.user, rows=rows)
            status = 200 if report.ok else 400
    elif request.method == "POST":
        status = 400
    context = {
        "form": form,
        "report": report,
        "order_columns": importing.ORDER_COLUMNS + importing.SHIPMENT_COLUMNS,
        "event_columns": importing.EVENT_COLUMNS,
        "nav": "operations",
        "section": "import",
    }
    return render_page(request, "operations/import.html", context, status=status)


# --- credit accounts (检查表 §1) ------------------------------------------------------------------


@login_required
@permission_required("operations.view", raise_exception=True)
def credit_accounts(request: HttpRequest) -> HttpResponse:
    form = forms.CreditForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not request.user.has_perm("operations.manage_credit"):
            raise PermissionDenied
        status = 400
        if form.is_valid():
            customer = Customer.objects.filter(number=form.cleaned_data["customer_number"].strip()).first()
            if customer is None or customer_get(user=request.user, pk=customer.pk) is None:
                form.add_error("customer_number", _("No such customer, or it is outside what you may see."))
            else:
                try:
                    services.credit_account_save(
                        actor=request.user,
                        customer=customer,
                        order_limit=form.cleaned_data["order_limit"],
                        balance_limit=form.cleaned_data["balance_limit"],
                    )
                except DomainError as exc:
                    _attach_error(form, exc)
                else:
                    return redirect("operations:credit")
    context = {"accounts": selectors.credit_accounts(), "form": form, "nav": "operations", "section": "credit"}
    return render_page(request, "operations/credit.html", context, status=status)
