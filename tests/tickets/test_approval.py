"""Compensation needs an approver high enough in the chain (thresholds 0 / 5,000 / 50,000 CNY, seeded)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kefu.core.services import PermissionDeniedError
from kefu.tickets.choices import CaseStatus, EscalationLevel, SolutionStatus
from kefu.tickets.models import ApprovalThreshold, Case, Solution
from kefu.tickets.services import required_approval_level, solution_approve


def _proposal(receive, walk, amount: str) -> Solution:
    case = walk(receive(), "proposed", amount=Decimal(amount))
    return Solution.objects.get(case=case)


@pytest.mark.parametrize(
    ("amount", "refused", "allowed"),
    [
        ("800", ["agent"], "supervisor"),
        ("8000", ["agent", "supervisor"], "cs_manager"),
        ("8000", ["supervisor"], "marketing_director"),
        ("80000", ["supervisor", "cs_manager", "marketing_director"], "general_manager"),
    ],
)
def test_the_compensation_amount_decides_who_may_approve(amount, refused, allowed, staff, receive, walk):
    solution = _proposal(receive, walk, amount)
    for name in refused:
        with pytest.raises(PermissionDeniedError):
            solution_approve(actor=staff[name], solution=solution)
        solution.refresh_from_db()
        assert solution.status == SolutionStatus.PROPOSED
    solution_approve(actor=staff[allowed], solution=solution)
    solution.refresh_from_db()
    assert (solution.status, solution.decided_by) == (SolutionStatus.APPROVED, staff[allowed])
    assert Case.objects.get(pk=solution.case_id).status == CaseStatus.IMPLEMENTING


def test_the_refusal_names_the_level_needed(staff, receive, walk):
    solution = _proposal(receive, walk, "8000")
    with pytest.raises(PermissionDeniedError) as refused:
        solution_approve(actor=staff["supervisor"], solution=solution)
    assert "8000" in refused.value.message


@pytest.mark.parametrize(
    ("amount", "level"),
    [
        (None, EscalationLevel.SUPERVISOR),
        ("0", EscalationLevel.SUPERVISOR),
        ("4999.99", EscalationLevel.SUPERVISOR),
        ("5000", EscalationLevel.MANAGER),
        ("49999.99", EscalationLevel.MANAGER),
        ("50000", EscalationLevel.GENERAL_MANAGER),
    ],
)
def test_thresholds_are_inclusive_at_their_lower_bound(amount, level, db):
    assert required_approval_level(Decimal(amount) if amount else None) == level


def test_thresholds_are_configuration_not_code(db):
    """A manager lowering the general-manager threshold changes who approves at once."""
    ApprovalThreshold.objects.filter(min_amount=Decimal("50000")).update(min_amount=Decimal("20000"))
    assert required_approval_level(Decimal("30000")) == EscalationLevel.GENERAL_MANAGER
