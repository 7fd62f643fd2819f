"""The closed loop 受理 → 判断 → 接单 → 调查 → 方案 → 实施 → 确认 → 回访 → 结案, step by step:
each step allowed only in its state, for its roles, with the notes it needs."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine

from kefu.core.models import AuditEvent
from kefu.core.services import DomainError, PermissionDeniedError
from kefu.tickets.choices import CaseStatus, EscalationLevel, Metric, SolutionStatus
from kefu.tickets.models import Case, CaseClock, Category, Solution
from kefu.tickets.services import (
    case_accept,
    case_appeal,
    case_bounce,
    case_close,
    case_confirm,
    case_follow_up,
    case_implement,
    case_investigate,
    case_judge,
    case_object,
    case_receive,
    case_wait_for_customer,
    solution_approve,
    solution_propose,
)
from tests.tickets.conftest import sh

NOW = sh(2025, 10, 14, 10, 0)  # a Tuesday, inside office hours


@pytest.fixture(autouse=True)
def _frozen(office_hours):
    with time_machine.travel(NOW, tick=False):
        yield


def _timeline(case: Case) -> list[str]:
    return list(
        AuditEvent.objects.filter(action__startswith="tickets.case.").order_by("id").values_list("action", flat=True)
    )


def test_a_hard_complaint_goes_round_the_whole_loop_from_receipt_to_closure(staff, customer):
    """Each step moves the status on, stops the clocks it concerns and leaves a timeline event."""
    s = staff
    case = case_receive(
        actor=s["agent"],
        data={
            "kind": "complaint",
            "nature": "hard",
            "category": Category.objects.get(code="damage"),
            "severity": "normal",
            "title": "货物破损投诉",
            "description": "显示器屏幕碎了",
            "channel": "hotline",
            "customer": customer,
        },
    )
    assert case.status == CaseStatus.RECEIVED
    assert case.number.startswith("TS-20251014-")
    assert case.department.code == "transport"  # 货物破损's usual department
    running = set(CaseClock.objects.filter(case=case).values_list("metric", flat=True))
    assert running == {Metric.REPORT_TO_SUPERVISOR, Metric.FIRST_RESPONSE, Metric.SECOND_RESPONSE, Metric.RESOLUTION}
    customer.refresh_from_db()
    assert customer.complaint_count == 1  # 特别记录 on the archive

    case = case_judge(actor=s["supervisor"], case=case, valid=True, note="属实", assignee=s["transport_member"])
    assert case.status == CaseStatus.ASSIGNED
    assert CaseClock.objects.get(case=case, metric=Metric.FIRST_RESPONSE).stopped_at == NOW
    assert CaseClock.objects.get(case=case, metric=Metric.DEPARTMENT_ACCEPT).stopped_at is None

    case = case_accept(actor=s["transport_manager"], case=case)
    assert (case.status, case.assignee) == (CaseStatus.INVESTIGATING, s["transport_member"])
    assert CaseClock.objects.get(case=case, metric=Metric.DEPARTMENT_ACCEPT).stopped_at == NOW

    case = case_investigate(
        actor=s["transport_member"],
        case=case,
        data={"cause": "装车不当", "responsible_department": s["transport_member"].department},
    )
    assert case.cause == "装车不当"
    assert CaseClock.objects.get(case=case, metric=Metric.SECOND_RESPONSE).stopped_at == NOW

    cheap = solution_propose(actor=s["agent"], case=case, kind="apology", description="书面道歉")
    dear = solution_propose(
        actor=s["agent"], case=case, kind="compensation", description="赔偿屏幕", compensation_amount=Decimal("800")
    )
    assert Case.objects.get(pk=case.pk).status == CaseStatus.AWAITING_APPROVAL

    solution_approve(actor=s["supervisor"], solution=dear)
    cheap.refresh_from_db()
    dear.refresh_from_db()
    assert (dear.status, cheap.status) == (SolutionStatus.APPROVED, SolutionStatus.NOT_CHOSEN)
    case = Case.objects.get(pk=case.pk)
    assert case.status == CaseStatus.IMPLEMENTING

    case = case_implement(actor=s["agent"], case=case, note="已赔付", penalty="司机罚款200元")
    assert (case.status, case.penalty) == (CaseStatus.AWAITING_CONFIRMATION, "司机罚款200元")

    case = case_confirm(actor=s["agent"], case=case, accepted=True)
    assert (case.status, case.resolved_at) == (CaseStatus.RESOLVED, NOW)
    assert CaseClock.objects.get(case=case, metric=Metric.RESOLUTION).stopped_at == NOW
    assert CaseClock.objects.get(case=case, metric=Metric.FOLLOW_UP).stopped_at is None

    case = case_follow_up(actor=s["agent"], case=case, satisfaction="very_satisfied", note="很满意")
    assert (case.status, case.satisfaction) == (CaseStatus.FOLLOWED_UP, "very_satisfied")

    case = case_close(
        actor=s["supervisor"], case=case, root_cause="装车规范未执行", lesson="重货在下", for_case_library=True
    )
    assert (case.status, case.closed_at, case.for_case_library) == (CaseStatus.CLOSED, NOW, True)
    assert not CaseClock.objects.filter(case=case, stopped_at__isnull=True).exists()
    assert _timeline(case) == [
        "tickets.case.received",
        "tickets.case.judged_valid",
        "tickets.case.accepted",
        "tickets.case.investigated",
        "tickets.case.solution_proposed",
        "tickets.case.solution_proposed",
        "tickets.case.solution_approved",
        "tickets.case.implemented",
        "tickets.case.confirmed",
        "tickets.case.followed_up",
        "tickets.case.closed",
    ]


def test_an_invalid_judgement_closes_the_case_and_an_objection_reopens_it_for_the_supervisor(staff, receive):
    """不成立 closes the case with the explanation; the customer's objection brings it back to be judged
    again at supervisor level, counted as a reopen."""
    case = receive()
    case = case_judge(actor=staff["agent"], case=case, valid=False, note="经核实货物签收时完好，抱歉给您带来困扰")
    assert (case.status, case.closed_at) == (CaseStatus.INVALID, NOW)
    assert not CaseClock.objects.filter(case=case, stopped_at__isnull=True).exists()

    case = case_object(actor=staff["agent"], case=case, reason="客户提供了开箱视频")
    assert case.status == CaseStatus.RECEIVED
    assert case.closed_at is None
    assert case.reopen_count == 1
    assert case.escalation_level == EscalationLevel.SUPERVISOR

    case = case_judge(actor=staff["supervisor"], case=case, valid=True, note="视频证明属实")
    assert case.status == CaseStatus.ASSIGNED


def test_the_department_bounces_a_case_back_to_customer_service_with_a_reason(staff, receive, walk):
    case = walk(receive(), "judged")
    case = case_bounce(actor=staff["transport_member"], case=case, reason="是仓库错发，不是运输问题")
    assert case.status == CaseStatus.RECEIVED
    assert (case.department, case.assignee) == (None, None)
    assert not CaseClock.objects.filter(case=case, metric=Metric.DEPARTMENT_ACCEPT).exists()
    # customer service judges again and routes it elsewhere
    case = case_judge(
        actor=staff["supervisor"],
        case=case,
        valid=True,
        note="转仓储部",
        department=staff["warehouse_member"].department,
    )
    assert (case.status, case.department.code) == (CaseStatus.ASSIGNED, "warehouse")


def test_a_rejected_solution_sends_the_case_back_to_investigation_as_a_reopen(staff, receive, walk):
    case = walk(receive(), "implemented")
    case = case_confirm(actor=staff["agent"], case=case, accepted=False, note="赔偿金额太低")
    assert case.status == CaseStatus.INVESTIGATING
    assert case.reopen_count == 1
    # a new proposal and approval follow
    better = solution_propose(
        actor=staff["agent"],
        case=case,
        kind="compensation",
        description="全额赔偿",
        compensation_amount=Decimal("1200"),
    )
    solution_approve(actor=staff["supervisor"], solution=better)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.IMPLEMENTING


def test_an_earlier_solution_cannot_be_approved_again_after_the_customer_rejected_it(staff, receive, walk):
    """After a rejection only a new proposal can be approved; the rejected one is history."""
    case = walk(receive(), "implemented")
    old = Solution.objects.get(case=case, status=SolutionStatus.APPROVED)
    case = case_confirm(actor=staff["agent"], case=case, accepted=False, note="不接受")
    solution_propose(actor=staff["agent"], case=case, kind="redelivery", description="重新发货")
    with pytest.raises(DomainError) as refused:
        solution_approve(actor=staff["supervisor"], solution=old)
    assert refused.value.code == "conflict"
    assert Case.objects.get(pk=case.pk).status == CaseStatus.AWAITING_APPROVAL


@pytest.mark.parametrize("stage", ["confirmed", "followed_up", "closed"])
def test_an_appeal_takes_the_case_one_management_level_up(stage, staff, receive, walk):
    case = walk(receive(), stage)
    case = case_appeal(actor=staff["agent"], case=case, reason="对处理结果不满意")
    assert case.status == CaseStatus.INVESTIGATING
    assert (case.appeal_count, case.escalation_level) == (1, EscalationLevel.SUPERVISOR)
    assert case.closed_at is None
    assert not CaseClock.objects.filter(case=case, metric=Metric.FOLLOW_UP).exists()


def test_appeals_stop_rising_at_the_general_manager(staff, receive, walk):
    case = walk(receive(severity="major"), "confirmed")
    case = case_appeal(actor=staff["agent"], case=case, reason="一")
    assert case.escalation_level == EscalationLevel.GENERAL_MANAGER
    again = solution_propose(actor=staff["agent"], case=case, kind="refund", description="退运费")
    solution_approve(actor=staff["general_manager"], solution=again)
    case = case_implement(actor=staff["agent"], case=case, note="已退")
    case = case_confirm(actor=staff["agent"], case=case, accepted=True)
    case = case_appeal(actor=staff["agent"], case=case, reason="二")
    assert (case.escalation_level, case.appeal_count) == (EscalationLevel.GENERAL_MANAGER, 2)


def test_a_major_case_reaches_the_manager_level_at_once(receive):
    """重大 cases go straight to the CS manager / marketing director."""
    assert receive(severity="major").escalation_level == EscalationLevel.MANAGER
    assert receive(severity="serious").escalation_level == EscalationLevel.AGENT


# --- wrong state ----------------------------------------------------------------------------------


def _attempt(action: str, staff, case: Case):
    """Try one step with a person who would be allowed to take it in the right state."""
    s = staff
    if action == "judge":
        return case_judge(actor=s["supervisor"], case=case, valid=True, note="属实")
    if action == "object":
        return case_object(actor=s["agent"], case=case, reason="不同意")
    if action == "accept":
        return case_accept(actor=s["transport_manager"], case=case)
    if action == "bounce":
        return case_bounce(actor=s["transport_manager"], case=case, reason="不归我们")
    if action == "investigate":
        return case_investigate(actor=s["transport_member"], case=case, data={"cause": "装车不当"})
    if action == "propose":
        return solution_propose(actor=s["agent"], case=case, kind="apology", description="道歉")
    if action == "approve":
        solution = Solution.objects.filter(case=case).first() or Solution.objects.create(
            case=case, kind="apology", description="草稿", proposed_by=s["agent"]
        )
        return solution_approve(actor=s["general_manager"], solution=solution)
    if action == "implement":
        return case_implement(actor=s["agent"], case=case, note="已完成")
    if action == "confirm":
        return case_confirm(actor=s["agent"], case=case, accepted=True)
    if action == "follow_up":
        return case_follow_up(actor=s["agent"], case=case, satisfaction="satisfied")
    if action == "close":
        return case_close(actor=s["supervisor"], case=case, root_cause="原因", lesson="教训")
    if action == "appeal":
        return case_appeal(actor=s["agent"], case=case, reason="不满意")
    if action == "wait":
        return case_wait_for_customer(actor=s["agent"], case=case, waiting=True)
    raise AssertionError(action)


@pytest.mark.parametrize(
    ("stage", "action"),
    [
        ("judged", "judge"),  # judged twice
        ("received", "object"),  # only a 不成立 case can be objected to
        ("received", "accept"),  # accept before judge
        ("accepted", "accept"),  # accepted twice
        ("received", "bounce"),
        ("accepted", "bounce"),  # too late to bounce once accepted
        ("judged", "investigate"),  # investigate before the department accepted
        ("proposed", "investigate"),
        ("judged", "propose"),
        ("approved", "propose"),
        ("investigated", "approve"),  # approve with no proposal waiting
        ("approved", "approve"),
        ("proposed", "implement"),  # implement before approval
        ("approved", "confirm"),  # confirm before implementation
        ("implemented", "follow_up"),  # follow up before the customer confirmed
        ("confirmed", "close"),  # close before follow-up
        ("investigated", "close"),
        ("accepted", "appeal"),  # nothing to appeal against yet
        ("closed", "wait"),
    ],
)
def test_a_step_taken_in_the_wrong_state_is_refused_as_a_conflict(stage, action, staff, receive, walk):
    case = walk(receive(), stage)
    before = (case.status, case.version)
    with pytest.raises(DomainError) as refused:
        _attempt(action, staff, case)
    assert refused.value.code == "conflict"
    case.refresh_from_db()
    assert (case.status, case.version) == before


def test_a_closed_case_cannot_be_objected_to_like_an_invalid_one(staff, receive, walk):
    case = walk(receive(), "closed")
    with pytest.raises(DomainError) as refused:
        case_object(actor=staff["agent"], case=case, reason="再看看")
    assert refused.value.code == "conflict"


# --- wrong role -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "who", "action"),
    [
        ("received", "sales_rep", "judge"),  # a sales user judging
        ("received", "transport_manager", "judge"),  # the department does not judge
        ("received", "agent_other", "judge"),  # another CS team's agent does not see the case
        ("judged", "agent", "accept"),  # customer service does not accept for the department
        ("judged", "warehouse_member", "accept"),  # another department's member
        ("judged", "warehouse_member", "bounce"),
        ("accepted", "warehouse_member", "investigate"),
        ("accepted", "sales_rep", "investigate"),
        ("investigated", "warehouse_member", "propose"),
        ("proposed", "agent", "approve"),  # an agent approving a solution
        ("proposed", "transport_manager", "approve"),  # a department manager is outside the chain
        ("approved", "warehouse_member", "implement"),
        ("implemented", "transport_member", "confirm"),  # only customer service records the customer
        ("confirmed", "transport_manager", "follow_up"),
        ("followed_up", "agent", "close"),  # closing needs a supervisor
        ("followed_up", "transport_manager", "close"),
        ("confirmed", "transport_member", "appeal"),
    ],
)
def test_a_step_taken_by_the_wrong_role_is_refused(stage, who, action, staff, receive, walk):
    case = walk(receive(), stage)
    before = (case.status, case.version)
    forbidden = {name: staff[who] for name in staff}  # everyone in the step is `who`
    with pytest.raises(PermissionDeniedError):
        _attempt(action, forbidden, case)
    case.refresh_from_db()
    assert (case.status, case.version) == before


def test_only_customer_service_staff_receive_cases(staff):
    with pytest.raises(PermissionDeniedError):
        case_receive(
            actor=staff["sales_rep"],
            data={"kind": "inquiry", "title": "询价", "description": "询价", "channel": "hotline", "caller_name": "王"},
        )
    assert not Case.objects.exists()


# --- missing notes and reasons --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "field", "step"),
    [
        ("received", "note", lambda s, c: case_judge(actor=s["supervisor"], case=c, valid=True, note=" ")),
        ("received", "note", lambda s, c: case_judge(actor=s["supervisor"], case=c, valid=False, note="")),
        (
            "received",
            "assignee",
            lambda s, c: case_judge(actor=s["supervisor"], case=c, valid=True, note="属实", assignee=s["sales_rep"]),
        ),
        ("judged", "reason", lambda s, c: case_bounce(actor=s["transport_manager"], case=c, reason="  ")),
        ("accepted", "cause", lambda s, c: case_investigate(actor=s["transport_member"], case=c, data={"cause": ""})),
        (
            "accepted",
            "cause",
            lambda s, c: solution_propose(actor=s["agent"], case=c, kind="apology", description="道歉"),
        ),
        (
            "investigated",
            "description",
            lambda s, c: solution_propose(actor=s["agent"], case=c, kind="apology", description=" "),
        ),
        (
            "investigated",
            "compensation_amount",
            lambda s, c: solution_propose(
                actor=s["agent"], case=c, kind="compensation", description="赔", compensation_amount=Decimal("-1")
            ),
        ),
        ("approved", "note", lambda s, c: case_implement(actor=s["agent"], case=c, note="")),
        ("implemented", "note", lambda s, c: case_confirm(actor=s["agent"], case=c, accepted=False, note="")),
        ("confirmed", "satisfaction", lambda s, c: case_follow_up(actor=s["agent"], case=c, satisfaction="")),
        (
            "followed_up",
            "root_cause",
            lambda s, c: case_close(actor=s["supervisor"], case=c, root_cause="", lesson="教训"),
        ),
        (
            "followed_up",
            "lesson",
            lambda s, c: case_close(actor=s["supervisor"], case=c, root_cause="原因", lesson=" "),
        ),
        ("confirmed", "reason", lambda s, c: case_appeal(actor=s["agent"], case=c, reason="")),
    ],
)
def test_a_step_without_its_note_or_reason_is_refused_naming_the_field(stage, field, step, staff, receive, walk):
    case = walk(receive(), stage)
    before = (case.status, case.version)
    with pytest.raises(DomainError) as refused:
        step(staff, case)
    assert refused.value.field == field
    assert refused.value.code == "invalid"
    case.refresh_from_db()
    assert (case.status, case.version) == before


def test_an_objection_needs_the_customers_reason(staff, receive):
    case = case_judge(actor=staff["agent"], case=receive(), valid=False, note="不成立")
    with pytest.raises(DomainError) as refused:
        case_object(actor=staff["agent"], case=case, reason="")
    assert refused.value.field == "reason"


def test_a_valid_judgement_needs_a_responsible_department(staff, receive):
    """其他 has no usual department, so the judge must name one."""
    case = receive(category=Category.objects.get(code="other"))
    with pytest.raises(DomainError) as refused:
        case_judge(actor=staff["supervisor"], case=case, valid=True, note="属实")
    assert refused.value.field == "department"
