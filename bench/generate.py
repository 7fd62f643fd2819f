"""Fill a fresh Kefu database with a realistic logistics company at a chosen scale.

    python -m bench.generate --scale 10k
    python -m bench.generate --scale 100k --database-url postgres://postgres@127.0.0.1:5432/kefu_benchsuite

Drops and re-creates the database (a SQLite file under /tmp/kefu-bench, or a `kefu_bench*`
PostgreSQL database on loopback), migrates it and runs every registered generator
(`bench/data/`): staff, customers with contacts, cases of every type and state over 12 months
with their timeline, clocks and search tokens. Scales: tiny (300 cases), 1k, 10k, 100k, 1m,
or a number. The demo logins work on the result (password of `seed-demo`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from typing import Any

from bench.customers import BENCH_DIR, _check_loopback, configure_django, recreate_database


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="10k", help="tiny | 1k | 10k | 100k | 1m | a number of cases")
    parser.add_argument("--database-url", default=f"sqlite:///{BENCH_DIR / 'kefu_benchsuite.sqlite3'}")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--now", help="ISO time the data is relative to (default: now, to the second)")
    parser.add_argument("--shipments", type=int, help="shipments to generate (default: as many as cases)")
    parser.add_argument("--only", nargs="*", help="run only these generators (and what they need)")
    return parser.parse_args(argv)


def build(
    url: str,
    *,
    scale: str,
    seed: int = 2026,
    now: dt.datetime | None = None,
    only: Any = None,
    shipments: int | None = None,
) -> dict[str, Any]:
    """Re-create the database at `url`, migrate it and generate `scale`; returns the generator report."""
    _check_loopback(url)
    recreate_database(url)
    configure_django(url)
    from django.core.management import call_command

    from bench.data import generate

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrate_s = round(time.perf_counter() - started, 1)
    report = generate(scale=scale, seed=seed, now=now, only=only, shipments=shipments)
    report["migrate_s"] = migrate_s
    report["total_s"] = round(time.perf_counter() - started, 1)
    return report


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    now = dt.datetime.fromisoformat(args.now) if args.now else None
    print(f"Kefu bench data: scale {args.scale} into {args.database_url}", flush=True)
    report = build(
        args.database_url, scale=args.scale, seed=args.seed, now=now, only=args.only, shipments=args.shipments
    )
    print(json.dumps(report, ensure_ascii=False, indent=2, default=str))


if __name__ == "__main__":
    main()
