"""Staff pages of the service standards: KPI measurement, the versions of the 标准单, the indicators."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.core.documents import FormSheet, form_xlsx_response, pdf_response, wants
from kefu.core.exports import xlsx_bytes, xlsx_response
from kefu.core.services import DomainError
from kefu.core.ui import paginate, query_without_page, refuse, render_page
from kefu.customers.choices import Ownership
from kefu.customers.models import Customer
from kefu.customers.selectors import customer_get
from kefu.standards import selectors, services
from kefu.standards.choices import StandardStatus
from kefu.standards.computations import DRILL_DOWNS, SHIPMENT_DRILL_DOWNS
from kefu.standards.forms import IndicatorForm, ItemForm, PeriodForm, ReadingForm, StandardForm
from kefu.standards.models import Indicator, KpiSnapshot, Standard, StandardItem
from kefu.standards.templatetags.standards import target_of

VIEW = "standards.view_standards"


def _period(request: HttpRequest) -> tuple[PeriodForm, dt.date, dt.date, str, int | None]:
    form = PeriodForm(request.GET or None)
    start, end = selectors.default_period(timezone.localdate())
    customer_type, department_id = "", None
    if form.is_valid():
        start = form.cleaned_data["start"] or start
        end = form.cleaned_data["end"] or end
        customer_type = form.cleaned_data["customer_type"] or ""
        department = form.cleaned_data["department"]
        department_id = department.pk if department else None
    if end < start:
        start, end = end, start
    return form, start, end, customer_type, department_id


def _customer(request: HttpRequest, form: PeriodForm) -> Any:
    """The customer whose own KPIs are asked for (by number), among those the user may see; a number that
    names none is an error on the form."""
    number = (form.data.get("customer") or "").strip()[:40] if form.is_bound else ""
    if not number:
        return None
    found = Customer.objects.filter(number=number).values_list("pk", flat=True).first()
    customer = customer_get(user=request.user, pk=found) if found else None
    if customer is None:
        form.add_error("customer", _("No such customer, or it is outside what you may see."))
    return customer


def _shown(value: Any) -> Any:
    return "" if value is None else value


def _kpi_xlsx(report: selectors.KpiReport) -> HttpResponse:
    labels = [label for _t, label in report.type_labels()]
    header = [_("Department"), _("Indicator"), _("Unit"), _("Weight"), _("Overall")]
    for label in labels:
        header += [f"{label} {_('actual')}", f"{label} {_('target')}", f"{label} {_('attained')}"]
    rows: list[list[Any]] = []
    for dept in report.departments:
        for result in dept.items:
            row = [
                dept.department.name,
                result.item.indicator.name,
                result.item.indicator.unit,
                result.item.weight,
                _shown(result.overall.value if result.overall else None),
            ]
            for cell in result.cell_list(report.types):
                ok = "" if cell.attained is None else (_("yes") if cell.attained else _("no"))
                row += [_shown(cell.actual.value if cell.actual else None), _shown(cell.target), ok]
            rows.append(row)
        rows.append(
            [dept.department.name, _("Weighted score"), "", "", ""]
            + [x for score in dept.score_list(report.types) for x in (_shown(score), "", "")]
        )
    name = f"kpi-{report.start.isoformat()}-{report.end.isoformat()}.xlsx"
    return xlsx_response(name, xlsx_bytes(_("KPI"), header, rows))


def _measured(
    request: HttpRequest, start: dt.date, end: dt.date, customer_type: str, department_id: int | None, customer: Any
) -> tuple[selectors.KpiReport | None, KpiSnapshot | None]:
    """The report to show and the snapshot it comes from. Company-wide figures are read from the period's
    snapshot; a period with none is queued for the worker once (None: being computed). One customer's own
    figures are measured on the spot: they read only that customer's records."""
    if customer is not None:
        report = selectors.kpi_report(
            start=start, end=end, customer_type=customer_type, department_id=department_id, customer=customer
        )
        return report, None
    snapshot, usable = services.kpi_snapshot_to_read(actor=request.user, start=start, end=end)
    if not usable:
        return None, snapshot
    return selectors.kpi_report_stored(snapshot, customer_type=customer_type, department_id=department_id), snapshot


