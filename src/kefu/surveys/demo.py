"""Demo surveys for `manage.py seed-demo-surveys`: last quarter's closed survey and this quarter's open
one, answered by part of the demo customers over several months (so the trend chart has a line), with
comments. Through the real services; deterministic; once."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from kefu.surveys import services
from kefu.surveys.choices import Channel, QuestionKind, SurveyStatus
from kefu.surveys.models import Invitation, Survey, SurveyTemplate

DEMO_SEED = 2026
COMMENTS = [
    "司机服务态度很好，送货准时",
    "物流信息更新不及时，希望改进",
    "价格偏高，希望给老客户优惠",
    "紧急发货很给力，点赞",
    "包装有破损，售后处理慢",
    "客服响应快，问题解决得好",
    "对账单经常延迟，财务很头疼",
    "",
    "",
    "",
]


def demo_surveys_seeded() -> bool:
    return Survey.objects.exists()


def _answer(rng: random.Random, template: SurveyTemplate, mood: float) -> dict[str, object]:
    answers: dict[str, object] = {}
    for question in template.questions.all():
        if question.kind == QuestionKind.SCALE:
            answers[str(question.pk)] = max(1, min(question.points, round(rng.gauss(mood, 1.0))))
        elif question.kind == QuestionKind.NPS:
            answers[str(question.pk)] = max(0, min(10, round(rng.gauss(mood * 10 / 7, 1.5))))
    return answers


@transaction.atomic
def seed_demo_surveys(*, seed: int = DEMO_SEED, responses: int = 240) -> int:
    """Create the demo surveys and their responses unless surveys exist; returns how many responses were made."""
    template = SurveyTemplate.objects.filter(code="customer-service").first()
    if demo_surveys_seeded() or template is None:
        return 0
    rng = random.Random(seed)
    now = timezone.now()
    runs = [
        ("上季度客户满意度调查", {"grade": "B"}, now - dt.timedelta(days=150), now - dt.timedelta(days=60), 5.0),
        (
            "本季度客户满意度调查（A 类客户）",
            {"grade": "A"},
            now - dt.timedelta(days=75),
            now + dt.timedelta(days=20),
            5.6,
        ),
    ]
    made = 0
    for name, segment, opens, closes, mood in runs:
        survey = services.survey_create(
            actor=None,
            template=template,
            name=name,
            closes_at=now + dt.timedelta(days=30),
            channel=Channel.LINK,
            segment=segment,
        )
        Survey.objects.filter(pk=survey.pk).update(opens_at=opens)
        invitations = list(Invitation.objects.filter(survey=survey).order_by("id")[: responses // 2])
        span = (min(closes, now) - opens).total_seconds()
        for invitation in invitations:
            if rng.random() < 0.3:
                continue
            at = opens + dt.timedelta(seconds=rng.uniform(0, span))
            drift = (at - opens).total_seconds() / span * 0.6  # satisfaction improves over the quarter
            services.response_submit(
                token=invitation.token,
                answers=_answer(rng, template, mood + drift),
                comment=rng.choice(COMMENTS),
                now=at,
            )
            made += 1
        Survey.objects.filter(pk=survey.pk).update(closes_at=closes)
        if closes < now:
            Survey.objects.filter(pk=survey.pk).update(status=SurveyStatus.CLOSED)
    return made
