"""Benchmark of cases at scale (default 200,000 cases).

    python -m bench.cases --cases 50000
    python -m bench.cases --cases 200000 --database-url postgres://postgres@127.0.0.1:5432/kefu_bench_cases

Creates a fresh database (a SQLite file under /tmp, or the PostgreSQL database named in the
URL, dropped and re-created on a loopback server), migrates it, loads the demo staff and
about 5,000 customers (`kefu.customers.demo`), then generates the cases directly with
`bulk_create` (not the services, which would take hours): titles and descriptions of the demo
lists, received over the last 12 months, about 20 % still open, numbers and tracking codes
unique, `search_text` and the "case" search tokens written, and the SLA clocks of the open
cases with due times around now, in the state earlier sweeps would have left them.

Then it times, through `django.test.Client` (whole Django stack, no network): creating a case
through the API with a Bearer token, the queue pages as a supervisor and as an agent, the API
queue, Chinese keyword searches, a case page with about 20 timeline events, the CS manager's home
page, customer keyword searches, and the SLA sweep
(`clocks_sweep()`, run twice). Each request is run once to warm up, then N times (default 20,
bounded by --case-seconds); the median and p95 in milliseconds are printed and written to
bench/results/cases-<db>.json.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import platform
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

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
USERS = ("supervisor1", "agent1")
SEARCH_WORDS = (("破损", "2 chars"), ("对账单", "3 chars"), ("屏幕碎裂", "4 chars"))
CUSTOMER_WORDS = (("物流", "2 chars"), ("供应链", "3 chars"), ("电子科技", "4 chars"))
OPEN_TARGET = 0.20
# Statuses of open cases, with weights (most open cases are early in the loop).
OPEN_MIX = (
    ("received", 20),
    ("assigned", 15),
    ("investigating", 25),
    ("awaiting_approval", 8),
    ("implementing", 12),
    ("awaiting_confirmation", 8),
    ("resolved", 8),
    ("followed_up", 4),
)
# Details appended to the demo descriptions so that texts differ between cases.
PLACES = ("上海", "苏州", "杭州", "南京", "广州", "深圳", "成都", "武汉", "北京", "天津", "重庆", "西安")
DETAILS = (
    "客户要求尽快回复。",
    "已电话联系收货人核实。",
    "客户表示这是本月第二次。",
    "附上签收单照片。",
    "客户希望给出书面说明。",
    "",
)


@dataclass
class Timing:
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
    per_second: float | None = None
    cpu_ms: float | None = None  # this process's CPU time per request (Python, without the database)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--customers", type=int, default=5_000)
    parser.add_argument(
        "--database-url",
        default=f"sqlite:///{BENCH_DIR / 'kefu_bench_cases.sqlite3'}",
        help="sqlite:///<file> or postgres://postgres@127.0.0.1:5432/kefu_bench_cases (loopback only); "
        "the database is dropped and re-created",
    )
    parser.add_argument("--runs", type=int, default=20, help="timed runs per measurement (default 20)")
    parser.add_argument("--case-seconds", type=float, default=60.0, help="stop a measurement's runs after this long")
    parser.add_argument("--batch-size", type=int, default=5000, help="cases per bulk_create")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--reuse", action="store_true", help="keep an existing bench database of the right size (re-measure only)"
    )
    parser.add_argument(
        "--only",
        choices=("all", "search"),
        default="all",
        help="'search': time only the case and customer keyword searches (no create, no sweep: the data stays as is)",
    )
    return parser.parse_args(argv)


def _existing_cases(url: str) -> int:
    if _db_label(url) == "sqlite":
        import sqlite3

        path = Path(urlsplit(url).path)
        if not path.exists():
            return 0
        try:
            with sqlite3.connect(path) as conn:
                return conn.execute("SELECT count(*) FROM tickets_case").fetchone()[0]
        except sqlite3.Error:
            return 0
    import psycopg

    try:
        with psycopg.connect(url) as conn:
            return conn.execute("SELECT count(*) FROM tickets_case").fetchone()[0]
    except psycopg.Error:
        return 0


# --------------------------------------------------------------------------- data


def _open_probability(age_days: float) -> float:
    """Recent cases are mostly open; a tail of older ones is still open (about 20 % in all)."""
    if age_days < 7:
        return 0.9
    if age_days < 30:
        return 0.5
    return 0.165


def _pick_text(rng: random.Random, kind: str) -> tuple[str, str, str]:
    """(category code, title, description) of the demo lists, with some varying detail."""
    from kefu.tickets.demo import COMPLAINTS, INQUIRIES, SUGGESTIONS

    if kind == "complaint":
        code = rng.choice(list(COMPLAINTS))
        title, description = rng.choice(COMPLAINTS[code])
    else:
        code = "other"
        title, description = rng.choice(SUGGESTIONS if kind == "suggestion" else INQUIRIES)
    description = f"{rng.choice(PLACES)}仓发货，{description}{rng.choice(DETAILS)}"
    return code, title, description


def generate_cases(count: int, *, seed: int, batch_size: int, now: dt.datetime) -> dict[str, Any]:
    """Bulk-load `count` cases, their search tokens and the clocks of the open ones."""
    from django.db import connection, transaction
    from django.utils import timezone

    from kefu.accounts.models import Department, Role, User
    from kefu.core.models import NumberSequence, SearchToken
    from kefu.core.search import tokens_for
    from kefu.customers.models import Customer
    from kefu.tickets.choices import NUMBER_PREFIX, CaseKind, Metric
    from kefu.tickets.models import Case, CaseClock, Category, SlaPolicy
    from kefu.tickets.services import SEARCH_KIND, _search_text, derive_priority

    rng = random.Random(seed)
    customers = list(Customer.objects.filter(is_active=True).only("id", "name", "grade", "team_id").order_by("pk"))
    categories = {c.code: c for c in Category.objects.all()}
    users = list(User.objects.filter(is_active=True).select_related("department"))
    agents = [u for u in users if u.role == Role.AGENT and u.department and u.department.code == "cs"]
    supervisors = [u for u in users if u.role == Role.SUPERVISOR]
    transport = Department.objects.get(code="transport")
    transport_staff = [u for u in users if u.department_id == transport.pk] or supervisors
    policies = list(SlaPolicy.objects.filter(is_active=True))

    def policy_for(kind: str, nature: str) -> SlaPolicy:
        for policy in policies:
            if policy.kind == kind and policy.nature == nature:
                return policy
        return next(p for p in policies if not p.kind)

    received = sorted(now - dt.timedelta(seconds=rng.uniform(0, 365 * 86400)) for _ in range(count))
    sequences: dict[str, int] = {}
    token_table = SearchToken._meta.db_table
    token_sql = f"INSERT INTO {token_table} (kind, token, object_id) VALUES (%s, %s, %s)"  # noqa: S608
    info = {"cases": 0, "open": 0, "clocks": 0, "search_tokens": 0, "overdue_clocks": 0}
    started = time.perf_counter()
    last_report = started
    for offset in range(0, count, batch_size):
        cases: list[Case] = []
        open_flags: list[bool] = []
        for at in received[offset : offset + batch_size]:
            kind = rng.choices([CaseKind.COMPLAINT, CaseKind.SUGGESTION, CaseKind.INQUIRY], weights=[70, 12, 18])[0]
            code, title, description = _pick_text(rng, kind)
            nature = ("soft" if code in ("attitude", "late_info") else "hard") if kind == CaseKind.COMPLAINT else ""
            customer = rng.choice(customers)
            severity = rng.choices(["normal", "serious", "major"], weights=[75, 20, 5])[0]
            age_days = (now - at).total_seconds() / 86400
            is_open = rng.random() < _open_probability(age_days)
            if is_open:
                status = rng.choices([s for s, _ in OPEN_MIX], weights=[w for _, w in OPEN_MIX])[0]
            else:
                status = "closed" if rng.random() < 0.9 else "invalid"
            category = categories.get(code)
            department_id = category.default_department_id if category else None
            assignee = None
            if status not in ("received", "invalid"):
                assignee = rng.choice(transport_staff if department_id == transport.pk else agents)
            day_key = f"{NUMBER_PREFIX[CaseKind(kind)]}-{timezone.localdate(at):%Y%m%d}"
            sequences[day_key] = sequences.get(day_key, 0) + 1
            base = 2 if severity == "major" else 0
            case = Case(
                number=f"{day_key}-{sequences[day_key]:04d}",
                kind=kind,
                nature=nature,
                category=category,
                severity=severity,
                priority=derive_priority(severity=severity, customer_grade=customer.grade, kind=kind),
                title=title,
                description=description,
                channel=rng.choice(["hotline", "hotline", "email", "portal", "walk_in", "api"]),
                customer=customer,
                team_id=customer.team_id,
                order_number=f"YD{rng.randint(10**9, 10**10 - 1)}" if kind == CaseKind.COMPLAINT else "",
                status=status,
                waiting_for_customer=is_open and status != "received" and rng.random() < 0.05,
                received_by=rng.choice(agents),
                received_at=at,
                department_id=department_id if status != "received" else None,
                assignee=assignee,
                escalation_level=base,
                escalation_base=base,
                resolved_at=None if is_open or status == "invalid" else at + dt.timedelta(days=rng.uniform(0.2, 6)),
                satisfaction="" if is_open or status == "invalid" else rng.choice(["very_satisfied", "satisfied"]),
                tracking_code=base64.urlsafe_b64encode(rng.randbytes(16)).decode().rstrip("="),
                updated_at=at,
            )
            if not is_open:
                case.closed_at = (case.resolved_at or at) + dt.timedelta(days=rng.uniform(0.1, 3))
            case.search_text = _search_text(case).lower()
            cases.append(case)
            open_flags.append(is_open)
        with transaction.atomic():
            Case.objects.bulk_create(cases)
            if cases[0].pk is None:  # a backend that does not return ids from bulk inserts
                ids = dict(Case.objects.filter(number__in=[c.number for c in cases]).values_list("number", "id"))
                for case in cases:
                    case.pk = case.id = ids[case.number]
            token_rows = [(SEARCH_KIND, t, c.pk) for c in cases for t in tokens_for(_search_text(c))]
            with connection.cursor() as cursor:
                for start in range(0, len(token_rows), 20_000):
                    cursor.executemany(token_sql, token_rows[start : start + 20_000])
            clocks: list[CaseClock] = []
            levels: dict[int, int] = {}
            for case, is_open in zip(cases, open_flags, strict=True):
                if not is_open:
                    continue
                info["open"] += 1
                policy = policy_for(case.kind, case.nature)
                interval = dt.timedelta(minutes=max(policy.escalation_interval_minutes, 1))
                warning = dt.timedelta(minutes=policy.warning_minutes)
                at = case.received_at
                # First response: still running only for cases nobody has answered yet.
                first_running = case.status == "received"
                first_due = max(at + dt.timedelta(minutes=15), now + dt.timedelta(hours=rng.uniform(-6, 2)))
                if not first_running:
                    first_due = at + dt.timedelta(hours=1)
                stopped = None if first_running else at + dt.timedelta(minutes=rng.uniform(5, 120))
                resolution_due = max(at + dt.timedelta(hours=1), now + dt.timedelta(days=rng.uniform(-3, 14)))
                paused = now - dt.timedelta(hours=rng.uniform(1, 48)) if case.waiting_for_customer else None
                for metric, due, stop in (
                    (Metric.FIRST_RESPONSE, first_due, stopped),
                    (Metric.RESOLUTION, resolution_due, None),
                ):
                    clock = CaseClock(
                        case_id=case.pk,
                        metric=metric,
                        policy=policy,
                        started_at=at,
                        due_at=due,
                        warn_at=max(at, due - warning),
                        stopped_at=stop,
                        paused_at=None if stop else paused,
                    )
                    # The state earlier sweeps left (one ran 15 minutes before `now`); a stopped
                    # clock is late when it stopped after its due time.
                    swept = now - dt.timedelta(minutes=15)
                    if stop is not None:
                        clock.breached_at = due if stop > due else None
                    elif clock.paused_at is None:
                        if clock.warn_at <= swept:
                            clock.warned_at = clock.warn_at
                        if due <= swept:
                            clock.breached_at = due
                            clock.escalations = 1 + int((swept - due) / interval)
                            levels[case.pk] = max(levels.get(case.pk, 0), clock.escalations)
                        clock.next_escalation_at = due + clock.escalations * interval
                        if due <= now:
                            info["overdue_clocks"] += 1
                    clocks.append(clock)
            CaseClock.objects.bulk_create(clocks, batch_size=5000)
            next_due: dict[int, dt.datetime] = {}
            for clock in clocks:
                if clock.stopped_at is None and clock.paused_at is None:
                    next_due[clock.case_id] = min(clock.due_at, next_due.get(clock.case_id, clock.due_at))
            for case in cases:
                case.next_due_at = next_due.get(case.pk)
                if case.pk in levels:
                    case.escalation_level = min(case.escalation_base + levels[case.pk], 3)
            changed = [c for c in cases if c.pk in levels or c.pk in next_due]
            Case.objects.bulk_update(changed, ["escalation_level", "next_due_at"], batch_size=2000)
        info["cases"] += len(cases)
        info["clocks"] += len(clocks)
        info["search_tokens"] += len(token_rows)
        moment = time.perf_counter()
        if moment - last_report > 15 or info["cases"] == count:
            print(f"  generated {info['cases']:,} cases ({moment - started:.0f} s)", flush=True)
            last_report = moment
    NumberSequence.objects.bulk_create(
        [NumberSequence(key=k, last_value=v) for k, v in sequences.items()], batch_size=5000
    )
    return info


def load(args: argparse.Namespace) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from kefu.customers import demo

    timings: dict[str, Any] = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    timings["migrate_s"] = round(time.perf_counter() - started, 1)
    demo.ensure_staff()
    started = time.perf_counter()
    demo.generate_customers(args.customers, seed=args.seed, batch_size=5000)
    timings["customers_s"] = round(time.perf_counter() - started, 1)
    print(f"  {args.customers:,} customers in {timings['customers_s']} s", flush=True)
    started = time.perf_counter()
    timings.update(generate_cases(args.cases, seed=args.seed, batch_size=args.batch_size, now=timezone.now()))
    timings["generate_s"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # VACUUM too, as autovacuum would soon after a bulk load: index-only scans need the visibility map.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    timings["analyze_s"] = round(time.perf_counter() - started, 1)
    return timings


# --------------------------------------------------------------------------- measurements


def _client(username: str) -> Any:
    from django.test import Client

    from kefu.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _token(username: str) -> str:
    from kefu.accounts.models import User
    from kefu.accounts.services import api_token_issue

    _, raw = api_token_issue(actor=None, user=User.objects.get(username=username), name="bench cases")
    return raw


def measure_get(timing: Timing, *, runs: int, budget_s: float, headers: dict[str, str] | None = None) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client() if headers else _client(timing.user)
    response = client.get(timing.url, headers=headers)  # warm-up (also checks the answer)
    timing.status = response.status_code
    if response.status_code != 200:
        print(f"  ! {timing.user} {timing.url} answered {response.status_code}", flush=True)
    with CaptureQueriesContext(connection) as captured:
        client.get(timing.url, headers=headers)
    timing.queries = len(captured.captured_queries)
    samples: list[float] = []
    deadline = time.perf_counter() + budget_s
    for _ in range(runs):
        started = time.perf_counter()
        client.get(timing.url, headers=headers)
        samples.append((time.perf_counter() - started) * 1000)
        if time.perf_counter() > deadline:
            break
    record_samples(timing, samples)


def _team_customer(username: str) -> Any:
    from kefu.accounts.models import User
    from kefu.customers.models import Customer

    user = User.objects.get(username=username)
    return Customer.objects.filter(team_id=user.team_id, is_active=True).order_by("pk").first()


def measure_api_create(*, runs: int, budget_s: float) -> Timing:
    """POST /api/v1/cases with a Bearer token, as agent1, for a customer of the agent's team."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from kefu.tickets.demo import COMPLAINTS
    from kefu.tickets.models import Category

    timing = Timing(user="agent1", name="API create (POST /api/v1/cases)", url="/api/v1/cases")
    headers = {"Authorization": f"Bearer {_token('agent1')}"}
    customer = _team_customer("agent1")
    category = Category.objects.get(code="damage")
    client = Client()
    rng = random.Random(7)

    def post() -> int:
        title, description = rng.choice(COMPLAINTS["damage"])
        payload = {
            "kind": "complaint",
            "nature": "hard",
            "title": title,
            "description": description,
            "customer_id": customer.pk,
            "category_id": category.pk,
            "order_number": f"YD{rng.randint(10**9, 10**10 - 1)}",
        }
        return client.post(timing.url, payload, content_type="application/json", headers=headers).status_code

    timing.status = post()
    if timing.status != 201:
        print(f"  ! API create answered {timing.status}", flush=True)
    with CaptureQueriesContext(connection) as captured:
        post()
    timing.queries = len(captured.captured_queries)
    samples: list[float] = []
    deadline = time.perf_counter() + budget_s
    cpu_started = time.process_time()
    for _ in range(runs):
        started = time.perf_counter()
        post()
        samples.append((time.perf_counter() - started) * 1000)
        if time.perf_counter() > deadline:
            break
    record_samples(timing, samples)
    timing.per_second = round(1000 * len(samples) / sum(samples), 1)
    timing.cpu_ms = round((time.process_time() - cpu_started) * 1000 / len(samples), 1)
    return timing


