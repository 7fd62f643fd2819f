"""Staff pages of surveys: the list, sending one, the results, phone answers, templates."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.core.documents import FormSheet, form_xlsx_response, pdf_response, wants
from kefu.core.exports import xlsx_bytes, xlsx_response
from kefu.core.services import DomainError
from kefu.core.ui import paginate, query_without_page, refusal_status, render_page
from kefu.surveys import selectors, services
from kefu.surveys.choices import Segment, SurveyStatus
from kefu.surveys.forms import AnswerForm, SurveyForm, TemplateForm
from kefu.surveys.models import Invitation, Survey, SurveyTemplate


@login_required
@permission_required("surveys.view_surveys", raise_exception=True)
def survey_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in SurveyStatus.values else ""
    template_id = request.GET.get("template", "")
    surveys = selectors.surveys_list(
        q=request.GET.get("q", "").strip()[:100],
        status=status,
        template_id=int(template_id) if template_id.isdigit() and len(template_id) < 12 else None,
    )
    if request.GET.get("format") == "xlsx":
        header = [_("Name"), _("Template"), _("Status"), _("Opens"), _("Closes"), _("Invited"), _("Responses")]
        rows = (
            (
                s.name,
                s.template.name,
                s.get_status_display(),
                timezone.localtime(s.opens_at).strftime("%Y-%m-%d"),
                timezone.localtime(s.closes_at).strftime("%Y-%m-%d"),
                s.invited_count,
                s.response_count,
            )
            for s in surveys
        )
        return xlsx_response("surveys.xlsx", xlsx_bytes(_("Surveys"), header, rows))
    context = {
        "page": paginate(request, surveys),
        "query": query_without_page(request),
        "status": status,
        "statuses": SurveyStatus.choices,
        "templates": selectors.templates_all(),
        "template_id": template_id,
        "nav": "surveys",
    }
    return render_page(request, "surveys/list.html", context, fragment="results")


@login_required
@permission_required("surveys.run_surveys", raise_exception=True)
def survey_new(request: HttpRequest) -> HttpResponse:
    closes = timezone.localtime() + dt.timedelta(days=14)
    form = SurveyForm(
        request.POST or None,
        initial={
            "closes_at": closes.strftime("%Y-%m-%dT%H:%M"),
            "template": SurveyTemplate.objects.filter(is_active=True).first(),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            survey = services.survey_create(
                actor=request.user,
                template=data["template"],
                name=data["name"],
                closes_at=data["closes_at"],
                channel=data["channel"],
                segment={k: data[k] for k in ("grade", "region", "key_only", "case_resolved_days")},
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Survey sent to %(n)d customers.") % {"n": survey.invited_count})
            return redirect("surveys:detail", pk=survey.pk)
    return render_page(
        request, "surveys/new.html", {"form": form, "nav": "surveys"}, status=400 if form.errors else 200
    )


def _chart_data(results: selectors.Results) -> dict[str, Any]:
    return {
        "months": {
            "labels": [m.label for m in results.months],
            "values": [float(m.index) if m.index is not None else None for m in results.months],
        },
        "dimensions": {
            "labels": [d.name for d, _s in results.dimensions],
            "values": [float(s) if s is not None else None for _d, s in results.dimensions],
        },
        "target": float(results.target) if results.target is not None else None,
    }


@login_required
@permission_required("surveys.view_surveys", raise_exception=True)
def survey_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The 客户服务调查表 of seed 000, with the answers counted per step of the scale."""
    survey = get_object_or_404(Survey.objects.select_related("created_by"), pk=pk)
    context = {"survey": survey, "tally": selectors.survey_tally(survey), "number": f"DC-{survey.pk:05d}"}
    if wants(request, "pdf"):
        return pdf_response(request, "surveys/print.html", context, f"survey-{survey.pk}.pdf")
    if wants(request, "xlsx"):
        return form_xlsx_response(_survey_sheet(context), f"survey-{survey.pk}.xlsx")
    return render_page(request, "surveys/print.html", context)


def _survey_sheet(context: dict[str, Any]) -> FormSheet:
    survey, tally = context["survey"], context["tally"]
    return FormSheet(
        title="客户服务调查表",
        number=context["number"],
        date=f"{timezone.localdate(survey.opens_at):%Y-%m-%d}",
        date_label="调查日期",
        header=["服务评价 调查项目", *tally.scale],
        rows=[*([text, *counts] for text, counts in tally.rows), ["总计数量", *tally.totals]],
        signoff=[("审核人", ""), ("调查人", str(survey.created_by or ""))],
    )


