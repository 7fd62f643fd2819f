"""Staff pages of follow-up visits: queues, the visit page, the coverage report, settings, care SMS."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.accounts.models import Team
from kefu.core.exports import xlsx_bytes, xlsx_response
from kefu.core.presentation import describe
from kefu.core.services import DomainError
from kefu.core.ui import paginate, query_without_page, render_page
from kefu.customers.choices import Grade
from kefu.visits import selectors, services
from kefu.visits.choices import UNHAPPY_OUTCOMES, Method, Outcome, TaskStatus
from kefu.visits.forms import CampaignForm, OutcomeForm, PeriodForm, PolicyForm, RuleForm, ScriptForm
from kefu.visits.models import CareCampaign, VisitRule, VisitScript, VisitTask

STATUS_BY_CODE = {"conflict": 409, "forbidden": 403}
EXPORT_LIMIT = 50_000


def _attach_error(form: forms.Form, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _visible(request: HttpRequest, pk: int) -> VisitTask:
    task = selectors.visit_get(user=request.user, pk=pk)
    if task is None:
        raise Http404(_("No such visit, or it is outside what you may see."))
    return task


def _queues() -> list[tuple[str, str]]:
    return [
        ("today", _("Due today")),
        ("overdue", _("Overdue")),
        ("mine", _("Mine")),
        ("team", _("My team's queue")),
        ("open", _("All open")),
        ("done", _("Recorded")),
        ("all", _("All")),
    ]


def _local(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


@login_required
@permission_required("visits.view_visits", raise_exception=True)
def visit_list(request: HttpRequest) -> HttpResponse:
    queue = request.GET.get("queue", "today")
    queue = queue if queue in selectors.QUEUES else "today"
    names = ("method", "status", "outcome", "grade", "rule_id", "team_id")
    filters = {name: request.GET.get(name, "") for name in names}
    for name in ("rule_id", "team_id"):
        if filters[name] and not (filters[name].isdigit() and len(filters[name]) < 12):
            filters[name] = ""
    tasks = selectors.visit_queue(user=request.user, queue=queue, q=request.GET.get("q", "").strip()[:100], **filters)
    if request.GET.get("format") == "xlsx":
        header = [
            _("Due"),
            _("Customer"),
            _("Grade"),
            _("Rule"),
            _("Method"),
            _("Assignee"),
            _("Team"),
            _("Status"),
            _("Outcome"),
            _("Customer's evaluation"),
            _("What to improve"),
            _("Completed"),
        ]
        rows = (
            (
                _local(t.due_at),
                t.customer.name,
                t.grade,
                t.rule.name,
                t.get_method_display(),
                str(t.assignee or ""),
                str(t.team or ""),
                t.get_status_display(),
                t.get_outcome_display(),
                t.evaluation,
                t.improvement,
                _local(t.completed_at),
            )
            for t in tasks[:EXPORT_LIMIT]
        )
        return xlsx_response(f"visits-{timezone.localdate():%Y%m%d}.xlsx", xlsx_bytes(_("Visits"), header, rows))
    context = {
        "page": paginate(request, tasks),
        "queue": queue,
        "queues": _queues(),
        "filters": filters,
        "methods": Method.choices,
        "statuses": TaskStatus.choices,
        "outcomes": Outcome.choices,
        "grades": Grade.choices,
        "rules": VisitRule.objects.order_by("position", "id"),
        "teams": Team.objects.select_related("department").order_by("department__code", "name"),
        "query": query_without_page(request),
        "now": timezone.now(),
        "nav": "visits",
    }
    return render_page(request, "visits/list.html", context, fragment="results")


@login_required
def visit_detail(request: HttpRequest, pk: int, form: OutcomeForm | None = None, status: int = 200) -> HttpResponse:
    task = _visible(request, pk)
    script = ""
    if task.rule.script is not None:
        script = services.render_script(
            task.rule.script.body, services.script_values(task, task.assignee or request.user)
        )
    can_record = request.user.has_perm("visits.record_visit", task)
    context = {
        "task": task,
        "script": script,
        "form": form or OutcomeForm(initial={"version": task.version}),
        "can_record": can_record and task.is_open,
        "can_open_case": can_record
        and task.status == TaskStatus.DONE
        and not task.case_id
        and request.user.has_perm("tickets.add_case"),
        "unhappy": task.outcome in UNHAPPY_OUTCOMES,
        "can_take": can_record and task.is_open and task.assignee_id != request.user.pk,
        "timeline": [describe(e) for e in selectors.visit_timeline(task)],
        "history": selectors.visits_of_customer(task.customer, exclude=task.pk),
        "nav": "visits",
    }
    return render_page(request, "visits/detail.html", context, status=status)


@login_required
@require_POST
def visit_record(request: HttpRequest, pk: int) -> HttpResponse:
    task = _visible(request, pk)
    if not request.user.has_perm("visits.record_visit", task):
        raise PermissionDenied
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        return visit_detail(request, pk, form, status=400)
    data = dict(form.cleaned_data)
    try:
        task = services.visit_record_outcome(actor=request.user, task=task, **data)
    except DomainError as exc:
        _attach_error(form, exc)
        return visit_detail(request, pk, form, status=STATUS_BY_CODE.get(exc.code, 400))
    if task.status == TaskStatus.OPEN:
        messages.info(request, _("Not reached: try again at %(due)s.") % {"due": _local(task.due_at)})
    else:
        messages.success(request, _("Visit recorded."))
    return redirect("visits:detail", pk=pk)


@login_required
@require_POST
def visit_case(request: HttpRequest, pk: int) -> HttpResponse:
    """One click: a suggestion or complaint pre-filled from the visit."""
    task = _visible(request, pk)
    try:
        case = services.visit_open_case(actor=request.user, task=task, kind=request.POST.get("kind", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("visits:detail", pk=pk)
    messages.success(request, _("Case %(number)s opened from the visit.") % {"number": case.number})
    return redirect("tickets:detail", pk=case.pk)


@login_required
@require_POST
def visit_take(request: HttpRequest, pk: int) -> HttpResponse:
    task = _visible(request, pk)
    try:
        services.visit_assign(actor=request.user, task=task, assignee=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The visit is yours."))
    return redirect("visits:detail", pk=pk)


def _period(request: HttpRequest) -> tuple[PeriodForm, dt.date, dt.date]:
    today = timezone.localdate()
    form = PeriodForm(request.GET or None)
    start, end = today.replace(day=1), today
    if form.is_valid():
        start = form.cleaned_data["start"] or start
        end = form.cleaned_data["end"] or end
    if end < start:
        start, end = end, start
    return form, start, end


@login_required
@permission_required("visits.view_reports", raise_exception=True)
def visit_report(request: HttpRequest) -> HttpResponse:
    """回访报告: planned vs done per grade, key-customer coverage, reach rate, satisfaction mix; Monday summary."""
    form, start, end = _period(request)
    coverage = selectors.visit_coverage(start=start, end=end)
    if request.GET.get("format") == "xlsx":
        header = [_("Grade"), _("Planned"), _("Done"), _("Open"), _("Not reached"), _("Done %")]
        rows: list[list[Any]] = [
            [g.grade or "—", g.planned, g.done, g.open, g.unreachable, g.done_pct] for g in coverage.grades
        ]
        rows += [
            [],
            [
                _("Key customers"),
                coverage.key_customers,
                coverage.key_customers_visited,
                "",
                "",
                coverage.key_coverage_pct,
            ],
            [_("Reach rate %"), coverage.attempted, coverage.reached, "", "", coverage.reach_rate_pct],
            [],
            *[
                [str(label), coverage.outcomes.get(code, 0), coverage.outcome_pct(code)]
                for code, label in Outcome.choices
            ],
        ]
        return xlsx_response(
            f"visit-report-{start:%Y%m%d}-{end:%Y%m%d}.xlsx", xlsx_bytes(_("Visit report"), header, rows)
        )
    outcomes = [
        (code, label, coverage.outcomes.get(code, 0), coverage.outcome_pct(code)) for code, label in Outcome.choices
    ]
    context = {
        "form": form,
        "start": start,
        "end": end,
        "coverage": coverage,
        "outcomes": outcomes,
        "weekly": selectors.weekly_summary(),
        "nav": "visits",
    }
    return render_page(request, "visits/report.html", context)


@login_required
@permission_required("visits.manage_rules", raise_exception=True)
def visit_settings(request: HttpRequest) -> HttpResponse:
    policy = services.policy()
    form = PolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        data = {n: form.cleaned_data[n] for n in PolicyForm.Meta.fields}
        try:
            services.visit_policy_save(actor=request.user, data=data, version=form.cleaned_data.get("version"))
        except DomainError as exc:
            _attach_error(form, exc)
        else:
            messages.success(request, _("Visit settings saved."))
            return redirect("visits:settings")
    context = {
        "form": form,
        "rules": selectors.rules_all(),
        "scripts": selectors.scripts_all(),
        "nav": "settings",
    }
    return render_page(request, "visits/settings.html", context, status=400 if form.errors else 200)


@login_required
@permission_required("visits.manage_rules", raise_exception=True)
def rule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    rule = get_object_or_404(VisitRule, pk=pk) if pk else None
    form = RuleForm(request.POST or None, instance=VisitRule.objects.get(pk=pk) if pk else None)
    if request.method == "POST" and form.is_valid():
        data = {n: form.cleaned_data[n] for n in RuleForm.Meta.fields}
        try:
            services.visit_rule_save(actor=request.user, rule=rule, data=data, version=form.cleaned_data.get("version"))
        except DomainError as exc:
            _attach_error(form, exc)
        else:
            messages.success(request, _("Visit rule saved."))
            return redirect("visits:settings")
    context = {"form": form, "object": rule, "title": _("Visit rule"), "nav": "settings"}
    return render_page(request, "visits/edit.html", context, status=400 if form.errors else 200)


@login_required
@permission_required("visits.manage_rules", raise_exception=True)
def script_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    script = get_object_or_404(VisitScript, pk=pk) if pk else None
    form = ScriptForm(request.POST or None, instance=VisitScript.objects.get(pk=pk) if pk else None)
    if request.method == "POST" and form.is_valid():
        data = {n: form.cleaned_data[n] for n in ScriptForm.Meta.fields}
        try:
            services.visit_script_save(
                actor=request.user, script=script, data=data, version=form.cleaned_data.get("version")
            )
        except DomainError as exc:
            _attach_error(form, exc)
        else:
            messages.success(request, _("Script saved."))
            return redirect("visits:settings")
    context = {"form": form, "object": script, "title": _("Visit script"), "nav": "settings"}
    return render_page(request, "visits/edit.html", context, status=400 if form.errors else 200)


@login_required
@permission_required("visits.manage_campaigns", raise_exception=True)
def campaigns(request: HttpRequest) -> HttpResponse:
    form = CampaignForm(request.POST or None, initial={"send_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")})
    if request.method == "POST" and request.POST.get("cancel"):
        cancel = request.POST["cancel"]
        if not (cancel.isdigit() and len(cancel) < 12):
            raise Http404
        campaign = get_object_or_404(CareCampaign, pk=int(cancel))
        try:
            services.care_campaign_cancel(actor=request.user, campaign=campaign)
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("visits:campaigns")
    if request.method == "POST" and form.is_valid():
        try:
            services.care_campaign_create(actor=request.user, data=form.cleaned_data)
        except DomainError as exc:
            _attach_error(form, exc)
        else:
            messages.success(request, _("Care campaign scheduled."))
            return redirect("visits:campaigns")
    context = {
        "form": form,
        "page": paginate(request, selectors.campaigns_all()),
        "query": query_without_page(request),
        "cap": services.policy().care_sms_per_week,
        "nav": "visits",
    }
    return render_page(request, "visits/campaigns.html", context, status=400 if form.errors else 200)
