"""Credit limits through the API: the same permission, audit and stale-version refusal as the credit page."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kefu.core.models import AuditEvent
from kefu.operations import services
from kefu.operations.models import CreditAccount
from tests.customers.factories import bearer
from tests.operations.test_api import BASE, _json

pytestmark = pytest.mark.django_db


def _url(customer):
    return f"{BASE}/credit-accounts/{customer.pk}"


def test_a_manager_opens_then_changes_an_account_and_each_change_is_audited(client, people, customer):
    opened = _json(
        client,
        "put",
        _url(customer),
        people["cs_manager"],
        {"order_limit": "5000", "balance_limit": "20000", "version": 0},
    )
    assert opened.status_code == 200, opened.content
    assert opened.json()["version"] == 1 and opened.json()["customer_number"] == customer.number
    changed = _json(
        client,
        "put",
        _url(customer),
        people["cs_manager"],
        {"order_limit": "8000", "balance_limit": "20000", "version": 1},
    )
    assert changed.status_code == 200
    assert changed.json()["order_limit"] == "8000.00" and changed.json()["version"] == 2
    audits = AuditEvent.objects.filter(action="operations.credit.saved", subject_id=str(customer.pk))
    assert audits.count() == 2
    assert audits.order_by("-id").first().changes["order_limit"] == ["5000.00", "8000"]


def test_the_new_limit_holds_the_next_order(client, people, customer, make_order):
    _json(
        client,
        "put",
        _url(customer),
        people["cs_manager"],
        {"order_limit": "100", "balance_limit": "1000", "version": 0},
    )
    assert make_order(price=Decimal("101")).status == "held"


def test_staff_read_the_limits_of_customers_they_see_only(client, people, customer):
    services.credit_account_save(actor=None, customer=customer, order_limit=Decimal("5"), balance_limit=Decimal("9"))
    seen = client.get(_url(customer), **bearer(people["agent"]))
    assert seen.status_code == 200 and seen.json()["balance_limit"] == "9.00"
    assert client.get(_url(customer), **bearer(people["agent_other"])).status_code == 404
    listed = client.get(f"{BASE}/credit-accounts", **bearer(people["agent"])).json()
    assert [a["customer_id"] for a in listed["items"]] == [customer.pk]
    assert client.get(f"{BASE}/credit-accounts", **bearer(people["agent_other"])).json()["items"] == []


def test_an_agent_may_not_set_limits(client, people, customer):
    response = _json(
        client, "put", _url(customer), people["agent"], {"order_limit": "1", "balance_limit": "1", "version": 0}
    )
    assert response.status_code == 403
    assert not CreditAccount.objects.filter(customer=customer).exists()


def test_a_stale_version_is_refused_not_overwritten(client, people, customer):
    services.credit_account_save(actor=None, customer=customer, order_limit=Decimal("5"), balance_limit=Decimal("9"))
    services.credit_account_save(
        actor=None, customer=customer, order_limit=Decimal("6"), balance_limit=Decimal("9"), version=1
    )
    stale = _json(
        client, "put", _url(customer), people["cs_manager"], {"order_limit": "1", "balance_limit": "1", "version": 1}
    )
    assert stale.status_code == 409 and stale.json()["field"] == "version"
    # opening an account someone else opened meanwhile is stale too
    other = _json(
        client, "put", _url(customer), people["cs_manager"], {"order_limit": "1", "balance_limit": "1", "version": 0}
    )
    assert other.status_code == 409
    assert CreditAccount.objects.get(customer=customer).order_limit == Decimal("6")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"order_limit": "-1", "balance_limit": "1", "version": 0}, "order_limit"),
        ({"order_limit": "abc", "balance_limit": "1", "version": 0}, "order_limit"),
        ({"order_limit": "1", "balance_limit": "1e20", "version": 0}, "balance_limit"),
        ({"order_limit": "1", "balance_limit": "1"}, "version"),
    ],
)
def test_bad_input_is_a_4xx_naming_the_field(client, people, customer, body, field):
    response = _json(client, "put", _url(customer), people["cs_manager"], body)
    assert 400 <= response.status_code < 500
    assert response.json()["field"] == field


def test_an_unknown_customer_is_404(client, people):
    response = _json(
        client,
        "put",
        f"{BASE}/credit-accounts/999999",
        people["cs_manager"],
        {"order_limit": "1", "balance_limit": "1", "version": 0},
    )
    assert response.status_code == 404
