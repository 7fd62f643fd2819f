"""Fixtures for the case loop: the responsible departments' people, a served customer, office hours,
and helpers that receive a case and walk it to any step of the loop through the real services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kefu.accounts.models import Role, User
from kefu.core.models import WorkCalendar
from kefu.customers.models import Customer
from kefu.tickets.choices import CaseStatus
from kefu.tickets.models import Case, Category, Solution
from kefu.tickets.services import (
    case_accept,
    case_close,
    case_confirm,
    case_follow_up,
    case_implement,
    case_investigate,
    case_judge,
    case_receive,
    solution_approve,
    solution_propose,
)
from tests.conftest import make_user
from tests.customers.factories import make_customer

SHANGHAI = ZoneInfo("Asia/Shanghai")

# The seeds' office hours (004 篇5): 09:00-12:00 and 14:30-18:00, Monday to Friday.
OFFICE_HOURS = {str(day): [["09:00", "12:00"], ["14:30", "18:00"]] for day in range(1, 6)}


def sh(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """An aware datetime on the Beijing wall clock."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def office_hours(db) -> WorkCalendar:
    """The default calendar with the seeds' working hours (and the State Council calendar)."""
    calendar = WorkCalendar.objects.get(is_default=True)
    calendar.weekly_hours = OFFICE_HOURS
    calendar.follow_statutory_holidays = True
    calendar.save()
    return calendar


@pytest.fixture
def staff(people, departments) -> dict[str, User]:
    """`people` plus the responsible departments: transport's manager and member, a warehouse member."""
    return {
        **people,
        "transport_manager": make_user("transport_manager", Role.DEPT_MANAGER, departments["transport"]),
        "transport_member": make_user("transport_member", Role.AGENT, departments["transport"]),
        "warehouse_member": make_user("warehouse_member", Role.AGENT, departments["warehouse"]),
    }


@pytest.fixture
def customer(teams) -> Customer:
    """A customer served by the 华东组 team (the team of `agent` and `supervisor`)."""
    return make_customer(name="华东货运测试有限公司", team=teams["cs_east"])


@pytest.fixture
def receive(staff, customer) -> Callable[..., Case]:
    """receive(**overrides): a normal hard complaint about damaged goods (货物破损 → transport),
    received by `agent` for `customer` through the hotline."""

    def make(*, actor: Any = "agent", received_at: dt.datetime | None = None, **overrides: Any) -> Case:
        data: dict[str, Any] = {
            "kind": "complaint",
            "nature": "hard",
            "category": Category.objects.get(code="damage"),
            "severity": "normal",
            "title": "货物破损投诉",
            "description": "纸箱被压坏，里面的显示器屏幕碎了。",
            "channel": "hotline",
            "customer": customer,
        }
        data.update(overrides)
        return case_receive(actor=staff[actor] if isinstance(actor, str) else actor, data=data, received_at=received_at)

    return make


# The loop in order; `walk` stops after the named step.
STEPS = (
    "judged",
    "accepted",
    "investigated",
    "proposed",
    "approved",
    "implemented",
    "confirmed",
    "followed_up",
    "closed",
)

STATUS_AFTER = {
    "received": CaseStatus.RECEIVED,
    "judged": CaseStatus.ASSIGNED,
    "accepted": CaseStatus.INVESTIGATING,
    "investigated": CaseStatus.INVESTIGATING,
    "proposed": CaseStatus.AWAITING_APPROVAL,
    "approved": CaseStatus.IMPLEMENTING,
    "implemented": CaseStatus.AWAITING_CONFIRMATION,
    "confirmed": CaseStatus.RESOLVED,
    "followed_up": CaseStatus.FOLLOWED_UP,
    "closed": CaseStatus.CLOSED,
}


@pytest.fixture
def walk(staff) -> Callable[..., Case]:
    """walk(case, "approved"): take `case` through the loop, step by step, up to and including that step."""

    def advance(case: Case, until: str, *, amount: Decimal = Decimal("800")) -> Case:
        if until == "received":
            return case
        for step in STEPS[: STEPS.index(until) + 1]:
            case = Case.objects.get(pk=case.pk)
            if step == "judged":
                case_judge(actor=staff["supervisor"], case=case, valid=True, note="属实，转运输配送部处理")
            elif step == "accepted":
                case_accept(actor=staff["transport_manager"], case=case, assignee=staff["transport_member"])
            elif step == "investigated":
                case_investigate(
                    actor=staff["transport_member"],
                    case=case,
                    data={"cause": "装车时重货压在轻货上", "investigation_notes": "司机已承认"},
                )
            elif step == "proposed":
                solution_propose(
                    actor=staff["agent"],
                    case=case,
                    kind="compensation",
                    description="按货值赔偿",
                    compensation_amount=amount,
                )
            elif step == "approved":
                solution = Solution.objects.filter(case=case, status="proposed").latest("id")
                solution_approve(actor=staff["general_manager"], solution=solution)
            elif step == "implemented":
                case_implement(actor=staff["agent"], case=case, note="赔款已打到客户账户")
            elif step == "confirmed":
                case_confirm(actor=staff["agent"], case=case, accepted=True, note="客户表示满意")
            elif step == "followed_up":
                case_follow_up(actor=staff["agent"], case=case, satisfaction="satisfied", note="回访满意")
            elif step == "closed":
                case_close(actor=staff["supervisor"], case=case, root_cause="装车规范未执行", lesson="重货在下")
        case = Case.objects.get(pk=case.pk)
        assert case.status == STATUS_AFTER[until]
        return case

    return advance


PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def upload(name: str = "photo.png", content: bytes = PNG, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded files go to a directory of the test's own."""
    settings.MEDIA_ROOT = tmp_path
