import datetime as dt

import pytest
from django.utils import timezone

from kefu.surveys.models import SurveyTemplate
from kefu.surveys.services import survey_create
from tests.customers.factories import make_customer


@pytest.fixture
def template(db) -> SurveyTemplate:
    return SurveyTemplate.objects.get(code="customer-service")


@pytest.fixture
def surveyed(people, teams, template):
    """Two customers with a contact each, and an open e-mail survey sent to both."""
    customers = [
        make_customer(
            name="调查客户甲",
            account_manager=people["agent"],
            team=teams["cs_east"],
            contacts=[{"name": "甲经理", "email": "a@example.test", "mobile": "13812345671", "is_primary": True}],
        ),
        make_customer(
            name="调查客户乙",
            contacts=[{"name": "乙经理", "email": "b@example.test", "mobile": "13812345672", "is_primary": True}],
        ),
    ]
    survey = survey_create(
        actor=people["cs_manager"],
        template=template,
        name="2026 年第四季度客户满意度调查",
        closes_at=timezone.now() + dt.timedelta(days=14),
    )
    return {"survey": survey, "customers": customers}


def answers_all(template, scale_value: int, nps: int | None = None) -> dict[str, object]:
    """The same value for every scale question (7 = 非常好, 1 = 非常差)."""
    answers: dict[str, object] = {}
    for question in template.questions.all():
        if question.kind == "scale":
            answers[str(question.pk)] = scale_value
        elif question.kind == "nps" and nps is not None:
            answers[str(question.pk)] = nps
    return answers
