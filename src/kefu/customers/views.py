"""Pages of the customer archive: thin views that parse, call a service or selector, and render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from pydantic import ValidationError as PydanticValidationError

from kefu.accounts.models import Team, User
from kefu.core.exports import xlsx_bytes, xlsx_response
from kefu.core.presentation import describe
from kefu.core.services import DomainError
from kefu.core.ui import client_ip, paginate, query_without_page, render_page
from kefu.customers import selectors, services
from kefu.customers.choices import AccessAction, ChangeStatus, Channel, CustomerRole, Region
from kefu.customers.coercion import to_json_value
from kefu.customers.filters import CHOICE_FILTERS, SORTS, CustomerFilters
from kefu.customers.forms import (
    ContactForm,
    CustomerForm,
    FirstContactForm,
    GradeOverrideForm,
    GradeRuleForm,
    ImportForm,
    ReasonForm,
    ReviewForm,
)
from kefu.customers.importexport import export_workbook, parse_import, template_workbook
from kefu.customers.models import ChangeRequest, Contact, Customer, GradeRule
from kefu.customers.services import CONTACT_FIELDS, CUSTOMER_FIELDS


def _attach_error(form: Any, exc: DomainError) -> None:
    """Show a domain error on its field, or above the form when the field is hidden (e.g. a stale version)."""
    field = form.fields.get(exc.field) if exc.field else None
    target = exc.field if field is not None and not field.widget.is_hidden else None
    form.add_error(target, ValidationError(exc.message, code=exc.code))


def _visible_customer(request: HttpRequest, pk: int) -> Customer:
    customer = selectors.customer_get(user=request.user, pk=pk)
    if customer is None:
        raise Http404(_("No such customer, or it is outside what you may see."))
    return customer


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The home page: real figures about the customers the user may see."""
    overview = selectors.customer_overview(request.user)
    regions, roles, channels = dict(Region.choices), dict(CustomerRole.choices), dict(Channel.choices)
    charts = {
        "grade": [{"name": _("Grade %s") % row["grade"], "value": row["n"]} for row in overview["by_grade"]],
        "region": {
            "labels": [str(regions.get(r["region"], r["region"])) for r in overview["by_region"]],
            "values": [r["n"] for r in overview["by_region"]],
        },
        "channel": [
            {
                "name": f"{channels.get(r['channel'], '')} · {roles.get(r['customer_role'], '')}",
                "value": r["n"],
            }
            for r in overview["by_channel"]
        ],
        "months": {
            "labels": [m["month"] for m in overview["by_month"]],
            "values": [m["n"] for m in overview["by_month"]],
        },
    }
    context = {"overview": overview, "charts": charts, "nav": "home"}
    return render_page(request, "customers/home.html", context)


def _filters(request: HttpRequest) -> tuple[CustomerFilters, list[str]]:
    try:
        return CustomerFilters.model_validate(request.GET.dict()), []
    except PydanticValidationError as exc:
        problems = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
        return CustomerFilters(), problems


@login_required
def customer_list(request: HttpRequest) -> HttpResponse:
    filters, problems = _filters(request)
    page = paginate(request, selectors.customer_list(user=request.user, filters=filters))
    choice_options = [
        (name, Customer._meta.get_field(name).verbose_name, enum.choices) for name, enum in CHOICE_FILTERS.items()
    ]
    context = {
        "page": page,
        "filters": filters,
        "problems": problems,
        "choice_options": choice_options,
        "sorts": list(SORTS),
        "query": query_without_page(request),
        "teams": Team.objects.select_related("department"),
        "managers": User.objects.filter(
            Exists(Customer.objects.filter(account_manager=OuterRef("pk"))), is_active=True
        ).order_by("username"),
        "nav": "customers",
    }
    return render_page(request, "customers/list.html", context, fragment="results", status=400 if problems else 200)


@login_required
@permission_required("customers.export_customers", raise_exception=True)
def customer_export(request: HttpRequest) -> HttpResponse:
    filters, problems = _filters(request)
    if problems:
        return HttpResponse("; ".join(problems), status=400)
    customers = selectors.customer_list(user=request.user, filters=filters)
    content, count = export_workbook(customers, may_see_sensitive=request.user.has_perm("customers.view_sensitive"))
    services.access_record(
        actor=request.user,
        action=AccessAction.EXPORT,
        detail=f"{count} customers; {request.GET.urlencode()}"[:300],
        ip_address=client_ip(request),
    )
    return xlsx_response(f"customers-{timezone.localdate():%Y%m%d}.xlsx", content)


