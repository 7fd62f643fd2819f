"""Satisfaction survey responses with scores over the last 12 months.

One survey of the 客户服务调查表 template (seeded by the migrations) per quarter, the last one still
open: each invites a third of the active customers, of whom 40 % answer during the quarter. Each
response is what `response_submit` writes: the scale and NPS answers with their 0-100 scores, the
answer's month and the customer's grade/region/key flag, the weighted satisfaction index of the
response, the comment and its search tokens, the invitation marked answered; then the answer-count
cube the results and the KPI read (`answer_counts_rebuild`) and the survey's counters.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from bench.data import Context, columns, generator

INVITED_SHARE = 1 / 3
ANSWERED_SHARE = 0.4
COMMENTS = (
    "司机服务态度很好，送货准时",
    "物流信息更新不及时，希望改进",
    "价格偏高，希望给老客户优惠",
    "紧急发货很给力，点赞",
    "包装有破损，售后处理慢",
    "客服响应快，问题解决得好",
    "对账单经常延迟，财务很头疼",
)


def _quarters(now: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
    """[opens, closes) of the last four quarters, the last one holding `now`."""
    from django.utils import timezone

    tz = timezone.get_current_timezone()
    today = timezone.localdate(now)
    year, index = today.year, (today.month - 1) // 3
    spans = []
    for _ in range(4):
        start = dt.datetime(year, index * 3 + 1, 1, tzinfo=tz)
        end = dt.datetime(year + (index == 3), (index * 3 + 3) % 12 + 1, 1, tzinfo=tz)
        spans.append((start, end))
        year, index = (year - 1, 3) if index == 0 else (year, index - 1)
    return sorted(spans)


@generator("surveys", after=("customers",))
def surveys(ctx: Context) -> dict[str, Any]:
    from django.db import transaction
    from django.utils import timezone

    from kefu.core.services import search_index_bulk
    from kefu.customers.models import Customer
    from kefu.surveys.choices import SCORED_KINDS, Channel, QuestionKind, SurveyStatus
    from kefu.surveys.models import Answer, Invitation, Response, Survey, SurveyTemplate
    from kefu.surveys.scoring import mean, score, weighted_index
    from kefu.surveys.services import SEARCH_KIND, answer_counts_rebuild

    template = SurveyTemplate.objects.filter(code="customer-service").first()
    if template is None:
        return {"responses": 0}
    rng = ctx.rng("surveys")
    writer = ctx.writer
    questions = list(template.questions.filter(kind__in=SCORED_KINDS).order_by("position", "pk"))
    text_question = template.questions.filter(kind=QuestionKind.TEXT).order_by("position", "pk").first()
    weights = {d.pk: d.weight for d in template.dimensions.all()}
    customers = list(
        Customer.objects.filter(is_active=True).order_by("pk").values_list("pk", "grade", "region", "is_key")
    )
    invitation_id, response_id = writer.next_id(Invitation), writer.next_id(Response)
    info = {"surveys": 0, "invitations": 0, "responses": 0, "answers": 0}
    with transaction.atomic():
        for opens, closes in _quarters(ctx.now):
            closed = closes <= ctx.now
            survey = Survey.objects.create(
                template=template,
                name=f"{timezone.localdate(opens):%Y} 年第 {(opens.month - 1) // 3 + 1} 季度客户满意度调查",
                status=SurveyStatus.CLOSED if closed else SurveyStatus.OPEN,
                channel=Channel.EMAIL,
                opens_at=opens,
                closes_at=closes,
                created_at=opens,
            )
            invited = sorted(rng.sample(customers, int(len(customers) * INVITED_SHARE)))
            span = (min(closes, ctx.now) - opens).total_seconds()
            invitation_rows, response_rows, answer_rows, texts = [], [], [], []
            for pk, grade, region, is_key in invited:
                token = base64.urlsafe_b64encode(rng.randbytes(32)).decode().rstrip("=")
                answered = rng.random() < ANSWERED_SHARE
                at = opens + dt.timedelta(seconds=rng.uniform(0, span)) if answered else None
                invitation_rows.append((invitation_id, survey.pk, pk, token, opens, at))
                if at is not None:
                    month = timezone.localdate(at).replace(day=1)
                    mood = rng.uniform(3.5, 6.8)
                    comment = rng.choice(COMMENTS) if rng.random() < 0.3 else ""
                    by_dimension: dict[int, list[tuple[Decimal, int]]] = defaultdict(list)
                    common = (survey.pk, month, grade, region, is_key)
                    for question in questions:
                        if question.kind == QuestionKind.NPS:
                            value = max(0, min(10, round(rng.gauss(mood * 10 / 7, 1.5))))
                        else:
                            value = max(1, min(question.points, round(rng.gauss(mood, 1.0))))
                        points = score(question.kind, question.points, value)
                        answer_rows.append((response_id, question.pk, value, "", points, *common))
                        if question.dimension_id and points is not None:
                            by_dimension[question.dimension_id].append((points, 1))
                    if comment and text_question is not None:
                        answer_rows.append((response_id, text_question.pk, None, comment, None, *common))
                        texts.append((response_id, comment))
                    index = weighted_index({d: mean(pairs) for d, pairs in by_dimension.items()}, weights)
                    response_rows.append(
                        (
                            response_id,
                            invitation_id,
                            survey.pk,
                            pk,
                            at,
                            Channel.EMAIL,
                            index,
                            comment,
                            comment.lower(),
                            grade,
                            region,
                            is_key,
                        )
                    )
                    response_id += 1
                invitation_id += 1
            writer.insert(Invitation, columns("id survey_id customer_id token sent_at responded_at"), invitation_rows)
            writer.insert(
                Response,
                columns(
                    "id invitation_id survey_id customer_id submitted_at channel index_score comment search_text "
                    "grade region is_key"
                ),
                response_rows,
            )
            writer.insert(
                Answer,
                columns("response_id question_id value text score survey_id month grade region is_key"),
                answer_rows,
            )
            search_index_bulk(kind=SEARCH_KIND, texts=texts)
            answer_counts_rebuild(survey=survey)
            Survey.objects.filter(pk=survey.pk).update(
                invited_count=len(invitation_rows), response_count=len(response_rows)
            )
            info["surveys"] += 1
            info["invitations"] += len(invitation_rows)
            info["responses"] += len(response_rows)
            info["answers"] += len(answer_rows)
        writer.reset_sequences(Invitation, Response, Answer)
    return info