def make_busy_case() -> tuple[int, int]:
    """One case walked through the real services, so its page has about 20 timeline events."""
    from decimal import Decimal

    from kefu.accounts.models import User
    from kefu.tickets import selectors, services
    from kefu.tickets.models import Case, Category

    customer = _team_customer("agent1")
    supervisor = User.objects.get(username="supervisor1")
    handler = User.objects.get(username="deptmanager")
    case = services.case_receive(
        actor=None,
        data={
            "kind": "complaint",
            "nature": "hard",
            "category": Category.objects.get(code="damage"),
            "title": "外箱破损内件受潮（基准测试）",
            "description": "收货时三箱外包装压坏，内件受潮。客户要求赔偿。",
            "customer": customer,
            "channel": "hotline",
            "severity": "serious",
            "order_number": "YD1234567890",
        },
    )

    def fresh() -> Case:
        return Case.objects.get(pk=case.pk)

    services.case_set_priority(actor=None, case=fresh(), priority=1, reason="重要客户，加急处理")
    services.case_add_message(actor=None, case=fresh(), direction="out", channel="sms", body="已受理，请耐心等待。")
    services.case_wait_for_customer(actor=None, case=fresh(), waiting=True, note="请客户补充照片")
    services.case_add_message(actor=None, case=fresh(), direction="in", channel="email", body="照片见附件。")
    services.case_wait_for_customer(actor=None, case=fresh(), waiting=False, note="照片已收到")
    services.case_judge(actor=None, case=fresh(), valid=True, note="情况属实", department=handler.department)
    services.case_accept(actor=None, case=fresh(), assignee=handler)
    services.case_investigate(actor=None, case=fresh(), data={"cause": "装车时堆码过高"})
    services.solution_propose(
        actor=handler, case=fresh(), kind="apology", description="书面致歉并加强培训", compensation_amount=None
    )
    services.solution_propose(
        actor=handler,
        case=fresh(),
        kind="compensation",
        description="赔偿 800 元并致歉",
        compensation_amount=Decimal(800),
    )
    services.solution_approve(actor=None, solution=fresh().solutions.filter(kind="compensation").get())
    services.case_implement(actor=None, case=fresh(), note="已按方案赔付", penalty="责任人扣绩效")
    services.case_add_message(actor=None, case=fresh(), direction="out", channel="email", body="赔付已完成。")
    services.case_confirm(actor=None, case=fresh(), accepted=True, note="客户认可处理结果")
    services.case_follow_up(actor=None, case=fresh(), satisfaction="satisfied", note="回访客户，表示认可")
    services.case_close(actor=supervisor, case=fresh(), root_cause="堆码规范执行不到位", lesson="加强装车培训")
    return case.pk, len(selectors.case_timeline(fresh()))