@login_required
@permission_required("customers.add_customer", raise_exception=True)
def customer_create(request: HttpRequest) -> HttpResponse:
    form = CustomerForm(request.POST or None)
    contact_form = FirstContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and contact_form.is_valid():
        data = {name: form.cleaned_data[name] for name in CUSTOMER_FIELDS}
        contact = {k: v for k, v in contact_form.cleaned_data.items() if k in CONTACT_FIELDS and v}
        try:
            customer = services.customer_create(
                actor=request.user, data=data, contacts=[{**contact, "is_primary": True}] if contact else []
            )
        except DomainError as exc:
            target = contact_form if exc.field in contact_form.fields and exc.field not in form.fields else form
            _attach_error(target, exc)
        else:
            messages.success(
                request,
                _("Customer %(name)s created as %(number)s.") % {"name": customer.name, "number": customer.number},
            )
            return redirect("customers:detail", pk=customer.pk)
    status = 400 if request.method == "POST" else 200
    return render_page(
        request,
        "customers/form.html",
        {"form": form, "contact_form": contact_form, "nav": "customers", "creating": True},
        status=status,
    )


@login_required
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _visible_customer(request, pk)
    services.access_record(
        actor=request.user, action=AccessAction.VIEW, customer=customer, ip_address=client_ip(request)
    )
    may_see = request.user.has_perm("customers.view_sensitive", customer)
    contacts = [
        {
            "contact": c,
            "mobile": selectors.shown_phone(c.mobile, may_see=may_see),
            "landline": selectors.shown_phone(c.landline, may_see=may_see),
        }
        for c in customer.contacts.all()
    ]
    context = {
        "customer": customer,
        "contacts": contacts,
        "id_number": selectors.shown_id_number(customer.id_number, may_see=may_see),
        "timeline": [describe(e) for e in selectors.customer_timeline(customer)],
        "access_log": selectors.customer_access_log(customer)
        if request.user.has_perm("customers.view_access_log")
        else None,
        "change_requests": customer.change_requests.select_related("submitted_by")[:20],
        "override_form": GradeOverrideForm(initial={"grade": customer.grade_override}),
        "can_edit": request.user.has_perm("customers.change_customer", customer),
        "can_request": request.user.has_perm("customers.request_change", customer),
        "nav": "customers",
    }
    return render_page(request, "customers/detail.html", context)


def _changed_values(form: CustomerForm, customer: Customer) -> dict[str, Any]:
    return {
        name: form.cleaned_data[name]
        for name in CUSTOMER_FIELDS
        if form.cleaned_data[name] != getattr(customer, name)
        and not (form.cleaned_data[name] in (None, "") and getattr(customer, name) in (None, ""))
    }


@login_required
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """CS staff edit the archive directly; other staff file a change request for CS to verify."""
    customer = _visible_customer(request, pk)
    direct = request.user.has_perm("customers.change_customer", customer)
    if not direct and not request.user.has_perm("customers.request_change", customer):
        raise PermissionDenied
    form = CustomerForm(request.POST or None, instance=customer, initial={"version": customer.version})
    reason_form = ReasonForm(request.POST or None) if not direct else None
    if request.method == "POST" and form.is_valid() and (direct or reason_form.is_valid()):
        changed = _changed_values(form, customer)
        try:
            if direct:
                services.customer_update(
                    actor=request.user,
                    customer=customer,
                    version=form.cleaned_data["version"] or 0,
                    data=changed,
                )
                messages.success(request, _("Customer saved."))
            else:
                services.change_request_submit(
                    actor=request.user,
                    customer=customer,
                    changes={k: to_json_value(v) for k, v in changed.items()},
                    reason=reason_form.cleaned_data["reason"],
                )
                messages.success(request, _("Change request sent to customer service for verification."))
        except DomainError as exc:
            _attach_error(form, exc)
        else:
            return redirect("customers:detail", pk=customer.pk)
    status = (
        409
        if any(e.code == "conflict" for e in form.non_field_errors().as_data())
        else (400 if request.method == "POST" else 200)
    )
    return render_page(
        request,
        "customers/form.html",
        {
            "form": form,
            "reason_form": reason_form,
            "customer": customer,
            "direct": direct,
            "nav": "customers",
        },
        status=status,
    )


