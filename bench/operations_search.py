"""Benchmark of the Chinese keyword search of the operations lists (default 1,000,000 orders with shipments).

    python -m bench.operations_search --orders 1000000 \\
        --database-url postgres://postgres@127.0.0.1:5432/kefu_bench_opsearch

Creates a fresh database, migrates it, loads the demo staff and about 2,000 customers, then imports
the orders with their shipments through `kefu.operations.importing.orders_upsert` (the rows
`bench.shipments` composes, no tracking events: they play no part in the search), timing apart the
search tokens the import writes. Then, as `supervisor1` through `django.test.Client`, the order and
shipment lists searched by a common goods word, a longer word, two words, part of a customer's name
and a word no record holds; each once to warm up, then `--runs` times.
Results: bench/results/operations-search-<db>.json.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from dataclasses import asdict
from typing import Any
from urllib.parse import quote

from bench.customers import (
    BENCH_DIR,
    ROOT,
    _check_loopback,
    _db_label,
    configure_django,
    markdown_table,
    recreate_database,
)
from bench.shipments import Timing, _rows, measure

RESULTS = ROOT / "bench" / "results"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=50_000)
    parser.add_argument("--database-url", default=f"sqlite:///{BENCH_DIR}/kefu_bench_opsearch.sqlite3")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reuse", action="store_true", help="time the searches on the database already loaded")
    return parser.parse_args(argv)


def load(args: argparse.Namespace) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from kefu.core.models import SearchToken
    from kefu.customers import demo
    from kefu.customers.models import Customer
    from kefu.operations import importing

    call_command("migrate", verbosity=0, interactive=False)
    demo.ensure_staff()
    demo.generate_customers(args.customers, seed=args.seed)
    customers = list(Customer.objects.order_by("pk").values_list("number", flat=True))
    rng = random.Random(args.seed)
    now = timezone.now()
    indexing = 0.0
    index_orders = importing._index_orders

    def timed_index(*positional: Any) -> None:
        nonlocal indexing
        started = time.perf_counter()
        index_orders(*positional)
        indexing += time.perf_counter() - started

    importing._index_orders = timed_index  # type: ignore[assignment]
    imported = 0.0
    for done in range(0, args.orders, args.batch_size):
        orders, _events = _rows(done, min(args.batch_size, args.orders - done), customers, rng, now)
        started = time.perf_counter()
        if not importing.orders_upsert(actor=None, rows=orders).ok:
            raise SystemExit("order batch refused")
        imported += time.perf_counter() - started
        print(f"  {done + len(orders):,} orders: import {imported:.0f} s, of which tokens {indexing:.0f} s", flush=True)
    importing._index_orders = index_orders  # type: ignore[assignment]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "import_orders_s": round(imported, 1),
        "of_which_search_tokens_s": round(indexing, 1),
        "search_tokens": SearchToken.objects.filter(kind="order").count(),
    }


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    _check_loopback(args.database_url)
    if not args.reuse:
        recreate_database(args.database_url)
    configure_django(args.database_url)
    from kefu.customers.models import Customer

    loading: dict[str, Any] = {"reused": True}
    if not args.reuse:
        print(f"Loading {args.orders:,} orders into {_db_label(args.database_url)} …", flush=True)
        loading = load(args)
        print(json.dumps(loading, indent=1), flush=True)
    name_part = Customer.objects.order_by("pk").values_list("name", flat=True)[args.customers // 2][:2]
    queries = {
        "a common goods word": "沙发",
        "a longer word": "服务器机柜",
        "two words": "苏州 冰箱",
        "part of a customer's name": name_part,
        "a word no record holds": "钢琴",
    }
    timings = [
        Timing(f"{list_name}: {label}", f"{url}?q={quote(query)}")
        for list_name, url in (("orders", "/operations/"), ("shipments", "/operations/shipments/"))
        for label, query in queries.items()
    ]
    for timing in timings:
        measure(timing, runs=args.runs)
    rows = [(t.name, f"{t.median_ms:.1f}", f"{t.p95_ms:.1f}", str(t.runs), str(t.queries)) for t in timings]
    print(markdown_table(("case", "median ms", "p95 ms", "runs", "queries"), rows))
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"operations-search-{_db_label(args.database_url)}.json"
    body = {"args": vars(args), "loading": loading, "queries": queries, "timings": [asdict(t) for t in timings]}
    out.write_text(json.dumps(body, indent=1, ensure_ascii=False, default=str))
    print(f"written {out}")


if __name__ == "__main__":
    main()
