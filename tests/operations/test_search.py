"""Chinese keyword search over orders, shipments, exceptions and claims: by the words of their free text
(goods, places, exception description, customer's name), two-character words included, through the search
tokens; numbers by exact lookup."""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest

from kefu.core.models import SearchToken
from kefu.operations import importing, selectors, services
from kefu.operations.filters import ClaimFilters, ExceptionFilters, OrderFilters, ShipmentFilters
from tests.customers.factories import bearer
from tests.operations.test_api import BASE
from tests.operations.test_import import _row

pytestmark = pytest.mark.django_db


@pytest.fixture
def sofa(make_order, fleet):
    order = make_order(goods="布艺沙发 3 件", origin="上海市嘉定区", destination="苏州市工业园区")
    return services.order_dispatch(actor=None, order=order, vehicle=fleet["van"], driver=fleet["driver"])


@pytest.fixture
def fridge(make_order, fleet):
    order = make_order(goods="双门冰箱 2 台", origin="南京市", destination="合肥市")
    return services.order_dispatch(actor=None, order=order, vehicle=fleet["van"], driver=fleet["driver"])


def _orders(people, q):
    return list(selectors.order_list(user=people["supervisor"], filters=OrderFilters(q=q)))


def _shipments(people, q):
    return list(selectors.shipment_list(user=people["supervisor"], filters=ShipmentFilters(q=q)))


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("沙发", ["sofa"]),  # a two-character word inside the goods description
        ("冰箱", ["fridge"]),
        ("苏州", ["sofa"]),  # a place
        ("工业园区", ["sofa"]),  # a longer word: every bigram held, then confirmed in the text
        ("仓配", ["sofa", "fridge"]),  # the customer's name 华东仓配测试有限公司
        ("沙发 合肥", []),  # every word must match
        ("沙", ["sofa"]),  # one character: no token, falls back to the text
        ("衣柜", []),
    ],
)
def test_orders_and_shipments_are_found_by_the_words_of_their_text(people, sofa, fridge, query, found):
    records = {"sofa": sofa, "fridge": fridge}
    assert {o.pk for o in _orders(people, query)} == {records[name].order_id for name in found}
    assert {s.pk for s in _shipments(people, query)} == {records[name].pk for name in found}


def test_orders_follow_their_customer_s_new_name_and_match_a_word_in_name_or_goods(people, customer, sofa, make_order):
    from kefu.customers.services import customer_update
    from tests.customers.factories import make_customer

    customer_update(actor=None, customer=customer, version=customer.version, data={"name": "锦程家居有限公司"})
    assert [o.pk for o in _orders(people, "锦程")] == [sofa.order_id]
    assert _orders(people, "仓配") == []
    other = make_order(customer=make_customer(name="沙发城贸易公司", team=customer.team), goods="床垫")
    assert {o.pk for o in _orders(people, "沙发")} == {sofa.order_id, other.pk}  # goods of one, name of the other
    assert [o.pk for o in _orders(people, "沙发 床垫")] == [other.pk]


def test_the_search_reads_the_token_index_not_a_scan_of_every_order(people, sofa):
    sql = str(selectors.order_list(user=people["supervisor"], filters=OrderFilters(q="沙发")).query)
    assert "core_searchtoken" in sql and "LIKE" not in sql.upper()
    sql = str(selectors.shipment_list(user=people["supervisor"], filters=ShipmentFilters(q="沙发")).query)
    assert "core_searchtoken" in sql and "LIKE" not in sql.upper()


def test_numbers_are_still_found_exactly(people, sofa, fridge):
    assert [o.pk for o in _orders(people, sofa.order.number)] == [sofa.order_id]
    assert [s.pk for s in _shipments(people, fridge.number)] == [fridge.pk]


def test_the_search_query_count_does_not_grow_with_the_records(people, make_order, django_assert_max_num_queries):
    for n in range(5):
        make_order(goods=f"电视机 {n} 台")
    with django_assert_max_num_queries(3):
        assert len(_orders(people, "电视")) == 5


