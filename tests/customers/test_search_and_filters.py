"""Customer list: Chinese keyword search, filters on every classification field, sorting, paging, bad input."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from kefu.customers.filters import CHOICE_FILTERS
from kefu.customers.services import customer_set_active
from tests.customers.factories import bearer, make_customer


def page_names(client, **params) -> list[str]:
    response = client.get("/customers/", params)
    assert response.status_code == 200, response.content[:500]
    return [c.name for c in response.context["page"].object_list]


def api_names(user, **params) -> list[str]:
    response = Client().get("/api/v1/customers", params, **bearer(user))
    assert response.status_code == 200, response.content[:500]
    return [row["name"] for row in response.json()["items"]]


@pytest.fixture
def companies(db):
    return {
        "shunda": make_customer(
            name="上海顺达物流有限公司",
            city="上海",
            address="浦东新区张江路88号",
            contacts=[{"name": "欧阳娜娜", "mobile": "13700001111"}],
        ),
        "xinghe": make_customer(name="星河冷链运输集团", city="广州", address="天河区物流园3号"),
        "mingde": make_customer(name="明德电子科技股份公司", city="深圳", contacts=[{"name": "张伟"}]),
        "akme": make_customer(name="Acme Trading (Shanghai) Co.", short_name="ACME", city="上海"),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("物流", {"shunda", "xinghe"}),  # 2 characters, in a name and in an address
        ("顺达物流", {"shunda"}),  # 4 characters
        ("有限公", {"shunda"}),  # 3 characters, not a word boundary
        ("冷链", {"xinghe"}),
        ("物流 上海", {"shunda"}),  # every word must match
        ("上海 物流", {"shunda"}),
        ("物流 深圳", set()),
        ("欧阳娜娜", {"shunda"}),  # a contact's name
        ("张伟", {"mingde"}),
        ("acme", {"akme"}),  # Latin words, any case
        ("ACME shanghai", {"akme"}),
        ("快递", set()),
    ],
)
def test_keyword_search_finds_chinese_words_of_any_length(companies, people, client_for, query, expected):
    names = {key: c.name for key, c in companies.items()}
    want = {names[k] for k in expected}
    assert set(page_names(client_for("cs_manager"), q=query)) == want
    assert set(api_names(people["cs_manager"], q=query)) == want


def test_search_finds_a_contact_added_later_and_by_customer_number(companies, people, client_for):
    from kefu.customers.services import contact_add

    contact_add(actor=None, customer=companies["xinghe"], data={"name": "诸葛亮"})
    assert page_names(client_for("cs_manager"), q="诸葛") == [companies["xinghe"].name]
    assert page_names(client_for("cs_manager"), q=companies["mingde"].number) == [companies["mingde"].name]


def test_search_respects_the_scope(companies, teams, client_for):
    """An agent's search only returns customers of their team."""
    mine = make_customer(name="华东物流专线公司", team=teams["cs_east"])
    assert page_names(client_for("agent"), q="物流") == [mine.name]


# Two values per classification field: a customer with the first, one with the second.
FILTER_VALUES = {
    "kind": ("company", "person"),
    "ownership": ("foreign", "state"),
    "credit_rating": ("AAA", "C"),
    "industry": ("pharma", "food"),
    "region": ("zhejiang", "sichuan"),
    "channel": ("channel", "terminal"),
    "customer_role": ("driver", "dealer"),
    "cooperation_mode": ("contract", "agency"),
    "service_type": ("cold_chain", "express"),
    "satisfaction": ("very_satisfied", "dissatisfied"),
    "loyalty": ("high", "low"),
}


def test_every_classification_field_has_a_filter_case():
    assert set(FILTER_VALUES) | {"grade"} == set(CHOICE_FILTERS)


@pytest.mark.parametrize("field", list(FILTER_VALUES))
def test_filter_on_each_classification_field(field, people, client_for):
    first, second = FILTER_VALUES[field]
    one = make_customer(name=f"{field}-甲", **{field: first})
    make_customer(name=f"{field}-乙", **{field: second})
    assert page_names(client_for("cs_manager"), **{field: first}) == [one.name]
    assert api_names(people["cs_manager"], **{field: first}) == [one.name]


