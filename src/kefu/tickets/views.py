"""Staff pages of cases: queues, intake, the case page and one POST endpoint per loop step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST

from kefu.core.exports import xlsx_bytes, xlsx_response
from kefu.core.presentation import describe
from kefu.core.services import DomainError
from kefu.core.ui import paginate_then_join, query_without_page, refuse, render_page, stored_file_response
from kefu.tickets import selectors, services
from kefu.tickets.choices import CaseChannel, CaseKind, CaseStatus, Severity
from kefu.tickets.forms import (
    AcceptForm,
    AssignForm,
    CaseIntakeForm,
    CategoryForm,
    CloseForm,
    ConfirmForm,
    EvidenceForm,
    FollowUpForm,
    ImplementForm,
    InvestigateForm,
    JudgeForm,
    PriorityForm,
    ReasonForm,
    SlaTargetForm,
    SolutionForm,
    WaitForm,
    assignable_staff,
)
from kefu.tickets.models import ApprovalThreshold, Case, Category, SlaPolicy, SlaTarget, Solution


@dataclass(frozen=True)
class Step:
    """One action of the case page: its label, form, permission and the service call."""

    label: Any
    form: type[forms.Form]
    perm: str
    run: Callable[[Any, Case, dict[str, Any]], Any]


STEPS: dict[str, Step] = {
    "judge": Step(
        gettext_lazy("Judge"),
        JudgeForm,
        "tickets.judge_case",
        lambda a, c, d: services.case_judge(actor=a, case=c, **d),
    ),
    "object": Step(
        gettext_lazy("Customer objects"),
        ReasonForm,
        "tickets.record_customer",
        lambda a, c, d: services.case_object(actor=a, case=c, reason=d["reason"]),
    ),
    "accept": Step(
        gettext_lazy("Accept for the department"),
        AcceptForm,
        "tickets.accept_case",
        lambda a, c, d: services.case_accept(actor=a, case=c, assignee=d["assignee"]),
    ),
    "bounce": Step(
        gettext_lazy("Send back"),
        ReasonForm,
        "tickets.accept_case",
        lambda a, c, d: services.case_bounce(actor=a, case=c, reason=d["reason"]),
    ),
    "investigate": Step(
        gettext_lazy("Record the investigation"),
        InvestigateForm,
        "tickets.work_case",
        lambda a, c, d: services.case_investigate(actor=a, case=c, data=d),
    ),
    "propose": Step(
        gettext_lazy("Propose a solution"),
        SolutionForm,
        "tickets.work_case",
        lambda a, c, d: services.solution_propose(actor=a, case=c, **d),
    ),
    "implement": Step(
        gettext_lazy("Solution carried out"),
        ImplementForm,
        "tickets.work_case",
        lambda a, c, d: services.case_implement(actor=a, case=c, **d),
    ),
    "confirm": Step(
        gettext_lazy("Customer's confirmation"),
        ConfirmForm,
        "tickets.record_customer",
        lambda a, c, d: services.case_confirm(actor=a, case=c, **d),
    ),
    "follow_up": Step(
        gettext_lazy("Follow-up call"),
        FollowUpForm,
        "tickets.record_customer",
        lambda a, c, d: services.case_follow_up(actor=a, case=c, **d),
    ),
    "close": Step(
        gettext_lazy("Close with a summary"),
        CloseForm,
        "tickets.close_case",
        lambda a, c, d: services.case_close(actor=a, case=c, **d),
    ),
    "appeal": Step(
        gettext_lazy("Customer appeals"),
        ReasonForm,
        "tickets.record_customer",
        lambda a, c, d: services.case_appeal(actor=a, case=c, reason=d["reason"]),
    ),
    "wait": Step(
        gettext_lazy("Waiting for the customer"),
        WaitForm,
        "tickets.work_case",
        lambda a, c, d: services.case_wait_for_customer(actor=a, case=c, **d),
    ),
    "priority": Step(
        gettext_lazy("Change the priority"),
        PriorityForm,
        "tickets.judge_case",
        lambda a, c, d: services.case_set_priority(actor=a, case=c, **d),
    ),
    "assign": Step(
        gettext_lazy("Assign"),
        AssignForm,
        "tickets.judge_case",
        lambda a, c, d: services.case_assign(actor=a, case=c, assignee=d["assignee"]),
    ),
}

STEPS_BY_STATUS: dict[str, tuple[str, ...]] = {
    CaseStatus.RECEIVED: ("judge",),
    CaseStatus.INVALID: ("object",),
    CaseStatus.ASSIGNED: ("accept", "bounce"),
    CaseStatus.INVESTIGATING: ("investigate", "propose"),
    CaseStatus.AWAITING_APPROVAL: ("propose",),
    CaseStatus.IMPLEMENTING: ("implement",),
    CaseStatus.AWAITING_CONFIRMATION: ("confirm",),
    CaseStatus.RESOLVED: ("follow_up", "appeal"),
    CaseStatus.FOLLOWED_UP: ("close", "appeal"),
    CaseStatus.CLOSED: ("appeal",),
}
OPEN_CASE_STEPS = ("wait", "assign", "priority")
SECONDARY_STEPS = frozenset(OPEN_CASE_STEPS)
STATUS_BY_CODE = {"conflict": 409, "forbidden": 403}


def _visible_case(request: HttpRequest, pk: int) -> Case:
    case = selectors.case_get(user=request.user, pk=pk)
    if case is None:
        raise Http404(_("No such case, or it is outside what you may see."))
    return case


def steps_allowed(user: Any, case: Case) -> list[str]:
    names = list(STEPS_BY_STATUS.get(case.status, ()))
    if case.is_open:
        names += OPEN_CASE_STEPS
    return [n for n in names if user.has_perm(STEPS[n].perm, case)]


@login_required
def case_queue(request: HttpRequest) -> HttpResponse:
    queue = request.GET.get("queue", "open")
    queue = queue if queue in selectors.QUEUES else "open"
    filters = {name: request.GET.get(name, "") for name in ("kind", "status", "severity", "channel")}
    cases, counted = selectors.case_queue_counted(
        user=request.user, queue=queue, q=request.GET.get("q", "").strip()[:100], **filters
    )
    page = paginate_then_join(request, cases, counted=counted)
    context = {
        "page": page,
        "queue": queue,
        "queues": [
            ("mine", _("Mine")),
            ("department", _("My department")),
            ("unassigned", _("Unassigned")),
            ("breaching", _("Breaching soon")),
            ("approval", _("Waiting for approval")),
            ("waiting", _("Waiting for the customer")),
            ("open", _("All open")),
            ("all", _("All")),
        ],
        "filters": filters,
        "kinds": CaseKind.choices,
        "statuses": CaseStatus.choices,
        "severities": Severity.choices,
        "channels": CaseChannel.choices,
        "query": query_without_page(request),
        "now": timezone.now(),
        # The bulk-assign choices as a plain list: a form widget renders each option through a template.
        "assignees": list(assignable_staff()) if request.user.has_perm("tickets.add_case") else None,
        "nav": "cases",
    }
    return render_page(request, "tickets/queue.html", context, fragment="results")


@login_required
@permission_required("tickets.add_case", raise_exception=True)
def case_create(request: HttpRequest) -> HttpResponse:
    initial = {"customer_number": request.GET.get("customer", ""), **request.GET.dict()}
    form = CaseIntakeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if not k.startswith("extra_")}
        data["customer"] = data.pop("customer_number")
        data["extra"] = form.extra_values()
        try:
            case = services.case_receive(actor=request.user, data=data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Case %(number)s received.") % {"number": case.number})
            return redirect("tickets:detail", pk=case.pk)
    return render_page(
        request, "tickets/intake.html", {"form": form, "nav": "cases"}, status=400 if request.method == "POST" else 200
    )


def _clock_rows(case: Case) -> list[dict[str, Any]]:
    now = timezone.now()
    rows = []
    for clock in sorted(case.clocks.all(), key=lambda c: c.due_at):
        rows.append({"clock": clock, "state": selectors.clock_state(clock, now), "left": clock.due_at - now})
    return rows


@login_required
def case_detail(
    request: HttpRequest,
    pk: int,
    forms_with_errors: dict[str, forms.Form] | None = None,
    status: int = 200,
    evidence_form: EvidenceForm | None = None,
) -> HttpResponse:
    case = _visible_case(request, pk)
    may_work = request.user.has_perm("tickets.work_case", case)
    allowed = steps_allowed(request.user, case)
    step_forms = {name: (forms_with_errors or {}).get(name) or STEPS[name].form() for name in allowed}
    proposals = [s for s in case.solutions.all() if s.status == "proposed"]
    context = {
        "case": case,
        "clocks": _clock_rows(case),
        "timeline": [describe(e) for e in selectors.case_timeline(case)],
        "previous": selectors.previous_cases(case),
        "steps": [(name, STEPS[name].label, step_forms[name]) for name in allowed if name not in SECONDARY_STEPS],
        "more_steps": [(name, STEPS[name].label, step_forms[name]) for name in allowed if name in SECONDARY_STEPS],
        "open_more": bool(forms_with_errors and set(forms_with_errors) & SECONDARY_STEPS),
        "proposals": proposals,
        "conversation": case.messages.all(),
        "attachments": case.attachments.select_related("uploaded_by"),
        "evidence_form": (evidence_form or EvidenceForm()) if may_work else None,
        "shipments": selectors.shipments_of_case(user=request.user, case=case),
        "can_approve": case.status == CaseStatus.AWAITING_APPROVAL
        and request.user.has_perm("tickets.approve_solution", case),
        "nav": "cases",
    }
    return render_page(request, "tickets/detail.html", context, status=status)


@login_required
def case_attachment(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """One piece of evidence, to whoever may see the case."""
    attachment = get_object_or_404(_visible_case(request, pk).attachments, pk=attachment_pk)
    return stored_file_response(attachment.file, filename=attachment.name, content_type=attachment.content_type)


@login_required
@require_POST
def case_attach(request: HttpRequest, pk: int) -> HttpResponse:
    case = _visible_case(request, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        return case_detail(request, pk, status=400, evidence_form=form)
    try:
        added = services.attachments_add(actor=request.user, case=case, uploads=form.cleaned_data["file"])
    except DomainError as exc:
        return case_detail(request, pk, status=refuse(request, exc, form), evidence_form=form)
    messages.success(request, _("%(count)s file(s) attached.") % {"count": len(added)})
    return redirect("tickets:detail", pk=pk)


@login_required
@require_POST
def case_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Run one loop step from the case page; errors are shown on the page with a 4xx."""
    case = _visible_case(request, pk)
    if step not in STEPS:
        raise Http404
    if not request.user.has_perm(STEPS[step].perm, case):
        raise PermissionDenied
    form = STEPS[step].form(request.POST)
    if form.is_valid():
        try:
            STEPS[step].run(request.user, case, dict(form.cleaned_data))
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return case_detail(request, pk, {step: form}, status=STATUS_BY_CODE.get(exc.code, 400))
        messages.success(request, _("Saved: %(step)s.") % {"step": STEPS[step].label})
        return redirect("tickets:detail", pk=pk)
    return case_detail(request, pk, {step: form}, status=400)


