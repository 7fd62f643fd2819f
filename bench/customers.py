"""Benchmark of the customer archive at scale (default 100,000 customers).

    python -m bench.customers --customers 100000
    python -m bench.customers --customers 100000 --database-url postgres://postgres@127.0.0.1:5432/kefu_bench

Creates a fresh database (a SQLite file under /tmp, or the PostgreSQL database named in the
URL, dropped and re-created on a loopback server), migrates it, loads the demo staff and
generates the customers with `kefu.customers.demo.generate_customers`, then requests the
list page, filters, keyword searches and the API through `django.test.Client` as a
customer-service manager (sees everything) and as an agent (sees their team). Each case is
run once to warm up, then N times (default 20, bounded by --case-seconds); the median and
p95 in milliseconds are printed and written to bench/results/customers-<db>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
BENCH_DIR = Path(os.environ.get("KEFU_BENCH_DIR", "/tmp/kefu-bench"))  # noqa: S108 - a throw-away bench database
LOOPBACK = {"127.0.0.1", "localhost", "::1", ""}


@dataclass
class Case:
    user: str
    name: str
    url: str
    median_ms: float = 0.0
    p95_ms: float = 0.0
    min_ms: float = 0.0
    runs: int = 0
    queries: int = 0
    status: int = 0
    matches: int | None = None


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument(
        "--database-url",
        default=f"sqlite:///{BENCH_DIR / 'kefu_bench.sqlite3'}",
        help="sqlite:///<file> or postgres://postgres@127.0.0.1:5432/kefu_bench (loopback only); "
        "the database is dropped and re-created",
    )
    parser.add_argument("--runs", type=int, default=20, help="timed runs per case (default 20)")
    parser.add_argument("--case-seconds", type=float, default=60.0, help="stop a case's runs after this long")
    parser.add_argument("--batch-size", type=int, default=5000, help="customers per generator batch")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--reuse", action="store_true", help="keep an existing bench database of the right size (re-measure only)"
    )
    return parser.parse_args(argv)


# --------------------------------------------------------------------------- database


def _check_loopback(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme.startswith("postgres") and (parts.hostname or "") not in LOOPBACK:
        raise SystemExit(f"refusing a non-loopback database host: {parts.hostname}")


def _db_label(url: str) -> str:
    return "postgresql" if urlsplit(url).scheme.startswith("postgres") else "sqlite"


def _existing_size(url: str) -> int:
    """Customers in an existing bench database, 0 when it does not exist."""
    if _db_label(url) == "sqlite":
        import sqlite3

        path = Path(urlsplit(url).path)
        if not path.exists():
            return 0
        try:
            with sqlite3.connect(path) as conn:
                return conn.execute("SELECT count(*) FROM customers_customer").fetchone()[0]
        except sqlite3.Error:
            return 0
    import psycopg

    try:
        with psycopg.connect(url) as conn:
            return conn.execute("SELECT count(*) FROM customers_customer").fetchone()[0]
    except psycopg.Error:
        return 0


def _scratch_database(name: str) -> bool:
    """A database the bench may drop: kefu_bench…, or a person's scratch database kefu_<who>_<what> on a
    shared server (never a bare kefu or kefu_<name>, which may hold real data)."""
    return name.startswith("kefu_bench") or (name.startswith("kefu_") and "_" in name[len("kefu_") :].strip("_"))


def recreate_database(url: str) -> None:
    """Drop and create the bench database (a file for SQLite, CREATE DATABASE for PostgreSQL)."""
    if _db_label(url) == "sqlite":
        path = Path(urlsplit(url).path)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        # Creating a database harms nothing; only bench databases are ever dropped.
        if exists and not _scratch_database(name):
            raise SystemExit(f"the bench only drops databases named kefu_bench… or kefu_<who>_<what>, not {name!r}")
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def configure_django(url: str) -> None:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT / "src"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "kefu.settings"
    os.environ["DATABASE_URL"] = url
    os.environ["KEFU_DATA_DIR"] = str(BENCH_DIR)
    # Production-like: no DEBUG (no query log, no debug templates); cookies over plain HTTP.
    os.environ["KEFU_DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "kefu-bench-only-secret-not-for-production-0123456789")
    os.environ["KEFU_SECURE_COOKIES"] = "0"
    os.environ["KEFU_TASK_BACKEND"] = os.environ.get("KEFU_TASK_BACKEND", "django_tasks_db.DatabaseBackend")
    import django

    django.setup()


# --------------------------------------------------------------------------- data


def load(args: argparse.Namespace) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection

    from kefu.core.models import SearchToken
    from kefu.customers import demo
    from kefu.customers.models import Contact, Customer

    timings: dict[str, Any] = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    timings["migrate_s"] = round(time.perf_counter() - started, 1)
    demo.ensure_staff()
    started = time.perf_counter()
    last_report = [started]

    def progress(done: int) -> None:
        now = time.perf_counter()
        if now - last_report[0] > 15 or done == args.customers:
            print(f"  generated {done:,} customers ({now - started:.0f} s)", flush=True)
            last_report[0] = now

    demo.generate_customers(args.customers, seed=args.seed, batch_size=args.batch_size, progress=progress)
    timings["generate_s"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    timings["analyze_s"] = round(time.perf_counter() - started, 1)
    timings["customers"] = Customer.objects.count()
    timings["contacts"] = Contact.objects.count()
    timings["search_tokens"] = SearchToken.objects.count()
    return timings


# --------------------------------------------------------------------------- measurements


def build_cases() -> list[Case]:
    """The requests to time, for the manager and for the agent, with realistic arguments."""
    from kefu.accounts.models import User
    from kefu.customers.models import Contact, Customer

    agent = User.objects.get(username="agent1")
    # A company name and a mobile number the agent can see too, so both users find it.
    sample = (
        Customer.objects.filter(team_id=agent.team_id, kind="company", is_active=True)
        .order_by("id")[Customer.objects.count() // 3 :]
        .first()
    )
    mobile = Contact.objects.filter(customer=sample).order_by("id").first() if sample else None
    if sample is None or mobile is None:
        raise SystemExit("no sample customer with a contact in the agent's team: generate more customers")
    cases = [
        ("home page (dashboard)", "/"),
        ("list, first page", "/customers/"),
        ("list, page 200", "/customers/?page=200"),
        ("list, region=jiangsu & grade=B", "/customers/?region=jiangsu&grade=B"),
        ("search 物流 (2 chars)", "/customers/?q=" + quote("物流")),
        ("search 供应链 (3 chars)", "/customers/?q=" + quote("供应链")),
        ("search 电子科技 (4 chars)", "/customers/?q=" + quote("电子科技")),
        ("search a company name", "/customers/?q=" + quote(sample.name)),
        ("search exact mobile", "/customers/?q=" + quote(mobile.mobile)),
        ("API /api/v1/customers?q=物流", "/api/v1/customers?q=" + quote("物流")),
    ]
    return [Case(user=u, name=n, url=url) for u in ("csmanager", "agent1") for n, url in cases]


def _matches(case: Case) -> int | None:
    """How many customers the case's filters select for its user (outside the timing)."""
    from urllib.parse import parse_qsl

    from kefu.accounts.models import User
    from kefu.customers import selectors
    from kefu.customers.filters import CustomerFilters

    query = dict(parse_qsl(urlsplit(case.url).query))
    query.pop("page", None)
    if not urlsplit(case.url).path.startswith(("/customers/", "/api/v1/customers")):
        return None
    user = User.objects.get(username=case.user)
    return selectors.customer_list(user=user, filters=CustomerFilters.model_validate(query)).count()