def _period_query(start: dt.date, end: dt.date, customer_type: str = "", department_id: int | None = None) -> str:
    params: dict[str, Any] = {"start": start.isoformat(), "end": end.isoformat()}
    if customer_type:
        params["customer_type"] = customer_type
    if department_id:
        params["department"] = department_id
    return urlencode(params)


@login_required
@permission_required(VIEW, raise_exception=True)
def kpi(request: HttpRequest) -> HttpResponse:
    form, start, end, customer_type, department_id = _period(request)
    customer = _customer(request, form)
    if form.is_bound and "customer" in form.errors:
        return render_page(request, "standards/kpi.html", {"form": form, "nav": "standards"}, status=400)
    report, snapshot = _measured(request, start, end, customer_type, department_id, customer)
    waiting = snapshot is not None and snapshot.requested_at is not None
    if getattr(request, "htmx", None) and request.GET.get("waiting") and not waiting:
        return HttpResponse(headers={"HX-Refresh": "true"})  # the figures the page waited for are ready
    if request.GET.get("format") == "xlsx":
        if report is None:
            messages.info(request, _("The figures of this period are being computed; export them when they are shown."))
            return redirect(f"{reverse('standards:kpi')}?{_period_query(start, end, customer_type, department_id)}")
        return _kpi_xlsx(report)
    today = timezone.localdate()
    labels = {
        "last_month": _("Last month"),
        "this_month": _("This month"),
        "this_quarter": _("This quarter"),
        "this_year": _("This year"),
    }
    presets = [(labels[key], s, e) for key, (s, e) in selectors.kpi_presets(today).items()]
    context = {
        "form": form,
        "report": report,
        "snapshot": snapshot,
        "provisional": snapshot is not None and selectors.snapshot_is_provisional(snapshot),
        "waiting": waiting,
        "overdue": waiting
        and snapshot is not None
        and timezone.now() - snapshot.requested_at > services.REQUEST_EXPIRES,
        "can_recompute": snapshot is not None and request.user.has_perm(services.RECOMPUTE),
        "start": start,
        "end": end,
        "presets": presets,
        "query": query_without_page(request),
        "nav": "standards",
    }
    return render_page(request, "standards/kpi.html", context)


@login_required
@permission_required(services.RECOMPUTE, raise_exception=True)
@require_POST
def kpi_recompute(request: HttpRequest) -> HttpResponse:
    """The "Recompute now" button: measure the period again (late records, a corrected reading) in the worker."""
    form = PeriodForm(request.POST)
    if not form.is_valid() or not form.cleaned_data["start"] or not form.cleaned_data["end"]:
        return HttpResponse(_("Choose the period to recompute."), status=400)
    start, end = sorted((form.cleaned_data["start"], form.cleaned_data["end"]))
    department = form.cleaned_data["department"]
    try:
        snapshot = services.kpi_snapshot_request(actor=request.user, start=start, end=end, force=True)
    except DomainError as exc:
        status = refuse(request, exc)
        if status == 403:
            return HttpResponse(exc.message, status=403)
    else:
        if snapshot.requested_at is None:
            messages.success(request, _("The figures were recomputed."))
        else:
            messages.info(request, _("The figures are being recomputed; this page shows them when they are ready."))
    query = _period_query(start, end, form.cleaned_data["customer_type"] or "", department.pk if department else None)
    return redirect(f"{reverse('standards:kpi')}?{query}")


@login_required
@permission_required(VIEW, raise_exception=True)
def kpi_cases(request: HttpRequest) -> HttpResponse:
    key = request.GET.get("key", "")
    if key not in DRILL_DOWNS:
        raise Http404
    form, start, end, customer_type, _department = _period(request)
    customer = _customer(request, form)
    if form.is_bound and "customer" in form.errors:
        return HttpResponse(_("No such customer, or it is outside what you may see."), status=400)
    cases = selectors.drill_down_cases(
        key=key, start=start, end=end, customer_type=customer_type, customer_id=customer.pk if customer else None
    )
    if request.GET.get("format") == "xlsx":
        header = [_("Case number"), _("Title"), _("Customer"), _("Received"), _("Resolved")]
        rows = (
            (
                c.number,
                c.title,
                c.customer.name if c.customer else "",
                timezone.localtime(c.received_at).strftime("%Y-%m-%d %H:%M"),
                timezone.localtime(c.resolved_at).strftime("%Y-%m-%d %H:%M") if c.resolved_at else "",
            )
            for c in cases
        )
        return xlsx_response("kpi-cases.xlsx", xlsx_bytes(_("Cases"), header, rows))
    context = {
        "page": paginate(request, cases),
        "query": query_without_page(request),
        "key": key,
        "start": start,
        "end": end,
        "customer_type": dict(Ownership.choices).get(customer_type, ""),
        "customer": customer,
        "nav": "standards",
    }
    return render_page(request, "standards/kpi_cases.html", context, fragment="results")


