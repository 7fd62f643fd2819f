"""Work queues: breaching soon sorted by deadline, waiting for approval, waiting for the customer,
mine / department / unassigned, and Chinese keyword search."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from kefu.tickets.models import Category
from kefu.tickets.selectors import case_queue
from kefu.tickets.services import case_assign, case_wait_for_customer
from tests.tickets.conftest import sh

NOW = sh(2025, 10, 14, 10, 0)


@pytest.fixture(autouse=True)
def _frozen(office_hours):
    with time_machine.travel(NOW, tick=False):
        yield


def _titles(cases) -> list[str]:
    return [c.title for c in cases]


def test_breaching_soon_lists_cases_by_their_next_deadline(staff, receive):
    """Each case's earliest running clock is its 10-minute report to the supervisor: 09:30, 09:50, 10:10.
    An inquiry (first response 11:00) is not due within the next 30 minutes."""
    receive(title="三", received_at=sh(2025, 10, 14, 10, 0))
    receive(title="一", received_at=sh(2025, 10, 14, 9, 20))
    receive(
        title="二", received_at=sh(2025, 10, 14, 9, 40), nature="soft", category=Category.objects.get(code="attitude")
    )
    receive(title="远", received_at=sh(2025, 10, 14, 10, 0), kind="inquiry", nature="", category=None)
    queue = case_queue(user=staff["supervisor"], queue="breaching", soon=dt.timedelta(minutes=30))
    assert _titles(queue) == ["一", "二", "三"]  # not in order of receipt: by deadline
    assert [c.next_due_at for c in queue] == sorted(c.next_due_at for c in queue)


def test_a_waiting_case_is_not_breaching_but_is_in_the_waiting_queue(staff, receive):
    waiting = receive(title="等客户")
    receive(title="在办")
    case_wait_for_customer(actor=staff["agent"], case=waiting, waiting=True)
    assert _titles(case_queue(user=staff["agent"], queue="breaching")) == ["在办"]
    assert _titles(case_queue(user=staff["agent"], queue="waiting")) == ["等客户"]


def test_the_approval_queue_holds_cases_with_a_proposal_waiting(staff, receive, walk):
    walk(receive(title="待审批"), "proposed")
    walk(receive(title="已批准"), "approved")
    receive(title="新")
    assert _titles(case_queue(user=staff["supervisor"], queue="approval")) == ["待审批"]


def test_mine_department_and_unassigned(staff, receive):
    mine = receive(title="我的")
    case_assign(actor=staff["supervisor"], case=mine, assignee=staff["agent"])
    receive(title="没人管")
    receive(title="账单", category=Category.objects.get(code="billing"))
    assert _titles(case_queue(user=staff["agent"], queue="mine")) == ["我的"]
    assert set(_titles(case_queue(user=staff["agent"], queue="unassigned"))) == {"没人管", "账单"}
    assert set(_titles(case_queue(user=staff["transport_manager"], queue="department"))) == {"我的", "没人管"}


def test_closed_cases_leave_the_open_queue(staff, receive, walk):
    walk(receive(title="已结案"), "closed")
    receive(title="未结案")
    assert _titles(case_queue(user=staff["supervisor"], queue="open")) == ["未结案"]
    assert set(_titles(case_queue(user=staff["supervisor"], queue="all"))) == {"已结案", "未结案"}


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("破损", {"外箱破损严重"}),  # a two-character word inside the title
        ("延误", {"运输延误三天"}),
        ("损", {"外箱破损严重"}),  # a single character falls back to a substring scan
        ("上海 延误", {"运输延误三天"}),  # every word must match
        ("TS-20251014", {"外箱破损严重", "运输延误三天", "司机态度差"}),  # the case number
        ("丢失", set()),
    ],
)
def test_chinese_keyword_search(query, found, staff, receive):
    receive(title="外箱破损严重", description="客户收货时发现")
    receive(title="运输延误三天", description="上海到成都", category=Category.objects.get(code="delay"))
    receive(title="司机态度差", description="司机说话难听", category=Category.objects.get(code="driver"))
    assert set(_titles(case_queue(user=staff["supervisor"], queue="all", q=query))) == found


def test_search_finds_the_customer_name_and_respects_visibility(staff, receive):
    receive(title="破损一")
    assert _titles(case_queue(user=staff["agent"], queue="all", q="华东货运")) == ["破损一"]
    assert _titles(case_queue(user=staff["agent_other"], queue="all", q="华东货运")) == []


def test_queue_filters_combine(staff, receive):
    receive(title="重大破损", severity="major")
    receive(title="一般破损")
    assert _titles(case_queue(user=staff["supervisor"], queue="open", severity="major")) == ["重大破损"]


def _running_minimum(case):
    running = [c.due_at for c in case.clocks.all() if c.running]
    return min(running, default=None)


@pytest.mark.parametrize("step", ["received", "judged", "accepted", "investigated", "confirmed", "closed"])
def test_the_stored_deadline_is_the_earliest_running_clock_after_each_step(staff, receive, walk, step):
    case = walk(receive(title="破损"), step)
    assert case.next_due_at == _running_minimum(case)
    if step == "closed":
        assert case.next_due_at is None


def test_waiting_for_the_customer_clears_the_stored_deadline_and_resuming_restores_it(staff, receive):
    case = receive(title="等客户")
    case_wait_for_customer(actor=staff["agent"], case=case, waiting=True)
    case.refresh_from_db()
    assert case.next_due_at is None
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        case_wait_for_customer(actor=staff["agent"], case=case, waiting=False)
    case.refresh_from_db()
    assert case.next_due_at is not None and case.next_due_at == _running_minimum(case)
