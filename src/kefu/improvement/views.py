"""Staff pages of the improvement loop: PDCA cycles, the analysis, the 改进表 and its printed form."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.core.documents import FormSheet, form_xlsx_response, pdf_response, wants
from kefu.core.exports import xlsx_bytes, xlsx_response
from kefu.core.services import DomainError
from kefu.core.ui import paginate, posted_version, query_without_page, refuse, render_page
from kefu.customers.choices import Ownership
from kefu.improvement import selectors, services
from kefu.improvement.choices import ApprovalStep, PlanStatus
from kefu.improvement.forms import (
    AnalysisForm,
    CompleteForm,
    CycleForm,
    ItemForm,
    PlanForm,
    ProgressForm,
    ProposeForm,
    RejectForm,
)
from kefu.improvement.models import Cycle, Plan, PlanItem

# The seed's own words on the printed form (it is a Chinese paper form in every language).
SIGNOFF_LABELS: dict[str, str] = {
    ApprovalStep.CS_MANAGER: "客户服务部经理",
    ApprovalStep.DEPT_MANAGER: "相关部门经理",
    ApprovalStep.GENERAL_MANAGER: "总经理",
}
VIEW = "improvement.view_cycles"
# Who signs (approve, reject) is decided per step by the services; the rest is the plan keeper's work.
MANAGING_ACTIONS = frozenset({"submit", "complete", "propose", "remove"})
MANAGE = "improvement.manage_cycles"


def _shown(value: Any) -> Any:
    return "" if value is None else value


# --- cycles ----------------------------------------------------------------------------------------------


@login_required
@permission_required(VIEW, raise_exception=True)
def cycle_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    customer_type = request.GET.get("customer_type", "")
    customer_type = customer_type if customer_type in Ownership.values else ""
    cycles = selectors.cycles_list(q=q, customer_type=customer_type)
    if wants(request, "xlsx"):
        header = [_("Number"), _("Name"), _("From"), _("To"), _("Customer type"), _("Improvement plan"), _("Status")]
        rows = (
            (
                c.number,
                c.name,
                c.start.isoformat(),
                c.end.isoformat(),
                c.get_customer_type_display() or _("All types"),
                c.plan.number if hasattr(c, "plan") else "",
                c.plan.get_status_display() if hasattr(c, "plan") else "",
            )
            for c in cycles
        )
        return xlsx_response("pdca-cycles.xlsx", xlsx_bytes(_("PDCA cycles"), header, rows))
    context = {
        "page": paginate(request, cycles),
        "query": query_without_page(request),
        "q": q,
        "customer_type": customer_type,
        "types": Ownership.choices,
        "form": _new_cycle_form(request),
        "presets": _presets(timezone.localdate()),
        "nav": "standards",
    }
    return render_page(request, "improvement/list.html", context, fragment="results")


def _presets(today: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """Last month, last quarter and last year: the whole periods a cycle usually analyses."""
    month_end = today.replace(day=1) - dt.timedelta(days=1)
    quarter_start = today.replace(month=3 * ((today.month - 1) // 3) + 1, day=1)
    quarter_end = quarter_start - dt.timedelta(days=1)
    return [
        (_("Last month"), month_end.replace(day=1), month_end),
        (_("Last quarter"), quarter_end.replace(day=1, month=quarter_end.month - 2), quarter_end),
        (_("Last year"), dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)),
    ]


def _new_cycle_form(request: HttpRequest) -> CycleForm:
    """The form to start a cycle, over last month or the period a preset link chose."""
    _label, start, end = _presets(timezone.localdate())[0]
    chosen = CycleForm(request.GET)
    if chosen.has_error("start") or chosen.has_error("end") or not request.GET.get("start"):
        chosen_start, chosen_end = start, end
    else:
        chosen_start, chosen_end = chosen.cleaned_data["start"], chosen.cleaned_data["end"]
    name = _("Service cycle %(period)s") % {"period": f"{chosen_start:%Y-%m-%d} – {chosen_end:%Y-%m-%d}"}
    return CycleForm(initial={"start": chosen_start, "end": chosen_end, "name": name})


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_POST
def cycle_new(request: HttpRequest) -> HttpResponse:
    form = CycleForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            cycle = services.cycle_create(actor=request.user, **form.cleaned_data)
            return redirect("improvement:cycle", cycle.pk)
        except DomainError as exc:
            status = refuse(request, exc, form)
    context = {
        "page": paginate(request, selectors.cycles_list()),
        "query": "",
        "types": Ownership.choices,
        "form": form,
        "nav": "standards",
    }
    return render_page(request, "improvement/list.html", context, status=status)


@login_required
@permission_required(VIEW, raise_exception=True)
def cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle.objects.select_related("created_by"), pk=pk)
    context = {
        "cycle": cycle,
        "steps": selectors.cycle_steps(user=request.user, cycle=cycle),
        "plan": getattr(cycle, "plan", None),
        "nav": "standards",
    }
    return render_page(request, "improvement/cycle.html", context)


# --- 客户服务分析 --------------------------------------------------------------------------------------


@login_required
@permission_required(VIEW, raise_exception=True)
def analysis(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle, pk=pk)
    data = selectors.analysis_data(user=request.user, cycle=cycle)
    saved = selectors.analysis_of(cycle)
    indicators = list({g.indicator.pk: g.indicator for g in data.missed}.values())
    if saved is not None:  # causes written for indicators that have since met their target stay editable
        shown = {i.pk for i in indicators}
        indicators += [c.indicator for c in saved.causes.all() if c.indicator_id not in shown]
    initial: dict[str, Any] = {"version": saved.version if saved else 0}
    if saved is not None:
        initial.update(departments=list(saved.departments.all()), summary=saved.summary)
        initial.update({f"cause_{c.indicator_id}": c.text for c in saved.causes.all()})
    form = AnalysisForm(initial=initial, indicators=indicators)
    status = 200
    if request.method == "POST":
        if not request.user.has_perm("improvement.edit_analysis"):
            raise PermissionDenied
        form = AnalysisForm(request.POST, indicators=indicators)
        if form.is_valid():
            try:
                services.analysis_save(
                    actor=request.user,
                    cycle=cycle,
                    version=form.cleaned_data["version"],
                    causes=form.causes(),
                    departments=form.cleaned_data["departments"],
                    summary=form.cleaned_data["summary"],
                )
                messages.success(request, _("The analysis is saved."))
                return redirect("improvement:analysis", pk)
            except DomainError as exc:
                status = refuse(request, exc, form)
        else:
            status = 400
    context = {
        "cycle": cycle,
        "data": data,
        "saved": saved,
        "form": form,
        "cause_fields": [form[f"cause_{i.pk}"] for i in indicators],
        "comments": data.comments[:50],
        "charts": {
            kind: {
                "labels": [r.label for r in rows],
                "counts": [r.count for r in rows],
                "cumulative": [float(r.cumulative) for r in rows],
            }
            for kind, rows in (("category", data.categories), ("cause", data.causes))
        },
        "nav": "standards",
    }
    return render_page(request, "improvement/analysis.html", context, status=status)


@login_required
@permission_required(VIEW, raise_exception=True)
def analysis_cases(request: HttpRequest, pk: int) -> HttpResponse:
    """The complaints behind a Pareto count (one category or one cause), or all of the period's."""
    cycle = get_object_or_404(Cycle, pk=pk)
    category = request.GET.get("category")
    cause = request.GET.get("cause")
    if category is not None and category and not (category.isdigit() and len(category) < 12):
        return HttpResponse(_("Unknown category."), status=400)
    cases = selectors.complaints_filtered(
        selectors.complaints(user=request.user, start=cycle.start, end=cycle.end, customer_type=cycle.customer_type),
        category=category,
        cause=cause[:2000] if cause is not None else None,
    ).select_related("customer", "category")
    if wants(request, "xlsx"):
        header = [_("Case number"), _("Title"), _("Customer"), _("Category"), _("Cause"), _("Received")]
        rows = (
            (
                c.number,
                c.title,
                c.customer.name if c.customer else "",
                str(c.category or ""),
                getattr(c, "cause_key", ""),
                timezone.localtime(c.received_at).strftime("%Y-%m-%d %H:%M"),
            )
            for c in cases
        )
        return xlsx_response("improvement-cases.xlsx", xlsx_bytes(_("Cases"), header, rows))
    context = {
        "cycle": cycle,
        "page": paginate(request, cases),
        "query": query_without_page(request),
        "nav": "standards",
    }
    return render_page(request, "improvement/cases.html", context, fragment="results")


