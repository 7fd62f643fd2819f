"""Benchmark of the operations import and the shipment pages (default 1,000,000 shipments, 5 events each).

    python -m bench.shipments --shipments 200000
    python -m bench.shipments --shipments 1000000 --database-url postgres://postgres@127.0.0.1:5432/kefu_bench_shipments

Creates a fresh database (a SQLite file under /tmp, or the PostgreSQL database named in the URL,
dropped and re-created on a loopback server), migrates it, loads the demo staff and about 2,000
customers (`kefu.customers.demo`), then imports the shipments **through the import services**
(`kefu.operations.importing.orders_upsert` / `events_upsert`, the code behind the Excel/CSV import
page and the `PUT /api/v1/operations/orders|events` upsert): every row is validated, then written
set-based (COPY into a temporary table + one INSERT ... ON CONFLICT per table on PostgreSQL).
Rows arrive in batches of `--batch-size` orders (each batch is one all-or-nothing import, as a
file or an API call would be) followed by their events; `--workers` processes (2 on PostgreSQL)
import every other batch side by side. One batch is then imported a second time to time an
idempotent re-import, the row counts are checked unchanged, and the database is vacuumed and
analysed.

Then, through `django.test.Client` (whole Django stack, no network), as `supervisor1`: the
shipment page of a shipment with its events, the shipment list, a search by shipment number and
the order list; each once to warm up, then `--runs` times (`--pages-only`: just this, on a
database an earlier run loaded). Results: bench/results/shipments-<db>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import platform
import random
import statistics
import time
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.customers import (
    BENCH_DIR,
    ROOT,
    _check_loopback,
    _db_label,
    configure_django,
    markdown_table,
    record_samples,
    recreate_database,
)

RESULTS = ROOT / "bench" / "results"
GOODS = (
    ("家电", "冰箱"),
    ("家电", "洗衣机"),
    ("家具", "沙发"),
    ("家具", "衣柜"),
    ("电子", "服务器机柜"),
    ("建材", "瓷砖"),
    ("食品", "冷链肉类"),
    ("日用品", "洗护用品"),
)
CITIES = ("上海", "苏州", "杭州", "南京", "广州", "深圳", "成都", "武汉", "北京", "天津", "重庆", "西安")
VEHICLES = ("van", "box_4_2", "truck_6_8", "truck_9_6")
EVENT_KINDS = ("picked_up", "departed", "arrived_hub", "out_for_delivery", "delivered")


@dataclass
class Timing:
    name: str
    url: str
    median_ms: float = 0.0
    p95_ms: float = 0.0
    min_ms: float = 0.0
    runs: int = 0
    queries: int = 0
    status: int = 0
    cpu_ms: float = 0.0  # median CPU time of this process per request: Django's share, whatever the load


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shipments", type=int, default=1_000_000)
    parser.add_argument("--events-per-shipment", type=int, default=5)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=50_000, help="orders per import batch (one transaction)")
    parser.add_argument("--database-url", default=f"sqlite:///{BENCH_DIR}/kefu_bench_shipments.sqlite3")
    parser.add_argument(
        "--workers",
        type=int,
        help="processes importing batches side by side, each batch still one import (default 2; 1 on SQLite)",
    )
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument(
        "--pages-only", action="store_true", help="time the pages of a database a previous run loaded (no import)"
    )
    parser.add_argument("--seed", type=int, default=2026)
    return parser.parse_args(argv)


def _rows(start: int, count: int, customers: list[str], rng: random.Random, now: dt.datetime) -> tuple[list, list]:
    """`count` order rows with their shipment facts, and 5 events per shipment, as an import would send them."""
    orders: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for n in range(start, start + count):
        goods_type, goods = GOODS[n % len(GOODS)]
        origin, destination = rng.sample(CITIES, 2)
        ordered = now - dt.timedelta(minutes=rng.randrange(60, 365 * 24 * 60))
        pickup = ordered + dt.timedelta(hours=rng.randrange(2, 48))
        promised = pickup + dt.timedelta(hours=rng.randrange(12, 96))
        departed = pickup + dt.timedelta(minutes=rng.randrange(-120, 240))
        delivered = min(promised + dt.timedelta(hours=rng.randrange(-24, 12)), now - dt.timedelta(minutes=1))
        pieces = rng.randrange(1, 200)
        intact = rng.random() > 0.02
        number = f"YD{n:09d}"
        orders.append(
            {
                "external_number": f"TMS{n:010d}",
                "customer_number": customers[n % len(customers)],
                "goods": f"{goods} {pieces} 件",
                "goods_type": goods_type,
                "pieces": pieces,
                "weight_kg": Decimal(pieces * 12),
                "declared_value": Decimal(pieces * 300),
                "origin": f"{origin}仓",
                "destination": f"{destination}市",
                "ordered_at": ordered,
                "pickup_at": pickup,
                "promised_at": promised,
                "vehicle_type": VEHICLES[n % 4],
                "price": Decimal(200 + pieces * 5),
                "shipment_number": number,
                "dispatched_at": pickup - dt.timedelta(hours=1),
                "departed_at": departed,
                "delivered_at": delivered,
                "pieces_delivered": pieces if intact else pieces - 1,
                "intact": intact,
                "signed_by": "收货人",
            }
        )
        span = (delivered - departed) / 5
        for index, kind in enumerate(EVENT_KINDS):
            occurred = departed + span * index
            events.append(
                {
                    "shipment_number": number,
                    "kind": kind,
                    "occurred_at": occurred,
                    "place": destination if index >= 3 else origin,
                    "informed_at": occurred + dt.timedelta(minutes=rng.randrange(1, 240)),
                }
            )
    return orders, events


def _batch(args: argparse.Namespace, start: int, customers: list[str], now: dt.datetime) -> tuple[list, list]:
    """The rows of the batch starting at shipment `start`: the same whichever worker builds them, whenever."""
    count = min(args.batch_size, args.shipments - start)
    orders, events = _rows(start, count, customers, random.Random(f"{args.seed}-{start}"), now)
    return orders, events[: count * args.events_per_shipment]


def _import_batches(args: argparse.Namespace, worker: int, customers: list[str], now: dt.datetime) -> dict[str, float]:
    """Import every `args.workers`-th batch (from the `worker`-th), each an all-or-nothing import of its orders
    then of its events; returns the seconds spent generating rows, importing orders and importing events."""
    from django.db import connections

    from kefu.operations import importing

    connections.close_all()  # a forked worker opens its own connection
    spent = {"generate": 0.0, "orders": 0.0, "events": 0.0}
    backend = _backend_pid()
    cpu_before = time.process_time() + _backend_cpu_s(backend)
    for start in range(worker * args.batch_size, args.shipments, args.workers * args.batch_size):
        t0 = time.perf_counter()
        orders, events = _batch(args, start, customers, now)
        t1 = time.perf_counter()
        report = importing.orders_upsert(actor=None, rows=orders)
        t2 = time.perf_counter()
        if not report.ok:
            raise SystemExit(f"order batch refused: {report.errors[:5]}")
        event_report = importing.events_upsert(actor=None, rows=events)
        t3 = time.perf_counter()
        if not event_report.ok:
            raise SystemExit(f"event batch refused: {event_report.errors[:5]}")
        spent["generate"] += t1 - t0
        spent["orders"] += t2 - t1
        spent["events"] += t3 - t2
        print(f"  worker {worker}: imported shipments {start:,}+{len(orders):,} ({t2 - t1:.1f} s + {t3 - t2:.1f} s)")
    spent["cpu"] = time.process_time() + _backend_cpu_s(backend) - cpu_before
    connections.close_all()
    return spent


def _backend_pid() -> int | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def _backend_cpu_s(pid: int | None) -> float:
    """CPU seconds used so far by the PostgreSQL process serving this connection (the server is on this
    loopback machine); 0 when it cannot be read. With the worker's own CPU time, the import's cost
    independent of what else the machine runs."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def load(args: argparse.Namespace) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection, connections
    from django.utils import timezone

    from kefu.customers import demo
    from kefu.customers.models import Customer
    from kefu.operations import importing
    from kefu.operations.models import Order, Shipment, ShipmentLine, TrackingEvent

    timings: dict[str, Any] = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    timings["migrate_s"] = round(time.perf_counter() - started, 1)
    demo.ensure_staff()
    started = time.perf_counter()
    demo.generate_customers(args.customers, seed=args.seed)
    timings["customers_s"] = round(time.perf_counter() - started, 1)
    customers = list(Customer.objects.order_by("pk").values_list("number", flat=True))
    now = timezone.now()
    if args.shipments < 1:
        raise SystemExit("nothing to import")
    # Each worker is a separate process with its own connection, like two clients each sending its own
    # files or API calls; the import API itself stays one all-or-nothing call per batch.
    connections.close_all()
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(args.workers) as pool:
        spent = pool.starmap(_import_batches, [(args, w, customers, now) for w in range(args.workers)])
    timings["import_total_s"] = round(time.perf_counter() - started, 1)
    timings["workers"] = args.workers
    # Summed over the workers (they overlap): where the import's time went, not wall-clock time.
    timings["generate_rows_s"] = round(sum(w["generate"] for w in spent), 1)
    timings["import_orders_s"] = round(sum(w["orders"] for w in spent), 1)
    timings["import_events_s"] = round(sum(w["events"] for w in spent), 1)
    timings["import_cpu_s"] = round(sum(w["cpu"] for w in spent), 1)  # workers + their database processes
    counts = (
        Order.objects.count(),
        Shipment.objects.count(),
        ShipmentLine.objects.count(),
        TrackingEvent.objects.count(),
    )
    first_orders, first_events = _batch(args, 0, customers, now)
    t0 = time.perf_counter()
    again = importing.orders_upsert(actor=None, rows=first_orders)
    again_events = importing.events_upsert(actor=None, rows=first_events)
    timings["reimport_batch_s"] = round(time.perf_counter() - t0, 1)
    timings["reimport_created"] = again.created + again_events.created
    after = (
        Order.objects.count(),
        Shipment.objects.count(),
        ShipmentLine.objects.count(),
        TrackingEvent.objects.count(),
    )
    timings["reimport_unchanged"] = counts == after
    timings["orders"], timings["shipments"], timings["lines"], timings["events"] = after
    # Settle the database before timing pages, as it would be some minutes after an import: otherwise
    # autovacuum's first pass over millions of fresh rows runs during (and slows) the page timings.
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)" if connection.vendor == "postgresql" else "ANALYZE")
    timings["vacuum_analyze_s"] = round(time.perf_counter() - started, 1)
    return timings


