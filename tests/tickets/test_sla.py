"""Time limits on real calendar dates: office hours 09:00-12:00 / 14:30-18:00 Monday to Friday,
the State Council holidays and adjusted working days (调休) of 2025, pauses while waiting for the customer."""

from __future__ import annotations

import pytest
import time_machine

from kefu.tickets.choices import Metric
from kefu.tickets.models import Case, CaseClock, Category, ServiceRequestType, SlaPolicy
from kefu.tickets.services import case_confirm, case_judge, case_wait_for_customer
from tests.tickets.conftest import sh


@pytest.fixture(autouse=True)
def _hours(office_hours):
    return office_hours


def _due(case: Case, metric: str):
    return CaseClock.objects.get(case=case, metric=metric).due_at


def _received(receive, when, **overrides) -> Case:
    with time_machine.travel(when, tick=False):
        return receive(received_at=when, **overrides)


def test_a_hard_complaint_received_before_national_day_is_first_due_after_the_holidays(receive):
    """2025-09-30 17:30: 30 minutes that evening, 10-01..10-08 off, the other 30 minutes on Thursday 10-09."""
    case = _received(receive, sh(2025, 9, 30, 17, 30))
    assert case.nature == "hard"
    assert _due(case, Metric.FIRST_RESPONSE) == sh(2025, 10, 9, 9, 30)
    assert _due(case, Metric.REPORT_TO_SUPERVISOR) == sh(2025, 9, 30, 17, 40)
    # second response: 30 min on 09-30, then 150 min on 10-09 = 09:00-11:30
    assert _due(case, Metric.SECOND_RESPONSE) == sh(2025, 10, 9, 11, 30)


def test_an_adjusted_working_sunday_before_national_day_counts(receive):
    """Friday 2025-09-26 17:45 + 60 min: 15 min on Friday, Saturday off, Sunday 09-28 is a 调休 working day."""
    case = _received(receive, sh(2025, 9, 26, 17, 45))
    assert _due(case, Metric.FIRST_RESPONSE) == sh(2025, 9, 28, 9, 45)


def test_the_adjusted_working_saturday_after_national_day_counts(receive):
    """Friday 2025-10-10 17:30 + 60 min lands on Saturday 10-11 (a 调休 working day) at 09:30."""
    case = _received(receive, sh(2025, 10, 10, 17, 30))
    assert _due(case, Metric.FIRST_RESPONSE) == sh(2025, 10, 11, 9, 30)


def test_an_ordinary_weekend_is_skipped(receive):
    """Friday 2025-10-17 17:30 + 60 min: Saturday and Sunday are off → Monday 10-20 09:30."""
    case = _received(receive, sh(2025, 10, 17, 17, 30))
    assert _due(case, Metric.FIRST_RESPONSE) == sh(2025, 10, 20, 9, 30)


def test_the_lunch_break_does_not_count(receive):
    """Tuesday 2025-10-14 11:30 + 60 min: 30 min before noon, 30 min after 14:30."""
    case = _received(receive, sh(2025, 10, 14, 11, 30))
    assert _due(case, Metric.FIRST_RESPONSE) == sh(2025, 10, 14, 15, 0)


def test_a_complaint_received_on_a_holiday_starts_counting_on_the_next_working_day(receive):
    case = _received(receive, sh(2025, 10, 3, 10, 0))
    assert _due(case, Metric.FIRST_RESPONSE) == sh(2025, 10, 9, 10, 0)


def test_a_soft_complaint_reacts_in_15_minutes_and_is_verified_in_30(receive):
    case = _received(receive, sh(2025, 10, 14, 10, 0), nature="soft", category=Category.objects.get(code="attitude"))
    assert _due(case, Metric.REPORT_TO_SUPERVISOR) == sh(2025, 10, 14, 10, 10)
    assert _due(case, Metric.FIRST_RESPONSE) == sh(2025, 10, 14, 10, 15)
    assert _due(case, Metric.VERIFICATION) == sh(2025, 10, 14, 10, 30)
    assert not CaseClock.objects.filter(case=case, metric=Metric.SECOND_RESPONSE).exists()


