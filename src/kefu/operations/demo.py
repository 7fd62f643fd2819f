"""Demo data for `manage.py seed-demo-operations`: fleet, stock, standards, and orders of the demo customers.

History (delivered shipments with their tracking events) comes in through the bulk import, as it
would from a company's own TMS; the recent orders go through the real services: credit holds,
stock checks, dispatch, tracking, exceptions that open complaint cases, and claims at every step.
Deterministic; loads once.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from kefu.accounts.models import Role, User
from kefu.customers.models import Customer
from kefu.operations import importing, services
from kefu.operations.models import ApprovalLimit, Driver, Order, StockItem, Vehicle

DEMO_SEED = 2026
VEHICLES = [
    ("沪A·D1001", "van", 1000),
    ("沪A·D1002", "van", 1000),
    ("沪B·X4201", "box_4_2", 4000),
    ("沪B·X4202", "box_4_2", 4000),
    ("苏E·X4203", "box_4_2", 4000),
    ("沪C·H6801", "truck_6_8", 10000),
    ("浙A·H6802", "truck_6_8", 10000),
    ("沪D·H9601", "truck_9_6", 18000),
]
DRIVER_NAMES = ("王建国", "李卫东", "张海", "刘强", "陈志明", "杨波", "赵磊", "周平")
DRIVERS = [(name, f"1376100000{index + 1}") for index, name in enumerate(DRIVER_NAMES)]
STOCK = [
    ("TV-55", "55 寸液晶电视"),
    ("FR-300", "300 升冰箱"),
    ("WM-10", "10 公斤洗衣机"),
    ("SF-3", "三人位沙发"),
    ("WD-2", "两门衣柜"),
    ("AC-35", "1.5 匹空调"),
]
GOODS = [
    ("家电", "冰箱"),
    ("家电", "洗衣机"),
    ("家具", "沙发"),
    ("家具", "衣柜"),
    ("电子", "服务器"),
    ("建材", "瓷砖"),
    ("日用品", "洗护用品"),
    ("食品", "冷链食品"),
]
CITIES = ("上海", "苏州", "杭州", "南京", "无锡", "宁波", "合肥", "广州", "深圳", "成都", "武汉", "北京")
EXCEPTIONS = [
    ("damage", "卸货时发现三箱外包装压坏,内件受潮。"),
    ("delay", "高速封路,预计晚到一天。"),
    ("loss", "运单 12 件,实到 11 件,少一箱。"),
    ("wrong_goods", "到货型号与订单不符。"),
    ("missing_goods", "主机已到,配件箱未到。"),
]
LIMITS = [
    (Role.SUPERVISOR, "2000"),
    (Role.CS_MANAGER, "20000"),
    (Role.DEPT_MANAGER, "20000"),
    (Role.MARKETING_DIRECTOR, "100000"),
    (Role.GENERAL_MANAGER, "1000000"),
    (Role.ADMIN, "1000000"),
]


def demo_operations_seeded() -> bool:
    return Order.objects.exists()


def ensure_configuration() -> None:
    """Approval limits and compensation standards (records managers edit), the fleet and the stock list."""
    for role, amount in LIMITS:
        ApprovalLimit.objects.get_or_create(role=role, defaults={"max_amount": Decimal(amount)})
    if not services.compensation_standards_exist():
        services.compensation_standard_save(
            actor=None, data={"basis": "damage", "goods_type": "", "percent_of_value": Decimal("100")}
        )
        services.compensation_standard_save(
            actor=None,
            data={"basis": "damage", "goods_type": "家电", "percent_of_value": Decimal("80"), "cap": Decimal("20000")},
        )
        services.compensation_standard_save(
            actor=None, data={"basis": "late", "goods_type": "", "per_day": Decimal("200"), "cap": Decimal("2000")}
        )
    for plate, kind, capacity in VEHICLES:
        if not Vehicle.objects.filter(plate=plate).exists():
            services.vehicle_save(actor=None, data={"plate": plate, "vehicle_type": kind, "capacity_kg": capacity})
    vehicles = list(Vehicle.objects.order_by("pk"))
    if not vehicles[0].driver_set.exists():
        for index, (name, phone) in enumerate(DRIVERS):
            services.driver_save(
                actor=None, data={"name": name, "phone": phone, "vehicle": vehicles[index % len(vehicles)]}
            )
    for sku, name in STOCK:
        StockItem.objects.get_or_create(sku=sku, defaults={"name": name, "on_hand": 40})


def _history_rows(customers: list[Customer], count: int, rng: random.Random, now: dt.datetime) -> tuple[list, list]:
    orders: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for n in range(count):
        goods_type, goods = GOODS[n % len(GOODS)]
        origin, destination = rng.sample(CITIES, 2)
        ordered = now - dt.timedelta(days=rng.uniform(3, 90))
        pickup = ordered + dt.timedelta(hours=rng.randrange(4, 36))
        promised = pickup + dt.timedelta(hours=rng.randrange(24, 72))
        departed = pickup + dt.timedelta(minutes=rng.choice((-60, -30, 0, 20, 90, 240)))
        delivered = promised + dt.timedelta(hours=rng.choice((-20, -8, -3, -1, 2, 30)))
        pieces = rng.randrange(2, 60)
        intact = rng.random() > 0.05
        number = f"YD-DEMO-{n + 1:05d}"
        orders.append(
            {
                "external_number": f"TMS-DEMO-{n + 1:05d}",
                "customer_number": customers[n % len(customers)].number,
                "goods": f"{goods} {pieces} 件",
                "goods_type": goods_type,
                "pieces": pieces,
                "weight_kg": pieces * 15,
                "declared_value": pieces * 400,
                "origin": f"{origin}仓",
                "destination": f"{destination}市",
                "ordered_at": ordered,
                "pickup_at": pickup,
                "promised_at": promised,
                "vehicle_type": rng.choice(("van", "box_4_2", "truck_6_8", "truck_9_6")),
                "price": 300 + pieces * 8,
                "shipment_number": number,
                "dispatched_at": pickup - dt.timedelta(hours=2),
                "departed_at": departed,
                "delivered_at": delivered,
                "pieces_delivered": pieces if rng.random() > 0.03 else pieces - 1,
                "intact": intact,
                "signed_by": rng.choice(("张先生", "李女士", "仓管王工", "前台")),
            }
        )
        step = (delivered - departed) / 5
        for index, kind in enumerate(("picked_up", "departed", "arrived_hub", "out_for_delivery", "delivered")):
            occurred = departed + step * index
            events.append(
                {
                    "shipment_number": number,
                    "kind": kind,
                    "occurred_at": occurred,
                    "place": f"{origin}仓"
                    if index < 2
                    else f"{destination}转运中心"
                    if index == 2
                    else f"{destination}市",
                    "informed_at": occurred + dt.timedelta(minutes=rng.choice((5, 15, 30, 60, 150, 300))),
                }
            )
    return orders, events


@transaction.atomic
def seed_demo_operations(*, history: int = 600, recent: int = 40, seed: int = DEMO_SEED) -> int:
    """Load the demo orders unless there are orders already; returns how many orders were made."""
    if demo_operations_seeded():
        return 0
    customers = list(Customer.objects.filter(is_active=True).order_by("pk")[:300])
    if not customers:
        return 0
    rng = random.Random(seed)
    now = timezone.now()
    ensure_configuration()
    orders, events = _history_rows(customers, history, rng, now)
    importing.orders_upsert(actor=None, rows=orders)
    importing.events_upsert(actor=None, rows=events)
    for index, customer in enumerate(customers[:20]):
        if index % 4 == 0:
            services.credit_account_save(
                actor=None, customer=customer, order_limit=Decimal("3000"), balance_limit=Decimal("20000")
            )
    for item in StockItem.objects.all():
        services.stock_take_record(
            actor=None, item=item, counted=40, damaged=rng.choice((0, 0, 1, 2)), at=now - dt.timedelta(days=7)
        )
    supervisor = User.objects.filter(role=Role.SUPERVISOR, is_active=True).order_by("pk").first()
    manager = User.objects.filter(role=Role.CS_MANAGER, is_active=True).order_by("pk").first()
    vehicles = {v.vehicle_type: v for v in Vehicle.objects.order_by("-pk")}
    drivers = list(Driver.objects.order_by("pk"))
    stock = list(StockItem.objects.order_by("pk"))
    for n in range(recent):
        customer = customers[n % 20]
        goods_type, goods = GOODS[n % len(GOODS)]
        origin, destination = rng.sample(CITIES, 2)
        pickup = now + dt.timedelta(hours=rng.randrange(-30, 24))
        pieces = rng.randrange(1, 12)
        order = services.order_create(
            actor=None,
            created_at=pickup - dt.timedelta(hours=rng.randrange(6, 30)),
            data={
                "customer": customer,
                "goods": f"{goods} {pieces} 件",
                "goods_type": goods_type,
                "pieces": pieces,
                "declared_value": Decimal(pieces * 900),
                "origin": f"{origin}仓",
                "destination": f"{destination}市",
                "pickup_at": pickup,
                "promised_at": pickup + dt.timedelta(days=1),
                "vehicle_type": rng.choice(list(vehicles)),
                # Orders 0 and 8 go to customers on open account, over their 3,000 order limit: held.
                "price": Decimal(4800) if n in (0, 8) else Decimal(200 + pieces * rng.choice((50, 120, 400))),
                "stock_item": stock[n % len(stock)] if n % 3 == 0 else None,
                "stock_note": "预计三天内补货" if n % 3 == 0 else "",
            },
        )
        if order.status != "accepted" or n % 5 == 4 or pickup > now:
            continue
        shipment = services.order_dispatch(
            actor=None,
            order=order,
            vehicle=vehicles[order.vehicle_type],
            driver=drivers[n % len(drivers)],
            at=pickup - dt.timedelta(hours=1),
        )
        services.shipment_add_event(
            actor=None, shipment=shipment, kind="departed", occurred_at=pickup, place=f"{origin}仓"
        )
        if n % 4 == 1:
            kind, text = EXCEPTIONS[(n // 4) % len(EXCEPTIONS)]
            exception = services.exception_report(actor=None, shipment=shipment, kind=kind, description=text)
            claim = services.claim_file(
                actor=None,
                shipment=shipment,
                exception=exception,
                basis="late" if kind == "delay" else "damage",
                amount_claimed=Decimal(pieces * 300),
            )
            if n % 3:
                claim = services.claim_assess(actor=supervisor, claim=claim, amount=Decimal(pieces * 200))
                if claim.amount_assessed and claim.amount_assessed <= Decimal("2000"):
                    claim = services.claim_approve(actor=supervisor, claim=claim)
                    if n % 2:
                        services.claim_pay(actor=manager, claim=claim, reference=f"FIN-{now:%Y%m}-{n:03d}")
    return history + recent
