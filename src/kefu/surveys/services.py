"""Every write about surveys: distributing one to a segment with personal one-time links, reminders,
closing, and accepting a response once (from the link or entered by staff after a call)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core import events
from kefu.core.services import DomainError, PermissionDeniedError, StaleVersionError, audit_record, search_index_replace
from kefu.customers.choices import Grade, Region
from kefu.customers.models import Contact, Customer
from kefu.notify.services import message_enqueue
from kefu.surveys.choices import SCORED_KINDS, Channel, QuestionKind, SurveyStatus
from kefu.surveys.models import Answer, AnswerCount, Invitation, Question, Response, Survey, SurveyTemplate
from kefu.surveys.scoring import mean, score, weighted_index
from kefu.tickets.models import Case

SEARCH_KIND = "survey_response"
LOW_SCORE_EVENT = "surveys.response.low_score"
BATCH_SIZE = 2000


def _require(actor: Any, perm: str, obj: Any = None) -> None:
    if actor is not None and not actor.has_perm(perm, obj):
        raise PermissionDeniedError()


def answer_link(token: str) -> str:
    return f"{settings.KEFU_BASE_URL}/portal/survey/{token}/"


# --- distributing ---------------------------------------------------------------------------------


def segment_customers(segment: Mapping[str, Any]) -> QuerySet[Customer]:
    """The active customers a survey goes to: by grade, region, key customers, a case resolved lately."""
    customers = Customer.objects.filter(is_active=True)
    if segment.get("grade"):
        customers = customers.filter(grade=segment["grade"])
    if segment.get("region"):
        customers = customers.filter(region=segment["region"])
    if segment.get("key_only"):
        customers = customers.filter(is_key=True)
    days = segment.get("case_resolved_days")
    if days:
        since = timezone.now() - dt.timedelta(days=int(days))
        customers = customers.filter(pk__in=Case.objects.filter(resolved_at__gte=since).values("customer_id"))
    return customers


def _clean_segment(segment: Mapping[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    if segment.get("grade"):
        if segment["grade"] not in Grade.values:
            raise DomainError(_("Unknown grade."), field="grade")
        cleaned["grade"] = segment["grade"]
    if segment.get("region"):
        if segment["region"] not in Region.values:
            raise DomainError(_("Unknown region."), field="region")
        cleaned["region"] = segment["region"]
    if segment.get("key_only"):
        cleaned["key_only"] = True
    if segment.get("case_resolved_days"):
        days = int(segment["case_resolved_days"])
        if not 1 <= days <= 366:
            raise DomainError(_("Give between 1 and 366 days."), field="case_resolved_days")
        cleaned["case_resolved_days"] = days
    return cleaned


def _invite_text(survey: Survey, customer_name: str, token: str, reminder: bool = False) -> tuple[str, str]:
    subject = (_("Reminder: %(survey)s") if reminder else "%(survey)s") % {"survey": survey.name}
    body = _(
        "Dear %(customer)s,\n\nplease tell us how satisfied you are with our service. It takes two minutes:\n"
        "%(link)s\n\nThe link is personal and can be used once, until %(closes)s.\n\n%(company)s"
    ) % {
        "customer": customer_name,
        "link": answer_link(token),
        "closes": timezone.localtime(survey.closes_at).strftime("%Y-%m-%d"),
        "company": settings.KEFU_COMPANY_NAME,
    }
    return subject, body


def _send(survey: Survey, invitation: Invitation, *, reminder: bool = False) -> bool:
    contact = invitation.contact
    if contact is None or survey.channel not in (Channel.EMAIL, Channel.SMS):
        return False
    subject, body = _invite_text(survey, invitation.customer.name, invitation.token, reminder)
    recipient = contact.email if survey.channel == Channel.EMAIL else contact.mobile
    key = f"survey-{'remind' if reminder else 'invite'}-{invitation.pk}"
    return (
        message_enqueue(channel=survey.channel, recipient=recipient, subject=subject, body=body, dedupe_key=key)
        is not None
    )


@transaction.atomic
def survey_create(
    *,
    actor: Any,
    template: SurveyTemplate,
    name: str,
    closes_at: dt.datetime,
    channel: str = Channel.EMAIL,
    segment: Mapping[str, Any] | None = None,
) -> Survey:
    """Send `template` to a segment: one personal one-time link per customer (by email or SMS to the
    primary contact; for links, QR codes and phone surveys staff hand them out)."""
    _require(actor, "surveys.run_surveys")
    if not name.strip():
        raise DomainError(_("Name the survey."), field="name")
    if channel not in Channel.values:
        raise DomainError(_("Choose how the survey is sent."), field="channel")
    if closes_at <= timezone.now():
        raise DomainError(_("The survey must close in the future."), field="closes_at")
    if not template.is_active:
        raise DomainError(_("This template is switched off."), field="template")
    cleaned = _clean_segment(segment or {})
    survey = Survey.objects.create(
        template=template, name=name.strip(), channel=channel, segment=cleaned, closes_at=closes_at, created_by=actor
    )
    primary = Contact.objects.filter(customer_id=OuterRef("pk")).order_by("-is_primary", "id").values("id")[:1]
    rows = segment_customers(cleaned).annotate(contact_id=Subquery(primary)).values_list("pk", "contact_id")
    invitations = [
        Invitation(survey=survey, customer_id=pk, contact_id=contact_id, token=secrets.token_urlsafe(32))
        for pk, contact_id in rows.iterator(chunk_size=BATCH_SIZE)
    ]
    Invitation.objects.bulk_create(invitations, batch_size=BATCH_SIZE)
    survey.invited_count = len(invitations)
    survey.save(update_fields=["invited_count"])
    now = timezone.now()
    if channel in (Channel.EMAIL, Channel.SMS):
        sent = [
            inv.pk
            for inv in survey.invitations.select_related("customer", "contact").order_by("id")
            if _send(survey, inv)
        ]
        Invitation.objects.filter(pk__in=sent).update(sent_at=now)
    audit_record(
        actor=actor,
        action="surveys.survey.created",
        subject=survey,
        changes={"template": template.name, "segment": cleaned, "channel": channel, "invited": len(invitations)},
    )
    return survey


@transaction.atomic
def survey_remind(*, actor: Any, survey: Survey) -> int:
    """Remind everyone who has not answered yet (once per invitation)."""
    _require(actor, "surveys.run_surveys")
    if survey.status != SurveyStatus.OPEN or survey.closes_at <= timezone.now():
        raise DomainError(_("The survey is closed."), field="status", code="conflict")
    now = timezone.now()
    pending = survey.invitations.filter(responded_at__isnull=True, reminded_at__isnull=True)
    reminded = [inv.pk for inv in pending.select_related("customer", "contact") if _send(survey, inv, reminder=True)]
    Invitation.objects.filter(pk__in=reminded).update(reminded_at=now)
    Survey.objects.filter(pk=survey.pk).update(reminded_at=now)
    audit_record(actor=actor, action="surveys.survey.reminded", subject=survey, changes={"reminded": len(reminded)})
    return len(reminded)


@transaction.atomic
def survey_close(*, actor: Any, survey: Survey, version: int | None = None) -> Survey:
    _require(actor, "surveys.run_surveys")
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if version is not None and survey.version != version:
        raise StaleVersionError()
    if survey.status == SurveyStatus.CLOSED:
        raise DomainError(_("The survey is already closed."), field="status", code="conflict")
    survey.status = SurveyStatus.CLOSED
    survey.version += 1
    survey.save(update_fields=["status", "version"])
    audit_record(actor=actor, action="surveys.survey.closed", subject=survey)
    return survey


@transaction.atomic
def template_save(
    *,
    actor: Any,
    template: SurveyTemplate,
    data: Mapping[str, Any],
    weights: Mapping[int, Decimal],
    version: int | None = None,
) -> SurveyTemplate:
    """Change a template's name, introduction, low-score threshold, target and dimension weights."""
    _require(actor, "surveys.manage_templates")
    template = SurveyTemplate.objects.select_for_update().get(pk=template.pk)
    if version is not None and template.version != version:
        raise StaleVersionError()
    changes: dict[str, Any] = {}
    for name in ("name", "intro", "low_score_below", "target_index", "is_active"):
        if name in data and getattr(template, name) != data[name]:
            changes[name] = [str(getattr(template, name)), str(data[name])]
            setattr(template, name, data[name])
    if not str(template.name).strip():
        raise DomainError(_("Name the template."), field="name")
    for dimension in template.dimensions.all():
        weight = weights.get(dimension.pk)
        if weight is None or weight == dimension.weight:
            continue
        if weight < 0:
            raise DomainError(_("A weight cannot be negative."), field=f"weight_{dimension.pk}")
        changes[f"weight {dimension.name}"] = [str(dimension.weight), str(weight)]
        dimension.weight = weight
        dimension.save(update_fields=["weight"])
    template.version += 1
    template.save()
    audit_record(actor=actor, action="surveys.template.changed", subject=template, changes=changes)
    return template


