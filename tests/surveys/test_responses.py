"""One-time links, the satisfaction index on known answers, a low score raising a visit, distribution."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from kefu.core.services import DomainError, PermissionDeniedError
from kefu.notify.models import OutboxMessage
from kefu.surveys.models import Answer, Invitation, Response, Survey
from kefu.surveys.scoring import score, weighted_index
from kefu.surveys.selectors import satisfaction_index, survey_comments, survey_results
from kefu.surveys.services import response_submit, survey_create, survey_remind
from kefu.visits.models import VisitTask
from tests.surveys.conftest import answers_all

pytestmark = pytest.mark.django_db


def _token(surveyed, index=0) -> str:
    return Invitation.objects.get(survey=surveyed["survey"], customer=surveyed["customers"][index]).token


def test_every_customer_gets_a_personal_link_by_email(surveyed):
    survey = surveyed["survey"]
    assert survey.invited_count == 2
    tokens = set(Invitation.objects.values_list("token", flat=True))
    assert len(tokens) == 2 and all(len(t) >= 40 for t in tokens)
    mails = OutboxMessage.objects.filter(channel="email")
    assert {m.recipient for m in mails} == {"a@example.test", "b@example.test"}
    assert all(any(f"/portal/survey/{t}/" in m.body for t in tokens) for m in mails)


def test_a_link_is_accepted_once(surveyed, template):
    token = _token(surveyed)
    response_submit(token=token, answers=answers_all(template, 7))
    with pytest.raises(DomainError) as error:
        response_submit(token=token, answers=answers_all(template, 1))
    assert error.value.code == "conflict"
    assert Response.objects.count() == 1


def test_an_expired_link_is_refused(surveyed, template):
    with time_machine.travel(timezone.now() + dt.timedelta(days=15)), pytest.raises(DomainError) as error:
        response_submit(token=_token(surveyed), answers=answers_all(template, 7))
    assert error.value.message == "此调查已结束。"
    assert not Response.objects.exists()


def test_someone_elses_link_is_refused(surveyed, template, people):
    customer_b = surveyed["customers"][1]
    with pytest.raises(DomainError) as error:
        response_submit(
            token=_token(surveyed, 0), answers=answers_all(template, 7), customer=customer_b, entered_by=people["agent"]
        )
    assert error.value.code == "forbidden"
    other = survey_create(
        actor=people["cs_manager"],
        template=template,
        name="另一份调查",
        closes_at=timezone.now() + dt.timedelta(days=3),
    )
    with pytest.raises(DomainError):
        response_submit(token=_token(surveyed, 0), answers=answers_all(template, 7), survey=other)
    assert not Response.objects.exists()


def test_an_unknown_link_is_refused(surveyed, template):
    with pytest.raises(DomainError):
        response_submit(token="not-a-real-token", answers=answers_all(template, 7))


def test_required_questions_and_ranges(surveyed, template):
    answers = answers_all(template, 7)
    first = next(iter(answers))
    with pytest.raises(DomainError) as error:
        response_submit(token=_token(surveyed), answers={**answers, first: 8})
    assert error.value.field == f"q{first}"
    answers.pop(first)
    with pytest.raises(DomainError) as error:
        response_submit(token=_token(surveyed), answers=answers)
    assert error.value.field == f"q{first}"


def test_scores_of_the_seven_point_scale_and_nps():
    assert score("scale", 7, 7) == Decimal("100.0")
    assert score("scale", 7, 1) == Decimal("0.0")
    assert score("scale", 7, 4) == Decimal("50.0")
    assert score("nps", 11, 8) == Decimal("80")
    assert weighted_index({1: Decimal(100), 2: Decimal(50)}, {1: Decimal("0.75"), 2: Decimal("0.25")}) == Decimal(
        "87.5"
    )


def test_index_on_a_known_set_of_answers(surveyed, template):
    """All 非常好 on service quality and timeliness, 中等 on price, 非常差 on after-sales:
    0.35 × 100 + 0.30 × 100 + 0.15 × 50 + 0.20 × 0 = 72.5."""
    answers = {}
    for question in template.questions.select_related("dimension"):
        if question.kind != "scale":
            continue
        answers[str(question.pk)] = {"quality": 7, "timeliness": 7, "price": 4, "after_sales": 1}[
            question.dimension.code
        ]
    response = response_submit(token=_token(surveyed), answers=answers, comment="价格还可以再优惠一点")
    assert response.index_score == Decimal("72.5")
    results = survey_results(survey=surveyed["survey"])
    assert results.index == Decimal("72.5")
    assert dict((d.code, s) for d, s in results.dimensions) == {
        "quality": Decimal("100.0"),
        "timeliness": Decimal("100.0"),
        "price": Decimal("50.0"),
        "after_sales": Decimal("0.0"),
    }
    assert results.response_rate == 50.0
    # a second response at 中等 everywhere: every dimension averages (100 + 50) / 2 etc.
    response_submit(token=_token(surveyed, 1), answers=answers_all(template, 4))
    results = survey_results(survey=surveyed["survey"])
    assert results.index == Decimal("61.3")  # (0.35×75 + 0.30×75 + 0.15×50 + 0.20×25) = 61.25
    grade_rows = {row.key: row for row in results.segments}
    assert sum(r.responses for r in grade_rows.values()) == 2
    first = results.questions[0]
    assert dict(first.counts)["非常好"] == 1 and dict(first.counts)["中等"] == 1
    rows = satisfaction_index(start=dt.date(2000, 1, 1), end=dt.date(2100, 1, 1))
    assert rows[0].index == Decimal("61.3") and rows[0].responses == 2


def test_a_low_score_raises_a_visit_for_the_account_manager(surveyed, template, people):
    response_submit(token=_token(surveyed), answers=answers_all(template, 2))
    task = VisitTask.objects.get(rule__code="survey-low-score")
    assert task.customer == surveyed["customers"][0]
    assert task.assignee == people["agent"]


def test_a_good_score_raises_no_visit(surveyed, template):
    response_submit(token=_token(surveyed), answers=answers_all(template, 6))
    assert not VisitTask.objects.exists()


def test_comments_are_found_by_chinese_keywords(surveyed, template):
    response_submit(token=_token(surveyed), answers=answers_all(template, 6), comment="司机送货很准时，点赞")
    response_submit(token=_token(surveyed, 1), answers=answers_all(template, 3), comment="发票开得太慢了")
    survey = surveyed["survey"]
    assert [r.comment for r in survey_comments(survey=survey, q="准时")] == ["司机送货很准时，点赞"]
    assert [r.comment for r in survey_comments(survey=survey, q="发票")] == ["发票开得太慢了"]
    assert survey_comments(survey=survey).count() == 2


def test_phone_answers_are_entered_by_staff(surveyed, template, people):
    response = response_submit(token=_token(surveyed), answers=answers_all(template, 6), entered_by=people["agent"])
    assert response.channel == "phone" and response.entered_by == people["agent"]
    with pytest.raises(PermissionDeniedError):
        response_submit(token=_token(surveyed, 1), answers=answers_all(template, 6), entered_by=people["sales_rep"])


def test_reminders_go_to_non_respondents_once(surveyed, template, people):
    response_submit(token=_token(surveyed), answers=answers_all(template, 6))
    assert survey_remind(actor=people["cs_manager"], survey=surveyed["survey"]) == 1
    assert survey_remind(actor=people["cs_manager"], survey=surveyed["survey"]) == 0
    reminder = OutboxMessage.objects.filter(dedupe_key__startswith="survey-remind").get()
    assert reminder.recipient == "b@example.test"


def test_multiple_choice_answers_count_each_option(surveyed, template):
    from kefu.surveys.models import Question

    question = Question.objects.create(
        template=template,
        position=5,
        text="您使用过哪些服务？",
        kind="multiple",
        options=["整车", "零担", "仓储"],
        required=False,
    )
    response_submit(token=_token(surveyed), answers={**answers_all(template, 6), str(question.pk): [0, 2]})
    assert sorted(Answer.objects.filter(question=question).values_list("value", flat=True)) == [0, 2]
    result = next(r for r in survey_results(survey=surveyed["survey"]).questions if r.question == question)
    assert result.counts == [("整车", 1), ("零担", 0), ("仓储", 1)]
    assert Survey.objects.get().response_count == 1


def test_kept_answer_counts_match_a_rebuild(surveyed, template):
    from kefu.surveys.models import AnswerCount
    from kefu.surveys.services import answer_counts_rebuild

    response_submit(token=_token(surveyed), answers=answers_all(template, 6, nps=9))
    response_submit(token=_token(surveyed, 1), answers=answers_all(template, 6, nps=3))
    kept = sorted(AnswerCount.objects.values_list("question_id", "value", "month", "grade", "n"))
    assert sum(n for *_cell, n in kept) == 2 * template.questions.exclude(kind="text").count()
    answer_counts_rebuild(survey=surveyed["survey"])
    assert sorted(AnswerCount.objects.values_list("question_id", "value", "month", "grade", "n")) == kept