def test_a_soft_complaint_late_in_the_day_is_verified_the_next_morning(receive):
    case = _received(receive, sh(2025, 10, 14, 17, 50), nature="soft", category=Category.objects.get(code="attitude"))
    assert _due(case, Metric.FIRST_RESPONSE) == sh(2025, 10, 15, 9, 5)
    assert _due(case, Metric.VERIFICATION) == sh(2025, 10, 15, 9, 20)


def test_the_department_has_15_business_minutes_to_accept(staff, receive):
    case = _received(receive, sh(2025, 9, 30, 17, 0))
    with time_machine.travel(sh(2025, 9, 30, 17, 50), tick=False):
        case_judge(actor=staff["supervisor"], case=case, valid=True, note="属实")
    assert _due(case, Metric.DEPARTMENT_ACCEPT) == sh(2025, 10, 9, 9, 5)


def test_the_follow_up_is_due_24_wall_clock_hours_after_resolution(staff, receive, walk):
    """回访 within 24 h counts every hour, weekend included."""
    case = _received(receive, sh(2025, 10, 17, 9, 0))
    with time_machine.travel(sh(2025, 10, 17, 17, 0), tick=False):
        case = walk(case, "implemented")
        case_confirm(actor=staff["agent"], case=case, accepted=True)
    assert _due(case, Metric.FOLLOW_UP) == sh(2025, 10, 18, 17, 0)


def test_a_service_request_runs_round_the_clock(receive):
    """Repair requests: contact within a day and answer within 72 h, holidays included."""
    repair = ServiceRequestType.objects.get(code="repair")
    case = _received(
        receive,
        sh(2025, 10, 4, 22, 0),
        kind="service_request",
        nature="",
        category=None,
        request_type=repair,
        title="冷柜报修",
        extra={"item": "冷柜", "address": "上海市浦东新区"},
    )
    assert CaseClock.objects.get(case=case, metric=Metric.FIRST_RESPONSE).policy.round_the_clock
    assert _due(case, Metric.FIRST_RESPONSE) == sh(2025, 10, 5, 22, 0)
    assert _due(case, Metric.RESOLUTION) == sh(2025, 10, 7, 22, 0)


def test_the_most_specific_policy_wins(receive):
    """A policy for hard complaints about 货物破损 beats the general hard-complaint policy."""
    damage = Category.objects.get(code="damage")
    specific = SlaPolicy.objects.create(name="破损专项", kind="complaint", nature="hard", category=damage)
    specific.targets.create(metric=Metric.FIRST_RESPONSE, minutes=30)
    case = _received(receive, sh(2025, 10, 14, 10, 0))
    clock = CaseClock.objects.get(case=case, metric=Metric.FIRST_RESPONSE)
    assert (clock.policy, clock.due_at) == (specific, sh(2025, 10, 14, 10, 30))


def test_a_severity_specific_limit_beats_the_general_one(receive):
    hard = SlaPolicy.objects.get(name="硬性投诉")
    hard.targets.create(metric=Metric.FIRST_RESPONSE, severity="major", minutes=20)
    major = _received(receive, sh(2025, 10, 14, 10, 0), severity="major")
    normal = _received(receive, sh(2025, 10, 14, 10, 0))
    assert _due(major, Metric.FIRST_RESPONSE) == sh(2025, 10, 14, 10, 20)
    assert _due(normal, Metric.FIRST_RESPONSE) == sh(2025, 10, 14, 11, 0)


# --- pause and resume -----------------------------------------------------------------------------


def test_waiting_for_the_customer_pauses_the_running_clocks(staff, receive):
    case = _received(receive, sh(2025, 10, 14, 10, 0))
    with time_machine.travel(sh(2025, 10, 14, 10, 30), tick=False):
        case_wait_for_customer(actor=staff["agent"], case=case, waiting=True, note="等客户发照片")
    clocks = CaseClock.objects.filter(case=case)
    assert all(c.paused_at == sh(2025, 10, 14, 10, 30) and not c.running for c in clocks)
    assert Case.objects.get(pk=case.pk).waiting_for_customer