def test_filter_on_grade_key_flag_manager_team_and_status(people, teams, client_for):
    key = make_customer(name="重点甲", is_key=True)  # grade A
    mid = make_customer(name="中型乙", annual_amount=Decimal("150"), team=teams["cs_east"])  # grade B
    managed = make_customer(name="专管丙", account_manager=people["sales_rep"])
    gone = make_customer(name="停业丁")
    customer_set_active(actor=None, customer=gone, active=False, reason="停业")
    manager = client_for("cs_manager")
    cases = [
        ({"grade": "A"}, {key.name}),
        ({"grade": "B"}, {mid.name}),
        ({"is_key": "true"}, {key.name}),
        ({"is_key": "false"}, {mid.name, managed.name}),
        ({"team": teams["cs_east"].pk}, {mid.name}),
        ({"account_manager": people["sales_rep"].pk}, {managed.name}),
        ({}, {key.name, mid.name, managed.name}),  # active customers by default
        ({"is_active": "false"}, {gone.name}),
        ({"is_active": ""}, {key.name, mid.name, managed.name, gone.name}),
        ({"grade": "A", "is_key": "false"}, set()),  # filters combine
    ]
    for params, expected in cases:
        assert set(page_names(manager, **params)) == expected, params
        assert set(api_names(people["cs_manager"], **params)) == expected, params


def test_sorting_by_name_amount_and_creation(people, client_for):
    b = make_customer(name="B公司", annual_amount=Decimal("30"))
    a = make_customer(name="A公司", annual_amount=Decimal("90"))
    c = make_customer(name="C公司", annual_amount=Decimal("60"))
    manager = client_for("cs_manager")
    assert page_names(manager, sort="name") == [a.name, b.name, c.name]
    assert page_names(manager, sort="-name") == [c.name, b.name, a.name]
    assert page_names(manager, sort="-annual_amount") == [a.name, c.name, b.name]
    assert page_names(manager, sort="annual_amount") == [b.name, c.name, a.name]
    assert page_names(manager) == [c.name, a.name, b.name]  # newest first
    assert page_names(manager, sort="created_at") == [b.name, a.name, c.name]
    assert api_names(people["cs_manager"], sort="-annual_amount") == [a.name, c.name, b.name]


def test_pagination_on_the_page_and_the_api(people, client_for):
    for i in range(52):
        make_customer(name=f"分页客户{i:02d}")
    manager = client_for("cs_manager")
    first = manager.get("/customers/", {"sort": "name"})
    assert first.context["page"].paginator.count == 52
    assert len(first.context["page"].object_list) == 25
    assert page_names(manager, sort="name", page=3) == ["分页客户50", "分页客户51"]
    assert page_names(manager, sort="name", page=99) == ["分页客户50", "分页客户51"]  # past the end: last page

    auth = bearer(people["cs_manager"])
    body = Client().get("/api/v1/customers", {"sort": "name"}, **auth).json()
    assert body["count"] == 52 and len(body["items"]) == 50
    second = Client().get("/api/v1/customers", {"sort": "name", "page": 2}, **auth).json()
    assert [row["name"] for row in second["items"]] == ["分页客户50", "分页客户51"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"region": "atlantis"}, "region"),
        ({"grade": "Z"}, "grade"),
        ({"sort": "password"}, "sort"),
        ({"is_key": "maybe"}, "is_key"),
        ({"team": "abc"}, "team"),
        ({"team": "99999999999999999999"}, "team"),  # would overflow the database integer
        ({"account_manager": "0"}, "account_manager"),
        ({"q": "物" * 101}, "q"),
    ],
)
def test_bad_filter_values_answer_400_on_the_page_and_422_naming_the_field_on_the_api(
    params, field, people, client_for, companies
):
    page = client_for("cs_manager").get("/customers/", params)
    assert page.status_code == 400
    assert field in page.content.decode()
    api = Client().get("/api/v1/customers", params, **bearer(people["cs_manager"]))
    assert api.status_code == 422
    body = api.json()
    assert body["field"] == field and body["detail"]
    export = client_for("cs_manager").get("/customers/export.xlsx", params)
    assert export.status_code == 400