# --- 客户服务改进表 ------------------------------------------------------------------------------------


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_POST
def plan_new(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle, pk=pk)
    try:
        plan = services.plan_create(actor=request.user, cycle=cycle)
    except DomainError as exc:
        refuse(request, exc)
        return redirect("improvement:cycle", pk)
    return redirect("improvement:plan", plan.pk)


def _plan(pk: int) -> Plan:
    plan = selectors.plan_with_items(pk)
    if plan is None:
        raise Http404
    return plan


def _item_initial(plan: Plan, item: PlanItem | None) -> dict[str, Any]:
    initial: dict[str, Any] = {"version": plan.version}
    if item is None:
        today = timezone.localdate()
        initial.update(starts_on=today, ends_on=today + dt.timedelta(days=60))
    else:
        initial.update(
            indicator=item.indicator_id,
            target=item.target,
            actions=item.actions,
            owner=item.owner_id,
            starts_on=item.starts_on,
            ends_on=item.ends_on,
        )
    return initial


def _plan_context(request: HttpRequest, plan: Plan, **forms: Any) -> dict[str, Any]:
    today = timezone.localdate()
    # The period after: as long as the analysed one, from the day after the last item ends (up to today).
    cycle = plan.cycle
    last_end = max((i.ends_on for i in plan.items.all()), default=cycle.end)
    after_start = min(max(last_end, cycle.end) + dt.timedelta(days=1), today)
    after_end = min(after_start + (cycle.end - cycle.start), today)
    defaults = {
        "plan_form": PlanForm(
            initial={"departments": list(plan.departments.all()), "note": plan.note, "version": plan.version}
        ),
        "item_form": ItemForm(initial=_item_initial(plan, None)),
        "reject_form": RejectForm(initial={"version": plan.version}),
        "progress_form": ProgressForm(initial={"on": today, "status": "in_progress"}),
        "complete_form": CompleteForm(
            initial={"after_start": after_start, "after_end": after_end, "version": plan.version}
        ),
        "propose_form": ProposeForm(
            items=list(plan.items.all()),
            initial={
                "version": plan.version,
                "effective_from": today + dt.timedelta(days=1),
                **{f"target_{i.pk}": i.target for i in plan.items.all()},
            },
        ),
    }
    defaults.update(forms)
    step = services.STEP_OF_STATUS.get(PlanStatus(plan.status))
    role = getattr(request.user, "role", None)
    return {
        "plan": plan,
        "cycle": plan.cycle,
        "signoff": selectors.signoff(plan),
        "steps": ApprovalStep.choices,
        "waiting_for": step.label if step else "",
        # the sign and reject buttons show to the role whose turn it is; the services decide the rest
        "can_sign": step is not None and services.STEP_OF_ROLE.get(role) == step,
        "percent": selectors.plan_percent(plan),
        "can_manage": request.user.has_perm(MANAGE),
        "can_progress": request.user.has_perm("improvement.record_progress"),
        "nav": "standards",
        **defaults,
    }


