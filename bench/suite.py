"""The benchmark suite: Kefu and django-helpdesk side by side, over HTTP, at a chosen scale.

    python -m bench.suite --scale 10k                                   # Kefu alone, SQLite
    python -m bench.suite --scale 100k --peer \\
        --database-url postgres://postgres@127.0.0.1:5432/kefu_benchsuite \\
        --peer-database-url postgres://postgres@127.0.0.1:5432/helpdesk_bench

1. Generates the Kefu database (`bench.generate`; `--reuse` keeps one of the right size).
2. Prepares the load client's fixture in this process: session cookies (agent1, csmanager), an
   API token, a case walked through the real services (about 20 timeline events), ids.
3. With `--peer`: installs django-helpdesk 2.6 into `var/helpdesk-peer/venv` (once), exports
   Kefu's cases (same count, same texts) and loads them as helpdesk tickets into its own
   PostgreSQL database, and prepares its fixture (`bench/helpdesk/tool.py`).
4. Serves each system with gunicorn, 2 sync workers, DEBUG off, and runs every scenario of
   `bench.scenarios` with `--concurrency` clients, at most `--requests` requests and
   `--seconds` per scenario, alternating which system goes first (A/B, B/A) so machine drift hits
   both; `--rounds N` repeats and reports the median round.
5. Times the escalation sweep as a job (Kefu `clocks_sweep()`, helpdesk `escalate_tickets`) and
   the machine's limit (raw single-row INSERT transactions and primary-key lookups per second).
6. Prints a Markdown table and writes `bench/results/<date>-<scale>.json` and `.md` (git-ignored).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bench.customers import BENCH_DIR, ROOT, _check_loopback, _db_label, configure_django, markdown_table
from bench.load import Result, Server, gunicorn_command, run_scenario

RESULTS = ROOT / "bench" / "results"
PEER_DIR = ROOT / "var" / "helpdesk-peer"
PEER_VENV = PEER_DIR / "venv"
PEER_REQUIREMENTS = ("django-helpdesk>=2.6,<2.7", "gunicorn", "psycopg[binary]", "dj-database-url")
PEER_SOURCE = ROOT / "bench" / "helpdesk"
SECRET = "kefu-bench-only-secret-not-for-production-0123456789"  # noqa: S105 - a throw-away bench server


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="10k", help="tiny | 1k | 10k | 100k | 1m | a number of cases")
    parser.add_argument("--database-url", default=f"sqlite:///{BENCH_DIR / 'kefu_benchsuite.sqlite3'}")
    parser.add_argument("--peer", action="store_true", help="also run django-helpdesk side by side")
    parser.add_argument("--peer-database-url", default="postgres://postgres@127.0.0.1:5432/helpdesk_bench")
    parser.add_argument("--reuse", action="store_true", help="keep existing databases of the right size")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--requests", type=int, default=200, help="at most this many requests per scenario")
    parser.add_argument("--seconds", type=float, default=30.0, help="at most this long per scenario")
    parser.add_argument("--job-seconds", type=float, default=300.0, help="stop the peer's sweep after this long")
    parser.add_argument("--rounds", type=int, default=1, help="repeat the scenarios; the median round is reported")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers per system")
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per gunicorn worker (1: sync workers, the issue's setting)"
    )
    parser.add_argument("--scenarios", nargs="*", help="run only these scenarios (and jobs)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--shipments", type=int, help="shipments to generate (default: as many as cases)")
    parser.add_argument("--output", help="results file stem (default bench/results/<date>-<scale>)")
    return parser.parse_args(argv)


# --------------------------------------------------------------------------- Kefu side


def _count(url: str, table: str) -> int:
    if _db_label(url) == "sqlite":
        import sqlite3

        path = Path(urlsplit(url).path)
        if not path.exists():
            return 0
        try:
            with sqlite3.connect(path) as conn:
                return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608
        except sqlite3.Error:
            return 0
    import psycopg

    try:
        with psycopg.connect(url) as conn:
            row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608
            return int(row[0]) if row else 0
    except psycopg.Error:
        return 0


def kefu_database(args: argparse.Namespace) -> dict[str, Any]:
    from bench.data import Plan
    from bench.generate import build

    wanted = Plan.for_scale(args.scale).cases
    if args.reuse and _count(args.database_url, "tickets_case") >= wanted:
        configure_django(args.database_url)
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)  # the code may have moved on since
        return {"reused": True}
    return build(args.database_url, scale=args.scale, seed=args.seed, shipments=args.shipments)


def kefu_fixture(seed: int) -> dict[str, Any]:
    """Sessions, a token and ids for the load client, made through the app (this process)."""
    from django.conf import settings
    from django.test import Client

    from bench.cases import make_busy_case
    from bench.data.texts import case_text
    from kefu.accounts.models import Department, User
    from kefu.accounts.services import api_token_issue
    from kefu.customers.models import Customer
    from kefu.operations.models import Shipment
    from kefu.tickets.models import Case, Category

    sessions = {}
    for username in ("agent1", "csmanager", "supervisor1"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        sessions[username] = client.cookies[settings.SESSION_COOKIE_NAME].value
    agent = User.objects.get(username="agent1")
    _, token = api_token_issue(actor=None, user=agent, name="bench suite")
    busy = Case.objects.filter(title="外箱破损内件受潮（基准测试）").order_by("pk").first()
    busy_id = busy.pk if busy else make_busy_case()[0]
    customers = list(
        Customer.objects.filter(team_id=agent.team_id, is_active=True).order_by("pk").values_list("pk", flat=True)[:50]
    )
    rng = random.Random(seed)
    plain = Shipment.objects.filter(exceptions__isnull=True).order_by("pk")  # its page shows the 5 events
    shipment = plain[plain.count() // 2] if plain.exists() else None
    _store_last_month_kpis()
    return {
        "shipment_id": shipment.pk if shipment else 0,
        "shipment_number": shipment.number if shipment else "",
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "sessions": sessions,
        "tokens": {"agent1": token},
        "busy_case_id": busy_id,
        "customer_ids": customers,
        "category_id": Category.objects.get(code="damage").pk,
        "department_id": Department.objects.get(code="transport").pk,
        "texts": [case_text(rng, "complaint", "damage") for _ in range(50)],
    }


def _store_last_month_kpis() -> None:
    """The KPI page reads last month's stored figures, which the worker's periodic job keeps in production:
    store them as it would (once; a reused database keeps them)."""
    from django.utils import timezone

    from kefu.standards.selectors import default_period, kpi_snapshot, snapshot_is_usable
    from kefu.standards.services import kpi_snapshot_compute

    start, end = default_period(timezone.localdate())
    if not snapshot_is_usable(kpi_snapshot(start, end)):
        kpi_snapshot_compute(actor=None, start=start, end=end)


def kefu_server(url: str, workers: int, log: Path, threads: int = 1) -> Server:
    env = {
        "DATABASE_URL": url,
        "KEFU_DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY", SECRET),
        "KEFU_SECURE_COOKIES": "0",
        "KEFU_DATA_DIR": str(BENCH_DIR),
        "DJANGO_SETTINGS_MODULE": "kefu.settings",
        "PYTHONPATH": str(ROOT / "src"),
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    return Server(
        gunicorn_command(gunicorn, "kefu.wsgi:application", workers=workers, threads=threads),
        env=env,
        cwd=ROOT,
        ready_path="/healthz",
        log_path=log,
    )


def kefu_sweep() -> dict[str, Any]:
    """clocks_sweep() as the every-minute job runs it, twice (the first catches up since generation)."""
    from django.utils import timezone

    from kefu.tickets.models import CaseClock
    from kefu.tickets.services import clocks_sweep

    running = CaseClock.objects.filter(stopped_at__isnull=True, paused_at__isnull=True)
    info: dict[str, Any] = {
        "running_clocks": running.count(),
        "overdue_clocks": running.filter(due_at__lte=timezone.now()).count(),
    }
    for run in (1, 2):
        started = time.perf_counter()
        counts = clocks_sweep()
        info[f"run{run}_s"] = round(time.perf_counter() - started, 3)
        info[f"run{run}"] = counts
    return info


# --------------------------------------------------------------------------- the peer


def _peer_python() -> Path:
    return PEER_VENV / "bin" / "python"


def peer_install() -> None:
    """The peer's own virtual environment under var/ (git-ignored), from the package index."""
    if (PEER_VENV / "bin" / "gunicorn").exists() and (PEER_VENV / ".installed").exists():
        return
    print("  installing django-helpdesk into var/helpdesk-peer/venv ...", flush=True)
    PEER_DIR.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
    subprocess.run([str(PEER_VENV / "bin" / "pip"), "install", "--quiet", *PEER_REQUIREMENTS], check=True)
    (PEER_VENV / ".installed").write_text(" ".join(PEER_REQUIREMENTS) + "\n")


