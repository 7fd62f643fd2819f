"""The public customer portal: submit a case, find it again, follow it and answer on its page.

No login: the tracking code in the link is the key to a case. Every POST is rate-limited per
client IP (see ratelimit.py); every write is one tickets service called with actor=None (the system).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from kefu.core.crypto import lookup_hash
from kefu.core.selectors import audit_for_subjects, subject_key
from kefu.core.services import DomainError
from kefu.portal import ratelimit
from kefu.portal.forms import AcceptForm, AppealForm, LookupForm, MessageForm, ObjectForm, RejectForm, SubmitForm
from kefu.portal.presentation import HISTORY_LABELS, KIND_WORDS, SOLUTION_WORDS, progress, status_words
from kefu.surveys import services as survey_services
from kefu.surveys.forms import AnswerForm as SurveyAnswerForm
from kefu.tickets import services
from kefu.tickets.choices import CaseChannel, CaseStatus, SolutionStatus
from kefu.tickets.models import Case, CaseMessage

SESSION_SUBMITTED = "portal_submitted"

# Service error fields → the form field that shows them.
FIELD_FOR = {
    "kind": "kind",
    "nature": "kind",
    "title": "title",
    "description": "description",
    "caller_name": "name",
    "customer": "name",
    "caller_phone": "mobile",
    "caller_email": "email",
    "order_number": "order_number",
    "file": "uploads",
    "body": "body",
    "note": "note",
    "reason": "reason",
}


def _limited(request: HttpRequest, scope: str) -> HttpResponse | None:
    """Count this attempt; answer 429 when the client has used up its allowance."""
    wait = ratelimit.retry_after(request, scope)
    if wait is None:
        ratelimit.hit(request, scope)
        return None
    minutes = max(1, -(-wait // 60))
    response = render(request, "portal/limited.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(wait)
    return response


def _add_domain_error(form: forms.Form, exc: DomainError) -> None:
    field = FIELD_FOR.get(exc.field or "")
    form.add_error(field if field in form.fields else None, exc.message)


def _attach(case: Case, uploads: list[Any]) -> None:
    for upload in uploads:
        services.attachment_add(actor=None, case=case, upload=upload)


def _track_url(request: HttpRequest, case: Case) -> str:
    return request.build_absolute_uri(reverse("portal:track", args=[case.tracking_code]))


@never_cache
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    form = SubmitForm()
    status = 200
    if request.method == "POST":
        if limited := _limited(request, "submit"):
            return limited
        form = SubmitForm(request.POST, request.FILES)
        status = 400
        if request.POST.get("website"):
            form.is_valid()
            form.add_error(None, _("Your message could not be accepted. Please call our hotline."))
        elif form.is_valid():
            try:
                with transaction.atomic():
                    case = services.case_receive(actor=None, data=form.case_data())
                    _attach(case, form.cleaned_data["uploads"])
            except DomainError as exc:
                _add_domain_error(form, exc)
            else:
                request.session[SESSION_SUBMITTED] = case.tracking_code
                return redirect("portal:submitted")
    return render(request, "portal/submit.html", {"form": form, "max_files": 5}, status=status)


@never_cache
def submitted(request: HttpRequest) -> HttpResponse:
    code = request.session.get(SESSION_SUBMITTED)
    case = Case.objects.filter(tracking_code=code).first() if code else None
    if case is None:
        return redirect("portal:submit")
    return render(request, "portal/submitted.html", {"case": case, "track_url": _track_url(request, case)})


@never_cache
@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    form = LookupForm()
    status = 200
    if request.method == "POST":
        if limited := _limited(request, "lookup"):
            return limited
        form = LookupForm(request.POST)
        status = 400
        if form.is_valid():
            phone_hash = lookup_hash(form.cleaned_data["mobile"])
            case = Case.objects.select_related("contact").filter(number=form.cleaned_data["number"]).first()
            if case is not None and phone_hash in {
                case.caller_phone_hash,
                getattr(case.contact, "mobile_hash", "") if case.contact_id else "",
            }:
                return redirect("portal:track", code=case.tracking_code)
            status = 404
            form.add_error(None, _("We found no case with this number and mobile number. Please check both."))
    return render(request, "portal/lookup.html", {"form": form}, status=status)


def _case_or_404(code: str) -> Case:
    case = Case.objects.select_related("contact").filter(tracking_code=code).first()
    if case is None or not code:
        raise Http404(_("No case has this tracking link."))
    return case


def _history(case: Case) -> list[dict[str, Any]]:
    events = audit_for_subjects([subject_key(case)], limit=500)
    return [
        {"at": event.occurred_at, "label": HISTORY_LABELS[event.action]}
        for event in events
        if event.action in HISTORY_LABELS
    ]


def _render_track(request: HttpRequest, case: Case, bound: dict[str, forms.Form], status: int = 200) -> HttpResponse:
    steps, percent = progress(case.status)
    label, sentence = status_words(case.status)
    forms_for: dict[str, forms.Form] = {"message": MessageForm()}
    if case.status == CaseStatus.AWAITING_CONFIRMATION:
        forms_for |= {"accept": AcceptForm(), "reject": RejectForm()}
    if case.status == CaseStatus.INVALID:
        forms_for["object"] = ObjectForm()
    if case.status in (CaseStatus.RESOLVED, CaseStatus.FOLLOWED_UP, CaseStatus.CLOSED):
        forms_for["appeal"] = AppealForm()
    forms_for |= bound
    solution = case.solutions.filter(status=SolutionStatus.APPROVED).order_by("-decided_at").first()
    context = {
        "case": case,
        "kind_label": KIND_WORDS.get(case.kind, ""),
        "solution_label": SOLUTION_WORDS.get(solution.kind, "") if solution else "",
        "status_label": label,
        "status_sentence": sentence,
        "steps": steps,
        "percent": percent,
        "solution": solution,
        "explanation": case.judgement_note if case.status == CaseStatus.INVALID else "",
        "case_messages": case.messages.all(),
        "attachments": case.attachments.all(),
        "history": _history(case),
        "forms": forms_for,
        "inbound": CaseMessage.Direction.INBOUND,
        "is_open": case.is_open,
    }
    response = render(request, "portal/track.html", context, status=status)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
def track(request: HttpRequest, code: str) -> HttpResponse:
    return _render_track(request, _case_or_404(code), {})


def _do_accept(case: Case, form: forms.Form) -> Any:
    return services.case_confirm(actor=None, case=case, accepted=True, note=form.cleaned_data["note"])


def _do_reject(case: Case, form: forms.Form) -> Any:
    return services.case_confirm(actor=None, case=case, accepted=False, note=form.cleaned_data["note"])


def _do_object(case: Case, form: forms.Form) -> Any:
    return services.case_object(actor=None, case=case, reason=form.cleaned_data["reason"])


def _do_appeal(case: Case, form: forms.Form) -> Any:
    return services.case_appeal(actor=None, case=case, reason=form.cleaned_data["reason"])


def _do_message(case: Case, form: forms.Form) -> Any:
    body = form.cleaned_data["body"].strip()
    if body:
        services.case_add_message(
            actor=None,
            case=case,
            direction=CaseMessage.Direction.INBOUND,
            channel=CaseChannel.PORTAL,
            body=body,
            sender=case.caller_name,
        )
    _attach(case, form.cleaned_data["uploads"])


ACTIONS: dict[str, tuple[type[forms.Form], Any, Any]] = {
    "accept": (AcceptForm, _do_accept, gettext_lazy("Thank you for accepting the solution.")),
    "reject": (
        RejectForm,
        _do_reject,
        gettext_lazy("We are sorry the solution does not suit you. We will work on a new one."),
    ),
    "object": (ObjectForm, _do_object, gettext_lazy("Thank you. A supervisor will look at your case again.")),
    "appeal": (AppealForm, _do_appeal, gettext_lazy("Your appeal was received. A manager will review your case.")),
    "message": (MessageForm, _do_message, gettext_lazy("Your message was sent.")),
}


@never_cache
@require_POST
def act(request: HttpRequest, code: str, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    case = _case_or_404(code)
    if limited := _limited(request, "act"):
        return limited
    form_class, run, done = ACTIONS[action]
    form = form_class(request.POST, request.FILES)
    status = 400
    if form.is_valid():
        try:
            with transaction.atomic():
                run(case, form)
        except DomainError as exc:
            _add_domain_error(form, exc)
            status = 409 if exc.code == "conflict" else 400
        else:
            messages.success(request, done)
            return redirect("portal:track", code=case.tracking_code)
    case.refresh_from_db()
    return _render_track(request, case, {action: form}, status=status)


# --- satisfaction surveys -------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def survey_answer(request: HttpRequest, token: str) -> HttpResponse:
    """A customer answers a survey through the personal one-time link (no login)."""
    invitation = survey_services.invitation_for(token)
    refusal = survey_services.invitation_refusal(invitation)
    if request.method == "POST" and refusal is None and (limited := _limited(request, "survey")):
        return limited
    if refusal is not None or invitation is None:
        answered = invitation is not None and invitation.responded_at is not None
        status = 200 if answered else (404 if invitation is None else 410)
        return render(request, "portal/survey_closed.html", {"message": refusal, "answered": answered}, status=status)
    template = invitation.survey.template
    form = SurveyAnswerForm(list(template.questions.all()), request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                survey_services.response_submit(token=token, answers=form.answers())
            except DomainError as exc:
                field = f"q{exc.field[1:]}" if exc.field and exc.field.startswith("q") else None
                form.add_error(field if field in form.fields else None, exc.message)
                status = 409 if exc.code == "conflict" else 400
            else:
                return render(request, "portal/survey_closed.html", {"thanks": True, "answered": True})
    context = {"invitation": invitation, "survey": invitation.survey, "template": template, "form": form}
    return render(request, "portal/survey.html", context, status=status)
