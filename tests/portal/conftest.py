"""Portal fixtures: a clean rate-limit cache on a steady clock, files kept in a temporary folder,
the portal's translations compiled, and a case walked through the staff side of the loop."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.cache import cache

from kefu.accounts.models import Role
from kefu.portal import ratelimit
from kefu.tickets import services
from kefu.tickets.models import Case
from tests.conftest import make_user

MOBILE = "13912345678"


# Noon of a day, far from every rate-limit window edge: a test's hits never straddle two windows.
STEADY_CLOCK = 1_790_000_000.0 - 1_790_000_000.0 % 86_400 + 43_200 + 300


@pytest.fixture(autouse=True)
def _clean_cache_and_media(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: STEADY_CLOCK))
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def transport_member(departments):
    return make_user("transport_clerk", Role.AGENT, departments["transport"])


def receive(**extra) -> Case:
    data = {
        "kind": "complaint",
        "nature": "hard",
        "title": "货物破损",
        "description": "收到的箱子被压坏了",
        "channel": "portal",
        "caller_name": "李女士",
        "caller_phone": MOBILE,
        **extra,
    }
    return services.case_receive(actor=None, data=data)


@pytest.fixture
def loop(people, departments, transport_member):
    """loop(case, until) drives `case` through the staff steps up to the status `until`."""

    def drive(case: Case, until: str) -> Case:
        supervisor, agent = people["supervisor"], people["agent"]
        order = [
            "assigned",
            "investigating",
            "awaiting_confirmation",
            "resolved",
            "followed_up",
            "closed",
        ]
        for status in order[: order.index(until) + 1]:
            case.refresh_from_db()
            if status == "assigned":
                services.case_judge(
                    actor=supervisor, case=case, valid=True, note="核实属实", department=departments["transport"]
                )
            elif status == "investigating":
                services.case_accept(actor=transport_member, case=case)
                services.case_investigate(
                    actor=transport_member,
                    case=case,
                    data={"cause": "装卸野蛮", "investigation_notes": "INTERNAL-NOTE 司机王五违规装卸"},
                )
            elif status == "awaiting_confirmation":
                solution = services.solution_propose(
                    actor=transport_member,
                    case=case,
                    kind="compensation",
                    description="按货值赔偿并重新发货",
                    compensation_amount=Decimal("200"),
                )
                services.solution_approve(actor=supervisor, solution=solution)
                services.case_implement(
                    actor=transport_member, case=case, note="已赔付", penalty="INTERNAL-PENALTY 罚款 100 元"
                )
            elif status == "resolved":
                services.case_confirm(actor=agent, case=case, accepted=True, note="")
            elif status == "followed_up":
                services.case_follow_up(actor=agent, case=case, satisfaction="satisfied", note="满意")
            elif status == "closed":
                services.case_close(
                    actor=supervisor, case=case, root_cause="INTERNAL-ROOT 装卸培训不足", lesson="加强培训"
                )
        case.refresh_from_db()
        return case

    return drive
