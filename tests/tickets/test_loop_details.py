"""Details of the loop: what a reopening restarts, what closing clears, what a rejection marks."""

from __future__ import annotations

from kefu.tickets.choices import CaseStatus, Metric, SolutionStatus
from kefu.tickets.models import Case, CaseClock
from kefu.tickets.services import (
    case_confirm,
    case_judge,
    case_match_customer,
    case_object,
    case_receive,
    case_wait_for_customer,
)
from tests.customers.factories import make_customer


def test_an_objection_restarts_the_first_response_and_resolution_clocks(staff, receive):
    case = receive()
    case_judge(actor=staff["supervisor"], case=case, valid=False, note="经核实货物签收时完好")
    case_object(actor=staff["agent"], case=case, reason="客户坚持签收时已破损")
    running = CaseClock.objects.filter(case=case, stopped_at__isnull=True).values_list("metric", flat=True)
    assert {Metric.FIRST_RESPONSE, Metric.RESOLUTION} <= set(running)


def test_judging_not_valid_ends_a_wait_for_the_customer(staff, receive):
    case = receive()
    case_wait_for_customer(actor=staff["agent"], case=case, waiting=True, note="等客户提供照片")
    case_judge(actor=staff["supervisor"], case=case, valid=False, note="客户未提供证据")
    assert Case.objects.get(pk=case.pk).waiting_for_customer is False


def test_a_rejected_solution_is_marked_rejected_not_left_approved(staff, receive, walk):
    case = walk(receive(), "implemented")
    case_confirm(actor=staff["agent"], case=case, accepted=False, note="赔偿金额太低")
    assert list(case.solutions.values_list("status", flat=True)) == [SolutionStatus.REJECTED]
    assert Case.objects.get(pk=case.pk).status == CaseStatus.INVESTIGATING


def test_matching_a_grade_a_customer_raises_the_derived_priority(staff, teams):
    case = case_receive(
        actor=staff["agent"],
        data={
            "kind": "inquiry",
            "title": "运费",
            "description": "问运费",
            "channel": "hotline",
            "caller_name": "李先生",
        },
    )
    key = make_customer(team=teams["cs_east"], is_key=True)  # key customers are graded A
    matched = case_match_customer(actor=staff["agent"], case=case, customer=key)
    assert key.grade == "A"
    assert matched.priority < case.priority