def test_on_resume_the_deadline_moves_by_the_business_time_left_over_the_night(staff, receive):
    """Paused at 17:40 with 20 business minutes left; the customer answers at 09:30 next morning → due 09:50."""
    case = _received(receive, sh(2025, 10, 14, 17, 0))
    assert _due(case, Metric.FIRST_RESPONSE) == sh(2025, 10, 14, 18, 0)
    with time_machine.travel(sh(2025, 10, 14, 17, 40), tick=False):
        case_wait_for_customer(actor=staff["agent"], case=case, waiting=True)
    with time_machine.travel(sh(2025, 10, 15, 9, 30), tick=False):
        case_wait_for_customer(actor=staff["agent"], case=case, waiting=False)
    clock = CaseClock.objects.get(case=case, metric=Metric.FIRST_RESPONSE)
    assert (clock.due_at, clock.paused_at) == (sh(2025, 10, 15, 9, 50), None)
    # warn_at follows the new deadline (30 minutes before, but not before the resume)
    assert clock.warn_at == sh(2025, 10, 15, 9, 30)
    # a clock already overdue when paused keeps its deadline
    assert _due(case, Metric.REPORT_TO_SUPERVISOR) == sh(2025, 10, 14, 17, 10)


def test_a_pause_over_a_holiday_resumes_with_the_time_left(staff, receive):
    """Paused on 09-30 at 17:30 with 30 minutes left; resumed on 10-09 at 14:00 (lunch) → 15:00."""
    case = _received(receive, sh(2025, 9, 30, 17, 0))
    with time_machine.travel(sh(2025, 9, 30, 17, 30), tick=False):
        case_wait_for_customer(actor=staff["agent"], case=case, waiting=True)
    with time_machine.travel(sh(2025, 10, 9, 14, 0), tick=False):
        case_wait_for_customer(actor=staff["agent"], case=case, waiting=False)
    assert _due(case, Metric.FIRST_RESPONSE) == sh(2025, 10, 9, 15, 0)


def test_a_round_the_clock_limit_resumes_in_wall_clock_time(staff, receive, walk):
    """The follow-up clock (24 h) paused 3 hours moves 3 hours."""
    case = _received(receive, sh(2025, 10, 17, 9, 0))
    with time_machine.travel(sh(2025, 10, 17, 17, 0), tick=False):
        case = walk(case, "confirmed")
    with time_machine.travel(sh(2025, 10, 18, 9, 0), tick=False):
        case_wait_for_customer(actor=staff["agent"], case=case, waiting=True)
    with time_machine.travel(sh(2025, 10, 18, 12, 0), tick=False):
        case_wait_for_customer(actor=staff["agent"], case=case, waiting=False)
    assert _due(case, Metric.FOLLOW_UP) == sh(2025, 10, 18, 20, 0)


def test_a_clock_started_while_waiting_starts_paused(staff, receive, walk):
    case = _received(receive, sh(2025, 10, 14, 10, 0))
    with time_machine.travel(sh(2025, 10, 14, 10, 5), tick=False):
        case_wait_for_customer(actor=staff["agent"], case=case, waiting=True)
        case_judge(actor=staff["supervisor"], case=case, valid=True, note="属实")
    accept = CaseClock.objects.get(case=case, metric=Metric.DEPARTMENT_ACCEPT)
    assert accept.paused_at == sh(2025, 10, 14, 10, 5)
    with time_machine.travel(sh(2025, 10, 14, 15, 0), tick=False):
        case_wait_for_customer(actor=staff["agent"], case=case, waiting=False)
    assert _due(case, Metric.DEPARTMENT_ACCEPT) == sh(2025, 10, 14, 15, 15)