# --- answering ------------------------------------------------------------------------------------


def _clean_answers(questions: list[Question], answers: Mapping[str, Any]) -> dict[int, Any]:
    """Check every answer against its question; returns {question id: value}."""
    cleaned: dict[int, Any] = {}
    for question in questions:
        raw = answers.get(str(question.pk), answers.get(question.pk))  # type: ignore[call-overload]
        field = f"q{question.pk}"
        if raw in (None, "", []):
            if question.required:
                raise DomainError(_("Please answer: %(question)s") % {"question": question.text}, field=field)
            continue
        if question.kind == QuestionKind.TEXT:
            text = str(raw).strip()[:5000]
            if text:
                cleaned[question.pk] = text
            continue
        values = raw if isinstance(raw, list | tuple) else [raw]
        try:
            numbers = [int(v) for v in values]
        except (TypeError, ValueError) as exc:
            raise DomainError(_("Choose one of the answers offered."), field=field) from exc
        if question.kind == QuestionKind.SCALE:
            allowed = range(1, question.points + 1)
        elif question.kind == QuestionKind.NPS:
            allowed = range(0, 11)
        else:
            allowed = range(len(question.options))
        if not numbers or any(n not in allowed for n in numbers):
            raise DomainError(_("Choose one of the answers offered."), field=field)
        if question.kind != QuestionKind.MULTIPLE:
            if len(numbers) != 1:
                raise DomainError(_("Choose one answer."), field=field)
            cleaned[question.pk] = numbers[0]
        else:
            cleaned[question.pk] = sorted(set(numbers))
    return cleaned