def _peer_env(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "PYTHONPATH": f"{PEER_SOURCE}:{ROOT}",
        "HELPDESK_MEDIA": str(PEER_DIR / "media"),
        "DJANGO_SETTINGS_MODULE": "settings",
    }


def _peer_tool(url: str, *arguments: str, timeout: float | None = None) -> dict[str, Any]:
    completed = subprocess.run(
        [str(_peer_python()), str(PEER_SOURCE / "tool.py"), *arguments],
        env=_peer_env(url),
        cwd=PEER_SOURCE,
        check=True,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _recreate_peer_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not parts.scheme.startswith("postgres") or not name.startswith("helpdesk_bench"):
        raise SystemExit(f"the peer runs on a PostgreSQL database named helpdesk_bench*, not {url!r}")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def peer_database(args: argparse.Namespace, cases: int) -> dict[str, Any]:
    """Load Kefu's cases (same number, same texts) into the peer's database as tickets."""
    from django.db import connection

    _check_loopback(args.peer_database_url)
    from bench.data import Plan

    if args.reuse and _count(args.peer_database_url, "helpdesk_ticket") >= min(cases, Plan.for_scale(args.scale).cases):
        return {"reused": True}
    _recreate_peer_database(args.peer_database_url)
    export = PEER_DIR / "tickets.tsv"
    PEER_DIR.mkdir(parents=True, exist_ok=True)
    with connection.cursor() as cursor, export.open("w", encoding="utf-8") as out:
        cursor.execute(
            "SELECT title, description, received_at, status NOT IN ('closed', 'invalid'), priority "
            "FROM tickets_case ORDER BY id"
        )
        while rows := cursor.fetchmany(10_000):
            for title, description, received, is_open, priority in rows:
                clean = [str(v).replace("\t", " ").replace("\n", " ") for v in (title, description)]
                out.write(f"{clean[0]}\t{clean[1]}\t{received.isoformat()}\t{'t' if is_open else 'f'}\t{priority}\n")
    return _peer_tool(args.peer_database_url, "load", str(export))


def peer_server(url: str, workers: int, log: Path, threads: int = 1) -> Server:
    env = _peer_env(url)
    gunicorn = PEER_VENV / "bin" / "gunicorn"
    return Server(
        gunicorn_command(gunicorn, "wsgi:application", workers=workers, threads=threads),
        env=env,
        cwd=PEER_SOURCE,
        ready_path="/login/",
        log_path=log,
    )


# --------------------------------------------------------------------------- the machine's limit


def machine_limits(url: str, seconds: float = 3.0) -> dict[str, Any]:
    """Raw single-row INSERT transactions and primary-key lookups per second (psycopg, 1 and 8 clients)."""
    if _db_label(url) != "postgresql":
        return {}
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_probe")
        conn.execute("CREATE TABLE bench_probe (id bigserial PRIMARY KEY, payload text NOT NULL)")
        conn.execute("INSERT INTO bench_probe (payload) SELECT md5(g::text) FROM generate_series(1, 100000) g")

    def rate(statement: str, clients: int) -> float:
        done = [0] * clients

        def work(slot: int) -> None:
            rng = random.Random(slot)
            with psycopg.connect(url, autocommit=True) as conn:
                deadline = time.perf_counter() + seconds
                while time.perf_counter() < deadline:
                    conn.execute(statement, (rng.randint(1, 100_000),) if "%s" in statement else None)
                    done[slot] += 1

        threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return round(sum(done) / seconds)

    insert = "INSERT INTO bench_probe (payload) VALUES ('x')"
    lookup = "SELECT payload FROM bench_probe WHERE id = %s"
    result = {
        "insert_tx_per_s_1": rate(insert, 1),
        "insert_tx_per_s_8": rate(insert, 8),
        "pk_lookup_per_s_1": rate(lookup, 1),
        "pk_lookup_per_s_8": rate(lookup, 8),
    }
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE bench_probe")
    return result


# --------------------------------------------------------------------------- running and reporting


WRITE_SCENARIOS = ("intake", "intake_batch")


def settle_after_writes(urls: list[str]) -> None:
    """Vacuum both databases after the write scenarios when the server has autovacuum off (this
    machine's has): on a production server autovacuum marks the new rows visible to all soon after
    (Kefu's migrations ask it to for cases and search tokens), and without that the read scenarios
    after them would measure index-only scans that also read the table for every new row."""
    import psycopg

    for url in urls:
        if _db_label(url) != "postgresql":
            continue
        with psycopg.connect(url, autocommit=True) as conn:
            row = conn.execute("SHOW autovacuum").fetchone()
            if row is not None and row[0] == "on":
                continue
            started = time.perf_counter()
            conn.execute("VACUUM (ANALYZE)")
        print(
            f"  VACUUM (ANALYZE) {urlsplit(url).path.lstrip('/')}: {time.perf_counter() - started:.1f} s "
            "(the server has autovacuum off)",
            flush=True,
        )


def run_all(args: argparse.Namespace, servers: dict[str, Server], fixtures: dict[str, dict[str, Any]]) -> list[Result]:
    from bench.scenarios import SCENARIOS

    names = [n for n in SCENARIOS if not args.scenarios or n in args.scenarios]
    urls = [args.database_url, *([args.peer_database_url] if "helpdesk" in servers else [])]
    rounds: dict[tuple[str, str], list[Result]] = {}
    for round_index in range(args.rounds):
        for index, name in enumerate(names):
            spec = SCENARIOS[name]
            targets = [t for t in ("kefu", "helpdesk") if t in servers and t in spec.builders]
            if (index + round_index) % 2:
                targets.reverse()  # A/B, then B/A
            for target in targets:
                server = servers[target]
                result = run_scenario(
                    server.base_url,
                    spec.builders[target](fixtures[target]),
                    target=target,
                    concurrency=args.concurrency,
                    max_requests=args.requests,
                    max_seconds=args.seconds,
                    server_pid=server.pid,
                )
                rounds.setdefault((name, target), []).append(result)
                print(
                    f"  {name:<17} {target:<9} {result.requests:>5} req {result.per_second:>8.1f}/s "
                    f"p50 {result.p50_ms:>8.1f}  p95 {result.p95_ms:>8.1f}  p99 {result.p99_ms:>8.1f} ms  "
                    f"errors {result.errors}  RSS {result.peak_rss_mb:.0f} MiB"
                    + (f"  first error: {result.first_error}" if result.errors else ""),
                    flush=True,
                )
            following = names[index + 1] if index + 1 < len(names) else None
            if name in WRITE_SCENARIOS and following not in WRITE_SCENARIOS:
                settle_after_writes(urls)
    chosen = []
    for results in rounds.values():
        results.sort(key=lambda r: r.per_second)
        chosen.append(results[len(results) // 2])
    return chosen


def _ratio(kefu: float, peer: float, *, higher_is_better: bool) -> str:
    if not kefu or not peer:
        return ""
    value = kefu / peer if higher_is_better else peer / kefu
    return f"{value:.1f}×"


def report_table(results: list[Result], jobs: dict[str, Any]) -> str:
    from bench.scenarios import SCENARIOS

    by_key = {(r.scenario, r.target): r for r in results}
    header = (
        "scenario",
        "Kefu req/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "err",
        "RSS MiB",
        "helpdesk req/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "err",
        "RSS MiB",
        "× req/s",
        "× p95",
    )
    rows = []
    for name in SCENARIOS:
        kefu, peer = by_key.get((name, "kefu")), by_key.get((name, "helpdesk"))
        if not kefu and not peer:
            continue

        def cells(r: Result | None) -> tuple[str, ...]:
            if r is None:
                return ("—",) * 6
            return (
                f"{r.per_second:.1f}" if r.per_second >= 1 else f"{r.per_second:.2f}",
                f"{r.p50_ms:.0f}",
                f"{r.p95_ms:.0f}",
                f"{r.p99_ms:.0f}",
                str(r.errors),
                f"{r.peak_rss_mb:.0f}",
            )

        rows.append(
            (
                name,
                *cells(kefu),
                *cells(peer),
                _ratio(kefu.per_second, peer.per_second, higher_is_better=True) if kefu and peer else "",
                _ratio(kefu.p95_ms, peer.p95_ms, higher_is_better=False) if kefu and peer else "",
            )
        )
    if not any(r.target == "helpdesk" for r in results):  # Kefu alone: no peer columns
        header, rows = header[:7], [row[:7] for row in rows]
    table = markdown_table(header, rows, left=1)
    lines = [table, ""]
    batched = [r for r in results if r.target == "kefu" and r.per_request > 1]
    for r in batched:
        single = by_key.get(("intake", "helpdesk"))
        lines.append(
            f"{r.scenario}: {r.per_request} records per request, Kefu {r.items_per_second:,.1f} records/s"
            + (
                f" against helpdesk's {single.per_second:,.1f} tickets/s, one per request "
                f"({_ratio(r.items_per_second, single.per_second, higher_is_better=True)})"
                if single and r.scenario.startswith("intake")
                else ""
            )
        )
    sweep = jobs.get("sweep", {})
    if "kefu" in sweep:
        k = sweep["kefu"]
        lines.append(
            f"Sweep (job): Kefu clocks_sweep() over {k['running_clocks']:,} running clocks "
            f"({k['overdue_clocks']:,} overdue): run 1 {k['run1_s']} s {k['run1']}, run 2 {k['run2_s']} s {k['run2']}"
        )
    if "stopped_after_s" in sweep.get("helpdesk", {}):
        lines.append(f"Sweep (job): helpdesk escalate_tickets stopped after {sweep['helpdesk']['stopped_after_s']} s")
    elif "helpdesk" in sweep:
        h = sweep["helpdesk"]
        lines.append(
            f"Sweep (job): helpdesk escalate_tickets over {h['open']:,} open tickets: {h['seconds']} s "
            f"({h['escalated']:,} escalated)"
        )
    if "kpi_month" in jobs:
        k = jobs["kpi_month"]
        lines.append(
            f"KPI month (job): kpi_report() for {k['month']}, {k['indicators']} indicators "
            f"({k['with_value']} with a value) over {k['shipments']:,} shipments and {k['cases']:,} cases: "
            f"{k['seconds']} s; the worker's snapshot of it (kpi_snapshot_compute): {k.get('snapshot_seconds', '?')} s"
        )
    if "visit_generation" in jobs:
        v = jobs["visit_generation"]
        lines.append(
            f"Visit generation (job): visit_tasks_generate(day={v['day']}): run 1 {v['run1_s']} s "
            f"({v['run1_created']:,} tasks), run 2 {v['run2_s']} s ({v['run2_created']:,})"
        )
    limits = jobs.get("machine", {})
    if limits:
        lines.append(
            "Machine limit (psycopg, PostgreSQL): single-row INSERT transactions "
            f"{limits['insert_tx_per_s_1']:,}/s (1 client), {limits['insert_tx_per_s_8']:,}/s (8); "
            f"primary-key lookups {limits['pk_lookup_per_s_1']:,}/s (1), {limits['pk_lookup_per_s_8']:,}/s (8)"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    _check_loopback(args.database_url)
    wall = time.perf_counter()
    print(f"Kefu bench suite: scale {args.scale} on {_db_label(args.database_url)}", flush=True)
    data = kefu_database(args)
    from bench.scenarios import JOBS  # registers the scenarios and jobs

    fixtures = {"kefu": kefu_fixture(args.seed)}
    from kefu.tickets.models import Case

    cases = Case.objects.count()
    peer_data: dict[str, Any] = {}
    if args.peer:
        peer_install()
        print("  loading the peer's tickets ...", flush=True)
        peer_data = peer_database(args, cases)
        print(f"  peer: {peer_data}", flush=True)
        from bench.scenarios import CASE_WORDS

        fixtures["helpdesk"] = _peer_tool(args.peer_database_url, "fixture", *CASE_WORDS)
        fixtures["helpdesk"]["texts"] = fixtures["kefu"]["texts"]  # the same intake payload texts
    from django.db import connections

    connections.close_all()
    logs = RESULTS / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    servers: dict[str, Server] = {
        "kefu": kefu_server(args.database_url, args.workers, logs / "kefu-gunicorn.log", args.threads)
    }
    if args.peer:
        servers["helpdesk"] = peer_server(
            args.peer_database_url, args.workers, logs / "helpdesk-gunicorn.log", args.threads
        )
    started: list[Server] = []
    try:
        for server in servers.values():
            started.append(server.__enter__())
        results = run_all(args, servers, fixtures)
    finally:
        for server in reversed(started):
            server.__exit__(None, None, None)
    jobs: dict[str, Any] = {"sweep": {}}
    if not args.scenarios or "sweep" in args.scenarios:
        jobs["sweep"]["kefu"] = kefu_sweep()
        if args.peer:
            try:
                jobs["sweep"]["helpdesk"] = _peer_tool(args.peer_database_url, "sweep", timeout=args.job_seconds)
            except subprocess.TimeoutExpired:
                jobs["sweep"]["helpdesk"] = {"stopped_after_s": args.job_seconds}
    for name, targets in JOBS.items():
        if "kefu" in targets and (not args.scenarios or name in args.scenarios):
            jobs[name] = targets["kefu"]()
            print(f"  job {name}: {jobs[name]}", flush=True)
    jobs["machine"] = machine_limits(args.database_url)
    table = report_table(results, jobs)
    print()
    print(table)
    stem = args.output or str(RESULTS / f"{dt.date.today():%Y-%m-%d}-{args.scale}")  # noqa: DTZ011
    import django

    payload = {
        "scale": args.scale,
        "cases": cases,
        "database": _db_label(args.database_url),
        "data": data,
        "peer_data": peer_data,
        "settings": {
            k: getattr(args, k) for k in ("concurrency", "requests", "seconds", "rounds", "workers", "threads")
        },
        "results": [r.as_dict() for r in results],
        "jobs": jobs,
        "python": platform.python_version(),
        "django": django.get_version(),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "wall_s": round(time.perf_counter() - wall, 1),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    Path(f"{stem}.json").write_text(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
    Path(f"{stem}.md").write_text(
        f"# Bench {args.scale} ({cases:,} cases), {payload['measured_at']}\n\n{table}\n", encoding="utf-8"
    )
    print(f"\nwritten to {stem}.json and .md", flush=True)
    return payload


if __name__ == "__main__":
    main()