def measure(case: Case, *, runs: int, budget_s: float) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from kefu.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=case.user))
    response = client.get(case.url)  # warm-up (also checks the answer)
    case.status = response.status_code
    if response.status_code != 200:
        print(f"  ! {case.user} {case.url} answered {response.status_code}", flush=True)
    with CaptureQueriesContext(connection) as captured:
        client.get(case.url)
    case.queries = len(captured.captured_queries)
    samples: list[float] = []
    deadline = time.perf_counter() + budget_s
    for _ in range(runs):
        started = time.perf_counter()
        client.get(case.url)
        samples.append((time.perf_counter() - started) * 1000)
        if time.perf_counter() > deadline:
            break
    record_samples(case, samples)
    case.matches = _matches(case)


def record_samples(target: Any, samples: list[float]) -> None:
    """Set runs, median, p95 and min (ms) on a measured case from its timed samples."""
    samples.sort()
    target.runs = len(samples)
    target.median_ms = round(statistics.median(samples), 1)
    target.p95_ms = round(samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))], 1)
    target.min_ms = round(samples[0], 1)


def display_width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def markdown_table(header: tuple[str, ...], rows: list[tuple[str, ...]], *, left: int = 2) -> str:
    """A Markdown table aligned for a terminal: the first `left` columns left, the figures right."""
    rows = [header, *rows]
    widths = [max(display_width(r[i]) for r in rows) for i in range(len(header))]
    lines = []
    for index, row in enumerate(rows):
        cells = [
            cell + " " * (widths[i] - display_width(cell))
            if i < left
            else " " * (widths[i] - display_width(cell)) + cell
            for i, cell in enumerate(row)
        ]
        lines.append("| " + " | ".join(cells) + " |")
        if index == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def _table(cases: list[Case]) -> str:
    header = ("user", "case", "median ms", "p95 ms", "runs", "queries", "matches")
    rows = [
        (
            c.user,
            c.name if display_width(c.name) <= 44 else c.name[:20] + "…",
            f"{c.median_ms:.1f}",
            f"{c.p95_ms:.1f}",
            str(c.runs),
            str(c.queries),
            "" if c.matches is None else f"{c.matches:,}",
        )
        for c in cases
    ]
    return markdown_table(header, rows)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    _check_loopback(args.database_url)
    label = _db_label(args.database_url)
    reuse = args.reuse and _existing_size(args.database_url) >= args.customers
    if not reuse:
        recreate_database(args.database_url)
    configure_django(args.database_url)

    from django.db import connection

    print(f"Kefu customer archive benchmark: {args.customers:,} customers on {label}", flush=True)
    load_info = {"reused": True} if reuse else load(args)
    if not reuse:
        print(
            f"  migrate {load_info['migrate_s']} s, generate {load_info['generate_s']} s "
            f"({load_info['customers']:,} customers, {load_info['contacts']:,} contacts, "
            f"{load_info['search_tokens']:,} search tokens), ANALYZE {load_info['analyze_s']} s",
            flush=True,
        )
    cases = build_cases()
    print(f"  company name searched: {unquote(cases[7].url.split('q=')[1])}", flush=True)
    for case in cases:
        measure(case, runs=args.runs, budget_s=args.case_seconds)
        print(
            f"  {case.user:<10} {case.name:<40} median {case.median_ms:8.1f} ms  p95 {case.p95_ms:8.1f} ms", flush=True
        )
    print()
    print(_table(cases))
    with connection.cursor() as cursor:
        cursor.execute("select sqlite_version()" if label == "sqlite" else "show server_version")
        server = cursor.fetchone()[0]
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"customers-{label}.json"
    import django

    out.write_text(
        json.dumps(
            {
                "database": label,
                "server_version": server,
                "customers_requested": args.customers,
                "load": load_info,
                "runs_per_case": args.runs,
                "python": platform.python_version(),
                "django": django.get_version(),
                "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
                "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "cases": [asdict(c) for c in cases],
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    print(f"\nwritten to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