def measure(timing: Timing, *, runs: int) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from kefu.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username="supervisor1"))
    timing.status = client.get(timing.url).status_code
    with CaptureQueriesContext(connection) as captured:
        client.get(timing.url)
    timing.queries = len(captured.captured_queries)
    samples, cpu = [], []
    for _ in range(runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        client.get(timing.url)
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    record_samples(timing, samples)
    timing.cpu_ms = round(statistics.median(cpu), 1)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.workers is None:  # SQLite takes one writer at a time
        args.workers = 2 if _db_label(args.database_url) == "postgresql" else 1
    _check_loopback(args.database_url)
    if not args.pages_only:
        recreate_database(args.database_url)
    configure_django(args.database_url)
    from django.db import connection

    from kefu.operations.models import Shipment

    if args.pages_only:
        loading: dict[str, Any] = {"pages_only": True, "shipments": Shipment.objects.count()}
    else:
        print(f"Loading {args.shipments:,} shipments into {_db_label(args.database_url)} …", flush=True)
        loading = load(args)
    print(json.dumps(loading, indent=1), flush=True)
    middle = Shipment.objects.order_by("pk")[Shipment.objects.count() // 2]
    timings = [
        Timing("shipment page (5 events)", f"/operations/shipments/{middle.pk}/"),
        Timing("shipment list, first page", "/operations/shipments/"),
        Timing("shipment list, search by number", f"/operations/shipments/?q={middle.number}"),
        Timing("shipment list, late & damaged", "/operations/shipments/?on_time=false&intact=false"),
        Timing("order list, first page", "/operations/"),
        Timing("API shipment detail", f"/api/v1/operations/shipments/{middle.number}"),
    ]
    for timing in timings:
        measure(timing, runs=args.runs)
    rows = [
        (
            t.name,
            t.url[:48],
            f"{t.median_ms:.1f}",
            f"{t.p95_ms:.1f}",
            f"{t.cpu_ms:.1f}",
            str(t.runs),
            str(t.queries),
            str(t.status),
        )
        for t in timings
    ]
    print(markdown_table(("case", "url", "median ms", "p95 ms", "CPU ms", "runs", "queries", "status"), rows))
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"shipments-{_db_label(args.database_url)}{'-pages' if args.pages_only else ''}.json"
    out.write_text(
        json.dumps(
            {
                "args": vars(args),
                "loading": loading,
                "timings": [asdict(t) for t in timings],
                "server": connection.vendor,
                "python": platform.python_version(),
            },
            indent=1,
            ensure_ascii=False,
            default=str,
        )
    )
    print(f"written {out}")


if __name__ == "__main__":
    main()
