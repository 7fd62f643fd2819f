"""Staff pages of the 客户服务检查表 (checklist, audits, comparison), the 客户服务评价表 and the survey
results beside the standard."""

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

from kefu.accounts.models import Department
from kefu.audits import selectors, services
from kefu.audits.choices import Level, Result
from kefu.audits.forms import (
    AuditFilterForm,
    AuditForm,
    EvaluationFilterForm,
    EvaluationForm,
    QuestionForm,
    SurveyPeriodForm,
)
from kefu.audits.models import Audit, ChecklistQuestion, Evaluation
from kefu.core.documents import FormSheet, form_xlsx_response, pdf_response, wants
from kefu.core.exports import xlsx_bytes, xlsx_response
from kefu.core.services import DomainError
from kefu.core.ui import paginate, posted_version, query_without_page, refusal_status, refuse, render_page
from kefu.customers.choices import Ownership
from kefu.standards.models import Indicator
from kefu.standards.selectors import default_period
from kefu.surveys.models import Dimension

VIEW = "audits.view_audits"
CONDUCT = "audits.conduct_audits"
EXTRA_ROWS = 3
KEYS = {Result.YES: "y", Result.PARTLY: "p", Result.NO: "n", Result.NOT_APPLICABLE: "a"}  # answer keys


def _shown(value: Any) -> Any:
    return "" if value is None else value


def _departments(obj: Audit | Evaluation) -> str:
    return "、".join(d.name for d in obj.departments.all())


# --- checklist -------------------------------------------------------------------------------------------


@login_required
@permission_required(VIEW, raise_exception=True)
def checklist(request: HttpRequest) -> HttpResponse:
    form = QuestionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not request.user.has_perm("audits.manage_checklist"):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.checklist_question_add(
                    actor=request.user, section=form.cleaned_data["section"], text=form.cleaned_data["text"]
                )
                messages.success(request, _("The question is added; audits begun from now on ask it."))
                return redirect("audits:checklist")
            except DomainError as exc:
                status = refuse(request, exc, form)
        else:
            status = 400
    context = {"sections": selectors.checklist(), "form": form, "nav": "audits", "tab": "checklist"}
    return render_page(request, "audits/checklist.html", context, status=status)


@login_required
@require_POST
def question_retire(request: HttpRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(ChecklistQuestion, pk=pk)
    try:
        services.checklist_question_retire(actor=request.user, question=question, version=posted_version(request))
        messages.success(request, _("The question is retired; past audits keep their answers to it."))
    except DomainError as exc:
        status = refuse(request, exc)
        if status != 400:
            return HttpResponse(exc.message, status=status)
    return redirect("audits:checklist")


# --- audits ----------------------------------------------------------------------------------------------


@login_required
@permission_required(VIEW, raise_exception=True)
def audit_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render_page(request, "audits/list.html", {"form": form, "nav": "audits", "tab": "audits"}, status=400)
    data = form.cleaned_data if form.is_bound else {}
    department = data.get("department")
    audits = selectors.audits_list(
        q=data.get("q", ""),
        status=data.get("status", ""),
        department_id=department.pk if department else None,
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
    )
    if wants(request, "xlsx"):
        header = [
            _("Number"),
            _("Date"),
            _("Period"),
            _("Departments"),
            _("Scope"),
            _("Reviewer"),
            _("Filled in by"),
            _("Status"),
            _("Score"),
        ]
        rows = (
            (
                a.number,
                a.audited_on.isoformat(),
                f"{a.period_start.isoformat()} – {a.period_end.isoformat()}",
                _departments(a),
                a.scope,
                str(a.auditor),
                str(a.filled_by),
                a.get_status_display(),
                _shown(selectors.audit_scores(a).overall.score),
            )
            for a in audits.prefetch_related("answers")
        )
        return xlsx_response("audits.xlsx", xlsx_bytes(_("Service audits"), header, rows))
    page = paginate(request, audits.prefetch_related("answers"))
    rows = [(a, selectors.audit_scores(a).overall.score) for a in page]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "query": query_without_page(request),
        "nav": "audits",
        "tab": "audits",
    }
    return render_page(request, "audits/list.html", context, fragment="results")