def measure_sweep() -> list[dict[str, Any]]:
    """clocks_sweep() twice, as the scheduled job runs it; the second run should escalate nothing."""
    from kefu.tickets.models import CaseClock
    from kefu.tickets.services import clocks_sweep

    runs = []
    for run in (1, 2):
        running = CaseClock.objects.filter(stopped_at__isnull=True, paused_at__isnull=True)
        from django.utils import timezone

        now = timezone.now()
        before = {"running_clocks": running.count(), "overdue_clocks": running.filter(due_at__lte=now).count()}
        started = time.perf_counter()
        counts = clocks_sweep()
        seconds = round(time.perf_counter() - started, 2)
        runs.append({"run": run, "seconds": seconds, **before, **counts})
        print(f"  sweep run {run}: {seconds} s {before} {counts}", flush=True)
    return runs


def _matches(user: str, **query: Any) -> int:
    from kefu.accounts.models import User
    from kefu.tickets import selectors

    return selectors.case_queue(user=User.objects.get(username=user), **query).count()


def measure_case_searches(args: argparse.Namespace, report: Callable[[Timing], None], user: str) -> None:
    for word, size in SEARCH_WORDS:
        for queue in ("open", "all"):
            t = Timing(user=user, name=f"search {word} ({size}), {queue}", url=f"/cases/?queue={queue}&q={quote(word)}")
            measure_get(t, runs=args.runs, budget_s=args.case_seconds)
            t.matches = _matches(user, queue=queue, q=word)
            report(t)