@login_required
@require_POST
def solution_approve(request: HttpRequest, pk: int, solution_pk: int) -> HttpResponse:
    case = _visible_case(request, pk)
    solution = get_object_or_404(Solution, pk=solution_pk, case=case)
    try:
        services.solution_approve(actor=request.user, solution=solution)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("tickets:detail", pk=pk)
    messages.success(request, _("Solution approved."))
    return redirect("tickets:detail", pk=pk)


def _period(request: HttpRequest) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    try:
        start = dt.date.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        start = today.replace(day=1)
    try:
        end = dt.date.fromisoformat(request.GET.get("end", ""))
    except ValueError:
        end = today
    return start, max(start, end)


def _label_for(by: str) -> Callable[[Any], str]:
    choices = {"channel": dict(CaseChannel.choices), "severity": dict(Severity.choices), "kind": dict(CaseKind.choices)}
    table = choices.get(by, {})
    return lambda key: str(table.get(key, key)) if key not in (None, "") else _("(none)")


@login_required
def case_reports(request: HttpRequest) -> HttpResponse:
    """异常情况汇总表 and 客户投诉信息表 for a period, on the page or as Excel."""
    start, end = _period(request)
    by = request.GET.get("by", "category")
    by = by if by in selectors.SUMMARY_DIMENSIONS else "category"
    label = _label_for(by)
    rows = selectors.case_summary(user=request.user, start=start, end=end, by=by)
    for row in rows:
        row["label"] = label(row["key"])
    if request.GET.get("format") == "xlsx":
        header = [
            _("Group"),
            _("Cases"),
            pgettext("case status", "Closed"),
            _("Not valid"),
            _("Resolved"),
            _("Average handling (hours)"),
            _("Time limits met (%)"),
        ]
        content = xlsx_bytes(
            str(_("Exception summary")),
            header,
            (
                [
                    r["label"],
                    r["total"],
                    r["closed"],
                    r["invalid"],
                    r["resolved"],
                    r["avg_handling_hours"],
                    r["sla_met_pct"],
                ]
                for r in rows
            ),
        )
        return xlsx_response(f"case-summary-{start:%Y%m%d}-{end:%Y%m%d}.xlsx", content)
    if request.GET.get("format") == "register":
        header = [
            _("Case number"),
            pgettext("date", "Received"),
            _("Customer"),
            _("Category"),
            _("Severity"),
            pgettext("case", "Title"),
            _("Responsible department"),
            _("Status"),
            _("Cause"),
            _("Satisfaction"),
        ]
        register = selectors.complaint_register(user=request.user, start=start, end=end)
        content = xlsx_bytes(
            str(_("Customer complaint register")),
            header,
            (
                [
                    c.number,
                    timezone.localtime(c.received_at).strftime("%Y-%m-%d %H:%M"),
                    c.customer.name if c.customer else c.caller_name,
                    str(c.category or ""),
                    c.get_severity_display(),
                    c.title,
                    str(c.department or ""),
                    c.get_status_display(),
                    c.cause,
                    c.get_satisfaction_display(),
                ]
                for c in register.iterator(chunk_size=2000)
            ),
        )
        return xlsx_response(f"complaint-register-{start:%Y%m%d}-{end:%Y%m%d}.xlsx", content)
    context = {
        "rows": rows,
        "start": start,
        "end": end,
        "by": by,
        "dimensions": [
            ("category", _("Category")),
            ("department", _("Department")),
            ("channel", _("Channel")),
            ("severity", _("Severity")),
            ("kind", _("Type")),
        ],
        "total": sum(r["total"] for r in rows),
        "nav": "cases",
    }
    return render_page(request, "tickets/reports.html", context)


