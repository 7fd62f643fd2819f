"""Named scenarios of the load client, per system under test ("kefu", "helpdesk").

A scenario builder takes the system's *fixture* (session cookies, API tokens, ids prepared before
the server starts) and returns a `bench.load.Scenario`. Register one with
`@scenario("name", "kefu", description)`; the same name for "helpdesk" is its equivalent, and
the report puts the two side by side. Later modules (shipment import, visit generation, survey
results, KPI months) add theirs the same way, for Kefu alone when the peer has no equivalent.
Jobs that are not HTTP (the escalation sweep) are registered with `@job(...)`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from bench.load import Request, Scenario

# 2-, 3- and 4-character words: case texts (破损, 对账单, 屏幕碎裂) and customer names (物流, 供应链, 电子科技).
CASE_WORDS = ("破损", "对账单", "屏幕碎裂")
CUSTOMER_WORDS = ("物流", "供应链", "电子科技")

Builder = Callable[[dict[str, Any]], Scenario]


@dataclass(frozen=True)
class ScenarioSpec:
    name: str
    description: str
    builders: dict[str, Builder]


SCENARIOS: dict[str, ScenarioSpec] = {}
JOBS: dict[str, dict[str, Callable[..., dict[str, Any]]]] = {}


def scenario(name: str, target: str, description: str = "") -> Callable[[Builder], Builder]:
    def register(fn: Builder) -> Builder:
        spec = SCENARIOS.get(name)
        builders = {**(spec.builders if spec else {}), target: fn}
        SCENARIOS[name] = ScenarioSpec(name, (spec.description if spec else "") or description, builders)
        return fn

    return register


def job(name: str, target: str) -> Callable[[Callable[..., dict[str, Any]]], Callable[..., dict[str, Any]]]:
    def register(fn: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
        JOBS.setdefault(name, {})[target] = fn
        return fn

    return register


def _session(fixture: dict[str, Any], user: str) -> dict[str, str]:
    return {"Cookie": f"{fixture['session_cookie']}={fixture['sessions'][user]}"}


def _bearer(fixture: dict[str, Any], user: str) -> dict[str, str]:
    return {"Authorization": f"{fixture.get('token_keyword', 'Bearer')} {fixture['tokens'][user]}"}


def _rotate(requests: list[Request]) -> Callable[[int], Request]:
    return lambda i: requests[i % len(requests)]


# --------------------------------------------------------------------------- Kefu


INTAKE_BATCH = 100  # cases per POST /api/v1/cases/batch


def _intake_payload(fixture: dict[str, Any], i: int) -> dict[str, Any]:
    title, description = fixture["texts"][i % len(fixture["texts"])]
    return {
        "kind": "complaint",
        "nature": "hard",
        "title": title,
        "description": description,
        "customer_id": fixture["customer_ids"][i % len(fixture["customer_ids"])],
        "category_id": fixture["category_id"],
        "order_number": f"YD{1_000_000_000 + i}",
    }


@scenario("intake", "kefu", "create a case through the API (SLA clocks, audit, outbox, search tokens)")
def kefu_intake(fixture: dict[str, Any]) -> Scenario:
    headers = {**_bearer(fixture, "agent1"), "Content-Type": "application/json"}

    def make(i: int) -> Request:
        body = json.dumps(_intake_payload(fixture, i), ensure_ascii=False).encode()
        return Request("POST", "/api/v1/cases", body, headers, (201,))

    return Scenario("intake", make)


@scenario("intake_batch", "kefu", f"create {INTAKE_BATCH} cases per API call (POST /api/v1/cases/batch)")
def kefu_intake_batch(fixture: dict[str, Any]) -> Scenario:
    headers = {**_bearer(fixture, "agent1"), "Content-Type": "application/json"}

    def make(i: int) -> Request:
        cases = [_intake_payload(fixture, i * INTAKE_BATCH + n) for n in range(INTAKE_BATCH)]
        body = json.dumps({"cases": cases}, ensure_ascii=False).encode()
        return Request("POST", "/api/v1/cases/batch", body, headers, (201,))

    return Scenario("intake_batch", make, per_request=INTAKE_BATCH)


@scenario("queue_page", "kefu", "an agent's queue page: open / breaching soon / by status / by department")
def kefu_queue_page(fixture: dict[str, Any]) -> Scenario:
    headers = _session(fixture, "agent1")
    department = fixture["department_id"]
    paths = [
        "/cases/?queue=open",
        "/cases/?queue=breaching",
        "/cases/?queue=open&status=investigating",
        f"/cases/?queue=open&department_id={department}",
    ]
    return Scenario("queue_page", _rotate([Request("GET", p, headers=headers) for p in paths]))


@scenario("queue_api", "kefu", "the same queues through the API (JSON, Bearer token)")
def kefu_queue_api(fixture: dict[str, Any]) -> Scenario:
    headers = _bearer(fixture, "agent1")
    department = fixture["department_id"]
    paths = [
        "/api/v1/cases?queue=open",
        "/api/v1/cases?queue=breaching",
        "/api/v1/cases?queue=open&status=investigating",
        f"/api/v1/cases?queue=open&department_id={department}",
    ]
    return Scenario("queue_api", _rotate([Request("GET", p, headers=headers) for p in paths]))


@scenario("search_cases", "kefu", "keyword search over all cases, 2/3/4-character words")
def kefu_search_cases(fixture: dict[str, Any]) -> Scenario:
    headers = _session(fixture, "agent1")
    paths = [f"/cases/?queue=all&q={quote(w)}" for w in CASE_WORDS]
    return Scenario("search_cases", _rotate([Request("GET", p, headers=headers) for p in paths]))


@scenario("search_customers", "kefu", "keyword search over customers, 2/3/4-character words")
def kefu_search_customers(fixture: dict[str, Any]) -> Scenario:
    headers = _session(fixture, "agent1")
    paths = [f"/customers/?q={quote(w)}" for w in CUSTOMER_WORDS]
    return Scenario("search_customers", _rotate([Request("GET", p, headers=headers) for p in paths]))


@scenario("detail", "kefu", "a case page with about 20 timeline events")
def kefu_detail(fixture: dict[str, Any]) -> Scenario:
    request = Request("GET", f"/cases/{fixture['busy_case_id']}/", headers=_session(fixture, "agent1"))
    return Scenario("detail", lambda i: request)


@scenario("dashboard", "kefu", "the manager's home page with its charts")
def kefu_dashboard(fixture: dict[str, Any]) -> Scenario:
    request = Request("GET", "/", headers=_session(fixture, "csmanager"))
    return Scenario("dashboard", lambda i: request)


@scenario("shipment_page", "kefu", "a shipment's page with its 5 tracking events")
def kefu_shipment_page(fixture: dict[str, Any]) -> Scenario:
    request = Request(
        "GET", f"/operations/shipments/{fixture['shipment_id']}/", headers=_session(fixture, "supervisor1")
    )
    return Scenario("shipment_page", lambda i: request)


@scenario("shipment_list", "kefu", "the shipment list: first page, and a search by shipment number")
def kefu_shipment_list(fixture: dict[str, Any]) -> Scenario:
    headers = _session(fixture, "supervisor1")
    paths = ["/operations/shipments/", f"/operations/shipments/?q={quote(fixture['shipment_number'])}"]
    return Scenario("shipment_list", _rotate([Request("GET", p, headers=headers) for p in paths]))


@scenario("visit_queue", "kefu", "today's visits page (an agent's, and the manager's over all teams)")
def kefu_visit_queue(fixture: dict[str, Any]) -> Scenario:
    requests = [
        Request("GET", "/visits/?queue=today", headers=_session(fixture, user)) for user in ("agent1", "csmanager")
    ]
    return Scenario("visit_queue", _rotate(requests))


@scenario(
    "kpi_report",
    "kefu",
    "the standards KPI page for last month, read from the stored snapshot (the fixture stores it as the worker's "
    "periodic job does)",
)
def kefu_kpi_report(fixture: dict[str, Any]) -> Scenario:
    request = Request("GET", "/standards/", headers=_session(fixture, "csmanager"))
    return Scenario("kpi_report", lambda i: request)


@job("kpi_month", "kefu")
def kefu_kpi_month() -> dict[str, Any]:
    """All indicators of the standard in force for last month (`kpi_report`), as the worker computes them for
    the KPI page's snapshot; and the whole snapshot job for that month (`kpi_snapshot_compute`: the report,
    the other active indicators for the trend charts, and replacing the stored figures)."""
    import time

    from django.utils import timezone

    from kefu.operations.models import Shipment
    from kefu.standards.selectors import default_period, kpi_report
    from kefu.standards.services import kpi_snapshot_compute
    from kefu.tickets.models import Case

    start, end = default_period(timezone.localdate())
    started = time.perf_counter()
    report = kpi_report(start=start, end=end)
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    kpi_snapshot_compute(actor=None, start=start, end=end)
    snapshot_seconds = time.perf_counter() - started
    items = [result for department in report.departments for result in department.items]
    return {
        "month": f"{start:%Y-%m}",
        "seconds": round(seconds, 3),
        "snapshot_seconds": round(snapshot_seconds, 3),
        "indicators": len(items),
        "with_value": sum(1 for r in items if r.overall is not None and r.overall.value is not None),
        "shipments": Shipment.objects.count(),
        "cases": Case.objects.count(),
    }


@job("visit_generation", "kefu")
def kefu_visit_generation() -> dict[str, Any]:
    """The daily visit job on the first day of next year (every periodic rule starts a period: the worst
    day), run twice: the second must add nothing. Rolled back after, so the database can be re-measured."""
    import datetime as dt
    import time

    from django.db import transaction
    from django.utils import timezone

    from kefu.visits.services import visit_tasks_generate

    day = dt.date(timezone.localdate().year + 1, 1, 1)
    info: dict[str, Any] = {"day": day.isoformat()}
    with transaction.atomic():
        for run in (1, 2):
            started = time.perf_counter()
            created = visit_tasks_generate(day=day)
            info[f"run{run}_s"] = round(time.perf_counter() - started, 3)
            info[f"run{run}_created"] = sum(created.values())
        transaction.set_rollback(True)
    return info


# --------------------------------------------------------------------------- django-helpdesk


@scenario("intake", "helpdesk")
def helpdesk_intake(fixture: dict[str, Any]) -> Scenario:
    texts = fixture["texts"]
    headers = {**_bearer(fixture, "admin"), "Content-Type": "application/json"}

    def make(i: int) -> Request:
        title, description = texts[i % len(texts)]
        body = {
            "queue": fixture["queue_id"],
            "title": title,
            "description": description,
            "priority": 3,
            "submitter_email": "bench@example.com",
        }
        return Request("POST", "/api/tickets/", json.dumps(body, ensure_ascii=False).encode(), headers, (201,))

    return Scenario("intake", make)


@scenario("queue_page", "helpdesk")
def helpdesk_queue_page(fixture: dict[str, Any]) -> Scenario:
    headers = _session(fixture, "admin")
    queue = fixture["queue_id"]
    paths = ["/tickets/", "/tickets/?status=1&status=2", f"/tickets/?queue={queue}", "/tickets/?sort=due_date"]
    return Scenario("queue_page", _rotate([Request("GET", p, headers=headers) for p in paths]))


@scenario("queue_api", "helpdesk")
def helpdesk_queue_api(fixture: dict[str, Any]) -> Scenario:
    headers = _session(fixture, "admin")
    base = fixture["datatables_open"]
    # its open-tickets list JSON (what the list page loads), by creation and by due date
    paths = [
        f"{base}?draw=1&start=0&length=25&order[0][column]=5&order[0][dir]=asc",
        f"{base}?draw=1&start=0&length=25&order[0][column]=6&order[0][dir]=asc",
    ]
    return Scenario("queue_api", _rotate([Request("GET", p, headers=headers) for p in paths]))


@scenario("search_cases", "helpdesk")
def helpdesk_search_cases(fixture: dict[str, Any]) -> Scenario:
    headers = _session(fixture, "admin")
    paths = [f"{fixture['datatables_search'][w]}?draw=1&start=0&length=25" for w in CASE_WORDS]
    return Scenario("search_cases", _rotate([Request("GET", p, headers=headers) for p in paths]))


@scenario("detail", "helpdesk")
def helpdesk_detail(fixture: dict[str, Any]) -> Scenario:
    request = Request("GET", f"/tickets/{fixture['busy_ticket_id']}/", headers=_session(fixture, "admin"))
    return Scenario("detail", lambda i: request)


@scenario("dashboard", "helpdesk")
def helpdesk_dashboard(fixture: dict[str, Any]) -> Scenario:
    request = Request("GET", "/dashboard/", headers=_session(fixture, "admin"))
    return Scenario("dashboard", lambda i: request)