def invitation_for(token: str) -> Invitation | None:
    if not token or len(token) > 64:
        return None
    return (
        Invitation.objects.select_related("survey", "survey__template", "customer", "contact")
        .filter(token=token)
        .first()
    )


def invitation_refusal(invitation: Invitation | None, now: dt.datetime | None = None) -> str | None:
    """Why this link cannot be answered (unknown, closed, expired, already answered), or None."""
    now = now or timezone.now()
    if invitation is None:
        return _("This survey link is not valid.")
    if invitation.responded_at is not None:
        return _("This survey was already answered with this link. Thank you!")
    survey = invitation.survey
    if survey.status != SurveyStatus.OPEN or survey.closes_at <= now:
        return _("This survey has closed.")
    if survey.opens_at > now:
        return _("This survey is not open yet.")
    return None


@transaction.atomic
def response_submit(
    *,
    token: str,
    answers: Mapping[str, Any],
    comment: str = "",
    survey: Survey | None = None,
    customer: Customer | None = None,
    entered_by: Any = None,
    now: dt.datetime | None = None,
) -> Response:
    """Accept a response once per invitation. `survey` and `customer`, when given, must be the link's:
    a link of another survey or another customer is refused. `entered_by` is staff typing in answers
    given on the phone."""
    if entered_by is not None:
        _require(entered_by, "surveys.enter_answers")
    now = now or timezone.now()
    invitation = Invitation.objects.select_for_update().filter(token=token).first() if token else None
    if invitation is not None and survey is not None and invitation.survey_id != survey.pk:
        raise DomainError(_("This link belongs to another survey."), field="token", code="forbidden")
    if invitation is not None and customer is not None and invitation.customer_id != customer.pk:
        raise DomainError(_("This link belongs to another customer."), field="token", code="forbidden")
    if invitation is not None:
        invitation = invitation_for(token)
    refusal = invitation_refusal(invitation, now)
    if refusal is not None or invitation is None:
        code = "conflict" if invitation is not None and invitation.responded_at else "invalid"
        raise DomainError(refusal or "", field="token", code=code)
    survey_row = invitation.survey
    questions = list(survey_row.template.questions.select_related("dimension"))
    cleaned = _clean_answers(questions, answers)
    customer_row = invitation.customer
    comment = comment.strip()[:5000]
    texts = [v for q in questions if q.kind == QuestionKind.TEXT and (v := cleaned.get(q.pk))]
    full_comment = "\n".join([*texts, comment] if comment else texts)
    response = Response.objects.create(
        invitation=invitation,
        survey=survey_row,
        customer=customer_row,
        submitted_at=now,
        channel=Channel.PHONE
        if entered_by is not None
        else (survey_row.channel if survey_row.channel != Channel.PHONE else Channel.LINK),
        entered_by=entered_by,
        comment=full_comment,
        search_text=full_comment.lower(),
        grade=customer_row.grade,
        region=customer_row.region,
        is_key=customer_row.is_key,
    )
    month = timezone.localtime(now).date().replace(day=1)
    rows = []
    by_dimension: dict[int, list[tuple[Decimal, int]]] = defaultdict(list)
    for question in questions:
        value = cleaned.get(question.pk)
        if value is None:
            continue
        common = {
            "response": response,
            "survey": survey_row,
            "question": question,
            "month": month,
            "grade": response.grade,
            "region": response.region,
            "is_key": response.is_key,
        }
        if question.kind == QuestionKind.TEXT:
            rows.append(Answer(text=value, **common))
        elif question.kind == QuestionKind.MULTIPLE:
            rows.extend(Answer(value=v, **common) for v in value)
        else:
            points = score(question.kind, question.points, value)
            rows.append(Answer(value=value, score=points, **common))
            if question.kind in SCORED_KINDS and question.dimension_id and points is not None:
                by_dimension[question.dimension_id].append((points, 1))
    Answer.objects.bulk_create(rows)
    _count_answers([a for a in rows if a.value is not None])
    weights = {d.pk: d.weight for d in survey_row.template.dimensions.all()}
    response.index_score = weighted_index({d: mean(pairs) for d, pairs in by_dimension.items()}, weights)
    response.save(update_fields=["index_score"])
    invitation.responded_at = now
    invitation.save(update_fields=["responded_at"])
    Survey.objects.filter(pk=survey_row.pk).update(response_count=F("response_count") + 1)
    if full_comment:
        search_index_replace(kind=SEARCH_KIND, object_id=response.pk, text=full_comment)
    audit_record(
        actor=entered_by,
        action="surveys.response.submitted",
        subject=response,
        changes={"index": str(response.index_score), "channel": response.channel},
    )
    if response.index_score is not None and response.index_score < survey_row.template.low_score_below:
        # visits subscribes: a follow-up visit for the account manager
        events.publish(LOW_SCORE_EVENT, response=response, customer=customer_row)
    return response