@login_required
@permission_required("surveys.view_surveys", raise_exception=True)
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_object_or_404(Survey.objects.select_related("template", "created_by"), pk=pk)
    fmt = request.GET.get("format")
    if fmt == "xlsx":
        header, rows = selectors.survey_raw_rows(survey)
        return xlsx_response(f"survey-{survey.pk}-responses.xlsx", xlsx_bytes(_("Responses"), header, rows))
    if fmt == "links":
        invitations = Invitation.objects.filter(survey=survey).select_related("customer", "contact").order_by("id")
        rows = (
            (
                i.customer.number,
                i.customer.name,
                i.contact.name if i.contact else "",
                services.answer_link(i.token),
                "Y" if i.responded_at else "",
            )
            for i in invitations
        )
        header = [_("Customer number"), _("Customer"), _("Contact"), _("Personal link"), _("Answered")]
        return xlsx_response(f"survey-{survey.pk}-links.xlsx", xlsx_bytes(_("Links"), header, rows))
    segment = request.GET.get("segment", Segment.GRADE)
    segment = segment if segment in Segment.values else Segment.GRADE
    q = request.GET.get("q", "").strip()[:100]
    comments = paginate(request, selectors.survey_comments(survey=survey, q=q), per_page=20)
    context: dict[str, Any] = {
        "survey": survey,
        "comments": comments,
        "q": q,
        "query": query_without_page(request),
        "nav": "surveys",
    }
    if getattr(request, "htmx", None) and request.GET.get("fragment") == "comments":
        return render_page(request, "surveys/detail.html", context, fragment="comments")
    results = selectors.survey_results(survey=survey, segment=segment)
    context.update(
        {
            "results": results,
            "segment": segment,
            "segments": Segment.choices,
            "chart_data": json.dumps(_chart_data(results), ensure_ascii=False),
            "pending": selectors.invitations_pending(survey)[:50]
            if request.user.has_perm("surveys.enter_answers")
            else [],
            "can_run": request.user.has_perm("surveys.run_surveys") and survey.status == SurveyStatus.OPEN,
        }
    )
    return render_page(request, "surveys/detail.html", context, fragment="comments")


@login_required
@require_POST
@permission_required("surveys.run_surveys", raise_exception=True)
def survey_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=pk)
    try:
        if action == "remind":
            n = services.survey_remind(actor=request.user, survey=survey)
            messages.success(request, _("Reminder sent to %(n)d customers.") % {"n": n})
        elif action == "close":
            services.survey_close(actor=request.user, survey=survey)
            messages.success(request, _("Survey closed."))
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("surveys:detail", pk=pk)


@login_required
@permission_required("surveys.enter_answers", raise_exception=True)
def survey_enter(request: HttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    """Answers a customer gave on the phone, typed in by staff."""
    invitation = get_object_or_404(
        Invitation.objects.select_related("survey", "survey__template", "customer"), pk=invitation_pk, survey_id=pk
    )
    questions = list(invitation.survey.template.questions.all())
    form = AnswerForm(questions, request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.response_submit(
                token=invitation.token,
                answers=form.answers(),
                survey=invitation.survey,
                customer=invitation.customer,
                entered_by=request.user,
            )
        except DomainError as exc:
            field = (exc.field or "").replace("token", "")
            form.add_error(field if field in form.fields else None, exc.message)
            status = refusal_status(exc)
        else:
            messages.success(request, _("Answers saved."))
            return redirect("surveys:detail", pk=pk)
    elif request.method == "POST":
        status = 400
    context = {
        "invitation": invitation,
        "survey": invitation.survey,
        "form": form,
        "nav": "surveys",
        "refusal": services.invitation_refusal(invitation),
    }
    return render_page(request, "surveys/enter.html", context, status=status)


@login_required
@permission_required("surveys.manage_templates", raise_exception=True)
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(SurveyTemplate, pk=pk)
    form = TemplateForm(request.POST or None, instance=SurveyTemplate.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.template_save(
                actor=request.user,
                template=template,
                data={n: form.cleaned_data[n] for n in TemplateForm.Meta.fields},
                weights=form.weights(),
                version=form.cleaned_data.get("version"),
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Template saved."))
            return redirect("surveys:template", pk=pk)
    context = {
        "form": form,
        "template": template,
        "questions": template.questions.select_related("dimension"),
        "nav": "surveys",
    }
    return render_page(request, "surveys/template.html", context, status=400 if form.errors else 200)