def test_exceptions_and_claims_are_found_by_description_and_customer_name(people, sofa, fridge):
    damage = services.exception_report(actor=None, shipment=sofa, kind="damage", description="外箱破损，沙发扶手开裂")
    services.exception_report(actor=None, shipment=fridge, kind="delay", description="高速封路，晚到一天")
    claim = services.claim_file(
        actor=None, shipment=sofa, amount_claimed=Decimal("500"), basis="damage", exception=damage
    )
    services.claim_file(actor=None, shipment=fridge, amount_claimed=Decimal("100"), basis="late")
    user = people["supervisor"]

    def exceptions(q):
        return [e.pk for e in selectors.exception_list(user=user, filters=ExceptionFilters(q=q))]

    def claims(q):
        return [c.pk for c in selectors.claim_list(user=user, filters=ClaimFilters(q=q))]

    assert exceptions("破损") == [damage.pk]
    assert exceptions("扶手开裂") == [damage.pk]
    assert len(exceptions("仓配")) == 2
    assert exceptions(damage.number) == [damage.pk]
    assert exceptions(sofa.number) == [damage.pk]
    assert claims("破损") == [claim.pk]  # the reason: its exception's description
    assert claims("沙发") == [claim.pk]
    assert len(claims("仓配")) == 2
    assert claims(claim.number) == [claim.pk]


def test_the_api_lists_search_the_same_way(client, people, sofa, fridge):
    services.exception_report(actor=None, shipment=sofa, kind="damage", description="外箱破损")
    for path, expected in (("orders", sofa.order_id), ("shipments", sofa.pk)):
        items = client.get(f"{BASE}/{path}", {"q": "沙发"}, **bearer(people["supervisor"])).json()["items"]
        assert [i["id"] for i in items] == [expected]
    items = client.get(f"{BASE}/exceptions", {"q": "破损"}, **bearer(people["supervisor"])).json()["items"]
    assert len(items) == 1


# --- the bulk import indexes what it writes, set-based ---------------------------------------------------


def test_imported_orders_are_found_and_a_repeated_import_writes_no_tokens(people, customer):
    rows = [_row(customer, 1, goods="实木餐桌 2 张"), _row(customer, 2, goods="真皮沙发 1 套", destination="宁波")]
    assert importing.orders_upsert(actor=None, rows=rows).ok
    assert [o.goods for o in _orders(people, "沙发")] == ["真皮沙发 1 套"]
    assert [s.order.goods for s in _shipments(people, "宁波")] == ["真皮沙发 1 套"]
    tokens = set(SearchToken.objects.values_list("pk", flat=True))
    assert importing.orders_upsert(actor=None, rows=rows).ok
    assert set(SearchToken.objects.values_list("pk", flat=True)) == tokens


def test_a_reimported_row_with_new_goods_is_found_by_the_new_words_only(people, customer):
    assert importing.orders_upsert(actor=None, rows=[_row(customer, 1, goods="实木餐桌 2 张")]).ok
    assert importing.orders_upsert(actor=None, rows=[_row(customer, 1, goods="玻璃茶几 1 张")]).ok
    assert _orders(people, "餐桌") == []
    assert [o.goods for o in _orders(people, "茶几")] == ["玻璃茶几 1 张"]


def test_the_migration_indexes_existing_records_as_the_services_do(sofa):
    from django.apps import apps

    from kefu.operations.models import Claim, Order, ShipmentException

    migration = importlib.import_module("kefu.operations.migrations.0005_aftersales_versions_search")
    exception = services.exception_report(actor=None, shipment=sofa, kind="damage", description="外箱破损")
    services.claim_file(actor=None, shipment=sofa, amount_claimed=Decimal("9"), basis="damage", exception=exception)
    kinds = [services.ORDER_SEARCH_KIND, services.EXCEPTION_SEARCH_KIND, services.CLAIM_SEARCH_KIND]
    models = (Order, ShipmentException, Claim)

    def state():
        tokens = sorted(SearchToken.objects.filter(kind__in=kinds).values_list("kind", "token", "object_id"))
        return tokens, [sorted(m.objects.values_list("pk", "search_text")) for m in models]

    by_the_services = state()
    SearchToken.objects.filter(kind__in=kinds).delete()
    for model in models:
        model.objects.update(search_text="")
    migration.index_existing_records(apps, None)
    assert state() == by_the_services