@login_required
@permission_required(VIEW, raise_exception=True)
def kpi_shipments(request: HttpRequest) -> HttpResponse:
    """The shipments behind a delivery figure, each linked to its record in operations."""
    key = request.GET.get("key", "")
    if key not in SHIPMENT_DRILL_DOWNS:
        raise Http404
    form, start, end, _customer_type, _department = _period(request)
    customer = _customer(request, form)
    if form.is_bound and "customer" in form.errors:
        return HttpResponse(_("No such customer, or it is outside what you may see."), status=400)
    shipments = selectors.drill_down_shipments(
        key=key, start=start, end=end, customer_id=customer.pk if customer else None
    )
    if request.GET.get("format") == "xlsx":
        header = [_("Shipment"), _("Order"), _("Customer"), _("Delivered"), _("On time"), _("Intact")]
        rows = (
            (
                s.number,
                s.order.number,
                s.customer.name,
                timezone.localtime(s.delivered_at).strftime("%Y-%m-%d %H:%M") if s.delivered_at else "",
                _("yes") if s.on_time else _("no"),
                _("yes") if s.intact and s.pieces_delivered == s.pieces_shipped else _("no"),
            )
            for s in shipments
        )
        return xlsx_response("kpi-shipments.xlsx", xlsx_bytes(_("Shipments"), header, rows))
    context = {
        "page": paginate(request, shipments),
        "query": query_without_page(request),
        "start": start,
        "end": end,
        "customer": customer,
        "nav": "standards",
    }
    return render_page(request, "standards/kpi_shipments.html", context, fragment="results")


@login_required
@permission_required(VIEW, raise_exception=True)
def kpi_trends(request: HttpRequest) -> HttpResponse:
    """The last 12 months of each indicator, with its target line: a fragment the KPI page loads."""
    form, _start, end, customer_type, department_id = _period(request)
    customer = _customer(request, form)
    if form.is_bound and "customer" in form.errors:
        return HttpResponse(_("No such customer, or it is outside what you may see."), status=400)
    trends = selectors.kpi_trends(last=end, customer_type=customer_type, customer=customer, department_id=department_id)
    labels = dict(Ownership.choices)
    data = [
        {
            "name": t.indicator.name,
            "unit": t.indicator.unit,
            "months": t.months,
            "values": t.values,
            "targets": [{"name": str(labels.get(k, k)), "values": v} for k, v in t.targets.items()],
        }
        for t in trends
    ]
    return render_page(request, "standards/_trends.html", {"trends": data, "end": end})


# --- versions of the 标准单 ------------------------------------------------------------------------------


@login_required
@permission_required(VIEW, raise_exception=True)
def standard_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in StandardStatus.values else ""
    standards = selectors.standards_list(status=status)
    if request.GET.get("format") == "xlsx":
        header = [_("Number"), _("Version"), _("Status"), _("Effective from"), _("Filled in by"), _("Approved by")]
        rows = (
            (
                s.number,
                s.version_no,
                s.get_status_display(),
                s.effective_from.isoformat(),
                str(s.drafted_by),
                str(s.approved_by or ""),
            )
            for s in standards
        )
        return xlsx_response("standards.xlsx", xlsx_bytes(_("Service standards"), header, rows))
    context = {
        "page": paginate(request, standards),
        "query": query_without_page(request),
        "status": status,
        "statuses": StandardStatus.choices,
        "in_force": selectors.standard_in_force(timezone.localdate()),
        "nav": "standards",
    }
    return render_page(request, "standards/list.html", context, fragment="results")


@login_required
@permission_required("standards.draft_standards", raise_exception=True)
@require_POST
def standard_new(request: HttpRequest) -> HttpResponse:
    try:
        standard = services.standard_draft(actor=request.user)
    except DomainError as exc:
        refuse(request, exc)
        return redirect("standards:list")
    return redirect("standards:detail", standard.pk)