# --- answer counts --------------------------------------------------------------------------------

_CELL = ("survey_id", "question_id", "value", "month", "grade", "region", "is_key")


def _count_answers(answers: list[Answer]) -> None:
    """Add the answers to their AnswerCount cells in one upsert (SQLite and PostgreSQL alike)."""
    if not answers:
        return
    table = AnswerCount._meta.db_table
    cells: dict[tuple[Any, ...], int] = defaultdict(int)
    for answer in answers:
        cells[tuple(getattr(answer, name) for name in _CELL)] += 1
    values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(cells))
    params: list[Any] = []
    for cell, n in cells.items():
        params.extend([*cell, n])
    columns = ", ".join(_CELL)
    sql = (
        f"INSERT INTO {table} ({columns}, n) VALUES {values} "  # noqa: S608  (every value is a parameter)
        f"ON CONFLICT ({columns}) DO UPDATE SET n = {table}.n + excluded.n"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@transaction.atomic
def answer_counts_rebuild(*, survey: Survey) -> int:
    """Recount the answer cells of `survey` from its answers (after a bulk load or a repair)."""
    table, answers = AnswerCount._meta.db_table, Answer._meta.db_table
    AnswerCount.objects.filter(survey=survey).delete()
    columns = ", ".join(_CELL)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}, n) SELECT {columns}, COUNT(*) FROM {answers} "  # noqa: S608
            f"WHERE survey_id = %s AND value IS NOT NULL GROUP BY {columns}",
            [survey.pk],
        )
    return AnswerCount.objects.filter(survey=survey).count()
