"""Recording a visit: required fields, the not-reached retry rule, one click to a case, events, care SMS cap."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from kefu.core.services import DomainError, PermissionDeniedError
from kefu.notify.models import OutboxMessage
from kefu.tickets.models import Case
from kefu.tickets.services import case_confirm
from kefu.visits.choices import TaskStatus
from kefu.visits.models import CareMessage, VisitRule, VisitTask
from kefu.visits.services import (
    care_campaign_create,
    care_campaign_send,
    policy,
    visit_open_case,
    visit_record_outcome,
    visit_schedule_after_event,
)
from tests.customers.factories import make_customer

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def task(people, teams):
    customer = make_customer(
        name="回访测试有限公司",
        team=teams["cs_east"],
        account_manager=people["agent"],
        contacts=[{"name": "王总", "title": "总经理", "mobile": "13812345678", "is_primary": True}],
    )
    rule = VisitRule.objects.get(code="grade-a-monthly")
    return VisitTask.objects.create(
        rule=rule,
        customer=customer,
        contact=customer.contacts.first(),
        occasion="2026-11/1m",
        method="phone",
        due_at=NOW,
        assignee=people["agent"],
        team=teams["cs_east"],
        grade="A",
    )


def test_a_reached_visit_needs_the_customers_evaluation(task, people):
    with pytest.raises(DomainError) as error:
        visit_record_outcome(actor=people["agent"], task=task, outcome="satisfied", evaluation=" ")
    assert error.value.field == "evaluation"


def test_so_so_or_unsatisfied_asks_what_to_improve(task, people):
    with pytest.raises(DomainError) as error:
        visit_record_outcome(actor=people["agent"], task=task, outcome="neutral", evaluation="一般般")
    assert error.value.field == "improvement"
    done = visit_record_outcome(
        actor=people["agent"], task=task, outcome="neutral", evaluation="一般般", improvement="送货要更准时"
    )
    assert done.status == TaskStatus.DONE and done.completed_by == people["agent"]


def test_not_reached_is_retried_outside_rest_times_then_given_up(task, people):
    policy_row = policy()
    policy_row.retry_hours, policy_row.max_attempts = 2, 3
    policy_row.save()
    with time_machine.travel(dt.datetime(2026, 11, 24, 10, 30, tzinfo=SHANGHAI)):
        task = visit_record_outcome(actor=people["agent"], task=task, outcome="not_reached")
    assert task.status == TaskStatus.OPEN and task.attempts == 1
    # 12:30 is lunch rest: the retry is due when the rest ends
    assert timezone.localtime(task.due_at, SHANGHAI) == dt.datetime(2026, 11, 24, 14, 0, tzinfo=SHANGHAI)
    with time_machine.travel(dt.datetime(2026, 11, 24, 20, 0, tzinfo=SHANGHAI)):
        task = visit_record_outcome(actor=people["agent"], task=task, outcome="not_reached")
    assert timezone.localtime(task.due_at, SHANGHAI) == dt.datetime(2026, 11, 25, 9, 0, tzinfo=SHANGHAI)
    task = visit_record_outcome(actor=people["agent"], task=task, outcome="not_reached")
    assert task.status == TaskStatus.UNREACHABLE and task.attempts == 3


def test_someone_outside_the_task_may_not_record_it(task, people):
    with pytest.raises(PermissionDeniedError):
        visit_record_outcome(actor=people["agent_other"], task=task, outcome="satisfied", evaluation="好")


def test_a_stale_form_is_refused(task, people):
    version = task.version
    visit_record_outcome(actor=people["agent"], task=task, outcome="not_reached")
    with pytest.raises(DomainError) as error:
        visit_record_outcome(actor=people["agent"], task=task, outcome="satisfied", evaluation="好", version=version)
    assert error.value.code == "conflict"


def test_one_click_complaint_from_an_unhappy_visit(task, people):
    visit_record_outcome(
        actor=people["agent"],
        task=task,
        outcome="dissatisfied",
        evaluation="上次送货晚了两天",
        improvement="准时送达",
        complaints="司机态度差",
    )
    case = visit_open_case(actor=people["agent"], task=task, kind="complaint")
    assert case.kind == "complaint" and case.nature == "soft" and case.channel == "visit"
    assert case.customer == task.customer and case.contact == task.contact
    assert "司机态度差" in case.title and "上次送货晚了两天" in case.description
    task.refresh_from_db()
    assert task.case == case
    with pytest.raises(DomainError):
        visit_open_case(actor=people["agent"], task=task, kind="suggestion")
    assert Case.objects.count() == 1


def test_no_case_before_the_visit_is_recorded(task, people):
    with pytest.raises(DomainError):
        visit_open_case(actor=people["agent"], task=task, kind="suggestion")


def test_a_resolved_complaint_schedules_a_call_24_hours_later(staff, receive, walk, customer):
    with time_machine.travel(dt.datetime(2026, 11, 23, 11, 0, tzinfo=SHANGHAI)):
        case = walk(receive(), "implemented")
    with time_machine.travel(dt.datetime(2026, 11, 24, 12, 30, tzinfo=SHANGHAI)):
        case_confirm(actor=staff["agent"], case=case, accepted=True, note="客户表示满意")
    task = VisitTask.objects.get(rule__code="complaint-resolved")
    assert task.customer == customer and task.occasion == f"tickets.case:{case.pk}"
    # 24 h after 12:30 is lunch rest: due when it ends
    assert timezone.localtime(task.due_at, SHANGHAI) == dt.datetime(2026, 11, 25, 14, 0, tzinfo=SHANGHAI)


def test_the_same_event_twice_schedules_one_visit(people):
    customer = make_customer(name="事件客户")
    for _ in range(2):
        visit_schedule_after_event(event="operations.shipment.delivered", customer=customer, source="shipment:7")
    assert VisitTask.objects.filter(rule__code="delivery-call").count() == 1


def test_the_thank_you_letter_is_followed_by_a_call_7_days_later(people):
    customer = make_customer(name="订单客户", account_manager=people["agent"])
    with time_machine.travel(NOW):
        [letter] = visit_schedule_after_event(event="operations.order.created", customer=customer, source="order:1")
        assert letter.method == "letter" and letter.due_at == NOW + dt.timedelta(days=7)
        visit_record_outcome(actor=people["agent"], task=letter, outcome="satisfied", evaluation="答谢信已寄出")
    call = VisitTask.objects.get(rule__code="letter-call")
    assert call.method == "phone"
    assert timezone.localtime(call.due_at, SHANGHAI).date() == dt.date(2026, 12, 1)


def test_care_sms_respect_the_weekly_cap(people):
    customers = [
        make_customer(name=f"关怀客户{i}", contacts=[{"name": "联系人", "mobile": f"1381234567{i}"}]) for i in range(3)
    ]
    policy_row = policy()
    policy_row.care_sms_per_week = 2
    policy_row.save()
    sent = []
    for day in (1, 3, 5):
        with time_machine.travel(dt.datetime(2026, 11, day, 10, 0, tzinfo=SHANGHAI)):
            campaign = care_campaign_create(
                actor=people["cs_manager"],
                data={"name": f"问候{day}", "body": "{contact}您好，{company}祝您生活愉快！"},
            )
            sent.append(care_campaign_send(campaign=campaign))
    assert [c.sent_count for c in sent] == [3, 3, 0]
    assert sent[2].capped_count == 3
    assert CareMessage.objects.count() == 6
    assert OutboxMessage.objects.filter(channel="sms").count() == 6
    # seven days after the first message (a rolling week) there is room again
    with time_machine.travel(dt.datetime(2026, 11, 8, 11, 0, tzinfo=SHANGHAI)):
        campaign = care_campaign_create(actor=people["cs_manager"], data={"name": "周末", "body": "周末愉快"})
        assert care_campaign_send(campaign=campaign).sent_count == 3
    assert all(customers)


def test_care_sms_in_rest_times_wait(people):
    make_customer(name="夜间客户", contacts=[{"name": "联系人", "mobile": "13812345670"}])
    with time_machine.travel(dt.datetime(2026, 11, 1, 22, 0, tzinfo=SHANGHAI)):
        campaign = care_campaign_create(actor=people["cs_manager"], data={"name": "晚安", "body": "晚安"})
        care_campaign_send(campaign=campaign)
    message = OutboxMessage.objects.get()
    assert timezone.localtime(message.next_attempt_at, SHANGHAI) == dt.datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)


def test_the_monday_summary_goes_to_head_office_once(task, people):
    visit_record_outcome(
        actor=people["agent"], task=task, outcome="dissatisfied", evaluation="太慢", improvement="提速"
    )
    VisitTask.objects.filter(pk=task.pk).update(completed_at=NOW - dt.timedelta(days=1))
    from kefu.visits.services import weekly_summary_send

    monday = dt.date(2026, 11, 30)
    assert weekly_summary_send(day=dt.date(2026, 11, 29)) == 0  # not a Monday
    sent = weekly_summary_send(day=monday)
    assert sent == 3  # general manager, marketing director, CS manager
    assert weekly_summary_send(day=monday) == 0
    mail = OutboxMessage.objects.filter(channel="email", recipient="general_manager@example.test").get()
    assert "回访测试有限公司" in mail.body and "提速" in mail.body