def _standard(pk: int) -> Standard:
    standard = selectors.standard_with_items(pk)
    if standard is None:
        raise Http404
    return standard


def _detail_context(standard: Standard, **extra: Any) -> dict[str, Any]:
    return {
        "standard": standard,
        "groups": selectors.grouped_items(standard),
        "types": [(t, label) for t, label in Ownership.choices if t in selectors.customer_types(standard)],
        "in_force": selectors.standard_in_force(timezone.localdate()),
        "nav": "standards",
        **extra,
    }


def _item_initial(standard: Standard, item: StandardItem | None) -> dict[str, Any]:
    initial: dict[str, Any] = {"version": standard.version}
    if item is not None:
        initial.update(indicator=item.indicator_id, department=item.department_id, weight=item.weight)
        initial.update({f"target_{t.customer_type}": t.target for t in item.targets.all()})
    return initial


@login_required
@permission_required(VIEW, raise_exception=True)
def standard_detail(request: HttpRequest, pk: int) -> HttpResponse:
    standard = _standard(pk)
    header_form = StandardForm(
        initial={"effective_from": standard.effective_from, "note": standard.note, "version": standard.version}
    )
    editing = None
    if request.GET.get("item", "").isdigit() and standard.is_draft:
        editing = get_object_or_404(StandardItem, pk=int(request.GET["item"]), standard=standard)
    item_form = ItemForm(initial=_item_initial(standard, editing))
    status = 200
    if request.method == "POST":
        if not request.user.has_perm("standards.draft_standards"):
            raise PermissionDenied
        if request.POST.get("form") == "header":
            header_form = StandardForm(request.POST)
            if header_form.is_valid():
                try:
                    services.standard_update(
                        actor=request.user,
                        standard=standard,
                        data=header_form.cleaned_data,
                        version=header_form.cleaned_data["version"],
                    )
                    return redirect("standards:detail", pk)
                except DomainError as exc:
                    status = refuse(request, exc, header_form)
            else:
                status = 400
        else:
            item_form = ItemForm(request.POST)
            if item_form.is_valid():
                data = item_form.cleaned_data
                item = editing
                if request.POST.get("item", "").isdigit():
                    item = get_object_or_404(StandardItem, pk=int(request.POST["item"]), standard=standard)
                try:
                    services.item_save(
                        actor=request.user,
                        standard=standard,
                        version=data["version"],
                        indicator=data["indicator"],
                        department=data["department"],
                        weight=data["weight"],
                        targets=item_form.targets(),
                        item=item,
                    )
                    return redirect("standards:detail", pk)
                except DomainError as exc:
                    status = refuse(request, exc, item_form)
            else:
                status = 400
    context = _detail_context(standard, header_form=header_form, item_form=item_form, editing=editing)
    return render_page(request, "standards/detail.html", context, status=status)


@login_required
@permission_required(VIEW, raise_exception=True)
def standard_print(request: HttpRequest, pk: int) -> HttpResponse:
    context = _detail_context(_standard(pk))
    filename = f"standard-{context['standard'].number}-v{context['standard'].version_no}"
    if wants(request, "pdf"):
        return pdf_response(request, "standards/print.html", context, f"{filename}.pdf")
    if wants(request, "xlsx"):
        return form_xlsx_response(_standard_sheet(context), f"{filename}.xlsx")
    return render_page(request, "standards/print.html", context)


def _standard_sheet(context: dict[str, Any]) -> FormSheet:
    standard, types = context["standard"], context["types"]
    return FormSheet(
        title="客户服务标准单",
        number=f"{standard.number} (v{standard.version_no})",
        date=f"{standard.effective_from:%Y-%m-%d}",
        header=[_("Department"), _("Indicator"), _("Weight"), *(label for _t, label in types)],
        rows=[
            [department.name, item.indicator.name, item.weight, *(target_of(item, t) for t, _label in types)]
            for department, items in context["groups"]
            for item in items
        ],
        signoff=[("审核人", str(standard.approved_by or "")), ("填写人", str(standard.drafted_by))],
    )


