"""A hand-computed March 2026 for the improvement tests, on the standards tests' builders.

外企: 4 orders, 1 complaint; 民营: 2 orders, 2 complaints in March, 1 order and no complaint in April.
Standard in force since 2026-01-01: complaint rate ≤ 30 % for every type (weight 100 in 客户服务部).
So in March 民营 misses by 70.00 (100.00 vs 30), 外企 attains (25.00), 国有 has no data; in April 民营 is 0.00.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from kefu.accounts.models import Role
from kefu.improvement import services
from kefu.operations import services as operations
from kefu.operations.models import Order
from kefu.standards import services as standards
from kefu.tickets.models import Case, Category
from tests.conftest import make_user
from tests.customers.factories import make_customer
from tests.operations.conftest import order_data
from tests.standards.conftest import add_item, complain  # noqa: F401  (the fixture, shared)

SH = ZoneInfo("Asia/Shanghai")
MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
APRIL = (dt.date(2026, 4, 1), dt.date(2026, 4, 30))


def orders(customer, n: int, at: dt.datetime) -> None:
    for _ in range(n):
        order = operations.order_create(actor=None, data=order_data(customer))
        Order.objects.filter(pk=order.pk).update(created_at=at)


@pytest.fixture
def march(people, complain):  # noqa: F811
    foreign = make_customer(name="外资物流客户有限公司", ownership="foreign")
    private = make_customer(name="民营贸易客户有限公司", ownership="private")
    make_customer(name="国有制造客户有限公司", ownership="state")
    at = dt.datetime(2026, 3, 10, 9, tzinfo=SH)
    orders(foreign, 4, at)
    orders(private, 2, at)
    orders(private, 1, dt.datetime(2026, 4, 10, 9, tzinfo=SH))
    cases = [complain(foreign, at), complain(private, at), complain(private, at + dt.timedelta(days=1))]
    standard = standards.standard_draft(actor=people["cs_manager"])
    add_item(standard, people["cs_manager"], "complaint_rate", "100", {"foreign": "30", "private": "30", "state": "30"})
    standards.standard_update(
        actor=people["cs_manager"], standard=standard, data={"effective_from": dt.date(2026, 1, 1)}, version=None
    )
    standards.standard_approve(actor=people["general_manager"], standard=standard, version=None)
    return {"foreign": foreign, "private": private, "standard": standard, "cases": cases}


def categorise(case: Case, code: str, cause: str = "", root_cause: str = "") -> None:
    Case.objects.filter(pk=case.pk).update(category=Category.objects.get(code=code), cause=cause, root_cause=root_cause)


@pytest.fixture
def transport_manager(departments):
    return make_user("transport_manager", Role.DEPT_MANAGER, departments["transport"])


@pytest.fixture
def cycle(people, march):
    return services.cycle_create(
        actor=people["cs_manager"], name="2026年3月民营客户", start=MARCH[0], end=MARCH[1], customer_type="private"
    )


@pytest.fixture
def plan(people, cycle, departments):
    """A draft plan for 民营 in March with the complaint rate, related department 运输配送部."""
    from kefu.standards.models import Indicator

    plan = services.plan_create(actor=people["cs_manager"], cycle=cycle)
    services.plan_update(actor=people["cs_manager"], plan=plan, version=None, departments=[departments["transport"]])
    services.plan_item_save(
        actor=people["cs_manager"],
        plan=plan,
        version=None,
        indicator=Indicator.objects.get(code="complaint_rate"),
        target="30",
        actions="加强装卸培训，出库前复核包装",
        owner=people["supervisor"],
        starts_on=dt.date(2026, 4, 1),
        ends_on=dt.date(2026, 4, 30),
    )
    plan.refresh_from_db()
    return plan
