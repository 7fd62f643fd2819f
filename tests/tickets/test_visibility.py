"""Who sees which cases: a department sees its own, an agent their team's customers and their own cases,
customer service management sees everything. The same rule serves the queues and the case page."""

from __future__ import annotations

import pytest

from kefu.core.services import PermissionDeniedError
from kefu.tickets.models import Category
from kefu.tickets.selectors import case_get, case_queue, cases_visible
from kefu.tickets.services import case_investigate
from tests.customers.factories import make_customer


@pytest.fixture
def cases(staff, teams, customer, receive):
    south = make_customer(name="华南快运测试有限公司", team=teams["cs_south"])
    return {
        "damage": receive(),  # 货物破损 → transport
        "billing": receive(category=Category.objects.get(code="billing"), title="运费多收"),  # → finance
        "south": receive(actor="agent_other", customer=south, title="华南投诉"),  # → transport, other team
        "agent_own": receive(actor="agent", customer=south, title="代华南组登记"),  # received by agent
        "unknown": receive(customer=None, caller_name="李先生", caller_phone="13900001111", title="陌生来电"),
    }


def _visible(user) -> set[int]:
    return set(cases_visible(user).values_list("pk", flat=True))


def _pks(cases, *names) -> set[int]:
    return {cases[n].pk for n in names}


def test_a_department_manager_sees_only_their_departments_cases(staff, cases):
    manager = staff["transport_manager"]
    transport = _pks(cases, "damage", "south", "agent_own", "unknown")  # 货物破损 → transport
    assert _visible(manager) == transport
    assert {c.pk for c in case_queue(user=manager, queue="all")} == transport
    assert case_get(user=manager, pk=cases["damage"].pk) is not None
    assert case_get(user=manager, pk=cases["billing"].pk) is None


def test_a_member_of_another_department_sees_none_of_them_nor_acts_on_them(staff, cases):
    sales = staff["dept_manager"]  # manager of the sales department
    assert _visible(sales) == set()
    assert case_get(user=sales, pk=cases["damage"].pk) is None
    with pytest.raises(PermissionDeniedError):
        case_investigate(actor=staff["warehouse_member"], case=cases["damage"], data={"cause": "x"})


def test_an_agent_sees_their_teams_customers_their_own_cases_and_unknown_callers(staff, cases):
    assert _visible(staff["agent"]) == _pks(cases, "damage", "billing", "agent_own", "unknown")
    assert case_get(user=staff["agent"], pk=cases["south"].pk) is None
    assert _visible(staff["agent_other"]) == _pks(cases, "south", "agent_own", "unknown")


@pytest.mark.parametrize("who", ["cs_manager", "supervisor", "marketing_director", "general_manager", "admin"])
def test_customer_service_management_and_directors_see_every_case(who, staff, cases):
    assert _visible(staff[who]) == {c.pk for c in cases.values()}


def test_a_case_bounced_out_of_a_department_leaves_its_view(staff, cases, walk):
    from kefu.tickets.services import case_bounce

    case = walk(cases["damage"], "judged")
    case_bounce(actor=staff["transport_manager"], case=case, reason="仓库问题")
    assert case_get(user=staff["transport_manager"], pk=case.pk) is None


def test_an_assignee_from_another_department_sees_the_case_assigned_to_them(staff, receive):
    """The judge may route a billing case to finance but name nobody; the accepting person then sees it."""
    from kefu.tickets.services import case_judge

    case = receive(category=Category.objects.get(code="billing"))
    assert case_get(user=staff["transport_member"], pk=case.pk) is None
    case_judge(
        actor=staff["supervisor"],
        case=case,
        valid=True,
        note="转运输部",
        department=staff["transport_member"].department,
        assignee=staff["transport_member"],
    )
    assert case_get(user=staff["transport_member"], pk=case.pk) is not None
