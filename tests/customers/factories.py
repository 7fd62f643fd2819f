"""Small builders for customer-archive tests: customers go through the real services."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

import pytest

from kefu.accounts.services import api_token_issue
from kefu.customers.models import Customer
from kefu.customers.services import customer_create

_counter = itertools.count(1)


def make_customer(*, contacts: list[dict[str, Any]] | None = None, actor: Any = None, **fields: Any) -> Customer:
    """A customer created by the system (actor=None) through `customer_create`.

    Defaults give a plain grade-C private company in Shanghai; pass any field to change it.
    """
    n = next(_counter)
    data: dict[str, Any] = {
        "name": f"测试客户{n}有限公司",
        "ownership": "private",
        "region": "shanghai",
        "credit_rating": "B",
        "annual_amount": Decimal("10"),
    }
    data.update(fields)
    return customer_create(actor=actor, data=data, contacts=contacts or [])


def token_for(user: Any) -> str:
    """A fresh raw API token for `user`."""
    _token, raw = api_token_issue(actor=user, user=user, name="tests")
    return raw


def bearer(user: Any) -> dict[str, str]:
    """Django test-client kwargs that authenticate as `user` with a Bearer token."""
    return {"HTTP_AUTHORIZATION": f"Bearer {token_for(user)}"}


@pytest.fixture
def archive(people, teams) -> dict[str, Customer]:
    """Three customers, one per scope that matters.

    east:  served by the CS team 华东组 (agent, supervisor's department)
    south: served by the CS team 华南组 (agent_other)
    sales: served by the sales team 华北销售组, account manager sales_rep (sales department)
    """
    return {
        "east": make_customer(
            name="华东物流测试有限公司",
            team=teams["cs_east"],
            contacts=[{"name": "张伟", "mobile": "13812345678", "landline": "021-62345678", "is_primary": True}],
        ),
        "south": make_customer(name="华南快运测试有限公司", team=teams["cs_south"]),
        "sales": make_customer(
            name="北方销售测试贸易公司", team=teams["sales_north"], account_manager=people["sales_rep"]
        ),
    }