def measure_customer_searches(args: argparse.Namespace, report: Callable[[Timing], None]) -> None:
    for user in USERS:
        for word, size in CUSTOMER_WORDS:
            t = Timing(user=user, name=f"customer search {word} ({size})", url=f"/customers/?q={quote(word)}")
            measure_get(t, runs=args.runs, budget_s=args.case_seconds)
            report(t)


def measure_searches(args: argparse.Namespace, report: Callable[[Timing], None]) -> None:
    """The keyword searches alone (`--only search`)."""
    for user in USERS:
        measure_case_searches(args, report, user)
    measure_customer_searches(args, report)


def build_and_measure(args: argparse.Namespace) -> tuple[list[Timing], list[dict[str, Any]], dict[str, Any]]:
    timings: list[Timing] = []

    def report(t: Timing) -> None:
        extra = f"  {t.per_second}/s" if t.per_second else ""
        extra += f", CPU {t.cpu_ms} ms" if t.cpu_ms else ""
        print(f"  {t.user:<11} {t.name:<44} median {t.median_ms:8.1f} ms  p95 {t.p95_ms:8.1f} ms{extra}", flush=True)
        timings.append(t)

    if args.only == "search":
        measure_searches(args, report)
        return timings, [], {}
    report(measure_api_create(runs=args.runs, budget_s=args.case_seconds))
    tokens = {u: _token(u) for u in USERS}
    for user in USERS:
        for queue in ("open", "breaching"):
            t = Timing(user=user, name=f"queue page ?queue={queue}", url=f"/cases/?queue={queue}")
            measure_get(t, runs=args.runs, budget_s=args.case_seconds)
            t.matches = _matches(user, queue=queue)
            report(t)
        t = Timing(user=user, name="API /api/v1/cases?queue=open", url="/api/v1/cases?queue=open")
        measure_get(t, runs=args.runs, budget_s=args.case_seconds, headers={"Authorization": f"Bearer {tokens[user]}"})
        t.matches = _matches(user, queue="open")
        report(t)
        measure_case_searches(args, report, user)
    pk, events = make_busy_case()
    for user in USERS:
        t = Timing(user=user, name=f"case page ({events} timeline events)", url=f"/cases/{pk}/")
        measure_get(t, runs=args.runs, budget_s=args.case_seconds)
        report(t)
    t = Timing(user="csmanager", name="dashboard (home page)", url="/")
    measure_get(t, runs=args.runs, budget_s=args.case_seconds)
    report(t)
    measure_customer_searches(args, report)
    sweep = measure_sweep()
    return timings, sweep, {"busy_case_id": pk, "timeline_events": events}