@login_required
@permission_required(CONDUCT, raise_exception=True)
def audit_new(request: HttpRequest) -> HttpResponse:
    start, end = default_period(timezone.localdate())
    initial = {"audited_on": timezone.localdate(), "period_start": start, "period_end": end, "auditor": None}
    form = AuditForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                audit = services.audit_create(actor=request.user, data=form.cleaned_data)
                return redirect("audits:detail", audit.pk)
            except DomainError as exc:
                status = refuse(request, exc, form)
        else:
            status = 400
    context = {"form": form, "nav": "audits", "tab": "audits"}
    return render_page(request, "audits/new.html", context, status=status)


def _audit(pk: int) -> Audit:
    audit = selectors.audit_get(pk)
    if audit is None:
        raise Http404
    return audit


def _answers_from(request: HttpRequest, audit: Audit) -> dict[int, dict[str, str]]:
    return {
        a.pk: {
            "result": request.POST.get(f"result_{a.pk}", ""),
            "evidence": request.POST.get(f"evidence_{a.pk}", ""),
            "note": request.POST.get(f"note_{a.pk}", ""),
        }
        for a in audit.answers.all()
        if f"result_{a.pk}" in request.POST or f"evidence_{a.pk}" in request.POST
    }


@login_required
@permission_required(VIEW, raise_exception=True)
def audit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The audit, its scores, and (while a draft) the answer form and the header form."""
    audit = _audit(pk)
    header = AuditForm(
        initial={
            **{name: getattr(audit, name) for name in services.AUDIT_FIELDS},
            "departments": list(audit.departments.all()),
            "version": audit.version,
        }
    )
    status = 200
    if request.method == "POST":
        if not request.user.has_perm(CONDUCT):
            raise PermissionDenied
        try:
            if request.POST.get("form") == "header":
                header = AuditForm(request.POST)
                if not header.is_valid():
                    status = 400
                else:
                    services.audit_update(
                        actor=request.user, audit=audit, data=header.cleaned_data, version=posted_version(request)
                    )
                    return redirect("audits:detail", pk)
            else:
                audit = services.audit_answer(
                    actor=request.user,
                    audit=audit,
                    answers=_answers_from(request, audit),
                    version=posted_version(request),
                )
                if request.POST.get("then") == "complete":
                    services.audit_complete(actor=request.user, audit=audit, version=audit.version)
                    messages.success(request, _("The audit is completed and now read-only."))
                else:
                    messages.success(request, _("The answers are saved."))
                return redirect("audits:detail", pk)
        except DomainError as exc:
            status = refuse(request, exc, header if header.is_bound else None)
            audit = _audit(pk)
    context = {
        "audit": audit,
        "sections": selectors.audit_sections(audit),
        "scores": selectors.audit_scores(audit),
        "results": [(value, label, KEYS[value]) for value, label in Result.choices],
        "header": header,
        "others": selectors.audits_list().exclude(pk=audit.pk)[:20],
        "nav": "audits",
        "tab": "audits",
    }
    return render_page(request, "audits/detail.html", context, status=status)


@login_required
@require_POST
def audit_delete(request: HttpRequest, pk: int) -> HttpResponse:
    audit = get_object_or_404(Audit, pk=pk)
    try:
        services.audit_delete_draft(actor=request.user, audit=audit, version=posted_version(request))
    except DomainError as exc:
        return HttpResponse(exc.message, status=refusal_status(exc))
    return redirect("audits:list")


@login_required
@permission_required(VIEW, raise_exception=True)
def audit_print(request: HttpRequest, pk: int) -> HttpResponse:
    audit = _audit(pk)
    context = {
        "audit": audit,
        "sections": selectors.audit_sections(audit),
        "scores": selectors.audit_scores(audit),
        "departments": _departments(audit),
    }
    if wants(request, "pdf"):
        return pdf_response(request, "audits/print.html", context, f"checklist-{audit.number}.pdf")
    if wants(request, "xlsx"):
        return form_xlsx_response(_audit_sheet(context), f"checklist-{audit.number}.xlsx")
    return render_page(request, "audits/print.html", context)


def _audit_sheet(context: dict[str, Any]) -> FormSheet:
    audit, scores = context["audit"], context["scores"]
    labels = dict(Result.choices)
    rows: list[list[Any]] = []
    for number, (tally, answers) in enumerate(context["sections"], start=1):
        for index, answer in enumerate(answers, start=1):
            rows.append(
                [
                    f"{number}.{tally.title}" if index == 1 else "",
                    f"({index}){answer.text}",
                    str(labels.get(answer.result, "")),
                    answer.evidence,
                    answer.note,
                ]
            )
        rows.append(["", _("Section score"), _shown(tally.score), "", ""])
    return FormSheet(
        title="客户服务检查表",
        number=audit.number,
        date=f"{audit.audited_on:%Y-%m-%d}",
        header=["检查项目", "检查内容", "检查结果", _("Evidence"), _("Note")],
        rows=rows,
        notes=[
            (_("Departments"), context["departments"]),
            (_("Period"), f"{audit.period_start:%Y-%m-%d} – {audit.period_end:%Y-%m-%d}"),
            (_("Overall score"), str(_shown(scores.overall.score))),
            (_("Scoring"), _("Yes 1, partly 0.5, no 0; n.a. left out; score = 100 × points / questions scored.")),
        ],
        signoff=[("审核人", str(audit.auditor)), ("填写人", str(audit.filled_by))],
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def audit_compare(request: HttpRequest) -> HttpResponse:
    ids = [request.GET.get("a", ""), request.GET.get("b", "")]
    if not all(i.isdigit() and len(i) < 12 for i in ids):
        return HttpResponse(_("Choose two audits to compare."), status=400)
    before, after = (get_object_or_404(Audit, pk=int(i)) for i in ids)
    if (before.audited_on, before.pk) > (after.audited_on, after.pk):
        before, after = after, before
    rows, overall = selectors.audits_compare(before, after)
    context = {"before": before, "after": after, "rows": rows, "overall": overall, "nav": "audits", "tab": "audits"}
    return render_page(request, "audits/compare.html", context)


# --- evaluations -----------------------------------------------------------------------------------------


@login_required
@permission_required(VIEW, raise_exception=True)
def evaluation_list(request: HttpRequest) -> HttpResponse:
    form = EvaluationFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        context = {"form": form, "nav": "audits", "tab": "evaluations"}
        return render_page(request, "audits/evaluations.html", context, status=400)
    data = form.cleaned_data if form.is_bound else {}
    department = data.get("department")
    evaluations = selectors.evaluations_list(
        q=data.get("q", ""),
        status=data.get("status", ""),
        department_id=department.pk if department else None,
        customer_type=data.get("customer_type", ""),
    ).prefetch_related("items")
    if wants(request, "xlsx"):
        header = [
            _("Number"),
            _("Date filled in"),
            _("Period"),
            _("Customer type"),
            _("Related departments"),
            _("Form filler"),
            _("Status"),
            _("Total score"),
        ]
        rows = (
            (
                e.number,
                e.filled_on.isoformat(),
                f"{e.period_start.isoformat()} – {e.period_end.isoformat()}",
                e.get_customer_type_display(),
                _departments(e),
                str(e.filled_by),
                e.get_status_display(),
                _shown(selectors.evaluation_items(e)[1]),
            )
            for e in evaluations
        )
        return xlsx_response("evaluations.xlsx", xlsx_bytes(_("Service evaluations"), header, rows))
    page = paginate(request, evaluations)
    context = {
        "form": form,
        "page": page,
        "rows": [(e, selectors.evaluation_items(e)[1]) for e in page],
        "query": query_without_page(request),
        "nav": "audits",
        "tab": "evaluations",
    }
    return render_page(request, "audits/evaluations.html", context, fragment="results")


@login_required
@permission_required(CONDUCT, raise_exception=True)
def evaluation_new(request: HttpRequest) -> HttpResponse:
    start, end = default_period(timezone.localdate())
    form = EvaluationForm(
        request.POST or None, initial={"filled_on": timezone.localdate(), "period_start": start, "period_end": end}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                evaluation = services.evaluation_create(actor=request.user, data=form.cleaned_data)
                return redirect("audits:evaluation", evaluation.pk)
            except DomainError as exc:
                status = refuse(request, exc, form)
        else:
            status = 400
    return render_page(
        request, "audits/evaluation_new.html", {"form": form, "nav": "audits", "tab": "evaluations"}, status=status
    )


def _evaluation(pk: int) -> Evaluation:
    evaluation = selectors.evaluation_get(pk)
    if evaluation is None:
        raise Http404
    return evaluation


def _pick(model: Any, value: str) -> Any:
    if not value:
        return None
    found = model.objects.filter(pk=int(value)).first() if value.isdigit() and len(value) < 12 else None
    if found is None:
        raise DomainError(_("Choose from the list."), field="items")
    return found


def _item_rows(request: HttpRequest) -> list[dict[str, Any]]:
    count = request.POST.get("rows", "0")
    rows = []
    for index in range(1, min(int(count) if count.isdigit() and len(count) < 4 else 0, 200) + 1):
        get = request.POST.get
        rows.append(
            {
                "content": get(f"content_{index}", ""),
                "customer_score": get(f"customer_score_{index}", ""),
                "internal_score": get(f"internal_score_{index}", ""),
                "weight": get(f"weight_{index}", "") or "1",
                "evaluator": get(f"evaluator_{index}", ""),
                "indicator": _pick(Indicator, get(f"indicator_{index}", "")),
                "dimension": _pick(Dimension, get(f"dimension_{index}", "")),
            }
        )
    return rows


def _evaluation_context(evaluation: Evaluation, **extra: Any) -> dict[str, Any]:
    items, total = selectors.evaluation_items(evaluation)
    return {
        "evaluation": evaluation,
        "items": items,
        "total": total,
        "places": selectors.evaluation_signatures(evaluation),
        "signed": evaluation.signatures.exists() if evaluation.pk else False,
        "departments": _departments(evaluation),
        "nav": "audits",
        "tab": "evaluations",
        **extra,
    }


def _evaluation_page(
    request: HttpRequest, evaluation: Evaluation, header: EvaluationForm | None = None, status: int = 200
) -> HttpResponse:
    if header is None:
        header = EvaluationForm(
            initial={
                **{name: getattr(evaluation, name) for name in services.EVALUATION_FIELDS},
                "departments": list(evaluation.departments.all()),
                "version": evaluation.version,
            }
        )
    count = len(evaluation.items.all())
    context = _evaluation_context(
        evaluation,
        header=header,
        levels=Level.choices,
        indicators=Indicator.objects.filter(is_active=True),
        dimensions=Dimension.objects.filter(template__code="customer-service"),
        blank_rows=[count + i for i in range(1, EXTRA_ROWS + 1)],
        row_count=count + EXTRA_ROWS,
    )
    return render_page(request, "audits/evaluation.html", context, status=status)


@login_required
@permission_required(VIEW, raise_exception=True)
def evaluation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The evaluation: its header, items and scores while unsigned, and the countersignatures."""
    evaluation = _evaluation(pk)
    if request.method != "POST":
        return _evaluation_page(request, evaluation)
    if not request.user.has_perm(CONDUCT):
        raise PermissionDenied
    header = None
    try:
        if request.POST.get("form") == "header":
            header = EvaluationForm(request.POST)
            if not header.is_valid():
                return _evaluation_page(request, evaluation, header, status=400)
            services.evaluation_update(
                actor=request.user, evaluation=evaluation, data=header.cleaned_data, version=posted_version(request)
            )
        else:
            services.evaluation_items_save(
                actor=request.user, evaluation=evaluation, rows=_item_rows(request), version=posted_version(request)
            )
            messages.success(request, _("The items are saved."))
    except DomainError as exc:
        status = refuse(request, exc, header)
        return _evaluation_page(request, _evaluation(pk), header, status=status)
    return redirect("audits:evaluation", pk)


