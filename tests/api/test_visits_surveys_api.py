"""The visits and surveys API: lists, recording with a stale version (409), one click to a case, coverage,
results, phone answers with someone else's token refused, the satisfaction index."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kefu.surveys.models import Invitation, Survey, SurveyTemplate
from kefu.surveys.services import survey_create
from kefu.visits.models import VisitRule, VisitTask
from tests.customers.factories import bearer, make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(people, teams):
    customer = make_customer(name="接口回访客户", account_manager=people["agent"], team=teams["cs_east"])
    return VisitTask.objects.create(
        rule=VisitRule.objects.get(code="grade-a-monthly"),
        customer=customer,
        occasion="x",
        method="phone",
        due_at=timezone.now() - dt.timedelta(hours=1),
        assignee=people["agent"],
        grade="A",
    )


def test_visit_list_and_detail(client, people, task):
    auth = bearer(people["agent"])
    listed = client.get("/api/v1/visits?queue=overdue", **auth).json()
    assert [v["id"] for v in listed["items"]] == [task.pk]
    detail = client.get(f"/api/v1/visits/{task.pk}", **auth).json()
    assert detail["customer_name"] == "接口回访客户" and "{" not in detail["script"]
    assert client.get(f"/api/v1/visits/{task.pk}", **bearer(people["agent_other"])).status_code == 404


def test_recording_needs_the_evaluation_and_a_fresh_version(client, people, task):
    auth = bearer(people["agent"])
    url = f"/api/v1/visits/{task.pk}/outcome"
    missing = client.post(url, {"outcome": "satisfied"}, content_type="application/json", **auth)
    assert missing.status_code == 400 and missing.json()["field"] == "evaluation"
    stale = client.post(
        url,
        {"outcome": "satisfied", "evaluation": "好", "version": task.version + 5},
        content_type="application/json",
        **auth,
    )
    assert stale.status_code == 409
    done = client.post(
        url,
        {
            "outcome": "neutral",
            "evaluation": "一般",
            "improvement": "价格",
            "complaints": "收费不透明",
            "version": task.version,
        },
        content_type="application/json",
        **auth,
    )
    assert done.status_code == 200 and done.json()["status"] == "done"
    case = client.post(f"/api/v1/visits/{task.pk}/case", {"kind": "complaint"}, content_type="application/json", **auth)
    assert case.status_code == 201 and case.json()["number"].startswith("TS-")


def test_coverage_is_for_supervisors(client, people, task):
    assert client.get("/api/v1/visits/coverage", **bearer(people["agent"])).status_code == 403
    body = client.get("/api/v1/visits/coverage?start=2000-01-01&end=2100-01-01", **bearer(people["supervisor"])).json()
    assert body["planned"] == 1 and body["grades"][0]["grade"] == "A"


def test_phone_answers_and_results_through_the_api(client, people):
    template = SurveyTemplate.objects.get(code="customer-service")
    first = make_customer(name="接口调查甲")
    second = make_customer(name="接口调查乙")
    survey = survey_create(
        actor=people["cs_manager"],
        template=template,
        name="接口调查",
        closes_at=timezone.now() + dt.timedelta(days=3),
        channel="phone",
    )
    token = Invitation.objects.get(survey=survey, customer=first).token
    answers = {str(q.pk): 6 for q in template.questions.filter(kind="scale")}
    auth = bearer(people["agent"])
    url = f"/api/v1/surveys/{survey.pk}/responses"
    wrong = client.post(
        url, {"token": token, "customer_id": second.pk, "answers": answers}, content_type="application/json", **auth
    )
    assert wrong.status_code == 403
    ok = client.post(
        url, {"token": token, "customer_id": first.pk, "answers": answers}, content_type="application/json", **auth
    )
    assert ok.status_code == 201 and ok.json()["channel"] == "phone"
    again = client.post(url, {"token": token, "answers": answers}, content_type="application/json", **auth)
    assert again.status_code == 409
    results = client.get(f"/api/v1/surveys/{survey.pk}/results", **bearer(people["supervisor"])).json()
    assert results["responses"] == 1 and results["response_rate"] == 50.0
    assert float(results["index"]) == pytest.approx(83.3)
    index = client.get(
        "/api/v1/surveys/index?segment=grade&start=2000-01-01&end=2100-01-01", **bearer(people["supervisor"])
    ).json()
    assert index[0]["responses"] == 1 and float(index[0]["index"]) == pytest.approx(83.3)
    assert Survey.objects.get().response_count == 1