def _table(timings: list[Timing]) -> str:
    header = ("user", "case", "median ms", "p95 ms", "runs", "queries", "matches")
    rows = [
        (
            t.user,
            t.name + (f" ({t.per_second}/s)" if t.per_second else ""),
            f"{t.median_ms:.1f}",
            f"{t.p95_ms:.1f}",
            str(t.runs),
            str(t.queries),
            "" if t.matches is None else f"{t.matches:,}",
        )
        for t in timings
    ]
    return markdown_table(header, rows)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    _check_loopback(args.database_url)
    label = _db_label(args.database_url)
    reuse = args.reuse and _existing_cases(args.database_url) >= args.cases
    if not reuse:
        recreate_database(args.database_url)
    configure_django(args.database_url)

    from django.db import connection

    from kefu.core.models import SearchToken
    from kefu.tickets.models import Case, CaseClock

    print(f"Kefu cases benchmark: {args.cases:,} cases on {label}", flush=True)
    wall = time.perf_counter()
    load_info = {"reused": True} if reuse else load(args)
    if not reuse:
        print(
            f"  migrate {load_info['migrate_s']} s, customers {load_info['customers_s']} s, "
            f"generate {load_info['generate_s']} s ({load_info['cases']:,} cases, {load_info['open']:,} open, "
            f"{load_info['clocks']:,} clocks, {load_info['search_tokens']:,} search tokens), "
            f"ANALYZE {load_info['analyze_s']} s",
            flush=True,
        )
    data = {
        "cases": Case.objects.count(),
        "open_clocks": CaseClock.objects.filter(stopped_at__isnull=True).count(),
        "case_tokens": SearchToken.objects.filter(kind="case").count(),
    }
    timings, sweep, busy = build_and_measure(args)
    print()
    print(_table(timings))
    with connection.cursor() as cursor:
        cursor.execute("select sqlite_version()" if label == "sqlite" else "show server_version")
        server = cursor.fetchone()[0]
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / (f"cases-{label}.json" if args.only == "all" else f"cases-{label}-{args.only}.json")
    import django

    out.write_text(
        json.dumps(
            {
                "database": label,
                "server_version": server,
                "cases_requested": args.cases,
                "load": load_info,
                "data": data,
                "busy_case": busy,
                "runs_per_case": args.runs,
                "python": platform.python_version(),
                "django": django.get_version(),
                "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
                "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "wall_s": round(time.perf_counter() - wall, 1),
                "timings": [asdict(t) for t in timings],
                "sweep": sweep,
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    print(f"\nwritten to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