@login_required
@permission_required(VIEW, raise_exception=True)
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(pk)
    forms: dict[str, Any] = {}
    editing = None
    if request.GET.get("item", "").isdigit() and plan.is_draft:
        editing = get_object_or_404(PlanItem, pk=int(request.GET["item"]), plan=plan)
        forms["item_form"] = ItemForm(initial=_item_initial(plan, editing))
    status = 200
    if request.method == "POST":
        if not request.user.has_perm(MANAGE):
            raise PermissionDenied
        form: Any
        if request.POST.get("form") == "header":
            form = PlanForm(request.POST)
            forms["plan_form"] = form
            if form.is_valid():
                try:
                    services.plan_update(actor=request.user, plan=plan, **form.cleaned_data)
                    return redirect("improvement:plan", pk)
                except DomainError as exc:
                    status = refuse(request, exc, form)
            else:
                status = 400
        else:
            form = ItemForm(request.POST)
            forms["item_form"] = form
            if form.is_valid():
                item = editing
                if request.POST.get("item", "").isdigit():
                    item = get_object_or_404(PlanItem, pk=int(request.POST["item"]), plan=plan)
                try:
                    services.plan_item_save(actor=request.user, plan=plan, item=item, **form.cleaned_data)
                    return redirect("improvement:plan", pk)
                except DomainError as exc:
                    status = refuse(request, exc, form)
            else:
                status = 400
        plan = _plan(pk)
    context = _plan_context(request, plan, editing=editing, **forms)
    return render_page(request, "improvement/plan.html", context, status=status)


