"""The visit pages: queues with filters, search and export, recording, one click to a case, report, settings."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kefu.tickets.models import Case
from kefu.visits.models import CareCampaign, VisitPolicy, VisitRule, VisitTask
from tests.customers.factories import make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def tasks(people, teams):
    rule = VisitRule.objects.get(code="grade-a-monthly")
    now = timezone.localtime().replace(hour=23, minute=59)  # later today: due today, not yet overdue
    mine = make_customer(
        name="顺丰测试物流有限公司",
        account_manager=people["agent"],
        team=teams["cs_east"],
        contacts=[{"name": "赵总", "title": "总经理", "is_primary": True}],
    )
    other = make_customer(name="华南快运测试有限公司", team=teams["cs_south"])
    return {
        "today": VisitTask.objects.create(
            rule=rule,
            customer=mine,
            contact=mine.contacts.first(),
            occasion="a",
            method="phone",
            due_at=now,
            assignee=people["agent"],
            team=teams["cs_east"],
            grade="A",
        ),
        "overdue": VisitTask.objects.create(
            rule=rule,
            customer=mine,
            occasion="b",
            method="phone",
            due_at=now - dt.timedelta(days=3),
            assignee=people["agent"],
            grade="A",
        ),
        "other": VisitTask.objects.create(
            rule=rule, customer=other, occasion="c", method="phone", due_at=now, team=teams["cs_south"], grade="B"
        ),
    }


def test_my_visits_today_and_overdue(client_for, tasks):
    client = client_for("agent")
    page = client.get(reverse("visits:list"), {"queue": "today"})
    assert page.status_code == 200
    assert list(page.context["page"]) == [tasks["today"]]
    overdue = client.get(reverse("visits:list"), {"queue": "overdue"})
    assert list(overdue.context["page"]) == [tasks["overdue"]]


def test_an_agent_does_not_see_another_teams_visits(client_for, tasks):
    page = client_for("agent").get(reverse("visits:list"), {"queue": "all"})
    assert tasks["other"] not in list(page.context["page"])
    assert client_for("agent").get(reverse("visits:detail", args=[tasks["other"].pk])).status_code == 404
    assert client_for("agent_other").get(reverse("visits:detail", args=[tasks["other"].pk])).status_code == 200


def test_search_filters_and_export(client_for, tasks):
    client = client_for("cs_manager")
    found = client.get(reverse("visits:list"), {"queue": "all", "q": "顺丰"})
    assert {t.pk for t in found.context["page"]} == {tasks["today"].pk, tasks["overdue"].pk}
    graded = client.get(reverse("visits:list"), {"queue": "all", "grade": "B"})
    assert list(graded.context["page"]) == [tasks["other"]]
    empty = client.get(reverse("visits:list"), {"queue": "all", "q": "不存在的客户"})
    assert "No visits here." in empty.content.decode() or "没有" in empty.content.decode()
    export = client.get(reverse("visits:list"), {"queue": "all", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet.max_row == 4


def test_the_visit_page_shows_the_filled_script(client_for, tasks):
    page = client_for("agent").get(reverse("visits:detail", args=[tasks["today"].pk]))
    script = page.context["script"]
    assert "赵总总经理您好" in script and "agent" in script and "{" not in script


def test_recording_with_a_missing_evaluation_answers_400(client_for, tasks):
    url = reverse("visits:record", args=[tasks["today"].pk])
    response = client_for("agent").post(url, {"outcome": "satisfied", "evaluation": ""})
    assert response.status_code == 400
    assert response.context["form"].errors["evaluation"]


def test_record_then_one_click_complaint(client_for, tasks):
    client = client_for("agent")
    task = tasks["today"]
    response = client.post(
        reverse("visits:record", args=[task.pk]),
        {
            "outcome": "dissatisfied",
            "evaluation": "送货慢",
            "improvement": "提高时效",
            "complaints": "多次延误",
            "version": task.version,
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("visits:detail", args=[task.pk]))
    assert page.context["can_open_case"] and page.context["unhappy"]
    response = client.post(reverse("visits:case", args=[task.pk]), {"kind": "complaint"})
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("tickets:detail", args=[case.pk])
    assert "多次延误" in case.title


def test_taking_a_visit_from_the_team_queue(client_for, tasks, people):
    client = client_for("agent_other")
    client.post(reverse("visits:take", args=[tasks["other"].pk]))
    tasks["other"].refresh_from_db()
    assert tasks["other"].assignee == people["agent_other"]


def test_report_and_its_excel(client_for, tasks):
    client = client_for("cs_manager")
    page = client.get(reverse("visits:report"))
    assert page.status_code == 200 and page.context["coverage"].planned >= 2
    export = client.get(reverse("visits:report"), {"format": "xlsx"})
    assert export.status_code == 200
    assert load_workbook(io.BytesIO(export.content)).active["A1"].value
    assert client_for("agent").get(reverse("visits:report")).status_code == 403


def test_managers_edit_rules_and_a_stale_form_is_refused(client_for):
    client = client_for("cs_manager")
    rule = VisitRule.objects.get(code="grade-b-quarterly")
    data = {
        "code": rule.code,
        "name": "B 类客户每两月回访",
        "kind": "periodic",
        "grade": "B",
        "key_customers": "exclude",
        "interval_months": 2,
        "delay_hours": 0,
        "method": "phone",
        "position": 30,
        "is_active": "on",
        "version": rule.version,
    }
    assert client.post(reverse("visits:rule_edit", args=[rule.pk]), data).status_code == 302
    rule.refresh_from_db()
    assert rule.interval_months == 2 and rule.version == 2
    stale = client.post(reverse("visits:rule_edit", args=[rule.pk]), {**data, "version": 1, "name": "x"})
    assert stale.status_code == 400
    no_interval = client.post(
        reverse("visits:rule_edit", args=[rule.pk]), {**data, "version": 2, "interval_months": ""}
    )
    assert no_interval.status_code == 400
    assert client_for("agent").get(reverse("visits:settings")).status_code == 403


def test_rest_hours_are_validated(client_for):
    client = client_for("cs_manager")
    policy = VisitPolicy.objects.get()
    bad = client.post(
        reverse("visits:settings"),
        {"rest_hours": "lunch", "retry_hours": 4, "max_attempts": 3, "care_sms_per_week": 2, "version": policy.version},
    )
    assert bad.status_code == 400
    good = client.post(
        reverse("visits:settings"),
        {
            "rest_hours": "12:00-13:30,22:00-08:30",
            "retry_hours": 4,
            "max_attempts": 3,
            "care_sms_per_week": 1,
            "version": policy.version,
        },
    )
    assert good.status_code == 302
    assert VisitPolicy.objects.get().care_sms_per_week == 1


def test_scheduling_a_care_campaign(client_for):
    client = client_for("cs_manager")
    response = client.post(
        reverse("visits:campaigns"),
        {"name": "中秋问候", "body": "{contact}您好，中秋快乐！", "send_at": "2026-09-25T10:00"},
    )
    assert response.status_code == 302
    assert CareCampaign.objects.get().name == "中秋问候"
    bad = client.post(reverse("visits:campaigns"), {"name": "坏", "body": "{oops", "send_at": "2026-09-25T10:00"})
    assert bad.status_code == 400


def test_nav_links_are_live(client_for):
    page = client_for("agent").get(reverse("visits:list")).content.decode()
    assert reverse("visits:list") in page and reverse("surveys:list") in page


def test_cancelling_a_campaign_and_bad_ids(client_for):
    client = client_for("cs_manager")
    client.post(reverse("visits:campaigns"), {"name": "元旦", "body": "元旦快乐", "send_at": "2099-01-01T10:00"})
    campaign = CareCampaign.objects.get()
    assert client.post(reverse("visits:campaigns"), {"cancel": "abc"}).status_code == 404
    assert client.post(reverse("visits:campaigns"), {"cancel": str(campaign.pk)}).status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == "cancelled"
    assert (
        client.get(reverse("visits:list"), {"queue": "all", "rule_id": "x9", "team_id": "99999999999999"}).status_code
        == 200
    )