@login_required
@require_POST
def bulk_assign(request: HttpRequest) -> HttpResponse:
    """Assign the ticked cases of a queue to one person; each case is checked on its own."""
    form = AssignForm(request.POST)
    ids = [int(i) for i in request.POST.getlist("case") if i.isdigit()][:200]
    if not form.is_valid() or not ids:
        messages.error(request, _("Tick at least one case and choose the assignee."))
        return redirect(request.POST.get("next") or "tickets:queue")
    done, refused = 0, 0
    for case in selectors.cases_visible(request.user).filter(pk__in=ids):
        try:
            services.case_assign(actor=request.user, case=case, assignee=form.cleaned_data["assignee"])
            done += 1
        except DomainError:
            refused += 1
    messages.success(request, _("%(done)s case(s) assigned, %(refused)s refused.") % {"done": done, "refused": refused})
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    return redirect(next_url or "tickets:queue")


@login_required
@permission_required("tickets.manage_sla", raise_exception=True)
def case_settings(request: HttpRequest) -> HttpResponse:
    """Categories, SLA policies with their time limits, approval thresholds: records managers edit."""
    category = get_object_or_404(Category, pk=request.GET["category"]) if request.GET.get("category") else None
    category_form = CategoryForm(
        request.POST if request.POST.get("form") == "category" else None,
        initial=_initial(category, CategoryForm) if category else None,
    )
    target_form = SlaTargetForm(request.POST if request.POST.get("form") == "target" else None)
    if request.method == "POST":
        try:
            if request.POST.get("form") == "category" and category_form.is_valid():
                services.category_save(actor=request.user, category=category, data=category_form.cleaned_data)
                messages.success(request, _("Category saved."))
                return redirect("tickets:settings")
            if request.POST.get("form") == "target" and target_form.is_valid():
                policy = get_object_or_404(SlaPolicy, pk=request.POST.get("policy"))
                services.sla_target_save(actor=request.user, policy=policy, data=target_form.cleaned_data)
                messages.success(request, _("Time limit saved."))
                return redirect("tickets:settings")
            if request.POST.get("form") == "delete_target":
                target = get_object_or_404(SlaTarget, pk=request.POST.get("target"))
                services.sla_target_delete(actor=request.user, target=target)
                messages.success(request, _("Time limit removed."))
                return redirect("tickets:settings")
        except DomainError as exc:
            form = category_form if request.POST.get("form") == "category" else target_form
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    context = {
        "categories": Category.objects.select_related("parent", "default_department"),
        "policies": SlaPolicy.objects.prefetch_related("targets").select_related("calendar", "category"),
        "thresholds": ApprovalThreshold.objects.all(),
        "category": category,
        "category_form": category_form,
        "target_form": target_form,
        "nav": "settings",
    }
    return render_page(request, "tickets/settings.html", context, status=400 if request.method == "POST" else 200)


def _initial(instance: Any, form_class: type[forms.Form]) -> dict[str, Any]:
    return {name: getattr(instance, name) for name in form_class.base_fields}
