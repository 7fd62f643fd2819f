from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from kefu.operations import services
from kefu.operations.models import Order
from tests.customers.factories import archive, make_customer  # noqa: F401


@pytest.fixture
def customer(people, teams):
    return make_customer(
        name="华东仓配测试有限公司",
        team=teams["cs_east"],
        contacts=[{"name": "李娜", "mobile": "13900001111", "is_primary": True}],
    )


@pytest.fixture
def fleet(db) -> dict[str, Any]:
    van = services.vehicle_save(actor=None, data={"plate": "沪A12345", "vehicle_type": "van", "capacity_kg": 1000})
    box = services.vehicle_save(actor=None, data={"plate": "沪B42000", "vehicle_type": "box_4_2", "capacity_kg": 4000})
    return {
        "van": van,
        "box": box,
        "driver": services.driver_save(actor=None, data={"name": "王师傅", "phone": "13700002222", "vehicle": van}),
    }


def order_data(customer: Any, **fields: Any) -> dict[str, Any]:
    now = timezone.now()
    data = {
        "customer": customer,
        "goods": "家电 20 箱",
        "goods_type": "家电",
        "pieces": 20,
        "weight_kg": Decimal("300"),
        "declared_value": Decimal("20000"),
        "origin": "上海市嘉定区",
        "destination": "苏州市工业园区",
        "pickup_at": now + dt.timedelta(hours=4),
        "promised_at": now + dt.timedelta(days=1),
        "vehicle_type": "van",
        "price": Decimal("800"),
    }
    data.update(fields)
    return data


@pytest.fixture
def make_order(customer):
    def make(actor: Any = None, **fields: Any) -> Order:
        return services.order_create(actor=actor, data=order_data(fields.pop("customer", customer), **fields))

    return make