@login_required
@require_POST
def standard_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    standard = get_object_or_404(Standard, pk=pk)
    version = int(request.POST["version"]) if request.POST.get("version", "").isdigit() else None
    try:
        if action == "approve":
            services.standard_approve(actor=request.user, standard=standard, version=version)
            messages.success(request, _("The standard is approved."))
        elif action == "delete":
            services.standard_delete_draft(actor=request.user, standard=standard, version=version)
            return redirect("standards:list")
        elif action == "copy":
            copy = services.standard_draft(actor=request.user, based_on=standard)
            return redirect("standards:detail", copy.pk)
        else:
            raise Http404
    except DomainError as exc:
        status = refuse(request, exc)
        if status == 403:
            return HttpResponse(exc.message, status=403)
    return redirect("standards:detail", pk)


@login_required
@require_POST
def item_remove(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    item = get_object_or_404(StandardItem.objects.select_related("standard", "indicator"), pk=item_pk, standard_id=pk)
    version = int(request.POST["version"]) if request.POST.get("version", "").isdigit() else None
    try:
        services.item_remove(actor=request.user, item=item, version=version)
    except DomainError as exc:
        status = refuse(request, exc)
        if status == 403:
            return HttpResponse(exc.message, status=403)
    return redirect("standards:detail", pk)


# --- indicators ------------------------------------------------------------------------------------------


@login_required
@permission_required(VIEW, raise_exception=True)
def indicator_list(request: HttpRequest) -> HttpResponse:
    department = request.GET.get("department", "")
    indicators = selectors.indicators_list(
        q=request.GET.get("q", "").strip()[:100],
        department_id=int(department) if department.isdigit() and len(department) < 12 else None,
    )
    if request.GET.get("format") == "xlsx":
        header = [_("Code"), _("Name"), _("Owning department"), _("Unit"), _("Direction"), _("Measured")]
        rows = (
            (i.code, i.name, i.department.name, i.unit, i.get_direction_display(), i.get_measurement_display())
            for i in indicators
        )
        return xlsx_response("indicators.xlsx", xlsx_bytes(_("Indicators"), header, rows))
    from kefu.accounts.models import Department

    context = {
        "page": paginate(request, indicators),
        "query": query_without_page(request),
        "departments": Department.objects.all(),
        "department": department,
        "nav": "standards",
    }
    return render_page(request, "standards/indicators.html", context, fragment="results")


@login_required
@permission_required("standards.manage_indicators", raise_exception=True)
def indicator_new(request: HttpRequest) -> HttpResponse:
    form = IndicatorForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                indicator = services.indicator_create(actor=request.user, data=form.cleaned_data)
                return redirect("standards:indicator", indicator.pk)
            except DomainError as exc:
                status = refuse(request, exc, form)
        else:
            status = 400
    return render_page(request, "standards/indicator.html", {"form": form, "nav": "standards"}, status=status)


@login_required
@permission_required(VIEW, raise_exception=True)
def indicator_detail(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = get_object_or_404(Indicator.objects.select_related("department"), pk=pk)
    initial = {name: getattr(indicator, name) for name in (*services.INDICATOR_FIELDS, "is_active", "version")}
    form = IndicatorForm(initial=initial)
    reading_form = ReadingForm()
    status = 200
    if request.method == "POST":
        if not request.user.has_perm("standards.manage_indicators"):
            raise PermissionDenied
        if request.POST.get("form") == "reading":
            reading_form = ReadingForm(request.POST)
            if reading_form.is_valid():
                try:
                    services.reading_set(actor=request.user, indicator=indicator, **reading_form.cleaned_data)
                    return redirect("standards:indicator", pk)
                except DomainError as exc:
                    status = refuse(request, exc, reading_form)
            else:
                status = 400
        else:
            form = IndicatorForm(request.POST)
            if form.is_valid():
                try:
                    services.indicator_update(
                        actor=request.user,
                        indicator=indicator,
                        data=form.cleaned_data,
                        version=form.cleaned_data["version"],
                    )
                    return redirect("standards:indicator", pk)
                except DomainError as exc:
                    status = refuse(request, exc, form)
            else:
                status = 400
    context = {
        "indicator": indicator,
        "computation": selectors.computation_of(indicator),
        "form": form,
        "reading_form": reading_form,
        "readings": indicator.readings.all()[:24],
        "nav": "standards",
    }
    return render_page(request, "standards/indicator.html", context, status=status)