@login_required
@require_POST
def evaluation_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    evaluation = get_object_or_404(Evaluation, pk=pk)
    version = posted_version(request)
    try:
        if action == "prefill":
            changed = services.evaluation_prefill(actor=request.user, evaluation=evaluation, version=version)
            messages.success(request, _("%(n)d scores filled in from the records.") % {"n": changed})
        elif action == "sign":
            role = request.POST.get("role", "")
            department_id = request.POST.get("department", "")
            department = None
            if department_id:
                if not department_id.isdigit() or len(department_id) > 11:
                    return HttpResponse(_("Unknown department."), status=400)
                department = get_object_or_404(Department, pk=int(department_id))
            services.evaluation_sign(
                actor=request.user, evaluation=evaluation, role=role, department=department, version=version
            )
            messages.success(request, _("Signed."))
        elif action == "delete":
            services.evaluation_delete_draft(actor=request.user, evaluation=evaluation, version=version)
            return redirect("audits:evaluations")
        else:
            raise Http404
    except DomainError as exc:
        return _evaluation_page(request, _evaluation(pk), status=refuse(request, exc))
    return redirect("audits:evaluation", pk)


@login_required
@permission_required(VIEW, raise_exception=True)
def evaluation_print(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = _evaluation(pk)
    context = _evaluation_context(evaluation)
    if wants(request, "pdf"):
        return pdf_response(request, "audits/evaluation_print.html", context, f"evaluation-{evaluation.number}.pdf")
    if wants(request, "xlsx"):
        return form_xlsx_response(_evaluation_sheet(context), f"evaluation-{evaluation.number}.xlsx")
    return render_page(request, "audits/evaluation_print.html", context)


def _mark(score: int | None, level: int) -> str:
    return "✓" if score == level else ""


def _evaluation_sheet(context: dict[str, Any]) -> FormSheet:
    evaluation = context["evaluation"]
    rows: list[list[Any]] = [
        [
            row.item.content,
            *(_mark(row.item.customer_score, level) for level in (10, 5, 0)),
            *(_mark(row.item.internal_score, level) for level in (10, 5, 0)),
            row.item.weight,
            _shown(row.composite),
            row.item.evaluator,
        ]
        for row in context["items"]
    ]
    rows.append(["总分", "", "", "", "", "", "", "", _shown(context["total"]), ""])
    signoff = []
    for place in reversed(context["places"]):
        who = ""
        if place.signature is not None:
            signed_at = timezone.localtime(place.signature.signed_at)
            who = f"{place.signature.user} {signed_at:%Y-%m-%d %H:%M}"
        signoff.append((place.seed_label, who))
    return FormSheet(
        title="客户服务评价表",
        number=evaluation.number,
        date=f"{evaluation.filled_on:%Y-%m-%d}",
        header=[
            "客户服务评价内容",
            "客户评分 好(10)",
            "客户评分 一般(5)",
            "客户评分 差(0)",
            "内部评价 好(10)",
            "内部评价 一般(5)",
            "内部评价 差(0)",
            _("Weight"),
            "综合得分",
            "评价人员",
        ],
        rows=rows,
        notes=[
            ("评价意见", evaluation.opinion),
            ("备注", evaluation.remarks),
            (_("Scoring"), composite_rule()),
        ],
        signoff=[("评价会签", ""), *signoff],
    )


def composite_rule() -> str:
    return _(
        "Composite = mean of the customer score and the internal score (the one given when only one is); "
        "total = weighted mean of the composites, out of 10."
    )


# --- survey results beside the standard ------------------------------------------------------------------


@login_required
@permission_required(VIEW, raise_exception=True)
def survey_comparison(request: HttpRequest) -> HttpResponse:
    form = SurveyPeriodForm(request.GET or None)
    start, end = default_period(timezone.localdate())
    customer_type = Ownership.FOREIGN.value
    status = 200
    if form.is_bound:
        if form.is_valid():
            start = form.cleaned_data["start"] or start
            end = form.cleaned_data["end"] or end
            customer_type = form.cleaned_data["customer_type"]
        else:
            status = 400
    if end < start:
        start, end = end, start
    if end - start > dt.timedelta(days=366 * 3):
        form.add_error(None, _("The period can be at most three years long."))
        status = 400
    comparison = (
        selectors.survey_comparison(start=start, end=end, customer_type=customer_type) if status == 200 else None
    )
    context = {
        "form": form,
        "comparison": comparison,
        "start": start,
        "end": end,
        "customer_type_label": dict(Ownership.choices).get(customer_type, ""),
        "nav": "audits",
        "tab": "surveys",
    }
    return render_page(request, "audits/survey_comparison.html", context, status=status)