@login_required
@require_POST
def customer_override_grade(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _visible_customer(request, pk)
    if not request.user.has_perm("customers.override_grade", customer):
        raise PermissionDenied
    form = GradeOverrideForm(request.POST)
    if form.is_valid():
        try:
            services.customer_override_grade(
                actor=request.user,
                customer=customer,
                grade=form.cleaned_data["grade"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Grade saved."))
    return redirect("customers:detail", pk=customer.pk)


@login_required
@require_POST
def customer_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _visible_customer(request, pk)
    if not request.user.has_perm("customers.deactivate_customer", customer):
        raise PermissionDenied
    try:
        services.customer_set_active(
            actor=request.user,
            customer=customer,
            active=request.POST.get("active") == "1",
            reason=request.POST.get("reason", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Customer status saved."))
    return redirect("customers:detail", pk=customer.pk)


@login_required
def contact_edit(request: HttpRequest, pk: int, contact_pk: int | None = None) -> HttpResponse:
    customer = _visible_customer(request, pk)
    if not request.user.has_perm("customers.change_customer", customer):
        raise PermissionDenied
    contact = get_object_or_404(Contact, pk=contact_pk, customer=customer) if contact_pk else None
    form = ContactForm(request.POST or None, instance=contact, initial={"version": getattr(contact, "version", 1)})
    if request.method == "POST" and request.POST.get("remove") and contact is not None:
        services.contact_remove(actor=request.user, contact=contact)
        messages.success(request, _("Contact removed."))
        return redirect("customers:detail", pk=customer.pk)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in CONTACT_FIELDS}
        try:
            if contact is None:
                services.contact_add(actor=request.user, customer=customer, data=data)
            else:
                services.contact_update(
                    actor=request.user, contact=contact, version=form.cleaned_data["version"] or 0, data=data
                )
        except DomainError as exc:
            _attach_error(form, exc)
        else:
            messages.success(request, _("Contact saved."))
            return redirect("customers:detail", pk=customer.pk)
    return render_page(
        request,
        "customers/contact_form.html",
        {"form": form, "customer": customer, "contact": contact, "nav": "customers"},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def change_requests(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", ChangeStatus.PENDING)
    status = status if status in ChangeStatus.values else ""
    changes = selectors.change_requests_for(request.user, status=status or None)
    if request.GET.get("format") == "xlsx":
        rows = (
            (
                c.pk,
                c.customer.number,
                c.customer.name,
                ", ".join(str(Customer._meta.get_field(f).verbose_name) for f in c.changes),
                c.reason,
                str(c.submitted_by),
                timezone.localtime(c.submitted_at).strftime("%Y-%m-%d %H:%M"),
                c.get_status_display(),
                str(c.reviewed_by or ""),
                c.get_verification_method_display(),
                c.review_note,
            )
            for c in changes.iterator(chunk_size=2000)
        )
        header = [
            "#",
            _("Customer number"),
            _("Customer"),
            _("Fields"),
            _("Reason"),
            _("Submitted by"),
            _("Submitted"),
            _("Status"),
            _("Decided by"),
            _("Identity verified by"),
            _("Review note"),
        ]
        content = xlsx_bytes(str(_("Change requests")), header, rows)
        return xlsx_response(f"change-requests-{timezone.localdate():%Y%m%d}.xlsx", content)
    page = paginate(request, changes)
    return render_page(
        request,
        "customers/change_requests.html",
        {
            "page": page,
            "status": status,
            "statuses": ChangeStatus.choices,
            "query": query_without_page(request),
            "nav": "changes",
        },
        fragment="results",
    )


@login_required
def change_request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    change = get_object_or_404(ChangeRequest.objects.select_related("customer", "submitted_by", "reviewed_by"), pk=pk)
    customer = _visible_customer(request, change.customer_id)
    form = ReviewForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("customers.review_change", customer):
            raise PermissionDenied
        if form.is_valid():
            try:
                if form.cleaned_data["decision"] == "approve":
                    services.change_request_approve(
                        actor=request.user,
                        request=change,
                        verification_method=form.cleaned_data["verification_method"],
                        note=form.cleaned_data["note"],
                    )
                    messages.success(request, _("Change verified and applied to the archive."))
                else:
                    services.change_request_reject(actor=request.user, request=change, note=form.cleaned_data["note"])
                    messages.success(request, _("Change request rejected."))
            except DomainError as exc:
                _attach_error(form, exc)
            else:
                return redirect("customers:change_request", pk=change.pk)
    rows = []
    for name, new in change.changes.items():
        field = Customer._meta.get_field(name)
        rows.append({"label": field.verbose_name, "current": _display(customer, name), "requested": new})
    return render_page(
        request,
        "customers/change_request.html",
        {
            "change": change,
            "customer": customer,
            "rows": rows,
            "form": form,
            "can_review": request.user.has_perm("customers.review_change", customer),
            "nav": "changes",
        },
        status=400 if form.errors else 200,
    )


def _display(customer: Customer, name: str) -> Any:
    getter = getattr(customer, f"get_{name}_display", None)
    return getter() if getter else getattr(customer, name)


@login_required
@permission_required("customers.import_customers", raise_exception=True)
def customer_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    error_rows: list[tuple[int, str, str]] = []
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            rows, parse_errors = parse_import(form.cleaned_data["file"])
        except DomainError as exc:
            _attach_error(form, exc)
            status = 400
        else:
            report = services.customers_import(
                actor=request.user,
                rows=rows,
                parse_errors=parse_errors,
                valid_only=form.cleaned_data["valid_only"],
            )
            status = 200 if report.created or report.ok else 400
            labels = {f.name: capfirst(f.verbose_name) for f in (*Contact._meta.fields, *Customer._meta.fields)}
            error_rows = [(row, labels.get(name, name), message) for row, name, message in report.errors]
    elif request.method == "POST":
        status = 400
    return render_page(
        request,
        "customers/import.html",
        {"form": form, "report": report, "error_rows": error_rows, "nav": "customers"},
        status=status,
    )


@login_required
@permission_required("customers.import_customers", raise_exception=True)
def import_template(request: HttpRequest) -> HttpResponse:
    return xlsx_response("customer-import-template.xlsx", template_workbook())


@login_required
@permission_required("customers.manage_grade_rules", raise_exception=True)
def grade_rules(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    rule = get_object_or_404(GradeRule, pk=pk) if pk else None
    form = GradeRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and request.POST.get("delete") and rule is not None:
        services.grade_rule_delete(actor=request.user, rule=rule)
        messages.success(request, _("Rule deleted; grades are being re-evaluated."))
        return redirect("customers:grade_rules")
    if request.method == "POST" and form.is_valid():
        try:
            services.grade_rule_save(
                actor=request.user,
                rule=rule,
                data={n: form.cleaned_data[n] for n in GradeRuleForm.Meta.fields},
            )
        except DomainError as exc:
            _attach_error(form, exc)
        else:
            messages.success(request, _("Rule saved; grades are being re-evaluated."))
            return redirect("customers:grade_rules")
    return render_page(
        request,
        "customers/grade_rules.html",
        {"rules": selectors.grade_rules(), "form": form, "rule": rule, "nav": "settings"},
        status=400 if form.errors else 200,
    )


@login_required
@permission_required("customers.view_access_log", raise_exception=True)
def access_log(request: HttpRequest) -> HttpResponse:
    entries = selectors.access_log_list()
    if request.GET.get("format") == "xlsx":
        rows = (
            (
                timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
                str(e.user),
                e.get_action_display(),
                e.customer.name if e.customer else "",
                e.detail,
                e.ip_address or "",
            )
            for e in entries.iterator(chunk_size=2000)
        )
        header = [_("When"), _("Who"), _("What"), _("Customer"), _("Detail"), _("IP address")]
        content = xlsx_bytes(str(_("Archive access log")), header, rows)
        return xlsx_response(f"archive-access-log-{timezone.localdate():%Y%m%d}.xlsx", content)
    page = paginate(request, entries, per_page=50)
    return render_page(
        request,
        "customers/access_log.html",
        {"page": page, "query": query_without_page(request), "nav": "settings"},
    )
