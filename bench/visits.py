"""Benchmark of follow-up visits and surveys at scale.

    python -m bench.visits                       # SQLite under /tmp
    python -m bench.visits --database-url postgres://postgres@127.0.0.1:5432/kefu_bench_visits

Creates a fresh database (a SQLite file under /tmp, or the PostgreSQL database named in the URL,
dropped and re-created on a loopback server), migrates it (which seeds the visit rules and the
客户服务调查表), loads the demo staff, then writes directly with `bulk_create` (no services, which
would take hours): 100,000 customers (15 % grade A, 35 % B, 50 % C, 3 % key customers, spread over
the demo teams and agents) and a contact for one in five, a tenth of them with a preferred contact
time; then one survey of the default template with 50,000 responses (12 answers each, submitted over
six months, a third with a comment, indexed for search).

Then it times:
- generating a day's visit tasks with `visit_tasks_generate(day=1 January)`, the day every periodic
  rule starts a new period, so every covered customer gets a task at once (the worst day), and the
  same call again (must create nothing: the unique constraint and the NOT EXISTS skip them);
- the survey results page (/surveys/<id>/) as the CS supervisor through `django.test.Client`
  (whole Django stack), the same page per region, the API results and `satisfaction_index` per grade,
  each warmed up once then run N times (default 20); median and p95 in milliseconds.

Results are printed and written to bench/results/visits-<db>.json.

Measured on PostgreSQL 15 (2 vCPU VM shared with other jobs, load average about 3; 2026-11):
101,191 tasks generated in 4.2 s (second run: 0 created, 0.5 s); survey results page for 50,000
responses (616,667 answers) median 166 ms, p95 252 ms (by region 191 / 326 ms); API results 69 ms;
`satisfaction_index` per grade 42 ms. Under a load average of about 7 the same run gave 6.4 s for the
generation.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import secrets
import time
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from bench.customers import (
    ROOT,
    _check_loopback,
    _db_label,
    configure_django,
    markdown_table,
    record_samples,
    recreate_database,
)

RESULTS = ROOT / "bench" / "results"
GENERATION_DAY = dt.date(2027, 1, 1)
COMMENTS = (
    "司机服务态度很好",
    "物流信息更新不及时",
    "价格偏高希望优惠",
    "紧急发货很给力",
    "包装有破损售后处理慢",
    "对账单经常延迟",
)
REGIONS = ("shanghai", "jiangsu", "zhejiang", "guangdong", "beijing", "sichuan", "hubei", "shandong")


@dataclass
class Timed:
    name: str
    median_ms: float = 0.0
    p95_ms: float = 0.0
    min_ms: float = 0.0
    runs: int = 0
    queries: int = 0
    status: int = 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database-url",
        default=f"sqlite:///{os.environ.get('KEFU_BENCH_DIR', '/tmp/kefu-bench')}/kefu_bench_visits.sqlite3",  # noqa: S108
    )
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--responses", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2026)
    return parser.parse_args(argv)


# --------------------------------------------------------------------------- data


def load_customers(count: int, rng: random.Random) -> dict[str, Any]:
    from kefu.accounts.models import User
    from kefu.customers.models import Contact, Customer

    agents = list(User.objects.filter(role="agent", department__code="cs").select_related("team"))
    started = time.perf_counter()
    customers = []
    for n in range(count):
        agent = agents[n % len(agents)] if n % 3 else None
        customers.append(
            Customer(
                number=f"KH{n:08d}",
                name=f"测试物流客户{n}有限公司",
                ownership=rng.choice(("private", "state", "foreign")),
                region=rng.choice(REGIONS),
                grade=rng.choices("ABC", weights=(15, 35, 50))[0],
                is_key=rng.random() < 0.03,
                account_manager=agent,
                team=agent.team if agent else agents[n % len(agents)].team,
                cooperation_start=dt.date(2015 + n % 10, 1 + n % 12, 1 + n % 28),
                search_text=f"测试物流客户{n}有限公司",
            )
        )
        if len(customers) == 5000:
            Customer.objects.bulk_create(customers)
            customers = []
    Customer.objects.bulk_create(customers)
    ids = list(Customer.objects.order_by("id").values_list("id", flat=True))
    contacts = [
        Contact(
            customer_id=pk,
            name="联系人",
            is_primary=True,
            preferred_contact_time="工作日 15:00-17:00" if i % 10 == 0 else "",
        )
        for i, pk in enumerate(ids[::5])
    ]
    Contact.objects.bulk_create(contacts, batch_size=5000)
    return {"customers": len(ids), "contacts": len(contacts), "load_s": round(time.perf_counter() - started, 1)}


def load_responses(count: int, rng: random.Random) -> tuple[int, dict[str, Any]]:
    from django.utils import timezone

    from kefu.core.services import search_index_bulk
    from kefu.customers.models import Customer
    from kefu.surveys.models import Answer, Invitation, Response, Survey, SurveyTemplate
    from kefu.surveys.scoring import score
    from kefu.surveys.services import SEARCH_KIND, answer_counts_rebuild

    started = time.perf_counter()
    template = SurveyTemplate.objects.get(code="customer-service")
    questions = list(template.questions.all())
    now = timezone.now()
    survey = Survey.objects.create(
        template=template,
        name="基准调查",
        channel="email",
        opens_at=now - dt.timedelta(days=185),
        closes_at=now + dt.timedelta(days=30),
    )
    customers = list(Customer.objects.order_by("id").values_list("id", "grade", "region", "is_key")[: count * 2])
    invitations = [Invitation(survey=survey, customer_id=c[0], token=secrets.token_urlsafe(32)) for c in customers]
    Invitation.objects.bulk_create(invitations, batch_size=5000)
    invitation_ids = list(Invitation.objects.filter(survey=survey).order_by("id").values_list("id", flat=True))
    texts: list[tuple[int, str]] = []
    for start in range(0, count, 2000):
        batch = []
        for i in range(start, min(count, start + 2000)):
            pk, grade, region, is_key = customers[i]
            at = now - dt.timedelta(days=rng.uniform(0, 180))
            comment = rng.choice(COMMENTS) if i % 3 == 0 else ""
            batch.append(
                Response(
                    invitation_id=invitation_ids[i],
                    survey=survey,
                    customer_id=pk,
                    submitted_at=at,
                    channel="email",
                    comment=comment,
                    search_text=comment,
                    grade=grade,
                    region=region,
                    is_key=is_key,
                    index_score=Decimal(rng.randint(40, 100)),
                )
            )
        Response.objects.bulk_create(batch)
        answers = []
        for response in batch:
            mood = rng.uniform(3.5, 6.8)
            month = timezone.localtime(response.submitted_at).date().replace(day=1)
            for question in questions:
                common = {
                    "response_id": response.pk,
                    "survey": survey,
                    "question": question,
                    "month": month,
                    "grade": response.grade,
                    "region": response.region,
                    "is_key": response.is_key,
                }
                if question.kind == "scale":
                    value = max(1, min(7, round(rng.gauss(mood, 1))))
                    answers.append(Answer(value=value, score=score("scale", 7, value), **common))
                elif question.kind == "nps":
                    value = max(0, min(10, round(rng.gauss(mood * 1.4, 1.5))))
                    answers.append(Answer(value=value, score=score("nps", 11, value), **common))
                elif response.comment:
                    answers.append(Answer(text=response.comment, **common))
            if response.comment:
                texts.append((response.pk, response.comment))
        Answer.objects.bulk_create(answers, batch_size=5000)
    search_index_bulk(kind=SEARCH_KIND, texts=texts)
    answer_counts_rebuild(survey=survey)
    Invitation.objects.filter(pk__in=invitation_ids[:count]).update(responded_at=now)
    Survey.objects.filter(pk=survey.pk).update(invited_count=len(invitation_ids), response_count=count)
    return survey.pk, {
        "responses": count,
        "answers": Answer.objects.count(),
        "load_s": round(time.perf_counter() - started, 1),
    }


# --------------------------------------------------------------------------- measurements


def time_generation() -> dict[str, Any]:
    from kefu.visits.models import VisitTask
    from kefu.visits.services import visit_tasks_generate

    started = time.perf_counter()
    first = visit_tasks_generate(day=GENERATION_DAY)
    first_s = time.perf_counter() - started
    started = time.perf_counter()
    second = visit_tasks_generate(day=GENERATION_DAY)
    second_s = time.perf_counter() - started
    return {
        "day": GENERATION_DAY.isoformat(),
        "created": sum(first.values()),
        "created_per_rule": first,
        "seconds": round(first_s, 2),
        "second_run_created": sum(second.values()),
        "second_run_seconds": round(second_s, 2),
        "tasks_in_database": VisitTask.objects.count(),
    }


def time_request(name: str, url: str, runs: int) -> Timed:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from kefu.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username="supervisor1"))
    timed = Timed(name=name)
    timed.status = client.get(url).status_code
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    timed.queries = len(captured.captured_queries)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
    record_samples(timed, samples)
    return timed


def time_call(name: str, call: Any, runs: int) -> Timed:
    timed = Timed(name=name, status=200)
    call()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    record_samples(timed, samples)
    return timed


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    _check_loopback(args.database_url)
    label = _db_label(args.database_url)
    recreate_database(args.database_url)
    configure_django(args.database_url)

    from django.core.management import call_command
    from django.db import connection

    from kefu.customers import demo

    rng = random.Random(args.seed)
    print(f"Kefu visits and surveys benchmark on {label}", flush=True)
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    demo.ensure_staff()
    info: dict[str, Any] = {"migrate_s": round(time.perf_counter() - started, 1)}
    info["customers"] = load_customers(args.customers, rng)
    print(f"  loaded {info['customers']}", flush=True)
    survey_id, info["survey"] = load_responses(args.responses, rng)
    print(f"  loaded {info['survey']}", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    generation = time_generation()
    print(
        f"  generated {generation['created']:,} visit tasks in {generation['seconds']} s; "
        f"second run created {generation['second_run_created']} in {generation['second_run_seconds']} s",
        flush=True,
    )
    from kefu.surveys.selectors import satisfaction_index

    cases = [
        time_request("survey results page", f"/surveys/{survey_id}/", args.runs),
        time_request("survey results page, by region", f"/surveys/{survey_id}/?segment=region", args.runs),
        time_request("API survey results", f"/api/v1/surveys/{survey_id}/results", args.runs),
        time_call(
            "satisfaction_index per grade (selector)",
            lambda: satisfaction_index(start=dt.date(2000, 1, 1), end=dt.date(2100, 1, 1), segment="grade"),
            args.runs,
        ),
    ]
    rows = [
        (c.name, f"{c.median_ms:.1f}", f"{c.p95_ms:.1f}", str(c.runs), str(c.queries), str(c.status)) for c in cases
    ]
    print()
    print(markdown_table(("case", "median ms", "p95 ms", "runs", "queries", "status"), rows))
    with connection.cursor() as cursor:
        cursor.execute("select sqlite_version()" if label == "sqlite" else "show server_version")
        server = cursor.fetchone()[0]
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"visits-{label}.json"
    import django

    out.write_text(
        json.dumps(
            {
                "database": label,
                "server_version": server,
                "load": info,
                "generation": generation,
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