@login_required
@permission_required(VIEW, raise_exception=True)
@require_POST
def plan_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action in MANAGING_ACTIONS and not request.user.has_perm(MANAGE):
        raise PermissionDenied
    plan = _plan(pk)
    version = posted_version(request)
    forms: dict[str, Any] = {}
    form: Any
    try:
        if action == "submit":
            services.plan_submit(actor=request.user, plan=plan, version=version)
            messages.success(request, _("The plan is sent for approval."))
        elif action == "approve":
            services.plan_approve(actor=request.user, plan=plan, version=version)
            messages.success(request, _("You signed the plan."))
        elif action == "reject":
            form = RejectForm(request.POST)
            forms["reject_form"] = form
            if not form.is_valid():
                raise DomainError(_("Say why the plan is rejected."), field="reason")
            services.plan_reject(actor=request.user, plan=plan, version=version, reason=form.cleaned_data["reason"])
            messages.success(request, _("The plan is back to draft."))
        elif action == "complete":
            form = CompleteForm(request.POST)
            forms["complete_form"] = form
            if not form.is_valid():
                raise DomainError(_("Give the period after the improvement."), field="after_start")
            services.plan_complete(
                actor=request.user,
                plan=plan,
                version=version,
                after_start=form.cleaned_data["after_start"],
                after_end=form.cleaned_data["after_end"],
            )
            messages.success(request, _("The plan is completed; the values after are measured."))
        elif action == "propose":
            form = ProposeForm(request.POST, items=list(plan.items.all()))
            forms["propose_form"] = form
            if not form.is_valid():
                raise DomainError(_("Check the new targets and the date."), field="effective_from")
            standard = services.plan_propose_standard(
                actor=request.user,
                plan=plan,
                version=version,
                targets=form.targets(),
                effective_from=form.cleaned_data["effective_from"],
            )
            messages.success(request, _("Draft %(number)s is ready for approval.") % {"number": standard.number})
            return redirect("standards:detail", standard.pk)
        elif action == "remove":
            item = get_object_or_404(PlanItem, pk=request.POST.get("item", "0") or 0, plan=plan)
            services.plan_item_remove(actor=request.user, item=item, version=version)
        else:
            raise Http404
    except DomainError as exc:
        status = refuse(request, exc, next(iter(forms.values()), None))
        context = _plan_context(request, _plan(pk), **forms)
        return render_page(request, "improvement/plan.html", context, status=status)
    return redirect("improvement:plan", pk)


@login_required
@permission_required(VIEW, raise_exception=True)
@require_POST
def progress(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    item = get_object_or_404(PlanItem.objects.select_related("plan", "indicator"), pk=item_pk, plan_id=pk)
    form = ProgressForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.progress_record(actor=request.user, item=item, **form.cleaned_data)
            return redirect("improvement:plan", pk)
        except DomainError as exc:
            status = refuse(request, exc, form)
    context = _plan_context(request, _plan(pk), progress_form=form, progress_item=item.pk)
    return render_page(request, "improvement/plan.html", context, status=status)


@login_required
@permission_required(VIEW, raise_exception=True)
def plan_print(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(pk)
    signoff = selectors.signoff(plan)
    context = {"plan": plan, "cycle": plan.cycle, "signoff": signoff}
    if wants(request, "pdf"):
        return pdf_response(request, "improvement/print.html", context, f"improvement-{plan.number}.pdf")
    if wants(request, "xlsx"):
        return form_xlsx_response(_plan_sheet(plan, signoff), f"improvement-{plan.number}.xlsx")
    return render_page(request, "improvement/print.html", context)


def _names(approvals: list[Any]) -> str:
    return "、".join(str(a.by) for a in approvals)


def _plan_sheet(plan: Plan, signoff: list[tuple[str, str, list[Any]]]) -> FormSheet:
    rows = [
        [
            index,
            item.indicator.name,
            _shown(item.value_before),
            _shown(item.value_after),
            _shown(item.target),
            item.actions,
            str(item.owner),
            f"{item.starts_on:%Y-%m-%d} — {item.ends_on:%Y-%m-%d}",
        ]
        for index, item in enumerate(plan.items.all(), start=1)
    ]
    return FormSheet(
        title="客户服务改进表",
        number=plan.number,
        date=f"{timezone.localtime(plan.created_at):%Y-%m-%d}",
        header=[
            "序号",
            "服务改进项目",
            "改进前服务指标",
            "改进后服务指标",
            "目标",
            "改进措施",
            "负责人",
            "实施起止日期",
        ],
        rows=rows,
        notes=[("备注", plan.note)] if plan.note else [],
        signoff=[
            *((SIGNOFF_LABELS[step], _names(signed)) for step, _label, signed in signoff),
            ("填写人", str(plan.filled_by)),
        ],
    )
